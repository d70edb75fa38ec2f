//! The 23 contact-centre KPIs of `domain.md` §1.
//!
//! * [`catalog`] — each KPI as data (id, names, unit, family, definition, inputs,
//!   target and better side, hints) and the good / watch / poor / unknown status.
//!
//! The computations (per family, over the store's tables) come with issue 4.

pub mod catalog;
