//! Staffing maths: Erlang B, C and A, and the search for the fewest agents.
//!
//! * [`models`] — the formulas, overflow-free (Erlang B recursion, Erlang A series).
//! * [`staffing`] — validated requests ([`Traffic`], [`Targets`], [`Model`]) and the
//!   exact search ([`StaffingRequest::solve`]).
//! * [`exact`] — decimal arithmetic for the discrete steps (`⌈A/occupancy⌉`,
//!   positions), so 21 agents at 30 % shrinkage are 30 positions, not 31.

pub mod exact;
pub mod models;
pub mod staffing;

pub use models::{ErlangA, ErlangC, erlang_a, erlang_b, erlang_b_continuous, erlang_c};
pub use staffing::{
    Binding, Metrics, Model, Staffing, StaffingError, StaffingRequest, Targets, Traffic,
};

#[cfg(test)]
mod tests;
