//! The integration test suite of `nines`, compiled into one test binary.
//!
//! Every file here used to be a test binary of its own, and each of the 22 compiled and linked
//! against the whole crate (three times as long to build as this one binary; see
//! `docs/testing.md`). Now each file is a module of this one binary, and `common/` (the binary
//! under test, model files in temporary folders, random models) and `reference/` (the brute-force
//! Markov reference solver) are modules shared by them. No test needs a binary of its own: none
//! changes the state of its own process (environment, working directory, signal handlers, global
//! thread pool); the signal tests signal the child `nines` they start.
//!
//! Run one file's tests, or one test, with a filter on the module path:
//!
//! ```text
//! cargo test --test suite cli::                     # tests/suite/cli.rs
//! cargo test --test suite whatif::sweep_            # tests/suite/whatif.rs, tests named sweep_…
//! PROPTEST_CASES=5000 cargo test --release --test suite cross_check::
//! ```
//!
//! The modules, by what they exercise:
//! - through the real binary: `cli` (every subcommand, format, exit code and message),
//!   `budget`, `ci_formats`, `conformance`, `degenerate`, `escaping`, `export`, `interrupt`,
//!   `model_dists`, `output_files`, `precision`, `report`, `simulate`, `simulate_limits`,
//!   `whatif`;
//! - through the library: `closed_form`, `coverage`, `fuzz_regressions`;
//! - against the brute-force reference: `cross_check`, `examples_vs_reference`,
//!   `reference_selftest`, `sensitivity_reference`, `standby_blocks`, `standby_random`.

mod common;
mod reference;

mod budget;
mod ci_formats;
mod cli;
mod closed_form;
mod conformance;
mod coverage;
mod cross_check;
mod degenerate;
mod escaping;
mod examples_vs_reference;
mod export;
mod families;
mod fit;
mod fuzz_regressions;
mod importance;
mod interrupt;
mod layering;
mod many_shared;
mod model_dists;
mod output_files;
mod precision;
mod published;
mod reconfig;
mod reconfig_members;
mod reference_selftest;
mod report;
mod sensitivity_reference;
mod simulate;
mod simulate_limits;
mod standby_blocks;
mod standby_random;
mod transient;
mod uncertainty;
mod whatif;
