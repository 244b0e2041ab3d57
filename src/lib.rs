//! `nines`: availability engineering for systems of redundant, repairable parts.
//!
//! The crate is layered the way data flows: [`model`] (TOML to a validated [`model::Model`]),
//! [`solve`] (exact steady-state measures), [`report`] (formatting results) and [`cli`] (the
//! command line). Solvers know nothing about files or terminals.

pub mod chart;
pub mod cli;
pub mod diag;
pub mod export;
pub mod format;
pub mod model;
pub mod report;
pub mod simulate;
pub mod solve;
pub mod whatif;
