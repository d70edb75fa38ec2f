//! Exact decimal arithmetic for the discrete steps of staffing.
//!
//! Inputs such as 0.85, 0.3 or 187.5 are decimals as the user wrote them, but their
//! binary floats are not: 101.15 / 0.85 evaluates to 119.00000000000001 and 21 / 0.7
//! to 30.000000000000004, so a float `ceil` staffs one agent too many. Here each
//! input is read back as the shortest decimal that round-trips to its float (what
//! the user typed) and the rounding steps are done on integers.

/// A non-negative decimal `mantissa / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    /// The digits.
    pub mantissa: u128,
    /// Number of decimal places.
    pub scale: u32,
}

impl Decimal {
    /// The shortest decimal that round-trips to `x`; `None` for negative, non-finite
    /// or unwieldy values (more than 30 significant digits in total).
    pub fn from_f64(x: f64) -> Option<Decimal> {
        if !x.is_finite() || x < 0.0 {
            return None;
        }
        // Fast path (the usual case: 0.85, 0.3, 187.5, 1800): the fewest decimals k
        // for which round(x·10^k)/10^k gives x back. Division by a power of ten is
        // correctly rounded, so that decimal is the shortest one that round-trips.
        let mut pow = 1.0f64;
        for k in 0..=9u32 {
            let m = (x * pow).round();
            if m < 9.0e15 && m / pow == x {
                return Some(Decimal {
                    mantissa: m as u128,
                    scale: k,
                });
            }
            pow *= 10.0;
        }
        // `{:e}` gives Rust's shortest round-trip digits as `d.ddddde±x`; written
        // into a stack buffer (this runs per row in batch staffing).
        let mut buf = [0u8; 40];
        let len = {
            use std::io::Write;
            let mut cursor = std::io::Cursor::new(&mut buf[..]);
            write!(cursor, "{x:e}").ok()?;
            cursor.position() as usize
        };
        let s = std::str::from_utf8(&buf[..len]).ok()?;
        let (digits, exp) = s.split_once('e')?;
        let exp: i32 = exp.parse().ok()?;
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let mut mantissa: u128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            if !b.is_ascii_digit() {
                return None;
            }
            mantissa = mantissa
                .checked_mul(10)?
                .checked_add(u128::from(b - b'0'))?;
        }
        // value = all × 10^(exp − len(frac))
        let shift = exp - frac.len() as i32;
        let scale = if shift >= 0 {
            mantissa = mantissa.checked_mul(10u128.checked_pow(shift as u32)?)?;
            0
        } else {
            (-shift) as u32
        };
        if scale > 30 {
            return None;
        }
        Some(Decimal { mantissa, scale })
    }

    /// `10^scale` as u128.
    pub fn denominator(&self) -> Option<u128> {
        10u128.checked_pow(self.scale)
    }
}

/// ⌈num / den⌉ for den > 0 (in 64-bit hardware division when both fit: 128-bit
/// division is a slow library call, and this runs per row).
pub fn ceil_div(num: u128, den: u128) -> u128 {
    if let (Ok(n), Ok(d)) = (u64::try_from(num), u64::try_from(den)) {
        return u128::from(n / d + u64::from(!n.is_multiple_of(d)));
    }
    num / den + u128::from(!num.is_multiple_of(den))
}

/// An exact rational `num / den` (den > 0), for the offered load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    /// Numerator.
    pub num: u128,
    /// Denominator (> 0).
    pub den: u128,
}

impl Ratio {
    /// `a × b / c` for decimals, if it fits in 128 bits.
    pub fn product_over(a: Decimal, b: Decimal, c: Decimal) -> Option<Ratio> {
        // (a.m / 10^a.s) (b.m / 10^b.s) / (c.m / 10^c.s) = a.m b.m 10^c.s / (c.m 10^(a.s+b.s))
        let num = a
            .mantissa
            .checked_mul(b.mantissa)?
            .checked_mul(c.denominator()?)?;
        let den = c
            .mantissa
            .checked_mul(10u128.checked_pow(a.scale + b.scale)?)?;
        (den > 0).then_some(Ratio { num, den })
    }

    /// ⌊value⌋.
    pub fn floor(&self) -> u128 {
        match (u64::try_from(self.num), u64::try_from(self.den)) {
            (Ok(n), Ok(d)) => u128::from(n / d),
            _ => self.num / self.den,
        }
    }

    /// ⌈value / d⌉ for a decimal d > 0.
    pub fn ceil_div_decimal(&self, d: Decimal) -> Option<u128> {
        // (num/den) / (m/10^s) = num 10^s / (den m)
        let num = self.num.checked_mul(d.denominator()?)?;
        let den = self.den.checked_mul(d.mantissa)?;
        (den > 0).then(|| ceil_div(num, den))
    }

    /// Whether `n` is strictly greater than the value.
    pub fn below(&self, n: u128) -> bool {
        match n.checked_mul(self.den) {
            Some(x) => x > self.num,
            None => true,
        }
    }
}

/// ⌈agents / (1 − shrinkage)⌉ exactly; `None` if the arithmetic does not fit.
pub fn positions(agents: u64, shrinkage: Decimal) -> Option<u64> {
    let one = shrinkage.denominator()?;
    let kept = one.checked_sub(shrinkage.mantissa).filter(|k| *k > 0)?;
    let num = u128::from(agents).checked_mul(one)?;
    u64::try_from(ceil_div(num, kept)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_what_was_typed() {
        assert_eq!(
            Decimal::from_f64(0.85),
            Some(Decimal {
                mantissa: 85,
                scale: 2
            })
        );
        assert_eq!(
            Decimal::from_f64(0.3),
            Some(Decimal {
                mantissa: 3,
                scale: 1
            })
        );
        assert_eq!(
            Decimal::from_f64(187.5),
            Some(Decimal {
                mantissa: 1875,
                scale: 1
            })
        );
        assert_eq!(
            Decimal::from_f64(1800.0),
            Some(Decimal {
                mantissa: 1800,
                scale: 0
            })
        );
        assert_eq!(
            Decimal::from_f64(1e-7),
            Some(Decimal {
                mantissa: 1,
                scale: 7
            })
        );
        assert_eq!(
            Decimal::from_f64(0.0),
            Some(Decimal {
                mantissa: 0,
                scale: 0
            })
        );
        assert_eq!(Decimal::from_f64(-1.0), None);
        assert_eq!(Decimal::from_f64(f64::NAN), None);
    }

    #[test]
    fn the_float_ceil_traps_are_avoided() {
        // 21 agents at 30 % shrinkage: 21 / 0.7 = 30 exactly (float: 30.000000000000004).
        let s = Decimal::from_f64(0.3).expect("decimal");
        assert_eq!(positions(21, s), Some(30));
        assert!(
            (21.0f64 / (1.0 - 0.3)).ceil() > 30.0,
            "the float trap is real"
        );
        // 2023 calls × 45 s / 900 s = 101.15 Erlangs; / 0.85 = 119 exactly.
        let a = Ratio::product_over(
            Decimal::from_f64(2023.0).expect("d"),
            Decimal::from_f64(45.0).expect("d"),
            Decimal::from_f64(900.0).expect("d"),
        )
        .expect("fits");
        assert_eq!(
            a.ceil_div_decimal(Decimal::from_f64(0.85).expect("d")),
            Some(119)
        );
        assert!(
            (2023.0f64 * 45.0 / 900.0 / 0.85).ceil() > 119.0,
            "the float trap is real"
        );
        assert_eq!(a.floor(), 101);
        assert!(a.below(102) && !a.below(101));
    }
}
