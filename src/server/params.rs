//! Query strings → typed parameters, named like the CLI's flags without dashes
//! (`sl_seconds=30&queue=sales&queue=support`). Unknown names, a name given twice
//! (other than the lists) and values of the wrong type are 400s that name the
//! parameter; nothing here ever names a file.

use super::error::ApiError;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Parses `query` into `T` (a struct of `Option<String>` and `Vec<String>` fields
/// with `deny_unknown_fields`); `lists` are the names that may repeat (and may also
/// be given comma-separated).
pub fn parse<T: DeserializeOwned>(query: Option<&str>, lists: &[&str]) -> Result<T, ApiError> {
    let mut map = Map::new();
    for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if lists.contains(&k.as_ref()) {
            let entry = map
                .entry(k.into_owned())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = entry {
                items.extend(
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| Value::String(s.to_owned())),
                );
            }
        } else if map.contains_key(k.as_ref()) {
            return Err(ApiError::bad_parameter(format!(
                "{k} is given twice; give it once"
            )));
        } else {
            map.insert(k.into_owned(), Value::String(v.into_owned()));
        }
    }
    serde_json::from_value(Value::Object(map)).map_err(|e| {
        // serde's words: "unknown field `x`, expected one of `a`, `b`".
        let text = e.to_string().replace("field", "parameter");
        ApiError::bad_parameter(text)
    })
}

/// A number parameter, `None` when absent.
pub fn number(name: &str, value: &Option<String>) -> Result<Option<f64>, ApiError> {
    match value {
        None => Ok(None),
        Some(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| ApiError::bad_parameter(format!("{name}: {s:?} is not a number"))),
    }
}

/// A whole-number parameter, `None` when absent.
pub fn count(name: &str, value: &Option<String>) -> Result<Option<usize>, ApiError> {
    match value {
        None => Ok(None),
        Some(s) => s.trim().parse::<usize>().map(Some).map_err(|_| {
            ApiError::bad_parameter(format!("{name}: {s:?} is not a whole number ≥ 0"))
        }),
    }
}

/// A yes/no parameter (`true`/`false`, `1`/`0`), `None` when absent.
pub fn flag(name: &str, value: &Option<String>) -> Result<Option<bool>, ApiError> {
    match value.as_deref().map(str::trim) {
        None => Ok(None),
        Some("true" | "1" | "yes") => Ok(Some(true)),
        Some("false" | "0" | "no") => Ok(Some(false)),
        Some(s) => Err(ApiError::bad_parameter(format!(
            "{name}: {s:?} is not true or false"
        ))),
    }
}

/// One of `allowed` (returned as given), `None` when absent.
pub fn choice<'a>(
    name: &str,
    value: &'a Option<String>,
    allowed: &[&str],
) -> Result<Option<&'a str>, ApiError> {
    match value.as_deref() {
        None => Ok(None),
        Some(s) if allowed.contains(&s) => Ok(Some(s)),
        Some(s) => Err(ApiError::bad_parameter(format!(
            "{name}: {s:?} is none of {}",
            allowed.join(", ")
        ))),
    }
}

/// Whether a request value looks like a file path trying to climb out
/// (`../../etc/passwd`, `/etc/passwd`, `..\\x`): callboard never takes a file name
/// from a request, so such a value is refused wherever it appears.
pub fn looks_like_path(value: &str) -> bool {
    value.contains("../")
        || value.contains("..\\")
        || value == ".."
        || value.starts_with('/')
        || value.starts_with('\\')
        || value.contains('\0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct P {
        from: Option<String>,
        #[serde(default)]
        queue: Vec<String>,
    }

    #[test]
    fn lists_repeat_or_split_and_others_are_single() {
        let p: P = parse(Some("from=2026-03-02&queue=a&queue=b,c"), &["queue"]).expect("parses");
        assert_eq!(p.from.as_deref(), Some("2026-03-02"));
        assert_eq!(p.queue, ["a", "b", "c"]);
        let e = parse::<P>(Some("from=a&from=b"), &["queue"]).expect_err("twice");
        assert!(e.message.contains("from is given twice"), "{e}");
        let e = parse::<P>(Some("frm=a"), &["queue"]).expect_err("unknown");
        assert!(e.message.contains("unknown parameter `frm`"), "{e}");
    }

    #[test]
    fn numbers_and_choices_name_the_parameter() {
        assert_eq!(number("sl_seconds", &Some("30".into())), Ok(Some(30.0)));
        let e = number("sl_seconds", &Some("abc".into())).expect_err("not a number");
        assert!(e.message.starts_with("sl_seconds:"));
        assert!(number("x", &Some("NaN".into())).is_err());
        let e = choice("by", &Some("year".into()), &["day", "week"]).expect_err("bad");
        assert_eq!(e.message, "by: \"year\" is none of day, week");
    }

    #[test]
    fn paths_are_spotted() {
        for p in ["../../etc/passwd", "/etc/passwd", "a/../b", "..\\win", ".."] {
            assert!(looks_like_path(p), "{p}");
        }
        for ok in ["sales", "2026-03-02", "Asia/Shanghai", "a..b"] {
            assert!(!looks_like_path(ok), "{ok}");
        }
    }
}
