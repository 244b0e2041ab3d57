//! Decoding the reconfigurations of a redundant block: `leader_election` and `failure_pause`,
//! each a mean duration with an optional distribution (`election_dist`, `pause_dist`).
//!
//! Only `parallel`, `k-of-n` and `quorum` blocks may have them (docs/model-format.md §8.8);
//! the rules on their members (components, not shared, no common cause) need the resolved
//! model and are checked in `rules`.

use super::Decoder;
use super::dist::DistContext;
use crate::diag::{Code, Span};
use crate::model::{Reconfiguration, TimeDist};
use toml_span::value::{Table, Value};

/// The block kinds that may have a leader election or a failure pause.
const RECONFIGURABLE_KINDS: &[&str] = &["parallel", "k-of-n", "quorum"];

/// The reconfiguration keys of a block table, taken out of it.
pub(super) struct ReconfigurationKeys<'a> {
    election: Option<Value<'a>>,
    election_dist: Option<Value<'a>>,
    pause: Option<Value<'a>>,
    pause_dist: Option<Value<'a>>,
}

/// A decoded reconfiguration with the span of its duration key's value.
pub(super) type Decoded = Option<(Reconfiguration, Span)>;

impl<'a> ReconfigurationKeys<'a> {
    /// Takes the reconfiguration keys out of a block table.
    pub(super) fn take(table: &mut Table<'a>) -> Self {
        let mut take = |k: &str| table.remove_entry(k).map(|(_, v)| v);
        Self {
            election: take("leader_election"),
            election_dist: take("election_dist"),
            pause: take("failure_pause"),
            pause_dist: take("pause_dist"),
        }
    }
}

impl Decoder {
    /// The block's leader election and failure pause; on a kind other than parallel, k-of-n
    /// or quorum every key written is reported.
    pub(super) fn decode_reconfigurations(
        &mut self,
        name: &str,
        kind_text: Option<&str>,
        keys: &ReconfigurationKeys<'_>,
    ) -> (Decoded, Decoded) {
        if let Some(kind) = kind_text
            && !RECONFIGURABLE_KINDS.contains(&kind)
        {
            let written = [
                ("leader_election", &keys.election),
                ("election_dist", &keys.election_dist),
                ("failure_pause", &keys.pause),
                ("pause_dist", &keys.pause_dist),
            ];
            for (key, value) in written {
                if let Some(value) = value {
                    let span = self.span(value.span);
                    self.error(
                        Code::UnexpectedKey,
                        format!("`{key}` only applies to kinds parallel, k-of-n and quorum (this block is {kind})"),
                        span,
                    )
                    .label = "remove it".into();
                }
            }
            return (None, None);
        }
        let election = self.reconfiguration(
            name,
            ("leader_election", &keys.election),
            ("election_dist", &keys.election_dist),
        );
        let pause = self.reconfiguration(
            name,
            ("failure_pause", &keys.pause),
            ("pause_dist", &keys.pause_dist),
        );
        (election, pause)
    }

    /// One reconfiguration: its positive duration and the distribution of it; a distribution
    /// without the duration is reported.
    fn reconfiguration(
        &mut self,
        name: &str,
        (key, value): (&str, &Option<Value<'_>>),
        (dist_key, dist_value): (&str, &Option<Value<'_>>),
    ) -> Decoded {
        let owner = format!("block.{name}");
        let context = DistContext {
            key: dist_key,
            owner: &owner,
            mean_from: key,
        };
        let dist = dist_value
            .as_ref()
            .map(|value| (self.time_dist(value, &context), self.span(value.span)));
        let Some(value) = value else {
            if let Some((_, span)) = dist {
                self.error(
                    Code::MissingKey,
                    format!("[block.{name}] gives `{dist_key}` without `{key}`"),
                    span,
                )
                .label = format!("add the mean, e.g. {key} = \"10s\"");
            }
            return None;
        };
        let span = self.span(value.span);
        let hours = self.duration(value, key, true)?;
        let dist = match dist {
            None => TimeDist::Exponential,
            Some((Some(dist), _)) => dist,
            Some((None, _)) => return None,
        };
        Some((Reconfiguration { hours, dist }, span))
    }
}
