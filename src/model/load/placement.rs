//! Placement: `place = { family, replicas, rule | lists }` on a block family, the members
//! of the family placed into each instance of the block.

use super::Decoder;
use super::family::FamilyDecl;
use super::limits::MAX_INSTANCES;
use super::values::type_name;
use crate::diag::Code;
use std::borrow::Cow;
use toml_span::value::{Key, Table, Value, ValueInner};

/// The placement rule of a block family, read from `place = { … }`.
pub(super) enum Rule {
    /// Instance i holds family members (i − 1 + j) mod n + 1 for j = 0 … r − 1.
    RoundRobin,
    /// Every r-subset of the family, in lexicographic order.
    Combinations,
    /// One explicit list of member indices per instance.
    Lists(Vec<Vec<u64>>),
}

/// A block family's placement: which family, and the member indices of each instance.
pub(super) struct Placement {
    family: String,
    /// Member indices (1-based) per instance.
    pub(super) per_instance: Vec<Vec<u64>>,
    span: toml_span::Span,
}

impl Decoder {
    /// Reads `place = { family, replicas, rule | lists }` against the declared families.
    pub(super) fn placement(
        &mut self,
        name: &str,
        place: &Value<'_>,
        declared: Option<u64>,
        families: &[FamilyDecl],
    ) -> Option<Placement> {
        let span = self.span(place.span);
        let Some(table) = place.as_table() else {
            self.error(Code::WrongType, "`place` must be a table such as { family = \"broker\", replicas = 3, rule = \"round-robin\" }", span)
                .label = format!("found {}", type_name(place));
            return None;
        };
        for key in table.keys() {
            if !["family", "replicas", "rule", "lists"].contains(&key.name.as_ref()) {
                let key_span = self.span(key.span);
                self.error(
                    Code::UnknownKey,
                    format!("unknown key `{}` in `place`", key.name),
                    key_span,
                )
                .label = "place takes family, replicas, rule and lists".into();
                return None;
            }
        }
        let get = |k: &str| table.get(k);
        let family_name = match get("family") {
            Some(v) => self.string(v, "place.family")?,
            None => {
                self.error(
                    Code::MissingKey,
                    format!("[block.{name}] `place` needs `family`"),
                    span,
                )
                .label = "add e.g. family = \"broker\"".into();
                return None;
            }
        };
        let Some(family) = families.iter().find(|f| f.name == family_name && !f.broken) else {
            let at = self.span(get("family").map_or(place.span, |v| v.span));
            self.error(
                Code::BadPlacement,
                format!("`place.family` = \"{family_name}\" is not a family"),
                at,
            )
            .label = format!(
                "declare it with instances = N, e.g. [component.{family_name}] instances = 5"
            );
            return None;
        };
        let n = family.instances;
        let replicas = match get("replicas") {
            Some(v) => {
                let at = self.span(v.span);
                let r = self.integer(v, "place.replicas", 1)?;
                if r > n {
                    self.error(
                        Code::BadPlacement,
                        format!(
                            "`replicas` = {r} is more than the {n} instances of `{family_name}`"
                        ),
                        at,
                    )
                    .label = format!("must be 1..={n}");
                    return None;
                }
                Some(r)
            }
            None => None,
        };
        let rule = match (get("rule"), get("lists")) {
            (Some(_), Some(lists)) => {
                let at = self.span(lists.span);
                self.error(
                    Code::ConflictingKeys,
                    "`place` gives both `rule` and `lists`; keep one",
                    at,
                )
                .label = "second placement".into();
                return None;
            }
            (None, Some(lists)) => Rule::Lists(self.placement_lists(lists, n, replicas)?),
            (Some(rule), None) => {
                let at = self.span(rule.span);
                match self.string(rule, "place.rule")?.as_str() {
                    "round-robin" => Rule::RoundRobin,
                    "combinations" => Rule::Combinations,
                    other => {
                        self.error(
                            Code::BadValue,
                            format!("unknown placement rule `{other}`"),
                            at,
                        )
                        .label = "round-robin or combinations (or give `lists`)".into();
                        return None;
                    }
                }
            }
            (None, None) => {
                self.error(
                    Code::MissingKey,
                    format!("[block.{name}] `place` needs `rule` or `lists`"),
                    span,
                )
                .label = "add rule = \"round-robin\"".into();
                return None;
            }
        };
        let per_instance = match rule {
            Rule::Lists(lists) => lists,
            Rule::RoundRobin | Rule::Combinations => {
                let Some(r) = replicas else {
                    self.error(
                        Code::MissingKey,
                        format!("[block.{name}] `place` needs `replicas` with a rule"),
                        span,
                    )
                    .label = "add e.g. replicas = 3".into();
                    return None;
                };
                if matches!(rule, Rule::RoundRobin) {
                    let count = declared.unwrap_or(n);
                    (0..count)
                        .map(|i| (0..r).map(|j| (i + j) % n + 1).collect())
                        .collect()
                } else {
                    let total = binomial(n, r);
                    if total > MAX_INSTANCES {
                        self.error(Code::ModelTooLarge, format!("C({n}, {r}) = {total} combinations is more than nines expands ({MAX_INSTANCES})"), span)
                            .label = "too many instances".into();
                        return None;
                    }
                    combinations(n, r)
                }
            }
        };
        if let Some(declared) = declared
            && declared != per_instance.len() as u64
        {
            self.error(
                Code::BadPlacement,
                format!(
                    "`instances` = {declared} but the placement gives {} instances",
                    per_instance.len()
                ),
                span,
            )
            .label =
                "drop `instances` (it defaults to the placement's count) or make them agree".into();
            return None;
        }
        Some(Placement {
            family: family_name,
            per_instance,
            span: place.span,
        })
    }

    /// `lists = [[1, 2, 3], …]`: each a list of distinct indices in 1..=n (of `replicas`
    /// entries when it is given).
    fn placement_lists(
        &mut self,
        lists: &Value<'_>,
        n: u64,
        replicas: Option<u64>,
    ) -> Option<Vec<Vec<u64>>> {
        let span = self.span(lists.span);
        let Some(items) = lists.as_array().filter(|items| !items.is_empty()) else {
            self.error(
                Code::WrongType,
                "`place.lists` must be a non-empty list of lists of instance numbers",
                span,
            )
            .label = format!("found {}", type_name(lists));
            return None;
        };
        let mut result = Vec::with_capacity(items.len());
        for item in items {
            let item_span = self.span(item.span);
            let Some(indices) = item.as_array() else {
                self.error(
                    Code::WrongType,
                    "each entry of `place.lists` must be a list such as [1, 2, 3]",
                    item_span,
                )
                .label = format!("found {}", type_name(item));
                return None;
            };
            let mut list = Vec::with_capacity(indices.len());
            for index in indices {
                let at = self.span(index.span);
                match index.as_integer() {
                    Some(i) if i >= 1 && (i as u64) <= n && !list.contains(&(i as u64)) => {
                        list.push(i as u64)
                    }
                    Some(i) if i >= 1 && (i as u64) <= n => {
                        self.error(
                            Code::BadPlacement,
                            format!("instance {i} is listed twice"),
                            at,
                        )
                        .label = "each instance once per list".into();
                        return None;
                    }
                    _ => {
                        self.error(
                            Code::BadPlacement,
                            format!("placement entries must be instance numbers 1..={n}"),
                            at,
                        )
                        .label = "out of range".into();
                        return None;
                    }
                }
            }
            if list.is_empty() || replicas.is_some_and(|r| r != list.len() as u64) {
                self.error(
                    Code::BadPlacement,
                    match replicas {
                        Some(r) => format!(
                            "this list has {} instances, not `replicas` = {r}",
                            list.len()
                        ),
                        None => "a placement list must name at least one instance".into(),
                    },
                    item_span,
                )
                .label = "wrong length".into();
                return None;
            }
            result.push(list);
        }
        Some(result)
    }
}

/// Sets `members` of instance `index` (1-based): the placed family members, then the members
/// the family's table writes.
pub(super) fn place_members<'a>(table: &mut Table<'a>, placement: &Placement, index: usize) {
    let span = placement.span;
    let mut members: Vec<Value<'a>> = placement.per_instance[index - 1]
        .iter()
        .map(|i| {
            Value::with_span(
                ValueInner::String(Cow::Owned(format!("{}[{i}]", placement.family))),
                span,
            )
        })
        .collect();
    let mut key = Key {
        name: "members".into(),
        span,
    };
    if let Some((written_key, mut written)) = table.remove_entry("members") {
        key = written_key;
        if let ValueInner::Array(items) = written.take() {
            members.extend(items);
        }
    }
    table.insert(key, Value::with_span(ValueInner::Array(members), span));
}

/// C(n, r), saturating.
fn binomial(n: u64, r: u64) -> u64 {
    let r = r.min(n - r);
    let mut result: u64 = 1;
    for i in 0..r {
        result = result.saturating_mul(n - i) / (i + 1);
    }
    result
}

/// Every r-subset of 1..=n, in lexicographic order.
fn combinations(n: u64, r: u64) -> Vec<Vec<u64>> {
    let mut result = Vec::new();
    let mut current: Vec<u64> = (1..=r).collect();
    loop {
        result.push(current.clone());
        // The rightmost position that can still move up.
        let Some(position) = (0..r as usize)
            .rev()
            .find(|&p| current[p] < n - r + 1 + p as u64)
        else {
            return result;
        };
        current[position] += 1;
        for next in position + 1..r as usize {
            current[next] = current[next - 1] + 1;
        }
    }
}
