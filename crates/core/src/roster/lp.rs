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

/// Blocks of fewer columns than this are solved together (see
/// [`LinearModel::blocks`]).
pub const SMALL_BLOCK: usize = 64;

/// Columns and rows of a model that no row links to the rest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Block {
    /// Column indices, ascending.
    pub columns: Vec<usize>,
    /// Row indices, ascending.
    pub rows: Vec<usize>,
    /// Whether it is the small blocks put together.
    pub merged: bool,
}

/// A minimisation model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinearModel {
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Row>,
}

/// A solve's bound and gap: the solver's dual bound and gap when it has one
/// (`dual`), the objective for a relaxation solved to its optimum (`optimal`),
/// else the `trivial` bound — never the objective of a solve stopped before its
/// bound, which would read as "optimal, gap 0".
pub fn settled(
    dual: Option<(f64, f64)>,
    optimal: bool,
    objective: f64,
    trivial: f64,
) -> (f64, f64) {
    match dual {
        // (An infinite gap once came out as f64::MAX, clamped.)
        Some((b, gap)) if gap.is_finite() => (b, gap.max(0.0)),
        Some((b, _)) => (b, relative_gap(objective, b)),
        None if optimal => (objective, 0.0),
        None => {
            let b = trivial.min(objective);
            (b, relative_gap(objective, b))
        }
    }
}

/// (objective − bound) ÷ |objective|, from 0 to 1 (1 when the bound is no use).
/// A bound within a billionth of the objective (at least of 1) closes the gap:
/// a solver's bound a rounding below an objective of 0 is no gap of 100 %.
pub fn relative_gap(objective: f64, bound: f64) -> f64 {
    let short = objective - bound;
    if short.is_nan() {
        return 1.0;
    }
    if short <= 1e-9 * objective.abs().max(1.0) {
        return 0.0;
    }
    if objective.abs() < 1e-9 {
        return 1.0;
    }
    (short / objective.abs()).clamp(0.0, 1.0)
}

/// A model split by [`LinearModel::split_by_part`].
#[derive(Debug, Clone, PartialEq)]
pub struct SplitModel {
    /// The split model: the original's columns first, then the slacks' copies.
    pub model: LinearModel,
    /// (slack column, its copies: (copy column, the split row it is in), one per
    /// part of its row).
    pub copies: Vec<(usize, Vec<(usize, usize)>)>,
}

impl SplitModel {
    /// A point of the original model as one of the split model: each slack's
    /// copies take what their part's row is short of, the slack itself 0.
    pub fn lift(&self, values: &[f64]) -> Vec<f64> {
        let mut out = values.to_vec();
        out.resize(self.model.columns.len(), 0.0);
        for (slack, list) in &self.copies {
            out[*slack] = 0.0;
            for &(copy, r) in list {
                let row = &self.model.rows[r];
                let mut a = 0.0;
                let mut rest = 0.0;
                for &(c, x) in &row.terms {
                    if c == copy {
                        a += x;
                    } else {
                        rest += x * out[c];
                    }
                }
                let need = if a > 0.0 && row.lower.is_finite() {
                    (row.lower - rest) / a
                } else if a < 0.0 && row.upper.is_finite() {
                    (row.upper - rest) / a
                } else {
                    0.0
                };
                out[copy] = need.max(0.0);
            }
        }
        out
    }

    /// A point of the split model as one of the original (each slack the sum of
    /// its copies).
    pub fn lower(&self, values: &[f64], original_columns: usize) -> Vec<f64> {
        let mut out = values[..original_columns].to_vec();
        for (slack, list) in &self.copies {
            out[*slack] = list.iter().map(|(c, _)| values[*c]).sum();
        }
        out
    }
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

    /// The model with each row that links parts (days) split into one row per
    /// part, so the parts fall apart into blocks ([`Self::blocks`]): a row's
    /// bounds are dealt to its parts in proportion to their share of the row at
    /// `guide` (a relaxation's solution, which then satisfies every part), so
    /// whatever satisfies the parts' rows satisfies the row, and the split model
    /// is a restriction of this one: its plans are plans here, its bound is not
    /// a bound here. `part[c]` names column `c`'s part (`None`: of none, a
    /// slack). A row with a slack is split only when the slack is in no other
    /// row; each part then gets a copy of it (same cost and bounds), appended as
    /// a new column: `copies` lists (slack, its copies). Rows within one part
    /// stay as they are.
    /// Only rows from `from_row` on are split.
    pub fn split_by_part(
        &self,
        part: &[Option<u32>],
        guide: &[f64],
        from_row: usize,
    ) -> SplitModel {
        let mut rows_of = vec![0u32; self.columns.len()];
        for row in &self.rows {
            for &(c, _) in &row.terms {
                rows_of[c] += 1;
            }
        }
        let mut model = LinearModel {
            columns: self.columns.clone(),
            rows: Vec::with_capacity(self.rows.len()),
        };
        let mut copies: Vec<(usize, Vec<(usize, usize)>)> = Vec::new();
        for (r, row) in self.rows.iter().enumerate() {
            if r < from_row {
                model.rows.push(row.clone());
                continue;
            }
            let mut by_part: std::collections::BTreeMap<u32, Vec<(usize, f64)>> =
                std::collections::BTreeMap::new();
            let mut slacks = Vec::new();
            for &(c, a) in &row.terms {
                match part[c] {
                    Some(p) => by_part.entry(p).or_default().push((c, a)),
                    None => slacks.push((c, a)),
                }
            }
            if by_part.len() < 2 || slacks.iter().any(|(c, _)| rows_of[*c] > 1) {
                model.rows.push(row.clone());
                continue;
            }
            let at = |terms: &[(usize, f64)]| -> f64 {
                terms.iter().map(|(c, a)| a * guide[*c]).sum::<f64>()
            };
            let total: f64 = by_part.values().map(|t| at(t)).sum();
            let parts = by_part.len() as f64;
            // A part's share of the row's bound: its share of the row at the
            // guide (evenly when the guide puts nothing in the row). Upper
            // bounds are kept a hair inside, so rounding never breaks the row.
            let deal = |bound: f64, terms: &[(usize, f64)], inward: f64| {
                if !bound.is_finite() {
                    return bound;
                }
                let share = if total.abs() > 1e-9 {
                    at(terms) / total
                } else {
                    1.0 / parts
                };
                (bound - inward * 1e-7 * bound.abs().max(1.0)) * share
            };
            let mut made: Vec<Vec<(usize, usize)>> = vec![Vec::new(); slacks.len()];
            for (p, own) in &by_part {
                let mut terms = own.clone();
                for (i, &(c, a)) in slacks.iter().enumerate() {
                    let copy = model.add_column(Column {
                        name: format!("{} (part {p})", self.columns[c].name),
                        ..self.columns[c].clone()
                    });
                    made[i].push((copy, model.rows.len()));
                    terms.push((copy, a));
                }
                let row_part = Row {
                    name: format!("{} (part {p})", row.name),
                    lower: deal(row.lower, own, -1.0),
                    upper: deal(row.upper, own, 1.0),
                    terms,
                };
                model.rows.push(row_part);
            }
            for ((c, _), list) in slacks.iter().zip(made) {
                copies.push((*c, list));
            }
        }
        SplitModel { model, copies }
    }

    /// A bound every point meets, without solving: each column at the end of
    /// its range its cost favours (−∞ when that end is open).
    pub fn trivial_bound(&self) -> f64 {
        self.columns
            .iter()
            .map(|c| match c.cost {
                x if x > 0.0 => x * c.lower,
                x if x < 0.0 => x * c.upper,
                _ => 0.0,
            })
            .sum()
    }

    /// The objective at `values`.
    pub fn objective_at(&self, values: &[f64]) -> f64 {
        self.columns
            .iter()
            .zip(values)
            .map(|(c, v)| c.cost * v)
            .sum()
    }

    /// The model's independent blocks: groups of columns no row links to another
    /// group, each with its rows, in the order of their first column. Blocks of
    /// fewer than [`SMALL_BLOCK`] columns are merged into one (many tiny solves
    /// cost more than they save). One block when everything is linked.
    pub fn blocks(&self) -> Vec<Block> {
        let n = self.columns.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        for row in &self.rows {
            if let Some(&(first, _)) = row.terms.first() {
                let a = root(&mut parent, first);
                for &(c, _) in &row.terms[1..] {
                    let b = root(&mut parent, c);
                    if a != b {
                        // The smaller index is the root: blocks keep their
                        // first column as their name.
                        let (lo, hi) = (a.min(b), a.max(b));
                        parent[hi] = lo;
                    }
                }
            }
        }
        let mut index_of_root: Vec<Option<usize>> = vec![None; n];
        let mut blocks: Vec<Block> = Vec::new();
        for c in 0..n {
            let r = root(&mut parent, c);
            let b = *index_of_root[r].get_or_insert_with(|| {
                blocks.push(Block::default());
                blocks.len() - 1
            });
            blocks[b].columns.push(c);
        }
        for (i, row) in self.rows.iter().enumerate() {
            // A row without terms holds or not whatever the columns: the first
            // block takes it.
            let b = row
                .terms
                .first()
                .and_then(|(c, _)| index_of_root[root(&mut parent, *c)])
                .unwrap_or(0);
            if let Some(block) = blocks.get_mut(b) {
                block.rows.push(i);
            }
        }
        let (mut big, small): (Vec<Block>, Vec<Block>) = blocks
            .into_iter()
            .partition(|b| b.columns.len() >= SMALL_BLOCK);
        if !small.is_empty() {
            let mut merged = Block {
                merged: true,
                ..Block::default()
            };
            for b in small {
                merged.columns.extend(b.columns);
                merged.rows.extend(b.rows);
            }
            merged.columns.sort_unstable();
            merged.rows.sort_unstable();
            big.push(merged);
            big.sort_by_key(|b| b.columns[0]);
        }
        big
    }

    /// The sub-model of one block (its columns renumbered in order).
    fn block_model(&self, block: &Block) -> LinearModel {
        let mut new_index = vec![usize::MAX; self.columns.len()];
        for (i, &c) in block.columns.iter().enumerate() {
            new_index[c] = i;
        }
        LinearModel {
            columns: block
                .columns
                .iter()
                .map(|&c| self.columns[c].clone())
                .collect(),
            rows: block
                .rows
                .iter()
                .map(|&r| {
                    let row = &self.rows[r];
                    Row {
                        name: row.name.clone(),
                        terms: row.terms.iter().map(|&(c, a)| (new_index[c], a)).collect(),
                        lower: row.lower,
                        upper: row.upper,
                    }
                })
                .collect(),
        }
    }

    /// Solves the model with HiGHS (deterministic: a fixed seed, `threads` threads),
    /// starting from `start` when given (a feasible point: the solver then always
    /// has a solution to return, even stopped early).
    ///
    /// A mixed-integer model that falls apart into independent blocks (a week of
    /// day shifts none of which reaches the next day's: each day is its own
    /// problem) is solved block by block, each with the time left shared by the
    /// blocks' sizes (what one finishes early the next may use): the search of one
    /// model would branch on all days' choices in one tree, where the blocks' trees
    /// are apart. The bound is the sum of the blocks' bounds, valid because no row
    /// links them.
    pub fn solve(
        &self,
        options: &SolveOptions,
        start: Option<&[f64]>,
    ) -> Result<LpSolution, SolveError> {
        if let Some(blocks) = self.separable() {
            return self.solve_blocks(&blocks, options, start);
        }
        self.solve_whole(options, start)
    }

    /// The blocks, when two or more of them are not small ones merged (only then
    /// is solving them apart worth it).
    pub fn separable(&self) -> Option<Vec<Block>> {
        if !self.columns.iter().any(|c| c.integer) {
            return None;
        }
        let blocks = self.blocks();
        (blocks.iter().filter(|b| !b.merged).count() >= 2).then_some(blocks)
    }

    /// [`Self::solve`] block by block, on as many threads as the machine has
    /// cores (each block's solver on one thread of its own): every block is
    /// solved apart whatever the thread count, so the threads change only how
    /// much time each gets.
    fn solve_blocks(
        &self,
        blocks: &[Block],
        options: &SolveOptions,
        start: Option<&[f64]>,
    ) -> Result<LpSolution, SolveError> {
        let started = Instant::now();
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4)
            .min(blocks.len());
        // The small ones put together first (solved at once), then the largest
        // first, so the last to start are the smaller.
        let mut order: Vec<usize> = (0..blocks.len()).collect();
        order.sort_by_key(|b| {
            (
                !blocks[*b].merged,
                std::cmp::Reverse(blocks[*b].columns.len()),
                *b,
            )
        });
        let merged = blocks.iter().filter(|b| b.merged).count();
        let merged_columns: usize = blocks
            .iter()
            .filter(|b| b.merged)
            .map(|b| b.columns.len())
            .sum();
        let queue = std::sync::Mutex::new((order.into_iter(), 0usize, 0usize));
        let columns_total: usize = blocks.iter().map(|b| b.columns.len()).sum();
        let solve_one = |b: usize, (taken, started_blocks): (usize, usize)| {
            let block = &blocks[b];
            let model = self.block_model(block);
            let left = (options.time_limit_s - started.elapsed().as_secs_f64()).max(0.0);
            // Each thread will solve about ⌈blocks left ÷ threads⌉ more blocks,
            // this one included: the time left shared among those, by size
            // against the blocks left's mean.
            // (The small ones put together count for nothing: they go first and
            // take no time.)
            let blocks_left = blocks.len().saturating_sub(started_blocks.max(merged));
            let rounds = blocks_left.div_ceil(workers).max(1);
            let columns_left = (columns_total - taken.max(merged_columns)) as f64;
            let mean = columns_left / blocks_left.max(1) as f64;
            let share =
                (left / rounds as f64 * block.columns.len() as f64 / mean.max(1.0)).min(left);
            let block_start: Option<Vec<f64>> =
                start.map(|s| block.columns.iter().map(|&c| s[c]).collect());
            model.solve_whole(
                &SolveOptions {
                    time_limit_s: share.max(0.05),
                    threads: 1,
                    ..*options
                },
                block_start.as_deref(),
            )
        };
        // A worker that panicked (a solver fault) is an error that says so.
        type Solved = Vec<(usize, Result<LpSolution, SolveError>)>;
        let results: Vec<Result<Solved, String>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let next = {
                                let mut q = queue.lock().unwrap_or_else(|e| e.into_inner());
                                let b = q.0.next();
                                let so_far = (q.1, q.2);
                                if let Some(b) = b {
                                    q.1 += blocks[b].columns.len();
                                    q.2 += 1;
                                }
                                b.map(|b| (b, so_far))
                            };
                            let Some((b, so_far)) = next else {
                                break;
                            };
                            done.push((b, solve_one(b, so_far)));
                        }
                        done
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().map_err(|panic| {
                        panic
                            .downcast_ref::<&str>()
                            .map(|m| (*m).to_owned())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_else(|| "no message".into())
                    })
                })
                .collect()
        });
        let mut by_block: Vec<Option<LpSolution>> = vec![None; blocks.len()];
        for worker in results {
            let done = worker.map_err(|m| {
                SolveError::Solver(format!("a solver thread stopped on a fault: {m}"))
            })?;
            for (b, r) in done {
                by_block[b] = Some(r?);
            }
        }
        let mut values = vec![0.0; self.columns.len()];
        let (mut bound, mut status) = (0.0, SolveStatus::Optimal);
        for (block, solved) in blocks.iter().zip(by_block) {
            let solved =
                solved.ok_or_else(|| SolveError::Solver("a block was not solved".into()))?;
            for (&c, v) in block.columns.iter().zip(&solved.values) {
                values[c] = *v;
            }
            bound += solved.bound;
            status = match (status, solved.status) {
                (SolveStatus::TimeLimit, _) | (_, SolveStatus::TimeLimit) => SolveStatus::TimeLimit,
                (SolveStatus::NodeLimit, _) | (_, SolveStatus::NodeLimit) => SolveStatus::NodeLimit,
                _ => SolveStatus::Optimal,
            };
        }
        let objective = self.objective_at(&values);
        let gap = relative_gap(objective, bound);
        Ok(LpSolution {
            values,
            objective,
            bound: bound.min(objective),
            gap,
            status,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// [`Self::solve`] as one model.
    fn solve_whole(
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
        // HiGHS's feasibility jump (a primal heuristic run before the root) took
        // a fifth of the time of pyworkforce's named instance and found nothing
        // the root did not (solve 0.097 → 0.065 s without it); at the issue's
        // size the plan's gap was 0.12 % without it against 0.16 %, the named
        // roster the same to the cent.
        option(&mut model, "mip_heuristic_run_feasibility_jump", false)?;
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
        let integer = self.columns.iter().any(|c| c.integer);
        let dual = solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|b| b.is_finite() && integer);
        let (bound, gap) = settled(
            dual.map(|b| (b, solved.mip_gap())),
            !integer && status == SolveStatus::Optimal,
            objective,
            self.trivial_bound(),
        );
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

    /// Covering a 7-cycle of edges with whole vertices (x_i + x_i+1 ≥ 1, each
    /// x 0 … 1 at cost 1): the relaxation is 3.5 (every x ½), the optimum 4.
    /// Every column costs ≥ 0 from 0 up, so the trivial bound is 0; a solve
    /// stopped before its bound must say gap 1 with it (HiGHS solves this one
    /// at its root, so the stopped case is asserted on `settled`).
    #[test]
    fn a_solve_stopped_before_its_bound_says_so() {
        let mut m = LinearModel::default();
        let x: Vec<usize> = (0..7)
            .map(|i| {
                m.add_column(Column {
                    upper: 1.0,
                    ..col(&format!("x{i}"), 1.0, true)
                })
            })
            .collect();
        for i in 0..7 {
            m.add_row(Row {
                name: format!("edge {i}"),
                terms: vec![(x[i], 1.0), (x[(i + 1) % 7], 1.0)],
                lower: 1.0,
                upper: f64::INFINITY,
            });
        }
        assert_eq!(m.trivial_bound(), 0.0);
        let whole = m.solve(&SolveOptions::default(), None).expect("solved");
        assert!((whole.objective - 4.0).abs() < 1e-9, "{whole:?}");
        assert!((whole.bound - 4.0).abs() < 1e-6, "{whole:?}");
        // Stopped before the solver had a bound: the trivial one, gap 1 — not
        // the objective (the roster stopped at 2 s once said "gap 0").
        assert_eq!(settled(None, false, 4.0, m.trivial_bound()), (0.0, 1.0));
        // With the solver's bound, its bound and gap.
        assert_eq!(settled(Some((3.5, 0.125)), false, 4.0, 0.0), (3.5, 0.125));
        // An infinite gap of the solver's: recomputed, (4 − 3.5) ÷ 4.
        assert_eq!(
            settled(Some((3.5, f64::INFINITY)), false, 4.0, 0.0),
            (3.5, 0.125)
        );
        // A relaxation solved to its optimum is its own bound.
        assert_eq!(settled(None, true, 3.5, 0.0), (3.5, 0.0));
        assert_eq!(relative_gap(4.0, 0.0), 1.0);
        assert_eq!(relative_gap(4.0, 3.0), 0.25);
        assert_eq!(relative_gap(4.0, f64::NEG_INFINITY), 1.0);
        assert_eq!(relative_gap(0.0, 0.0), 0.0);
        // A bound a rounding below the objective: no gap, even at 0.
        assert_eq!(relative_gap(0.0, -1e-12), 0.0);
        assert_eq!(relative_gap(5600.0, 5600.0 - 1e-9), 0.0);
        assert_eq!(relative_gap(0.0, -5.0), 1.0);
        assert_eq!(relative_gap(4.0, 5.0), 0.0);
        assert_eq!(relative_gap(f64::NAN, 1.0), 1.0);
    }

    #[test]
    fn a_row_linking_parts_is_dealt_to_them_by_the_guide() {
        // x (part 0) and y (part 1), a slack s (cost 5) in the first row only:
        //   x + y + s ≥ 10      x + y ≤ 8      x − y ≥ 0 (unsplit: kept before
        //   `from_row`)
        // At the guide x = 6, y = 2, s = 2 the parts hold 6/8 and 2/8 of each row:
        //   x + s0 ≥ 7.5, y + s1 ≥ 2.5   (s0, s1 copies of s, cost 5)
        //   x ≤ 6, y ≤ 2                 (kept a hair inside)
        // Lifted, the guide puts s0 = 1.5, s1 = 0.5, s = 0; lowered back, s = 2.
        let mut m = LinearModel::default();
        let x = m.add_column(col("x", 1.0, true));
        let y = m.add_column(col("y", 1.0, true));
        let s = m.add_column(col("s", 5.0, false));
        m.add_row(Row {
            name: "x ≥ y".into(),
            terms: vec![(x, 1.0), (y, -1.0)],
            lower: 0.0,
            upper: f64::INFINITY,
        });
        m.add_row(Row {
            name: "at least 10".into(),
            terms: vec![(x, 1.0), (y, 1.0), (s, 1.0)],
            lower: 10.0,
            upper: f64::INFINITY,
        });
        m.add_row(Row {
            name: "at most 8".into(),
            terms: vec![(x, 1.0), (y, 1.0)],
            lower: f64::NEG_INFINITY,
            upper: 8.0,
        });
        let guide = [6.0, 2.0, 2.0];
        let split = m.split_by_part(&[Some(0), Some(1), None], &guide, 1);
        let rows = &split.model.rows;
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[0], m.rows[0]);
        assert_eq!(split.model.columns.len(), 5);
        let (s0, s1) = (3, 4);
        assert_eq!(split.copies, vec![(s, vec![(s0, 1), (s1, 2)])]);
        assert_eq!(rows[1].terms, vec![(x, 1.0), (s0, 1.0)]);
        assert!((rows[1].lower - 7.5).abs() < 1e-6, "{:?}", rows[1]);
        assert_eq!(rows[2].terms, vec![(y, 1.0), (s1, 1.0)]);
        assert!((rows[2].lower - 2.5).abs() < 1e-6);
        assert_eq!(rows[3].terms, vec![(x, 1.0)]);
        assert!(rows[3].upper <= 6.0 && rows[3].upper > 6.0 - 1e-5);
        assert!(rows[4].upper <= 2.0 && rows[4].upper > 2.0 - 1e-5);
        assert_eq!(split.model.columns[s0].cost, 5.0);
        let lifted = split.lift(&guide);
        assert!((lifted[s0] - 1.5).abs() < 1e-5 && (lifted[s1] - 0.5).abs() < 1e-5);
        assert_eq!(lifted[s], 0.0);
        let lowered = split.lower(&lifted, 3);
        assert!((lowered[s] - 2.0).abs() < 1e-5, "{lowered:?}");
        // A slack in two rows is not dealt out: the row stays whole.
        m.rows[0].terms.push((s, 1.0));
        let kept = m.split_by_part(&[Some(0), Some(1), None], &guide, 1);
        assert_eq!(kept.model.rows[1], m.rows[1]);
        assert!(kept.copies.is_empty());
    }

    #[test]
    fn independent_blocks_are_found_and_solved_apart_to_the_whole_optimum() {
        // Block A: 70 integer columns at cost 1 with Σ ≥ 3.5 → 4 of them (4).
        // Block B: 70 at cost 2 with Σ ≥ 2.2 → 3 (6). A lone continuous column
        // c ≥ 0.5 at cost 1 → 0.5, and a lone integer one d ≥ 1.5 at cost 1 → 2:
        // both too small to be blocks of their own, so solved together.
        // Optimum 4 + 6 + 0.5 + 2 = 12.5, and no row links the blocks, so the
        // sum of their bounds proves it.
        let mut m = LinearModel::default();
        let sum_row = |m: &mut LinearModel, cost: f64, at_least: f64| {
            let cols: Vec<usize> = (0..70)
                .map(|i| m.add_column(col(&format!("x{i}"), cost, true)))
                .collect();
            m.add_row(Row {
                name: "sum".into(),
                terms: cols.iter().map(|c| (*c, 1.0)).collect(),
                lower: at_least,
                upper: f64::INFINITY,
            });
            cols
        };
        let a = sum_row(&mut m, 1.0, 3.5);
        let c = m.add_column(col("c", 1.0, false));
        let b = sum_row(&mut m, 2.0, 2.2);
        let d = m.add_column(col("d", 1.0, true));
        for (x, at_least) in [(c, 0.5), (d, 1.5)] {
            m.add_row(Row {
                name: "lone".into(),
                terms: vec![(x, 1.0)],
                lower: at_least,
                upper: f64::INFINITY,
            });
        }
        let blocks = m.blocks();
        assert_eq!(blocks.len(), 3, "{blocks:?}");
        assert_eq!(blocks[0].columns, a);
        assert_eq!(blocks[0].rows, vec![0]);
        // The small ones merged sit at their first column's place: c = 70.
        assert_eq!(blocks[1].columns, vec![c, d]);
        assert!(blocks[1].merged && !blocks[0].merged && !blocks[2].merged);
        assert_eq!(blocks[1].rows, vec![2, 3]);
        assert_eq!(blocks[2].columns, b);
        let s = m.solve(&SolveOptions::default(), None).expect("solved");
        assert!((s.objective - 12.5).abs() < 1e-9, "{}", s.objective);
        assert!((s.bound - 12.5).abs() < 1e-6, "{}", s.bound);
        assert_eq!(s.status, SolveStatus::Optimal);
        assert_eq!(a.iter().map(|i| s.values[*i]).sum::<f64>(), 4.0);
        assert_eq!(b.iter().map(|i| s.values[*i]).sum::<f64>(), 3.0);
        assert!((s.values[c] - 0.5).abs() < 1e-9 && s.values[d] == 2.0);
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
