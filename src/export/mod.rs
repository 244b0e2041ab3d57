//! Exports of a model to the input languages of other tools.
//!
//! [`prism()`] writes the model's unit-level continuous-time Markov chain in the PRISM
//! language, so that a probabilistic model checker (Storm, PRISM) can recompute the system's
//! unavailability U and outage frequency f independently of `nines`. The mapping is described
//! in `docs/model-format.md`.

pub mod prism;

pub use prism::prism;

/// Most physical units (copies of components, shared components once, common-cause
/// elements) an export accepts.
pub const MAX_UNITS: u64 = 64;

/// Most states the exported chain may have (the product of the modules' reachable states).
///
/// Storm builds and solves a chain of a million states in seconds with floating-point
/// arithmetic; beyond that `nines solve` (exact, by structure) or `nines simulate` is the tool.
pub const MAX_STATES: u64 = 1_000_000;

/// Why a model cannot be exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// More physical units than [`MAX_UNITS`].
    #[error(
        "the model expands to {} physical units, more than the {limit} a PRISM export accepts; \
         solve it with `nines solve` (exact) or estimate it with `nines simulate` instead",
        thousands(*units as u128)
    )]
    TooManyUnits {
        /// Units after expanding copies (saturating).
        units: u64,
        /// [`MAX_UNITS`].
        limit: u64,
    },
    /// A construct inside a dependent block of blocks or shared units that the export does
    /// not write (nested standby blocks, an election or pause inside one, …).
    #[error(
        "block `{block}` {reason}; the PRISM export does not write this case \
         (docs/model-format.md §13); solve it with `nines solve` (exact) or estimate it with `nines simulate` instead"
    )]
    JointBlock {
        /// The block.
        block: String,
        /// What it has that the export does not write.
        reason: String,
    },
    /// A model with dependent blocks of blocks or shared units whose chain may pass
    /// [`MAX_STATES`]: its units (2 states each, or the orders of their crews' waiting line)
    /// and standby instances (m + 3 values each) bound the chain's states.
    #[error(
        "the model's Markov chain over its {units} physical units may have more than the {1} states a PRISM \
         export accepts (its units, the orders of their repair queues and the standby blocks' states bound it \
         by at least {0}); solve it with `nines solve` (exact) or estimate it with `nines simulate` instead",
        thousands(*states),
        thousands(*limit as u128)
    )]
    JointTooLarge {
        /// Physical units.
        units: u64,
        /// The bound on the chain's states, as far as it was multiplied out: the first
        /// partial product past the limit (saturating).
        states: u128,
        /// [`MAX_STATES`].
        limit: u64,
    },
    /// A chain with more states than [`MAX_STATES`].
    #[error(
        "the model's Markov chain over its {units} physical units has {}, more than the {} a PRISM \
         export accepts; solve it with `nines solve` (exact) or estimate it with `nines simulate` instead",
        match states { Some(states) => format!("{} states", thousands(*states)), None => "more states".to_string() },
        thousands(*limit as u128)
    )]
    TooManyStates {
        /// Physical units.
        units: u64,
        /// States of the product chain, when it was counted to the end (`None`: exploration
        /// stopped at the limit).
        states: Option<u128>,
        /// [`MAX_STATES`].
        limit: u64,
    },
}

/// `1234567` → `1,234,567`.
fn thousands(value: u128) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_numbers_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_048_576), "1,048,576");
    }

    #[test]
    fn errors_say_what_to_use_instead() {
        let error = ExportError::TooManyStates {
            units: 21,
            states: Some(2_097_152),
            limit: MAX_STATES,
        };
        let message = error.to_string();
        assert!(message.contains("21 physical units"), "{message}");
        assert!(message.contains("2,097,152 states"), "{message}");
        assert!(message.contains("1,000,000"), "{message}");
        assert!(message.contains("nines solve"), "{message}");
        assert!(message.contains("nines simulate"), "{message}");
    }

    #[test]
    fn joint_refusals_name_the_block_or_the_bound() {
        let error = ExportError::JointTooLarge {
            units: 14,
            states: 2_000_000,
            limit: MAX_STATES,
        };
        let message = error.to_string();
        assert!(
            message.contains("more than the 1,000,000 states"),
            "{message}"
        );
        assert!(message.contains("at least 2,000,000"), "{message}");
        assert!(message.contains("nines simulate"), "{message}");
        let error = ExportError::JointBlock {
            block: "regions".into(),
            reason: "has a member after the first that never goes down".into(),
        };
        let message = error.to_string();
        assert!(
            message.starts_with("block `regions` has a member"),
            "{message}"
        );
        assert!(message.contains("nines solve"), "{message}");
    }
}
