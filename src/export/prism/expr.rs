//! Boolean structure over units, dependent blocks and block instances, and its PRISM text.
//!
//! A block instance is up when at least k of its items are up (series: k = n, parallel:
//! k = 1); [`simplify`] folds the constants (units that never fail, items forced down) and
//! [`render`] writes what remains as a PRISM Boolean expression.

/// A Boolean structure over units, dependent blocks and block instances.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Expr {
    /// Always up (`true`) or always down (`false`).
    Const(bool),
    /// Independent unit `uI` is up.
    Unit(usize),
    /// Dependent block instance `gK` is up.
    Group(usize),
    /// Block instance `bJ` is up.
    Gate(usize),
    /// Standby instance `sS` over blocks or shared units is up (it has an active member).
    Standby(usize),
    /// A PRISM Boolean expression over the current state (the up-state of a standby instance
    /// after an event, see `super::joint`).
    Raw(String),
    /// At least k of the items are up (series: k = n, parallel: k = 1).
    AtLeast(u64, Vec<Expr>),
}

/// What can be forced down when deriving a module's criticality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Leaf {
    /// Independent unit `uI`.
    Unit(usize),
    /// Dependent block instance `gK`.
    Group(usize),
    /// Standby instance `sS` over blocks or shared units.
    Standby(usize),
}

impl Expr {
    /// Whether the dependent block instance `group` appears directly in this structure.
    pub(super) fn contains_group(&self, group: usize) -> bool {
        match self {
            Expr::Group(k) => *k == group,
            Expr::AtLeast(_, items) => items.iter().any(|item| item.contains_group(group)),
            _ => false,
        }
    }
}

/// Folds constants: a down member of a series, an up member of a parallel, and so on.
pub(super) fn simplify(expr: Expr) -> Expr {
    let Expr::AtLeast(k, items) = expr else {
        return expr;
    };
    let mut needed = k;
    let mut kept = Vec::with_capacity(items.len());
    for item in items {
        match simplify(item) {
            Expr::Const(true) => needed = needed.saturating_sub(1),
            Expr::Const(false) => {}
            other => kept.push(other),
        }
    }
    if needed == 0 {
        Expr::Const(true)
    } else if needed > kept.len() as u64 {
        Expr::Const(false)
    } else if kept.len() == 1 {
        kept.pop().expect("one item")
    } else {
        Expr::AtLeast(needed, kept)
    }
}

/// PRISM text of a (simplified) structure.
pub(super) fn render(expr: &Expr) -> String {
    match expr {
        Expr::Const(value) => value.to_string(),
        Expr::Unit(i) => format!("u{i}"),
        Expr::Group(k) => format!("g{k}_up"),
        Expr::Gate(j) => format!("b{j}"),
        Expr::Standby(s) => format!("s{s}_up"),
        Expr::Raw(text) => format!("({text})"),
        Expr::AtLeast(k, items) => {
            let parts: Vec<String> = items.iter().map(render).collect();
            if *k as usize == items.len() {
                format!("({})", parts.join(" & "))
            } else if *k == 1 {
                format!("({})", parts.join(" | "))
            } else {
                let counts: Vec<String> = parts.iter().map(|p| format!("({p}?1:0)")).collect();
                format!("({}>={k})", counts.join("+"))
            }
        }
    }
}
