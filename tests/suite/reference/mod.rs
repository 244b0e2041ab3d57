#![allow(dead_code)]
//! Brute-force reference solver, used only by the test suite as an oracle.
//!
//! It shares no code with `src/`. It reads a TOML model, expands every reference into
//! physical units (copies unless `shared = true`), builds the FULL product-state
//! continuous-time Markov chain of all units (with FIFO repair-crew queues, standby roles and
//! failover phases), enumerates the states reachable from the all-up state by BFS, and solves
//! for the stationary distribution with the GTH (Grassmann–Taksar–Heyman) state-reduction
//! algorithm, which uses no subtractions and so stays accurate for tiny probabilities.
//!
//! Semantics follow the written rules literally:
//! - units fail and are repaired with exponential times, independently of the system state;
//! - `series` = all up, `parallel` = at least one, `k-of-n` = at least k,
//!   `quorum` = at least floor(n/2)+1;
//! - `repair_crews = r`: at most r failed units of the block are under repair, first failed
//!   first repaired;
//! - `standby`: one active unit (rate λ), standby units at dormant_factor·λ; failure of the
//!   active unit with an up standby starts a failover (automatic with probability coverage,
//!   mean `failover`, else manual with mean `manual_failover`; a zero duration makes it
//!   instantaneous); the block is down during the failover, which is abandoned when no standby
//!   unit is up any more; a repaired unit becomes active at once when the block has no active
//!   unit (ending any running failover), else it returns as standby; the unit that takes over
//!   is the first-listed up standby; members may be blocks or shared units, read with "unit" as
//!   "member" (the active member going down starts the failover, a member coming back up
//!   with none active takes over at once), and every non-shared unit below a member that is
//!   not active fails at dormant_factor·λ (a product over nested standby blocks); shared units
//!   always fail at λ and are repaired by themselves;
//! - crews repair the non-shared units below their block that no inner crew block repairs;
//! - `leader_election = e` (parallel, k-of-n, quorum): one up member is the leader; it is lost
//!   when it fails or when fewer than k members are up; with no leader and at least k up an
//!   election runs (rate 1/e) and makes the first-listed up member the leader; the block is up
//!   with at least k up, a leader and no pause; initially the first member leads;
//! - `failure_pause = p`: a member failure that leaves at least k up sets the block paused
//!   (down; a failure while paused keeps it paused), one that leaves fewer than k up clears
//!   the pause; a pause ends at rate 1/p; repairs do not end it;
//! - members of election/pause blocks may be blocks or shared units ("failure" read as the
//!   member going down); members that go down in the same event count as one failure that
//!   leaves the final number up; every block's rules (standby, election/pause) are settled
//!   after each event, inner blocks first;
//! - `common_cause_beta = β`: member rates become (1-β)λ and one extra element (rate βλ, repair
//!   rate μ, its own repair) is in series with the block.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

use toml::{Table, Value};

mod family;
/// Per-unit importance measures for models of independent units.
pub mod importance;

pub struct RefResult {
    /// Steady-state probability that the system (top block) is down.
    pub unavailability: f64,
    /// Steady-state rate of system up -> down transitions, per hour.
    pub failures_per_hour: f64,
    /// Number of reachable states of the product chain.
    pub states: usize,
}

/// Err when the model uses something unsupported or the chain exceeds max_states.
pub fn solve_reference(toml_text: &str, max_states: usize) -> Result<RefResult, String> {
    let model = Model::parse(toml_text)?;
    let system = model.instantiate()?;
    let chain = system.build_chain(max_states)?;
    let pi = gth_stationary(chain.rows.clone())?;
    let mut unavailability = 0.0;
    let mut failures_per_hour = 0.0;
    for (s, p) in pi.iter().enumerate() {
        if chain.up[s] {
            failures_per_hour += p * chain.rate_to_down[s];
        } else {
            unavailability += p;
        }
    }
    Ok(RefResult {
        unavailability,
        failures_per_hour,
        states: pi.len(),
    })
}

// ---------------------------------------------------------------------------------------------
// A small deterministic hasher (FxHash-like), so that summation orders, and hence the last
// bits of the results, do not change from run to run.

#[derive(Default)]
struct FxHasher {
    hash: u64,
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.add(b as u64);
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    fn write_u16(&mut self, i: u16) {
        self.add(i as u64);
    }
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.hash
    }
}

impl FxHasher {
    fn add(&mut self, x: u64) {
        self.hash = (self.hash.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

// ---------------------------------------------------------------------------------------------
// Value parsers (durations, fractions/percentages, numbers).

/// Parses "30s", "2h", "1h30m", "1.5d", "1 h 30 min" into hours. Units: s, m/min, h, d, w,
/// y (= 365.25 d). A bare number without unit is an error.
fn parse_duration_hours(text: &str) -> Result<f64, String> {
    let chars: Vec<char> = text.trim().chars().collect();
    if chars.is_empty() {
        return Err(format!("empty duration {text:?}"));
    }
    let mut i = 0;
    let mut total = 0.0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
            i += 1;
        }
        if start == i {
            return Err(format!("bad duration {text:?}: expected a number"));
        }
        let num_text: String = chars[start..i].iter().collect();
        if num_text.chars().filter(|&c| c == '.').count() > 1 || num_text == "." {
            return Err(format!("bad number in duration {text:?}"));
        }
        let num: f64 = num_text
            .parse()
            .map_err(|_| format!("bad number in duration {text:?}"))?;
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let ustart = i;
        while i < chars.len() && chars[i].is_ascii_alphabetic() {
            i += 1;
        }
        let unit: String = chars[ustart..i].iter().collect();
        let hours = match unit.as_str() {
            "s" => num / 3600.0,
            "m" | "min" => num / 60.0,
            "h" => num,
            "d" => num * 24.0,
            "w" => num * 168.0,
            "y" => num * 8766.0,
            "" => return Err(format!("duration {text:?} lacks a unit")),
            other => return Err(format!("unknown duration unit {other:?} in {text:?}")),
        };
        total += hours;
    }
    if !total.is_finite() || total < 0.0 {
        return Err(format!("bad duration {text:?}"));
    }
    Ok(total)
}

/// Parses a plain decimal "123.4500" into (mantissa, number of decimals). None if the text is
/// not of that form (or too long to be exact).
fn parse_plain_decimal(text: &str) -> Option<(u128, u32)> {
    let mut mantissa: u128 = 0;
    let mut decimals: u32 = 0;
    let mut seen_dot = false;
    let mut digits = 0;
    for c in text.chars() {
        if c == '.' {
            if seen_dot {
                return None;
            }
            seen_dot = true;
        } else if let Some(d) = c.to_digit(10) {
            digits += 1;
            if digits > 30 {
                return None;
            }
            mantissa = mantissa * 10 + d as u128;
            if seen_dot {
                decimals += 1;
            }
        } else {
            return None;
        }
    }
    if digits == 0 {
        return None;
    }
    Some((mantissa, decimals))
}

/// A fraction in [0, 1] given as a number (0.9995), a fraction string ("0.9995") or a
/// percentage string ("99.95%"). Returns (x, 1 - x), the complement computed exactly from the
/// decimal digits as written (for a float: its shortest decimal form, so 0.9999 gives 1e-4).
fn parse_fraction(v: &Value, what: &str) -> Result<(f64, f64), String> {
    let (x, c) = match v {
        Value::Float(f) => match parse_plain_decimal(&format!("{f}")) {
            Some((m, d)) if d <= 36 && m <= 10u128.pow(d) => {
                let den = 10u128.pow(d);
                (m as f64 / den as f64, (den - m) as f64 / den as f64)
            }
            _ => (*f, 1.0 - *f),
        },
        Value::Integer(i) => (*i as f64, 1.0 - *i as f64),
        Value::String(s) => {
            let t = s.trim();
            let (body, extra_scale) = match t.strip_suffix('%') {
                Some(b) => (b.trim(), 2u32),
                None => (t, 0u32),
            };
            match parse_plain_decimal(body) {
                Some((m, d)) if d + extra_scale <= 36 => {
                    let den = 10u128.pow(d + extra_scale);
                    if m > den {
                        return Err(format!("{what} {s:?} is more than 100%"));
                    }
                    (m as f64 / den as f64, (den - m) as f64 / den as f64)
                }
                _ => {
                    let f: f64 = body.parse().map_err(|_| format!("bad {what} {s:?}"))?;
                    let f = if extra_scale == 2 { f / 100.0 } else { f };
                    (f, 1.0 - f)
                }
            }
        }
        _ => return Err(format!("{what} must be a number or a string")),
    };
    if !(0.0..=1.0).contains(&x) || !x.is_finite() {
        return Err(format!("{what} must lie between 0 and 1"));
    }
    Ok((x, c))
}

fn get_number(t: &Table, key: &str) -> Result<Option<f64>, String> {
    match t.get(key) {
        None => Ok(None),
        Some(Value::Float(f)) => Ok(Some(*f)),
        Some(Value::Integer(i)) => Ok(Some(*i as f64)),
        Some(_) => Err(format!("{key} must be a number")),
    }
}

fn get_duration(t: &Table, key: &str) -> Result<Option<f64>, String> {
    match t.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => parse_duration_hours(s).map(Some),
        Some(_) => Err(format!("{key} must be a duration string")),
    }
}

fn get_count(t: &Table, key: &str) -> Result<Option<usize>, String> {
    match t.get(key) {
        None => Ok(None),
        Some(Value::Integer(i)) if *i >= 0 => Ok(Some(*i as usize)),
        Some(_) => Err(format!("{key} must be a non-negative integer")),
    }
}

fn get_bool(t: &Table, key: &str) -> Result<bool, String> {
    match t.get(key) {
        None => Ok(false),
        Some(Value::Boolean(b)) => Ok(*b),
        Some(_) => Err(format!("{key} must be a boolean")),
    }
}

fn positive(x: f64, what: &str) -> Result<f64, String> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(format!("{what} must be positive and finite"))
    }
}

// ---------------------------------------------------------------------------------------------
// Model (as written).

#[derive(Clone, Debug)]
struct ComponentSpec {
    /// Failure rate per hour.
    lambda: f64,
    /// Repair rate per hour.
    mu: f64,
    shared: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Series,
    Parallel,
    KOfN,
    Quorum,
    Standby,
}

#[derive(Clone, Debug)]
struct StandbySpec {
    dormant_factor: f64,
    /// (coverage, 1 - coverage)
    coverage: (f64, f64),
    /// Rate of the automatic failover; None = instantaneous.
    auto_rate: Option<f64>,
    /// Rate of the manual failover; None = instantaneous (or never needed).
    manual_rate: Option<f64>,
}

#[derive(Clone, Debug)]
struct BlockSpec {
    kind: Kind,
    members: Vec<String>,
    k: Option<usize>,
    shared: bool,
    crews: Option<usize>,
    standby: Option<StandbySpec>,
    beta: Option<f64>,
    /// 1 / leader_election.
    election_rate: Option<f64>,
    /// 1 / failure_pause.
    pause_rate: Option<f64>,
}

struct Model {
    components: HashMap<String, ComponentSpec>,
    blocks: HashMap<String, BlockSpec>,
    top: String,
}

fn sub_tables<'a>(root: &'a Table, key: &str) -> Result<Vec<(&'a String, &'a Table)>, String> {
    match root.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Table(t)) => t
            .iter()
            .map(|(name, v)| match v {
                Value::Table(inner) => Ok((name, inner)),
                _ => Err(format!("{key}.{name} must be a table")),
            })
            .collect(),
        Some(_) => Err(format!("{key} must be a table")),
    }
}

fn parse_component(name: &str, t: &Table) -> Result<ComponentSpec, String> {
    let ctx = |e: String| format!("component {name}: {e}");
    let mttr = get_duration(t, "mttr").map_err(ctx)?;
    let repair_rate = get_number(t, "repair_rate").map_err(ctx)?;
    let mu = match (mttr, repair_rate) {
        (Some(h), None) => 1.0 / positive(h, "mttr").map_err(ctx)?,
        (None, Some(r)) => positive(r, "repair_rate").map_err(ctx)?,
        (None, None) => return Err(ctx("needs mttr or repair_rate".into())),
        (Some(_), Some(_)) => return Err(ctx("both mttr and repair_rate".into())),
    };
    let mtbf = get_duration(t, "mtbf").map_err(ctx)?;
    let failure_rate = get_number(t, "failure_rate").map_err(ctx)?;
    let availability = match t.get("availability") {
        None => None,
        Some(v) => Some(parse_fraction(v, "availability").map_err(ctx)?),
    };
    let given = [
        mtbf.is_some(),
        failure_rate.is_some(),
        availability.is_some(),
    ]
    .iter()
    .filter(|&&b| b)
    .count();
    if given != 1 {
        return Err(ctx(
            "needs exactly one of mtbf, failure_rate, availability".into()
        ));
    }
    let lambda = if let Some(h) = mtbf {
        1.0 / positive(h, "mtbf").map_err(ctx)?
    } else if let Some(r) = failure_rate {
        positive(r, "failure_rate").map_err(ctx)?
    } else {
        let (a, q) = availability.unwrap();
        if a <= 0.0 || q <= 0.0 {
            return Err(ctx("availability must be strictly between 0 and 1".into()));
        }
        // mtbf = mttr * A / (1 - A)  =>  lambda = (1 - A) / (mttr * A)
        let mttr_h = match mttr {
            Some(h) => h,
            None => 1.0 / mu,
        };
        q / (mttr_h * a)
    };
    Ok(ComponentSpec {
        lambda,
        mu,
        shared: get_bool(t, "shared").map_err(ctx)?,
    })
}

fn parse_block(name: &str, t: &Table) -> Result<BlockSpec, String> {
    let ctx = |e: String| format!("block {name}: {e}");
    let kind = match t.get("kind") {
        Some(Value::String(s)) => match s.as_str() {
            "series" => Kind::Series,
            "parallel" => Kind::Parallel,
            "k-of-n" => Kind::KOfN,
            "quorum" => Kind::Quorum,
            "standby" => Kind::Standby,
            other => return Err(ctx(format!("unknown kind {other:?}"))),
        },
        Some(_) => return Err(ctx("kind must be a string".into())),
        None => return Err(ctx("missing kind".into())),
    };
    let members = match (t.get("members"), t.get("of")) {
        (Some(Value::Array(a)), None) => {
            if t.contains_key("count") {
                return Err(ctx("count goes with of, not members".into()));
            }
            a.iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err(ctx("members must be strings".into())),
                })
                .collect::<Result<Vec<_>, _>>()?
        }
        (None, Some(Value::String(of))) => {
            let count = get_count(t, "count")
                .map_err(ctx)?
                .ok_or_else(|| ctx("of needs count".into()))?;
            vec![of.clone(); count]
        }
        (Some(_), Some(_)) => return Err(ctx("both members and of".into())),
        (None, None) => return Err(ctx("needs members or of + count".into())),
        _ => return Err(ctx("members must be a list, of a string".into())),
    };
    if members.is_empty() {
        return Err(ctx("no members".into()));
    }
    let k = get_count(t, "k").map_err(ctx)?;
    if kind == Kind::KOfN {
        match k {
            Some(k) if k >= 1 && k <= members.len() => {}
            _ => return Err(ctx("k-of-n needs 1 <= k <= n".into())),
        }
    }
    let crews = get_count(t, "repair_crews").map_err(ctx)?;
    if crews == Some(0) {
        return Err(ctx("repair_crews must be at least 1".into()));
    }
    let beta = get_number(t, "common_cause_beta").map_err(ctx)?;
    if let Some(b) = beta
        && !(0.0..1.0).contains(&b)
    {
        return Err(ctx("common_cause_beta must be in [0, 1)".into()));
    }
    let standby = if kind == Kind::Standby {
        let mode = match t.get("mode") {
            None => "hot".to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(ctx("mode must be a string".into())),
        };
        let dormant_factor = match mode.as_str() {
            "hot" => 1.0,
            "cold" => 0.0,
            "warm" => {
                let d = get_number(t, "dormant_factor")
                    .map_err(ctx)?
                    .ok_or_else(|| ctx("warm standby needs dormant_factor".into()))?;
                if !(0.0..=1.0).contains(&d) {
                    return Err(ctx("dormant_factor must be in [0, 1]".into()));
                }
                d
            }
            other => return Err(ctx(format!("unknown mode {other:?}"))),
        };
        let coverage = match t.get("coverage") {
            None => (1.0, 0.0),
            Some(v) => parse_fraction(v, "coverage").map_err(ctx)?,
        };
        let failover = get_duration(t, "failover").map_err(ctx)?.unwrap_or(0.0);
        let manual = get_duration(t, "manual_failover").map_err(ctx)?;
        if coverage.1 > 0.0 && manual.is_none() {
            return Err(ctx("coverage < 1 needs manual_failover".into()));
        }
        let rate = |h: f64| if h > 0.0 { Some(1.0 / h) } else { None };
        Some(StandbySpec {
            dormant_factor,
            coverage,
            auto_rate: rate(failover),
            manual_rate: manual.and_then(rate),
        })
    } else {
        None
    };
    let election = get_duration(t, "leader_election").map_err(ctx)?;
    let pause = get_duration(t, "failure_pause").map_err(ctx)?;
    if (election.is_some() || pause.is_some())
        && !matches!(kind, Kind::Parallel | Kind::KOfN | Kind::Quorum)
    {
        return Err(ctx(
            "leader_election and failure_pause need parallel, k-of-n or quorum".into(),
        ));
    }
    let election_rate = match election {
        Some(h) => Some(1.0 / positive(h, "leader_election").map_err(ctx)?),
        None => None,
    };
    let pause_rate = match pause {
        Some(h) => Some(1.0 / positive(h, "failure_pause").map_err(ctx)?),
        None => None,
    };
    Ok(BlockSpec {
        kind,
        members,
        k,
        shared: get_bool(t, "shared").map_err(ctx)?,
        crews,
        standby,
        beta,
        election_rate,
        pause_rate,
    })
}

impl Model {
    fn parse(text: &str) -> Result<Model, String> {
        let root: Table = text
            .parse::<Table>()
            .map_err(|e| format!("TOML error: {e}"))?;
        let root = family::expand(&root)?;
        let mut components = HashMap::new();
        for (name, t) in sub_tables(&root, "component")? {
            components.insert(name.clone(), parse_component(name, t)?);
        }
        let mut blocks = HashMap::new();
        for (name, t) in sub_tables(&root, "block")? {
            if components.contains_key(name) {
                return Err(format!("{name} is both a component and a block"));
            }
            blocks.insert(name.clone(), parse_block(name, t)?);
        }
        let top = match root.get("top") {
            None => "system".to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err("top must be a string".into()),
        };
        Ok(Model {
            components,
            blocks,
            top,
        })
    }

    fn instantiate(&self) -> Result<System, String> {
        let mut b = Builder {
            model: self,
            units: Vec::new(),
            nodes: Vec::new(),
            crews: Vec::new(),
            standbys: Vec::new(),
            reconfigs: Vec::new(),
            shared_nodes: HashMap::new(),
            stack: Vec::new(),
        };
        let top = b.instance(&self.top)?;
        Ok(System {
            units: b.units,
            nodes: b.nodes,
            crews: b.crews,
            standbys: b.standbys,
            reconfigs: b.reconfigs,
            top,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Instances (physical units and the block structure over them).

#[derive(Clone, Debug)]
struct Unit {
    lambda: f64,
    mu: f64,
    /// Component name (None for a common-cause element).
    component: Option<String>,
    shared: bool,
    /// Crew group that repairs this unit (None: repaired at once, independently).
    crew: Option<usize>,
    /// Standby memberships (standby block, member position) through non-shared nodes: the
    /// unit fails at dormant_factor times its rate for each one whose member is not active.
    dormancy: Vec<(usize, usize)>,
}

#[derive(Clone, Debug)]
enum Node {
    Unit(usize),
    Block {
        /// Standby block index, or None for "at least `need` of the children up".
        standby: Option<usize>,
        need: usize,
        children: Vec<usize>,
        /// Common-cause element in series with the block.
        ccf: Option<usize>,
        /// Election/pause block index.
        reconfig: Option<usize>,
    },
}

#[derive(Clone, Debug)]
struct Reconfig {
    /// Member nodes in member order (first-listed first).
    members: Vec<usize>,
    need: usize,
    election_rate: Option<f64>,
    pause_rate: Option<f64>,
}

#[derive(Clone, Debug)]
struct Crew {
    crews: usize,
}

#[derive(Clone, Debug)]
struct Standby {
    /// Member nodes in member order (first-listed first).
    members: Vec<usize>,
    spec: StandbySpec,
}

struct Builder<'a> {
    model: &'a Model,
    units: Vec<Unit>,
    nodes: Vec<Node>,
    crews: Vec<Crew>,
    standbys: Vec<Standby>,
    reconfigs: Vec<Reconfig>,
    shared_nodes: HashMap<String, usize>,
    stack: Vec<String>,
}

impl Builder<'_> {
    fn instance(&mut self, name: &str) -> Result<usize, String> {
        if let Some(&id) = self.shared_nodes.get(name) {
            return Ok(id);
        }
        if let Some(c) = self.model.components.get(name) {
            let u = self.units.len();
            self.units.push(Unit {
                lambda: c.lambda,
                mu: c.mu,
                component: Some(name.to_string()),
                shared: c.shared,
                crew: None,
                dormancy: Vec::new(),
            });
            let id = self.nodes.len();
            self.nodes.push(Node::Unit(u));
            if c.shared {
                self.shared_nodes.insert(name.to_string(), id);
            }
            return Ok(id);
        }
        let Some(spec) = self.model.blocks.get(name) else {
            return Err(format!("unknown component or block {name:?}"));
        };
        if self.stack.iter().any(|s| s == name) {
            return Err(format!("block {name} contains itself"));
        }
        self.stack.push(name.to_string());
        let mut children = Vec::new();
        for m in &spec.members {
            children.push(self.instance(m)?);
        }
        self.stack.pop();

        let n = children.len();
        let reconfigures = spec.election_rate.is_some() || spec.pause_rate.is_some();
        let mut ccf = None;
        if let Some(beta) = spec.beta {
            let mut child_units = Vec::new();
            for &c in &children {
                match self.nodes[c] {
                    Node::Unit(u) => child_units.push(u),
                    Node::Block { .. } => {
                        return Err(format!(
                            "block {name}: common_cause_beta needs component members"
                        ));
                    }
                }
            }
            let first = &self.units[child_units[0]];
            let comp = first.component.clone();
            let (lambda, mu) = (first.lambda, first.mu);
            for &u in &child_units {
                let unit = &self.units[u];
                if unit.shared || unit.component != comp {
                    return Err(format!(
                        "block {name}: common_cause_beta needs copies of one unshared component"
                    ));
                }
            }
            for &u in &child_units {
                self.units[u].lambda = (1.0 - beta) * lambda;
            }
            if beta > 0.0 {
                let e = self.units.len();
                self.units.push(Unit {
                    lambda: beta * lambda,
                    mu,
                    component: None,
                    shared: false,
                    crew: None,
                    dormancy: Vec::new(),
                });
                ccf = Some(e);
            }
        }

        // Crews repair the non-shared units below the block that no inner crew block
        // repairs (the innermost crews win); shared units are repaired by themselves.
        if let Some(r) = spec.crews {
            let g = self.crews.len();
            self.crews.push(Crew { crews: r });
            for &c in &children {
                for u in self.private_units(c) {
                    if self.units[u].crew.is_none() {
                        self.units[u].crew = Some(g);
                    }
                }
            }
        }

        // Standby: members are nodes; the non-shared units below member m are dormant while
        // m is not the active member.
        let mut standby = None;
        if let Some(sb) = &spec.standby {
            let s = self.standbys.len();
            for (m, &c) in children.iter().enumerate() {
                for u in self.private_units(c) {
                    self.units[u].dormancy.push((s, m));
                }
            }
            self.standbys.push(Standby {
                members: children.clone(),
                spec: sb.clone(),
            });
            standby = Some(s);
        }

        let need = match spec.kind {
            Kind::Series => n,
            Kind::Parallel => 1,
            Kind::KOfN => spec.k.unwrap(),
            Kind::Quorum => n / 2 + 1,
            Kind::Standby => 0,
        };
        let mut reconfig = None;
        if reconfigures {
            let r = self.reconfigs.len();
            self.reconfigs.push(Reconfig {
                members: children.clone(),
                need,
                election_rate: spec.election_rate,
                pause_rate: spec.pause_rate,
            });
            reconfig = Some(r);
        }
        let id = self.nodes.len();
        self.nodes.push(Node::Block {
            standby,
            need,
            children,
            ccf,
            reconfig,
        });
        if spec.shared {
            self.shared_nodes.insert(name.to_string(), id);
        }
        Ok(id)
    }
}

impl Builder<'_> {
    /// The units below `node` that belong to it alone: not shared, not inside a shared node,
    /// and not a common-cause element (which has its own repair and never stands by).
    fn private_units(&self, node: usize) -> Vec<usize> {
        if self.shared_nodes.values().any(|&id| id == node) {
            return Vec::new();
        }
        match &self.nodes[node] {
            Node::Unit(u) => vec![*u],
            Node::Block { children, .. } => children
                .iter()
                .flat_map(|&c| self.private_units(c))
                .collect(),
        }
    }
}

struct System {
    units: Vec<Unit>,
    nodes: Vec<Node>,
    crews: Vec<Crew>,
    standbys: Vec<Standby>,
    reconfigs: Vec<Reconfig>,
    top: usize,
}

/// Failover phase of a standby block.
const NO_FAILOVER: u8 = 0;
const AUTO_FAILOVER: u8 = 1;
const MANUAL_FAILOVER: u8 = 2;

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
struct State {
    /// Per unit: up?
    up: Vec<bool>,
    /// Per crew group: failed units in order of failure (the first `crews` are in repair).
    queues: Vec<Vec<usize>>,
    /// Per standby block: the position of the active member, if any.
    active: Vec<Option<usize>>,
    /// Per standby block: failover phase.
    phase: Vec<u8>,
    /// Per election/pause block: the leader, if any.
    leader: Vec<Option<usize>>,
    /// Per election/pause block: whether a failure pause runs.
    paused: Vec<bool>,
}

struct Chain {
    /// Off-diagonal rates: rows[i][j] = rate i -> j.
    rows: Vec<FxMap<usize, f64>>,
    up: Vec<bool>,
    /// Per state: total rate to system-down states.
    rate_to_down: Vec<f64>,
}

impl System {
    fn initial_state(&self) -> State {
        State {
            up: vec![true; self.units.len()],
            queues: vec![Vec::new(); self.crews.len()],
            active: vec![Some(0); self.standbys.len()],
            phase: vec![NO_FAILOVER; self.standbys.len()],
            leader: self
                .reconfigs
                .iter()
                .map(|r| r.election_rate.map(|_| 0))
                .collect(),
            paused: vec![false; self.reconfigs.len()],
        }
    }

    /// Whether each member of election/pause block `r` is up in `s`.
    fn reconfig_members_up(&self, r: usize, s: &State) -> Vec<bool> {
        self.reconfigs[r]
            .members
            .iter()
            .map(|&m| self.node_up(m, s))
            .collect()
    }

    fn node_up(&self, node: usize, s: &State) -> bool {
        match &self.nodes[node] {
            Node::Unit(u) => s.up[*u],
            Node::Block {
                standby,
                need,
                children,
                ccf,
                reconfig,
            } => {
                let inner = match standby {
                    Some(b) => match s.active[*b] {
                        Some(m) => {
                            s.phase[*b] == NO_FAILOVER
                                && self.node_up(self.standbys[*b].members[m], s)
                        }
                        None => false,
                    },
                    None => children.iter().filter(|&&c| self.node_up(c, s)).count() >= *need,
                };
                let inner = inner
                    && reconfig.is_none_or(|r| {
                        let led =
                            self.reconfigs[r].election_rate.is_none() || s.leader[r].is_some();
                        led && !s.paused[r]
                    });
                inner && ccf.is_none_or(|e| s.up[e])
            }
        }
    }

    /// Whether each member of standby block `b` is up in `s`.
    fn members_up(&self, b: usize, s: &State) -> Vec<bool> {
        self.standbys[b]
            .members
            .iter()
            .map(|&m| self.node_up(m, s))
            .collect()
    }

    /// After an event from a state whose members were `before` (per standby block) and
    /// `before_r` (per election/pause block) to `t`, applies every block's rules in node order
    /// (inner blocks first: nodes are numbered children first).
    ///
    /// Standby: the active member down starts a failover when another member is up (covered
    /// or not), a member that came up while no member is active takes over at once (ending a
    /// running failover), and a failover with no member up is abandoned. Election/pause:
    /// members that went down lose the leader if it is among them or fewer than k stay up,
    /// and set the pause to "at least k stay up".
    fn settle(
        &self,
        t: State,
        before: &[Vec<bool>],
        before_r: &[Vec<bool>],
        rate: f64,
    ) -> Vec<(State, f64)> {
        let mut branches = vec![(t, rate)];
        for node in &self.nodes {
            let Node::Block {
                standby, reconfig, ..
            } = node
            else {
                continue;
            };
            if let Some(r) = *reconfig {
                for (st, _) in branches.iter_mut() {
                    let after = self.reconfig_members_up(r, st);
                    let fell: Vec<usize> = (0..after.len())
                        .filter(|&m| before_r[r][m] && !after[m])
                        .collect();
                    if fell.is_empty() {
                        continue;
                    }
                    let enough = after.iter().filter(|&&up| up).count() >= self.reconfigs[r].need;
                    if self.reconfigs[r].election_rate.is_some()
                        && st.leader[r].is_some_and(|l| !enough || fell.contains(&l))
                    {
                        st.leader[r] = None;
                    }
                    if self.reconfigs[r].pause_rate.is_some() {
                        st.paused[r] = enough;
                    }
                }
            }
            let Some(b) = *standby else {
                continue;
            };
            let was_up = &before[b];
            let spec = &self.standbys[b].spec;
            let mut next = Vec::new();
            for (mut st, r) in branches {
                let after = self.members_up(b, &st);
                let first_up = after.iter().position(|&up| up);
                match st.active[b] {
                    Some(m) if !after[m] => {
                        st.active[b] = None;
                        st.phase[b] = NO_FAILOVER;
                        match first_up {
                            None => next.push((st, r)),
                            Some(first) => {
                                let branches = [
                                    (spec.coverage.0, spec.auto_rate, AUTO_FAILOVER),
                                    (spec.coverage.1, spec.manual_rate, MANUAL_FAILOVER),
                                ];
                                for (p, phase_rate, phase) in branches {
                                    if p <= 0.0 {
                                        continue;
                                    }
                                    let mut t2 = st.clone();
                                    match phase_rate {
                                        None => t2.active[b] = Some(first),
                                        Some(_) => t2.phase[b] = phase,
                                    }
                                    next.push((t2, r * p));
                                }
                            }
                        }
                    }
                    Some(_) => next.push((st, r)),
                    None => {
                        let risen = (0..after.len()).find(|&m| after[m] && !was_up[m]);
                        if let Some(m) = risen {
                            st.active[b] = Some(m);
                            st.phase[b] = NO_FAILOVER;
                        } else if st.phase[b] != NO_FAILOVER && first_up.is_none() {
                            st.phase[b] = NO_FAILOVER;
                        }
                        next.push((st, r));
                    }
                }
            }
            branches = next;
        }
        branches
    }

    /// All transitions out of `s` (a successor may appear more than once; rates add up).
    fn successors(&self, s: &State) -> Vec<(State, f64)> {
        let before: Vec<Vec<bool>> = (0..self.standbys.len())
            .map(|b| self.members_up(b, s))
            .collect();
        let before_r: Vec<Vec<bool>> = (0..self.reconfigs.len())
            .map(|r| self.reconfig_members_up(r, s))
            .collect();
        let mut out = Vec::new();
        for (u, unit) in self.units.iter().enumerate() {
            if s.up[u] {
                // Failure, slowed by every standby membership whose member is not active.
                let mut rate = unit.lambda;
                for &(b, m) in &unit.dormancy {
                    if s.active[b] != Some(m) {
                        rate *= self.standbys[b].spec.dormant_factor;
                    }
                }
                if rate <= 0.0 {
                    continue;
                }
                let mut t = s.clone();
                t.up[u] = false;
                if let Some(g) = unit.crew {
                    t.queues[g].push(u);
                }
                out.extend(self.settle(t, &before, &before_r, rate));
            } else {
                // Repair.
                if let Some(g) = unit.crew {
                    let pos = s.queues[g].iter().position(|&x| x == u).unwrap();
                    if pos >= self.crews[g].crews {
                        continue;
                    }
                }
                let mut t = s.clone();
                t.up[u] = true;
                if let Some(g) = unit.crew {
                    t.queues[g].retain(|&x| x != u);
                }
                out.extend(self.settle(t, &before, &before_r, unit.mu));
            }
        }
        // Failover completions: the first-listed up member takes over.
        for (b, sb) in self.standbys.iter().enumerate() {
            let rate = match s.phase[b] {
                NO_FAILOVER => continue,
                AUTO_FAILOVER => sb.spec.auto_rate,
                _ => sb.spec.manual_rate,
            }
            .expect("a timed failover phase has a rate");
            let mut t = s.clone();
            t.phase[b] = NO_FAILOVER;
            t.active[b] = before[b].iter().position(|&up| up);
            assert!(t.active[b].is_some(), "failover running without a standby");
            out.extend(self.settle(t, &before, &before_r, rate));
        }
        // Election and pause completions.
        for (r, rc) in self.reconfigs.iter().enumerate() {
            if let Some(rate) = rc.election_rate
                && s.leader[r].is_none()
                && before_r[r].iter().filter(|&&up| up).count() >= rc.need
            {
                let mut t = s.clone();
                t.leader[r] = before_r[r].iter().position(|&up| up);
                out.extend(self.settle(t, &before, &before_r, rate));
            }
            if let Some(rate) = rc.pause_rate
                && s.paused[r]
            {
                let mut t = s.clone();
                t.paused[r] = false;
                out.extend(self.settle(t, &before, &before_r, rate));
            }
        }
        out
    }

    fn build_chain(&self, max_states: usize) -> Result<Chain, String> {
        let mut index: FxMap<State, usize> = FxMap::default();
        let mut states: Vec<State> = Vec::new();
        let mut queue = VecDeque::new();
        let init = self.initial_state();
        index.insert(init.clone(), 0);
        states.push(init);
        queue.push_back(0usize);
        let mut rows: Vec<FxMap<usize, f64>> = Vec::new();
        while let Some(i) = queue.pop_front() {
            let succ = self.successors(&states[i]);
            let mut row: FxMap<usize, f64> = FxMap::default();
            for (t, rate) in succ {
                let j = match index.get(&t) {
                    Some(&j) => j,
                    None => {
                        let j = states.len();
                        if j >= max_states {
                            return Err(format!("chain exceeds {max_states} states"));
                        }
                        index.insert(t.clone(), j);
                        states.push(t);
                        queue.push_back(j);
                        j
                    }
                };
                if j != i {
                    *row.entry(j).or_insert(0.0) += rate;
                }
            }
            if rows.len() <= i {
                rows.resize_with(i + 1, FxMap::default);
            }
            rows[i] = row;
        }
        rows.resize_with(states.len(), FxMap::default);
        let up: Vec<bool> = states.iter().map(|s| self.node_up(self.top, s)).collect();
        let rate_to_down = rows
            .iter()
            .map(|row| row.iter().filter(|(j, _)| !up[**j]).map(|(_, r)| r).sum())
            .collect();
        Ok(Chain {
            rows,
            up,
            rate_to_down,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// GTH (Grassmann–Taksar–Heyman) state reduction on a sparse matrix of rates.
//
// States are eliminated one at a time, in any order (GTH is exact and stable for every
// order; we pick the order greedily to limit fill-in). Eliminating state k from the set R of
// remaining states: S_k = sum_{j in R, j != k} a[k][j]; for every i in R with a[i][k] > 0,
// a[i][k] /= S_k (kept for the back substitution) and a[i][j] += a[i][k] * a[k][j] for
// j in R, j != i, j != k (the diagonal is never used). The last remaining state r gets
// x_r = 1; then, in reverse order of elimination, x_k = sum_i x_i a[i][k] (scaled entries,
// i over the states remaining when k was eliminated); pi = x / sum(x). Only additions,
// multiplications and divisions of non-negative numbers: no cancellation, so tiny
// probabilities keep full relative accuracy.
//
// Storage: each remaining row is a vector of (column, value) sorted by column, over
// remaining columns only; cols[j] lists the rows that have (or had) an entry in column j
// (entries of eliminated rows are stale and skipped). The greedy order takes the remaining
// state with the least Markowitz cost (#in-entries x #out-entries), ties to the lower index.
// Once the remaining states are few enough and their matrix at least a quarter full, the
// rest is eliminated with the same formulas on a dense matrix (faster, same arithmetic).

/// Largest remaining set solved densely (4096^2 doubles = 128 MiB).
const DENSE_MAX_STATES: usize = 4096;
/// Memory guard for the sparse phase (entries of 16 bytes, plus column lists).
const FILL_MAX_ENTRIES: usize = 40_000_000;

fn gth_stationary(rows: Vec<FxMap<usize, f64>>) -> Result<Vec<f64>, String> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    let n = rows.len();
    if n == 0 {
        return Err("empty chain".into());
    }
    let mut a: Vec<Vec<(usize, f64)>> = rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r: Vec<(usize, f64)> = row
                .into_iter()
                .filter(|&(j, v)| j != i && v > 0.0)
                .collect();
            r.sort_by_key(|&(j, _)| j);
            r
        })
        .collect();
    let mut cols: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut col_count = vec![0usize; n];
    for (i, row) in a.iter().enumerate() {
        for &(j, _) in row {
            cols[j].push(i);
            col_count[j] += 1;
        }
    }
    let mut alive = vec![true; n];
    let cost =
        |a: &Vec<Vec<(usize, f64)>>, col_count: &Vec<usize>, k: usize| a[k].len() * col_count[k];
    let mut heap: BinaryHeap<Reverse<(usize, usize)>> = (0..n)
        .map(|k| Reverse((cost(&a, &col_count, k), k)))
        .collect();
    // finished[k]: (i, a[i][k] / S_k) for the states i remaining when k was eliminated.
    let mut finished: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let mut order = Vec::with_capacity(n);
    // Number of entries in the remaining rows.
    let mut nnz: usize = a.iter().map(Vec::len).sum();
    while order.len() + 1 < n {
        let m = n - order.len();
        if m <= DENSE_MAX_STATES && 4 * nnz >= m * m {
            break; // finish with dense GTH
        }
        let Reverse((c, k)) = heap.pop().expect("heap holds every remaining state");
        if !alive[k] || c != cost(&a, &col_count, k) {
            continue; // stale heap entry
        }
        alive[k] = false;
        order.push(k);
        let row_k = std::mem::take(&mut a[k]);
        let s: f64 = row_k.iter().map(|&(_, v)| v).sum();
        if s.is_nan() || s <= 0.0 {
            return Err("the chain is not irreducible".into());
        }
        nnz -= row_k.len();
        for &(j, _) in &row_k {
            col_count[j] -= 1;
        }
        let mut ins: Vec<usize> = cols[k].iter().copied().filter(|&i| alive[i]).collect();
        ins.sort_unstable();
        for &i in &ins {
            let old = std::mem::take(&mut a[i]);
            let pos = old
                .binary_search_by_key(&k, |&(j, _)| j)
                .expect("row i has an entry in column k");
            let aik = old[pos].1 / s;
            finished[k].push((i, aik));
            // new row i = old row i without column k, plus aik * row k without column i.
            let mut merged = Vec::with_capacity(old.len() + row_k.len());
            let (mut p, mut q) = (0, 0);
            loop {
                if p < old.len() && old[p].0 == k {
                    p += 1;
                    continue;
                }
                if q < row_k.len() && row_k[q].0 == i {
                    q += 1;
                    continue;
                }
                match (old.get(p), row_k.get(q)) {
                    (None, None) => break,
                    (Some(&o), None) => {
                        merged.push(o);
                        p += 1;
                    }
                    (Some(&o), Some(_)) if o.0 < row_k[q].0 => {
                        merged.push(o);
                        p += 1;
                    }
                    (Some(&(j, aij)), Some(&(_, akj))) if j == row_k[q].0 => {
                        merged.push((j, aij + aik * akj));
                        p += 1;
                        q += 1;
                    }
                    (_, Some(&(j, akj))) => {
                        // fill-in: a new entry (i, j)
                        merged.push((j, aik * akj));
                        cols[j].push(i);
                        col_count[j] += 1;
                        q += 1;
                    }
                }
            }
            nnz = nnz + merged.len() - old.len();
            if nnz > FILL_MAX_ENTRIES {
                return Err(format!(
                    "GTH fill-in exceeds {FILL_MAX_ENTRIES} entries: chain too large for the \
                     reference"
                ));
            }
            a[i] = merged;
        }
        cols[k] = Vec::new();
        // Costs changed for the rows updated and the columns touched.
        for &i in &ins {
            heap.push(Reverse((cost(&a, &col_count, i), i)));
        }
        for &(j, _) in &row_k {
            if alive[j] {
                cols[j].retain(|&i| alive[i]);
                heap.push(Reverse((cost(&a, &col_count, j), j)));
            }
        }
    }
    // Dense GTH on the remaining states (local indices 0..m, in increasing state order):
    // for k = m-1 down to 1: S = sum_{j<k} d[k][j]; for i < k with d[i][k] > 0:
    // d[i][k] /= S and d[i][0..k] += d[i][k] * d[k][0..k] (this also writes the diagonal
    // d[i][i], which is never read). Then y_0 = 1, y_k = sum_{i<k} y_i d[i][k].
    let rest: Vec<usize> = (0..n).filter(|&k| alive[k]).collect();
    let m = rest.len();
    let mut local = vec![usize::MAX; n];
    for (l, &k) in rest.iter().enumerate() {
        local[k] = l;
    }
    let mut d = vec![0.0f64; m * m];
    for (l, &k) in rest.iter().enumerate() {
        for &(j, v) in &a[k] {
            d[l * m + local[j]] = v;
        }
    }
    for k in (1..m).rev() {
        let (upper, lower) = d.split_at_mut(k * m);
        let row_k = &lower[..k];
        let s: f64 = row_k.iter().sum();
        if s.is_nan() || s <= 0.0 {
            return Err("the chain is not irreducible".into());
        }
        for row_i in upper.chunks_exact_mut(m) {
            let aik = row_i[k];
            if aik == 0.0 {
                continue;
            }
            let f = aik / s;
            row_i[k] = f;
            for (x, &y) in row_i[..k].iter_mut().zip(row_k) {
                *x += f * y;
            }
        }
    }
    let mut y = vec![0.0f64; m];
    y[0] = 1.0;
    for k in 1..m {
        y[k] = (0..k).map(|i| y[i] * d[i * m + k]).sum();
    }
    let mut x = vec![0.0; n];
    for (l, &k) in rest.iter().enumerate() {
        x[k] = y[l];
    }
    // Back substitution through the sparse eliminations, last eliminated first.
    for &k in order.iter().rev() {
        x[k] = finished[k].iter().map(|&(i, aik)| x[i] * aik).sum();
    }
    let total: f64 = x.iter().sum();
    Ok(x.into_iter().map(|v| v / total).collect())
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration_hours("2h").unwrap(), 2.0);
        assert_eq!(parse_duration_hours("1h30m").unwrap(), 1.5);
        assert_eq!(parse_duration_hours("1.5h").unwrap(), 1.5);
        assert_eq!(parse_duration_hours("90min").unwrap(), 1.5);
        assert_eq!(parse_duration_hours("1800s").unwrap(), 0.5);
        assert_eq!(parse_duration_hours("2d").unwrap(), 48.0);
        assert_eq!(parse_duration_hours("1w").unwrap(), 168.0);
        assert_eq!(parse_duration_hours("1y").unwrap(), 8766.0);
        assert_eq!(parse_duration_hours("0s").unwrap(), 0.0);
        assert!(parse_duration_hours("5").is_err());
        assert!(parse_duration_hours("5x").is_err());
        assert!(parse_duration_hours("").is_err());
    }

    #[test]
    fn fractions() {
        let (a, q) = parse_fraction(&Value::String("99.95%".into()), "a").unwrap();
        assert_eq!(a, 0.9995);
        assert_eq!(q, 0.0005);
        let (a, q) = parse_fraction(&Value::String("0.999".into()), "a").unwrap();
        assert_eq!(a, 0.999);
        assert_eq!(q, 0.001);
        let (a, q) = parse_fraction(&Value::Float(0.5), "a").unwrap();
        assert_eq!((a, q), (0.5, 0.5));
        let (a, q) = parse_fraction(&Value::Float(0.9999), "a").unwrap();
        assert_eq!((a, q), (0.9999, 0.0001));
        let (a, q) = parse_fraction(&Value::Integer(1), "a").unwrap();
        assert_eq!((a, q), (1.0, 0.0));
        let (a, q) = parse_fraction(&Value::String("99%".into()), "a").unwrap();
        assert_eq!((a, q), (0.99, 0.01));
        assert!(parse_fraction(&Value::String("101%".into()), "a").is_err());
    }
}
