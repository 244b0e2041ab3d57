//! Splitting a simulation across machines: shard files and their merge.
//!
//! `nines simulate --runs N --shard I/K --save part.json` simulates run indices
//! `[(I−1)·N/K, I·N/K)` and saves a [`Record`]: the mergeable tally with everything that must
//! agree for a merge to be valid. `nines merge` checks that the parts come from the same
//! model, seed and settings, that each shard appears exactly once and complete, and adds the
//! tallies: since the tally is exact, the merge is bit for bit the unsharded result.

use super::importance::estimator::ImportanceTally;
use super::stats::Moments;
use super::tally::Tally;
use super::{Sampling, StopReason};
use crate::model::{BlockKind, Model, NodeRef};
use serde::de::IntoDeserializer;
use serde::{Deserialize, Deserializer, Serialize};
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
    /// Why the simulation stopped.
    #[serde(deserialize_with = "read_stop_reason")]
    pub stopped: StopReason,
    /// Wall time of the simulation, seconds (summed over shards after a merge).
    pub elapsed_seconds: f64,
    /// Threads used (the most of any shard after a merge).
    pub threads: usize,
    /// The statistics (of crude runs; empty under importance sampling).
    pub tally: Tally,
    /// How the simulation sampled.
    #[serde(default, skip_serializing_if = "Sampling::is_crude")]
    pub sampling: Sampling,
    /// The statistics of importance-sampling cycles (with [`Sampling::Importance`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub importance: Option<ImportanceTally>,
}

/// Reads a shard file's `stopped` field: any string, as files have always been read.
///
/// A merge never uses a shard's stop reason (a complete set of shards stopped at its runs),
/// and earlier versions accepted any string here, so a name this version does not know is
/// read as [`StopReason::Runs`] rather than refusing a file that merged before. A value that
/// is not a string is refused with serde's usual "expected a string".
fn read_stop_reason<'de, D: Deserializer<'de>>(deserializer: D) -> Result<StopReason, D::Error> {
    let name = String::deserialize(deserializer)?;
    let known: Result<StopReason, serde::de::value::Error> =
        StopReason::deserialize(name.as_str().into_deserializer());
    Ok(known.unwrap_or(StopReason::Runs))
}

impl Record {
    /// Runs (crude) or cycles (importance sampling) completed.
    pub fn completed(&self) -> u64 {
        self.importance
            .as_ref()
            .map_or(self.tally.runs, |importance| importance.cycles)
    }

    /// Events simulated.
    pub fn events(&self) -> u64 {
        self.importance
            .as_ref()
            .map_or(self.tally.events, |importance| importance.events)
    }

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
        match (&self.importance, self.sampling) {
            (Some(importance), Sampling::Importance) => {
                if importance.blocks.len() != self.blocks.len() {
                    return Err("its importance-sampling statistics do not match its blocks".into());
                }
                if importance.cycles > self.runs || self.tally.runs > 0 {
                    return Err("it holds more cycles than the whole simulation".into());
                }
            }
            (None, Sampling::Crude) => {}
            _ => return Err("its sampling does not match its statistics".into()),
        }
        if self.tally.runs > self.runs {
            return Err("it holds more runs than the whole simulation".into());
        }
        if self.runs < 2 || self.runs > super::MAX_RUNS {
            return Err(format!(
                "runs is {}, but a simulation has between 2 and 1e15 runs",
                self.runs
            ));
        }
        if self.shard_count > self.runs.min(MAX_SHARDS) {
            return Err(format!(
                "shard_count is {}, more than its {} runs or the limit of {MAX_SHARDS} shards",
                self.shard_count, self.runs
            ));
        }
        self.validate_numbers()
    }

    /// Checks every number of the record: finite, non-negative, counts that agree with the
    /// runs, and sums within what those counts allow.
    fn validate_numbers(&self) -> Result<(), String> {
        if !(self.horizon_hours + self.warmup_hours).is_finite() {
            return Err("horizon_hours + warmup_hours is not finite".into());
        }
        if !(self.elapsed_seconds.is_finite() && self.elapsed_seconds >= 0.0) {
            return Err(format!(
                "elapsed_seconds is {}, but a wall time is finite and not negative",
                self.elapsed_seconds
            ));
        }
        if self.threads == 0 {
            return Err("threads is 0, but a simulation uses at least 1".into());
        }
        let exact = |field: &str, measures: &ExactMeasures| {
            if !(0.0..=1.0).contains(&measures.unavailability) {
                return Err(format!(
                    "{field}.unavailability is {}, but it is a probability (0 to 1)",
                    measures.unavailability
                ));
            }
            if !(measures.frequency.is_finite() && measures.frequency >= 0.0) {
                return Err(format!(
                    "{field}.frequency is {}, but it is a finite rate, not negative",
                    measures.frequency
                ));
            }
            Ok(())
        };
        if let Some(measures) = &self.exact {
            exact("exact", measures)?;
        }
        for (index, measures) in self.exact_blocks.iter().flatten().enumerate() {
            exact(&format!("exact_blocks[{index}]"), measures)?;
        }
        if let Some(importance) = &self.importance {
            return validate_importance(importance);
        }
        self.validate_outages()?;
        self.validate_windows_and_blocks()
    }

    /// Checks the system's outage statistics: counts per run, the outage total against the
    /// events, and the downtime and length sums within what the horizon allows.
    fn validate_outages(&self) -> Result<(), String> {
        let tally = &self.tally;
        let runs = tally.runs;
        check_count(
            "tally.outage_counts.count",
            tally.outage_counts.count(),
            runs,
        )?;
        check_moments("tally.unavailability", &tally.unavailability, runs, 1.0)?;
        check_moments("tally.outages", &tally.outages, runs, f64::INFINITY)?;
        let outages = tally.outage_counts.total();
        if tally.outages.sum() != outages as f64 {
            return Err(format!(
                "tally.outages.sum is {}, but tally.outage_counts counts {outages} outages",
                tally.outages.sum()
            ));
        }
        if outages > tally.events {
            return Err(format!(
                "tally.events is {}, fewer than its {outages} outages",
                tally.events
            ));
        }
        let ratio = &tally.downtime_per_outage;
        check_count("tally.downtime_per_outage.count", ratio.count(), runs)?;
        check_sum(
            "tally.downtime_per_outage.sum_x",
            ratio.sum_x(),
            runs as f64 * self.horizon_hours,
        )?;
        if ratio.sum_y() != outages as f64 {
            return Err(format!(
                "tally.downtime_per_outage.sum_y is {}, but the runs had {outages} outages",
                ratio.sum_y()
            ));
        }
        let (sum_xx, sum_yy, sum_xy) = ratio.sums_of_products();
        for (field, value) in [("sum_xx", sum_xx), ("sum_yy", sum_yy), ("sum_xy", sum_xy)] {
            check_sum(
                &format!("tally.downtime_per_outage.{field}"),
                value,
                f64::INFINITY,
            )?;
        }
        let lengths = &tally.outage_lengths;
        if lengths.count() > outages {
            return Err(format!(
                "tally.outage_lengths.count is {}, more than the {outages} outages",
                lengths.count()
            ));
        }
        let longest = lengths.max().unwrap_or(0.0);
        check_sum("tally.outage_lengths.max", longest, self.horizon_hours)?;
        check_sum(
            "tally.outage_length_total",
            tally.outage_length_total.value(),
            lengths.count() as f64 * longest,
        )?;
        check_count_at_most("tally.outage_free_runs", tally.outage_free_runs, runs)?;
        Ok(())
    }

    /// Checks the SLA-window statistics and the per-block statistics against the runs.
    fn validate_windows_and_blocks(&self) -> Result<(), String> {
        let tally = &self.tally;
        let runs = tally.runs;
        let per_run = super::whole_windows(self.horizon_hours, self.window_hours);
        if per_run > super::MAX_WINDOWS_PER_RUN {
            return Err(format!(
                "horizon_hours / window_hours is {:.1e} SLA windows per run, more than the limit of {}",
                self.horizon_hours / self.window_hours,
                super::MAX_WINDOWS_PER_RUN
            ));
        }
        let per_run = per_run as u64;
        let windows = runs.checked_mul(per_run).ok_or_else(|| {
            format!("its {runs} runs of {per_run} SLA windows each are more than can be counted")
        })?;
        check_count("tally.windows", tally.windows, windows)?;
        check_count(
            "tally.window_downtime.count",
            tally.window_downtime.count(),
            windows,
        )?;
        check_sum(
            "tally.window_downtime.max",
            tally.window_downtime.max().unwrap_or(0.0),
            self.window_hours,
        )?;
        check_count_at_most("tally.breached_windows", tally.breached_windows, windows)?;
        let runs_with_windows = if per_run > 0 { runs } else { 0 };
        check_moments(
            "tally.breach_fraction",
            &tally.breach_fraction,
            runs_with_windows,
            1.0,
        )?;
        for (index, block) in tally.blocks.iter().enumerate() {
            let field = format!("tally.blocks[{index}]");
            check_moments(
                &format!("{field}.unavailability"),
                &block.unavailability,
                runs,
                1.0,
            )?;
            check_moments(
                &format!("{field}.outages"),
                &block.outages,
                runs,
                f64::INFINITY,
            )?;
        }
        Ok(())
    }
}

/// Sums read back from a file may differ from their bound by a rounding.
const ROUNDING: f64 = 1.0 + 1e-9;

/// A count that must equal `expected`.
fn check_count(field: &str, count: u64, expected: u64) -> Result<(), String> {
    if count == expected {
        Ok(())
    } else {
        Err(format!("{field} is {count}, but it must be {expected}"))
    }
}

/// A count that must be at most `limit`.
fn check_count_at_most(field: &str, count: u64, limit: u64) -> Result<(), String> {
    if count <= limit {
        Ok(())
    } else {
        Err(format!("{field} is {count}, more than {limit}"))
    }
}

/// A sum that must be finite, not negative and at most `limit` (which may be infinite).
fn check_sum(field: &str, value: f64, limit: f64) -> Result<(), String> {
    if value.is_finite() && value >= 0.0 && value <= limit * ROUNDING {
        return Ok(());
    }
    if limit.is_finite() {
        Err(format!(
            "{field} is {value}, but it must lie between 0 and {limit}"
        ))
    } else {
        Err(format!(
            "{field} is {value}, but it must be finite and not negative"
        ))
    }
}

/// Per-run values between 0 and `largest`, one per run: n, Σx and Σx² must agree.
fn check_moments(field: &str, moments: &Moments, runs: u64, largest: f64) -> Result<(), String> {
    check_count(&format!("{field}.count"), moments.count(), runs)?;
    let n = runs as f64;
    let sum = moments.sum();
    check_sum(&format!("{field}.sum"), sum, n * largest)?;
    let squares = moments.sum_of_squares();
    check_sum(
        &format!("{field}.sum_of_squares"),
        squares,
        n * largest * largest,
    )?;
    // Cauchy–Schwarz: (Σx)² ≤ n·Σx², or the variance would be negative.
    if sum * sum > n * squares * ROUNDING {
        return Err(format!(
            "{field}.sum_of_squares is {squares}, too small for its sum {sum} over {runs} runs"
        ));
    }
    Ok(())
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
fn identity(record: &Record) -> [(&'static str, String); 11] {
    [
        ("sampling", format!("{:?}", record.sampling).to_lowercase()),
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

/// Checks the counts and sums of an importance-sampling tally against its cycles.
fn validate_importance(tally: &ImportanceTally) -> Result<(), String> {
    let cycles = tally.cycles;
    if tally.cycles_with_outage > cycles || tally.events < cycles {
        return Err(format!(
            "importance: {} cycles with an outage and {} events do not fit {cycles} cycles",
            tally.cycles_with_outage, tally.events
        ));
    }
    let ratios = [
        ("unavailability", &tally.unavailability),
        ("frequency", &tally.frequency),
        ("outage_length", &tally.outage_length),
    ];
    let blocks = tally.blocks.iter().flat_map(|block| {
        [
            ("block unavailability", &block.unavailability),
            ("block frequency", &block.frequency),
        ]
    });
    for (field, ratio) in ratios.into_iter().chain(blocks) {
        let (xx, yy, xy) = ratio.sums_of_products();
        let finite = [ratio.sum_x(), ratio.sum_y(), xx, yy, xy]
            .iter()
            .all(|value| value.is_finite());
        if ratio.count() != cycles || !finite || ratio.sum_x() < 0.0 || ratio.sum_y() < 0.0 {
            return Err(format!(
                "importance.{field} does not hold {cycles} cycles of finite, non-negative sums"
            ));
        }
    }
    if !(tally.largest_contribution.is_finite() && tally.largest_contribution >= 0.0) {
        return Err("importance.largest_contribution is not a finite, non-negative number".into());
    }
    Ok(())
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
        if file.completed() != expected {
            problems.push(format!(
                "{name} holds {} of the {expected} runs of shard {}/{count} (was it interrupted?)",
                file.completed(),
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
    // Each file's counts are checked against its runs; only the events are free, so their
    // total is checked before the tallies are added.
    files
        .iter()
        .try_fold(0u64, |total, (_, file)| total.checked_add(file.events()))
        .ok_or_else(|| {
            MergeError::Coverage("the shards' event counts add up to more than 2^64".into())
        })?;
    let mut merged = first.clone();
    merged.tally = Tally::new(first.tally.blocks.len());
    merged.importance = first
        .importance
        .as_ref()
        .map(|importance| ImportanceTally::new(importance.blocks.len()));
    merged.elapsed_seconds = 0.0;
    merged.threads = 0;
    for file in ordered {
        merged.tally.merge(&file.tally);
        if let (Some(all), Some(part)) = (&mut merged.importance, &file.importance) {
            all.merge(part);
        }
        merged.elapsed_seconds += file.elapsed_seconds;
        merged.threads = merged.threads.max(file.threads);
    }
    merged.shard_index = 0;
    merged.shard_count = 1;
    merged.stopped = StopReason::Runs;
    Ok(merged)
}
