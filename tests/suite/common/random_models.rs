//! Random small models as TOML text, from a seed: every block kind, shared components (some
//! as families of two instances) and
//! shared blocks referenced in several places, FIFO repair crews over different unit types,
//! standby with failover and coverage, common cause, leader elections and failure pauses, and
//! nesting; few enough units that the
//! brute-force reference can expand them.
//!
//! Used by `tests/suite/cross_check.rs` (solver against the brute-force reference) and
//! `tests/suite/simulate.rs` (simulation against the solver).

/// A small deterministic generator (SplitMix64) driven by a seed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 1.0 < p
    }
    /// Log-uniform in [low, high], rounded to 4 significant digits so the TOML is exact.
    fn log_uniform(&mut self, low: f64, high: f64) -> f64 {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        let value = (low.ln() + u * (high.ln() - low.ln())).exp();
        format!("{value:.4e}").parse().unwrap()
    }
}

struct Builder {
    random: Random,
    /// A second stream for the leader elections and failure pauses, so that the models of
    /// every seed stay what they were before those existed, bar the added lines.
    reconfig: Random,
    text: String,
    /// Components that are never shared (usable in crews, standby and common cause).
    private: Vec<String>,
    /// Components marked `shared = true`.
    shared: Vec<String>,
    blocks: usize,
    units: usize,
}

const MAX_UNITS: usize = 7;

impl Builder {
    fn new(seed: u64) -> Self {
        let mut builder = Builder {
            random: Random(seed),
            reconfig: Random(seed ^ 0x00E1_EC70_0000_0000),
            text: String::from("name = \"random\"\ntop = \"b0\"\n"),
            private: Vec::new(),
            shared: Vec::new(),
            blocks: 0,
            units: 0,
        };
        let count = 2 + builder.random.below(3);
        for index in 0..count {
            let name = format!("c{index}");
            let mtbf = builder.random.log_uniform(50.0, 5000.0);
            let mttr = builder.random.log_uniform(0.5, 40.0);
            let shared = index >= 2 && builder.random.chance(0.5);
            // Every other seed writes a shared component as a family of two instances (drawn
            // from the seed, not the stream, so the rest of the model is as before).
            let family = shared && (seed + index as u64).is_multiple_of(2);
            builder.text.push_str(&format!(
                "[component.{name}]\nmtbf = \"{mtbf}h\"\nmttr = \"{mttr}h\"\n{}",
                if family {
                    "instances = 2\n"
                } else if shared {
                    "shared = true\n"
                } else {
                    ""
                }
            ));
            if family {
                builder.shared.push(format!("{name}[1]"));
                builder.shared.push(format!("{name}[2]"));
            } else if shared {
                builder.shared.push(name);
            } else {
                builder.private.push(name);
            }
        }
        builder
    }

    fn private_component(&mut self) -> String {
        let index = self.random.below(self.private.len());
        self.private[index].clone()
    }

    fn structure_kind(&mut self, n: usize) -> String {
        match self.random.below(4) {
            0 => "kind = \"series\"\n".into(),
            1 => "kind = \"parallel\"\n".into(),
            2 => format!("kind = \"k-of-n\"\nk = {}\n", 1 + self.random.below(n)),
            _ => "kind = \"quorum\"\n".into(),
        }
    }

    /// Sometimes a leader election, a failure pause or both, for a block of `kind` that may
    /// have them (parallel, k-of-n, quorum); from the second stream.
    fn reconfiguration(&mut self, kind: &str) -> String {
        let reconfigurable = ["parallel", "k-of-n", "quorum"]
            .iter()
            .any(|allowed| kind.contains(&format!("\"{allowed}\"")));
        if !reconfigurable || !self.reconfig.chance(0.5) {
            return String::new();
        }
        let mut text = String::new();
        let which = self.reconfig.below(3);
        if which != 1 {
            let mean = self.reconfig.log_uniform(0.01, 2.0);
            text.push_str(&format!("leader_election = \"{mean}h\"\n"));
        }
        if which != 0 {
            let mean = self.reconfig.log_uniform(0.01, 2.0);
            text.push_str(&format!("failure_pause = \"{mean}h\"\n"));
        }
        text
    }

    fn new_block(&mut self) -> String {
        let name = format!("b{}", self.blocks);
        self.blocks += 1;
        name
    }

    /// Members of a dependent block: 2–3 private units, possibly of different types.
    fn dependent_members(&mut self, identical: bool) -> (String, usize) {
        let n = 2 + self
            .random
            .below(2)
            .min(MAX_UNITS.saturating_sub(self.units + 2));
        self.units += n;
        if identical {
            let of = self.private_component();
            (format!("of = \"{of}\"\ncount = {n}\n"), n)
        } else {
            let names: Vec<String> = (0..n)
                .map(|_| format!("\"{}\"", self.private_component()))
                .collect();
            (format!("members = [{}]\n", names.join(", ")), n)
        }
    }

    /// Writes a block and returns its name; `depth` limits nesting.
    fn block(&mut self, depth: usize) -> String {
        let name = self.new_block();
        let budget_left = MAX_UNITS.saturating_sub(self.units);
        let choice = if budget_left < 2 {
            0
        } else {
            self.random.below(6)
        };
        let body = match choice {
            // Crew block over possibly different types.
            1 => {
                let identical = self.random.chance(0.4);
                let (members, n) = self.dependent_members(identical);
                let kind = self.structure_kind(n);
                let crews = format!("repair_crews = {}\n", 1 + self.random.below(n - 1));
                let reconfig = self.reconfiguration(&kind);
                let crews = if !reconfig.is_empty() && self.reconfig.chance(0.4) {
                    String::new() // unlimited repair
                } else {
                    crews
                };
                format!("{kind}{members}{crews}{reconfig}")
            }
            // Standby block.
            2 => {
                let identical = self.random.chance(0.6);
                let (members, n) = self.dependent_members(identical);
                let mode = match self.random.below(3) {
                    0 => "mode = \"hot\"\n".to_string(),
                    1 => "mode = \"cold\"\n".to_string(),
                    _ => format!(
                        "mode = \"warm\"\ndormant_factor = {}\n",
                        self.random.log_uniform(0.05, 0.9)
                    ),
                };
                let failover = if self.random.chance(0.5) {
                    "failover = \"0s\"\n".to_string()
                } else {
                    format!("failover = \"{}h\"\n", self.random.log_uniform(0.01, 2.0))
                };
                let coverage = if self.random.chance(0.5) {
                    String::new()
                } else {
                    format!(
                        "coverage = {}\nmanual_failover = \"{}h\"\n",
                        self.random.log_uniform(0.5, 0.99),
                        self.random.log_uniform(0.1, 5.0)
                    )
                };
                let crews = if n > 1 && self.random.chance(0.5) {
                    format!("repair_crews = {}\n", 1 + self.random.below(n - 1))
                } else {
                    String::new()
                };
                format!("kind = \"standby\"\n{mode}{failover}{coverage}{crews}{members}")
            }
            // Common cause over copies of one component (with crews or standby sometimes).
            3 => {
                let (members, n) = self.dependent_members(true);
                let kind = if self.random.chance(0.3) {
                    "kind = \"standby\"\nmode = \"warm\"\ndormant_factor = 0.5\n".to_string()
                } else {
                    self.structure_kind(n)
                };
                let crews = if self.random.chance(0.5) {
                    "repair_crews = 1\n"
                } else {
                    ""
                };
                let beta = self.random.log_uniform(0.01, 0.3);
                let reconfig = self.reconfiguration(&kind);
                format!("{kind}{members}common_cause_beta = {beta}\n{crews}{reconfig}")
            }
            // Structure block over components and nested blocks, with shared references.
            _ => {
                let n = 1 + self.random.below(3);
                let mut members = Vec::new();
                for _ in 0..n {
                    let nest = depth < 2 && self.units + 2 <= MAX_UNITS && self.random.chance(0.5);
                    if nest {
                        let child = self.block(depth + 1);
                        // A shared block referenced twice in this block.
                        if self.random.chance(0.25) {
                            self.text = self.text.replace(
                                &format!("[block.{child}]\n"),
                                &format!("[block.{child}]\nshared = true\n"),
                            );
                            members.push(child.clone());
                        }
                        members.push(child);
                    } else if !self.shared.is_empty() && self.random.chance(0.4) {
                        let index = self.random.below(self.shared.len());
                        members.push(self.shared[index].clone());
                    } else {
                        self.units += 1;
                        members.push(self.private_component());
                    }
                }
                let kind = self.structure_kind(members.len());
                let members: Vec<String> = members.iter().map(|m| format!("\"{m}\"")).collect();
                format!("{kind}members = [{}]\n", members.join(", "))
            }
        };
        self.text.push_str(&format!("[block.{name}]\n{body}"));
        name
    }
}

/// The top block is a structure block that references a shared component or sub-block from
/// two places often, so conditioning is exercised.
pub fn random_model(seed: u64) -> String {
    let mut builder = Builder::new(seed);
    let top = builder.new_block();
    let mut members = Vec::new();
    for _ in 0..2 + builder.random.below(2) {
        if builder.units >= MAX_UNITS {
            break;
        }
        members.push(builder.block(1));
    }
    if !builder.shared.is_empty() {
        let index = builder.random.below(builder.shared.len());
        members.push(builder.shared[index].clone());
    }
    let kind = builder.structure_kind(members.len());
    let members: Vec<String> = members.iter().map(|m| format!("\"{m}\"")).collect();
    builder.text.push_str(&format!(
        "[block.{top}]\n{kind}members = [{}]\n",
        members.join(", ")
    ));
    builder.text
}
