//! What-if analysis on the exact solver: sweeps over parameters, goal seeking, and importance
//! measures that say what to improve first.
//!
//! Parameters are changed the way `--set` changes them (an override merged over the model
//! file), so every swept model is validated like one written by hand; importance measures
//! transform the validated model instead ([`transform`]).

pub(crate) mod budget;
pub(crate) mod find;
pub mod rates;
pub mod sensitivity;
pub mod sweep;
pub(crate) mod transform;
pub mod uncertainty;
pub mod vary;
