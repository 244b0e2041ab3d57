//! Splitting a simulation across machines: shard files and their merge.
//!
//! `nines simulate --runs N --shard I/K --save part.json` simulates run indices
//! `[(I−1)·N/K, I·N/K)` and saves a [`Record`]: the mergeable tally with everything that must
//! agree for a merge to be valid. `nines merge` checks that the parts come from the same
//! model, seed and settings, that each shard appears exactly once and complete, and adds the
//! tallies: since the tally is exact, the merge is bit for bit the unsharded result.

use super::tally::Tally;
use crate::model::{BlockKind, Model, NodeRef};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The `format` field of a saved record.
pub const SHARD_FORMAT: &str = "nines-simulate-shard/1";

/// Most shards a simulation may be split into (2²⁰): more files than one `nines merge`
/// command line can name.
pub const MAX_SHARDS: u64 = 1 << 20;

/// Exact (analytic) measures carried in a record so that a merge can print the self-check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ExactMeasures {
    /// U.
    pub unavailability: f64,
    /// f, per hour.
    pub frequency: f64,
}

/// A reported block of a simulation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordBlock {
    /// Block name.
    pub name: String,
    /// Short description of its structure (`2-of-3, CCF`).
    pub kind: String,
    /// Instances in the expanded model.
    pub instances: u64,
}

/// A simulation's result with everything needed to report it, save it as a shard or merge
/// it with other shards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Always [`SHARD_FORMAT`].
    pub format: String,
    /// Display name of the model.
    pub model: String,
    /// The model file as given on the command line.
    pub file: String,
    /// Fingerprint of the resolved model (after `--set`), see [`fingerprint`].
    pub model_hash: String,
    /// Seed of the whole simulation.
    pub seed: u64,
    /// Runs of the whole simulation (all shards).
    pub runs: u64,
    /// This shard's index, 0-based.
    pub shard_index: u64,
    /// Number of shards (1 when not sharded).
    pub shard_count: u64,
    /// Measured hours per run.
    pub horizon_hours: f64,
    /// Warm-up hours per run.
    pub warmup_hours: f64,
    /// SLA window, hours.
    pub window_hours: f64,
    /// Window downtime above which a window breaches.
    pub breach_hours: Option<f64>,
    /// Target text, for display.
    pub target: Option<String>,
    /// Target unavailability.
    pub target_unavailability: Option<f64>,
    /// Largest acceptable window-breach probability (`[target] max_breach_probability`).
    pub max_breach_probability: Option<f64>,
    /// Reported blocks, in tally order.
    pub blocks: Vec<RecordBlock>,
    /// Exact system measures, when the exact solver could solve the model.
    pub exact: Option<ExactMeasures>,
    /// Exact measures of each reported block, in tally order.
    pub exact_blocks: Option<Vec<ExactMeasures>>,
    /// Whether the exact values are exact for this model's distributions (otherwise they
    /// are the exponential approximation).
    pub exact_applies: bool,
    /// The longest mean repair or switchover time in the model, hours: bounds the mean
    /// outage length when too few outages were simulated to measure it.
    pub longest_repair_hours: f64,
    /// Why the simulation stopped: `runs`, `precision`, `max-runs`, `max-time`, `interrupted`.
    pub stopped: String,
    /// Wall time of the simulation, seconds (summed over shards after a merge).
    pub elapsed_seconds: f64,
    /// Threads used (the most of any shard after a merge).
    pub threads: usize,
    /// The statistics.
    pub tally: Tally,
}

impl Record {
    /// Checks that a record read from a file is internally consistent, so that a hand-edited
    /// or damaged shard is refused rather than merged into nonsense.
    ///
    /// # Errors
    /// A description of the first inconsistency.
    pub fn validate(&self) -> Result<(), String> {
        let positive = |value: f64| value.is_finite() && value > 0.0;
        let fraction = |value: Option<f64>| value.is_none_or(|v| (0.0..=1.0).contains(&v));
        if self.blocks.len() != self.tally.blocks.len() {
            return Err(format!(
                "it lists {} blocks but holds statistics for {}",
                self.blocks.len(),
                self.tally.blocks.len()
            ));
        }
        if self
            .exact_blocks
            .as_ref()
            .is_some_and(|exact| exact.len() != self.blocks.len())
        {
            return Err("its exact block values do not match its blocks".into());
        }
        if !positive(self.horizon_hours) || !positive(self.window_hours) {
            return Err("its horizon and window must be positive".into());
        }
        let hours = |value: f64| value.is_finite() && value >= 0.0;
        if !hours(self.warmup_hours)
            || !hours(self.longest_repair_hours)
            || self.breach_hours.is_some_and(|value| !hours(value))
        {
            return Err("its warm-up, repair or breach hours are out of range".into());
        }
        if !fraction(self.target_unavailability) || !fraction(self.max_breach_probability) {
            return Err("its target or breach limit is not a probability".into());
        }
        if self.shard_count == 0 || self.shard_index >= self.shard_count {
            return Err(format!(
                "it claims shard {} of {}",
                self.shard_index + 1,
                self.shard_count
            ));
        }
        if self.tally.runs > self.runs {
            return Err("it holds more runs than the whole simulation".into());
        }
        Ok(())
    }
}

/// A stable fingerprint of everything in a resolved model that affects simulation.
pub fn fingerprint(model: &Model) -> String {
    let mut text = String::new();
    for component in &model.components {
        let _ = writeln!(
            text,
            "c {} {:x} {:x} {} {:?} {:?}",
            component.name,
            component.failure_rate.to_bits(),
            component.repair_rate.to_bits(),
            component.shared,
            component.failure_dist,
            component.repair_dist
        );
    }
    for block in &model.blocks {
        let kind = match &block.kind {
            BlockKind::Standby(rules) => format!(
                "standby {:x} {:x} {:x} {:x} {:?}",
                rules.dormant_factor.to_bits(),
                rules.failover_hours.to_bits(),
                rules.coverage.to_bits(),
                rules.manual_failover_hours.to_bits(),
                rules.failover_dist
            ),
            other => format!("{other:?}"),
        };
        let members: Vec<String> = block
            .members
            .iter()
            .map(|member| {
                let node = match member.node {
                    NodeRef::Component(index) => format!("c{index}"),
                    NodeRef::Block(index) => format!("b{index}"),
                };
                format!("{node}x{}", member.count)
            })
            .collect();
        let _ = writeln!(
            text,
            "b {} {kind} [{}] {:?} {} {:?}",
            block.name,
            members.join(","),
            block.repair_crews,
            block.shared,
            block.common_cause_beta.map(f64::to_bits)
        );
    }
    let _ = writeln!(text, "top {}", model.top);
    let digest = Sha256::digest(text.as_bytes());
    digest
        .iter()
        .fold(String::from("sha256:"), |mut out, byte| {
            let _ = write!(out, "{byte:02x}");
            out
        })
}

/// Why shards cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// Nothing to merge.
    #[error("no shard files given")]
    Empty,
    /// A setting differs between two files.
    #[error(
        "{first} and {second} differ in {what} ({first_value} vs {second_value}); only shards of one simulation can be merged"
    )]
    Mismatch {
        /// File names.
        first: String,
        /// File names.
        second: String,
        /// Which setting.
        what: &'static str,
        /// Its values.
        first_value: String,
        /// Its values.
        second_value: String,
    },
    /// Some shards are missing, repeated or incomplete.
    #[error("{0}")]
    Coverage(String),
}

/// The settings that must agree between shards, as (name, value) pairs.
fn identity(record: &Record) -> [(&'static str, String); 10] {
    [
        ("model", record.model_hash.clone()),
        ("seed", record.seed.to_string()),
        ("runs", record.runs.to_string()),
        ("shard count", record.shard_count.to_string()),
        ("horizon", format!("{} h", record.horizon_hours)),
        ("warm-up", format!("{} h", record.warmup_hours)),
        ("window", format!("{} h", record.window_hours)),
        (
            "target",
            format!(
                "{:?} {:?}",
                record.target_unavailability, record.breach_hours
            ),
        ),
        (
            "breach limit",
            format!("{:?}", record.max_breach_probability),
        ),
        ("model repairs", format!("{}", record.longest_repair_hours)),
    ]
}

/// Merges shard records (with their file names) into one, checking they belong together.
///
/// # Errors
/// [`MergeError`] when they do not form exactly one complete set of shards.
pub fn merge(files: &[(String, Record)]) -> Result<Record, MergeError> {
    let Some((first_name, first)) = files.first() else {
        return Err(MergeError::Empty);
    };
    let reference = identity(first);
    for (name, file) in &files[1..] {
        for ((what, mine), (_, theirs)) in reference.iter().zip(identity(file)) {
            if *mine != theirs {
                return Err(MergeError::Mismatch {
                    first: first_name.clone(),
                    second: name.clone(),
                    what,
                    first_value: mine.clone(),
                    second_value: theirs,
                });
            }
        }
    }
    let count = first.shard_count;
    let mut seen: Vec<Vec<&str>> = vec![Vec::new(); count.min(MAX_SHARDS) as usize];
    let mut problems = Vec::new();
    for (name, file) in files {
        if file.shard_index >= count || file.shard_index as usize >= seen.len() {
            problems.push(format!(
                "{name} claims shard {} of {count}",
                file.shard_index + 1
            ));
            continue;
        }
        seen[file.shard_index as usize].push(name);
        let expected = super::Shard {
            index: file.shard_index,
            count,
        }
        .range(file.runs);
        let expected = expected.end - expected.start;
        if file.tally.runs != expected {
            problems.push(format!(
                "{name} holds {} of the {expected} runs of shard {}/{count} (was it interrupted?)",
                file.tally.runs,
                file.shard_index + 1
            ));
        }
    }
    let missing: Vec<String> = (0..seen.len())
        .filter(|index| seen[*index].is_empty())
        .map(|index| format!("{}/{count}", index + 1))
        .collect();
    if !missing.is_empty() {
        const SHOWN: usize = 20;
        let more = if missing.len() > SHOWN {
            format!(" and {} more", missing.len() - SHOWN)
        } else {
            String::new()
        };
        let shown = &missing[..missing.len().min(SHOWN)];
        problems.push(format!("missing shards: {}{more}", shown.join(", ")));
    }
    for (index, names) in seen.iter().enumerate() {
        if names.len() > 1 {
            problems.push(format!(
                "shard {}/{count} given {} times: {}",
                index + 1,
                names.len(),
                names.join(", ")
            ));
        }
    }
    if !problems.is_empty() {
        return Err(MergeError::Coverage(problems.join("; ")));
    }
    let mut ordered: Vec<&Record> = files.iter().map(|(_, file)| file).collect();
    ordered.sort_by_key(|file| file.shard_index);
    let mut merged = first.clone();
    merged.tally = Tally::new(first.tally.blocks.len());
    merged.elapsed_seconds = 0.0;
    merged.threads = 0;
    for file in ordered {
        merged.tally.merge(&file.tally);
        merged.elapsed_seconds += file.elapsed_seconds;
        merged.threads = merged.threads.max(file.threads);
    }
    merged.shard_index = 0;
    merged.shard_count = 1;
    merged.stopped = super::StopReason::Runs.name().to_string();
    Ok(merged)
}
