//! `nines`: availability engineering for systems of redundant, repairable parts.
//!
//! The crate is layered the way data flows; each layer uses only the layers below it (the test
//! `tests/suite/layering.rs` keeps it so, and the README's Design section draws it):
//!
//! | layer | modules | role |
//! |---|---|---|
//! | 6 | [`cli`] | clap types, one function per subcommand; no math, no formatting |
//! | 5 | [`report`] | one exporter per subject and format; never computes a statistic |
//! | 4 | [`chart`], [`export`] | plotters charts; the chain in the PRISM language |
//! | 3 | [`whatif`] | sweeps, boundaries, importance and budgets, built on the solvers |
//! | 2 | [`solve`], [`simulate`], [`fit`] | exact steady-state measures; Monte Carlo with its estimators; evidence from incident logs |
//! | 1 | [`model`] | TOML to a validated [`model::Model`]; graph walks over it |
//! | 0 | [`diag`], [`format`] | diagnostics with spans; number and duration formatting |
//!
//! Solvers know nothing about files or terminals; the two solvers do not use each other.

pub mod chart;
pub mod cli;
pub mod diag;
pub(crate) mod export;
pub mod fit;
pub(crate) mod format;
pub mod model;
pub mod report;
pub mod simulate;
pub mod solve;
pub mod whatif;
