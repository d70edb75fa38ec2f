//! A mixed-integer linear model as plain data, and its solution by HiGHS through
//! `good_lp`. The roster stages build a [`LinearModel`] (testable without a solver:
//! count its columns, read its rows); [`LinearModel::solve`] is the one place that
//! calls the solver.

use good_lp::{ProblemVariables, SolverModel, Variable, variable};
use std::time::Instant;

/// A column (decision variable).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// What it stands for, for messages and tests.
    pub name: String,
    /// Objective coefficient (minimised).
    pub cost: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound (`f64::INFINITY` for none).
    pub upper: f64,
    /// Whether it must take a whole value.
    pub integer: bool,
}

impl Column {
    /// A continuous column ≥ 0 without an upper bound (a slack, a count, a share).
    pub fn continuous(name: String, cost: f64) -> Column {
        Column {
            name,
            cost,
            lower: 0.0,
            upper: f64::INFINITY,
            integer: false,
        }
    }
}

/// A row: `lower ≤ Σ coefficient × column ≤ upper`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// What it says, for messages and tests.
    pub name: String,
    /// (column index, coefficient).
    pub terms: Vec<(usize, f64)>,
    /// Lower bound (`f64::NEG_INFINITY` for none).
    pub lower: f64,
    /// Upper bound (`f64::INFINITY` for none).
    pub upper: f64,
}

/// A minimisation model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinearModel {
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Row>,
}

/// How the solver stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SolveStatus {
    /// Proven optimal within the gap asked.
    Optimal,
    /// Stopped at the time limit with a feasible solution.
    TimeLimit,
    /// Stopped at the node limit with a feasible solution (a limit on work, so the
    /// same inputs stop at the same plan on any machine).
    NodeLimit,
}

/// What the solver found.
#[derive(Debug, Clone, PartialEq)]
pub struct LpSolution {
    /// Column values, in column order.
    pub values: Vec<f64>,
    /// The objective of the solution.
    pub objective: f64,
    /// The best bound proven (equal to `objective` when optimal with gap 0).
    pub bound: f64,
    /// The relative MIP gap |objective − bound| ÷ |objective| (0 when proven).
    pub gap: f64,
    /// How it stopped.
    pub status: SolveStatus,
    /// Wall time of the solve, seconds.
    pub seconds: f64,
}

/// Options of a solve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SolveOptions {
    /// Time limit, seconds.
    pub time_limit_s: f64,
    /// Relative MIP gap at which to stop.
    pub mip_gap: f64,
    /// Solver threads (1 keeps runs repeatable).
    pub threads: u32,
    /// Branch-and-bound nodes at most (`None`: no limit) — unlike the time limit,
    /// repeatable.
    pub max_nodes: Option<u64>,
    /// Solve a linear program (no integer columns) by the interior-point method
    /// instead of the simplex: much faster on the capacity-bound relaxations of
    /// the named stage (0.8 s against 3.8 s at the size), slower on the
    /// plain plan's (0.4 s against 0.2 s).
    pub interior_point: bool,
}

impl Default for SolveOptions {
    fn default() -> Self {
        SolveOptions {
            time_limit_s: 60.0,
            mip_gap: 1e-4,
            threads: 1,
            max_nodes: None,
            interior_point: false,
        }
    }
}

/// Why a solve gave no solution.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SolveError {
    /// No feasible point (the roster models always have one: slacks).
    #[error("the model has no feasible solution ({0})")]
    Infeasible(String),
    /// Stopped (time limit) before any feasible solution.
    #[error(
        "the solver stopped after {seconds:.1} s without a feasible roster; raise the time limit"
    )]
    NoSolution {
        /// Time used.
        seconds: f64,
    },
    /// The solver failed.
    #[error("the solver failed: {0}")]
    Solver(String),
}

impl LinearModel {
    /// Adds a column, returning its index.
    pub fn add_column(&mut self, column: Column) -> usize {
        self.columns.push(column);
        self.columns.len() - 1
    }

    /// Adds a row.
    pub fn add_row(&mut self, row: Row) {
        self.rows.push(row);
    }

    /// The same model with every column continuous (its relaxation).
    pub fn relaxed(&self) -> LinearModel {
        LinearModel {
            columns: self
                .columns
                .iter()
                .map(|c| Column {
                    integer: false,
                    ..c.clone()
                })
                .collect(),
            rows: self.rows.clone(),
        }
    }

    /// The objective at `values`.
    pub fn objective_at(&self, values: &[f64]) -> f64 {
        self.columns
            .iter()
            .zip(values)
            .map(|(c, v)| c.cost * v)
            .sum()
    }

    /// Solves the model with HiGHS (deterministic: a fixed seed, `threads` threads),
    /// starting from `start` when given (a feasible point: the solver then always
    /// has a solution to return, even stopped early).
    pub fn solve(
        &self,
        options: &SolveOptions,
        start: Option<&[f64]>,
    ) -> Result<LpSolution, SolveError> {
        let started = Instant::now();
        let mut vars = ProblemVariables::new();
        let cols: Vec<Variable> = self
            .columns
            .iter()
            .map(|c| {
                let mut v = variable().min(c.lower);
                if c.upper.is_finite() {
                    v = v.max(c.upper);
                }
                if c.integer {
                    v = v.integer();
                }
                vars.add(v)
            })
            .collect();
        let objective: good_lp::Expression = self
            .columns
            .iter()
            .zip(&cols)
            .filter(|(c, _)| c.cost != 0.0)
            .map(|(c, v)| c.cost * *v)
            .sum();
        let mut problem = vars
            .minimise(objective)
            .using(good_lp::solvers::highs::highs);
        for row in &self.rows {
            let expr: good_lp::Expression = row.terms.iter().map(|(i, a)| *a * cols[*i]).sum();
            if row.lower.is_finite() && row.upper.is_finite() && row.lower == row.upper {
                problem.add_constraint(expr.eq(row.lower));
                continue;
            }
            if row.lower.is_finite() {
                problem.add_constraint(expr.clone().geq(row.lower));
            }
            if row.upper.is_finite() {
                problem.add_constraint(expr.leq(row.upper));
            }
        }
        let mut model = problem
            .try_into_inner()
            .map_err(|e| SolveError::Solver(e.to_string()))?;
        model.make_quiet();
        option(&mut model, "time_limit", options.time_limit_s)?;
        option(&mut model, "mip_rel_gap", options.mip_gap)?;
        option(&mut model, "threads", options.threads.max(1) as i32)?;
        option(&mut model, "random_seed", 0i32)?;
        if options.interior_point && !self.columns.iter().any(|c| c.integer) {
            option(&mut model, "solver", "ipm")?;
        }
        if let Some(n) = options.max_nodes {
            option(
                &mut model,
                "mip_max_nodes",
                i32::try_from(n).unwrap_or(i32::MAX),
            )?;
        }
        // The solver's own log, appended to a file, for looking into a slow or
        // weak solve (docs/rostering.md).
        if let Ok(path) = std::env::var("CALLBOARD_HIGHS_LOG") {
            option(&mut model, "output_flag", true)?;
            option(&mut model, "log_to_console", false)?;
            option(&mut model, "log_file", path.as_str())?;
        }
        if let Some(start) = start {
            model
                .try_set_solution(Some(start), None, None, None)
                .map_err(|e| SolveError::Solver(format!("the starting point: {e:?}")))?;
        }
        let solved = model
            .try_solve()
            .map_err(|e| SolveError::Solver(format!("{e:?}")))?;
        let seconds = started.elapsed().as_secs_f64();
        use highs::HighsModelStatus as S;
        let status = match solved.status() {
            S::Optimal | S::ObjectiveBound | S::ObjectiveTarget => SolveStatus::Optimal,
            S::ReachedTimeLimit | S::ReachedInterrupt | S::ReachedMemoryLimit => {
                SolveStatus::TimeLimit
            }
            S::ReachedIterationLimit | S::ReachedSolutionLimit => SolveStatus::NodeLimit,
            S::Infeasible | S::UnboundedOrInfeasible | S::Unbounded => {
                return Err(SolveError::Infeasible(format!("{:?}", solved.status())));
            }
            other => return Err(SolveError::Solver(format!("{other:?}"))),
        };
        if solved.primal_solution_status() != highs::HighsSolutionStatus::Feasible {
            return Err(SolveError::NoSolution { seconds });
        }
        let values: Vec<f64> = solved.get_solution().columns().to_vec();
        let objective = self.objective_at(&values);
        let gap = match self.columns.iter().any(|c| c.integer) {
            true => solved.mip_gap().clamp(0.0, f64::MAX),
            false => 0.0,
        };
        let gap = if gap.is_finite() { gap } else { 1.0 };
        let bound = solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|b| b.is_finite() && self.columns.iter().any(|c| c.integer))
            .unwrap_or(objective);
        Ok(LpSolution {
            values,
            objective,
            bound,
            gap,
            status,
            seconds,
        })
    }
}

/// Sets one HiGHS option.
fn option<V: highs::HighsOptionValue>(
    model: &mut highs::Model,
    key: &str,
    value: V,
) -> Result<(), SolveError> {
    model
        .try_set_option(key, value)
        .map_err(|e| SolveError::Solver(format!("option {key}: {e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, cost: f64, integer: bool) -> Column {
        Column {
            name: name.into(),
            cost,
            lower: 0.0,
            upper: f64::INFINITY,
            integer,
        }
    }

    #[test]
    fn a_small_integer_program_solves_to_its_hand_worked_optimum() {
        // min a + 2b, a + b ≥ 3.5, a ≤ 10, integers: the LP optimum a = 3.5 is cut
        // to a = 4, b = 0 (objective 4); continuous, a = 3.5 (3.5).
        for (integer, want) in [(true, 4.0), (false, 3.5)] {
            let mut m = LinearModel::default();
            let a = m.add_column(Column {
                upper: 10.0,
                ..col("a", 1.0, integer)
            });
            let b = m.add_column(col("b", 2.0, integer));
            m.add_row(Row {
                name: "a + b ≥ 3.5".into(),
                terms: vec![(a, 1.0), (b, 1.0)],
                lower: 3.5,
                upper: f64::INFINITY,
            });
            let s = m.solve(&SolveOptions::default(), None).expect("solved");
            assert!((s.objective - want).abs() < 1e-9, "{s:?}");
            assert_eq!(s.status, SolveStatus::Optimal);
            assert!(s.gap <= 1e-4);
            assert!((s.bound - want).abs() < 1e-6, "{s:?}");
        }
    }

    #[test]
    fn an_infeasible_model_is_an_error_not_a_panic() {
        let mut m = LinearModel::default();
        let a = m.add_column(Column {
            upper: 1.0,
            ..col("a", 1.0, true)
        });
        m.add_row(Row {
            name: "a ≥ 2".into(),
            terms: vec![(a, 1.0)],
            lower: 2.0,
            upper: f64::INFINITY,
        });
        assert!(matches!(
            m.solve(&SolveOptions::default(), None),
            Err(SolveError::Infeasible(_))
        ));
    }
}
