//! Families: `instances = N` on a component or block declares N physical units `NAME[1]` …
//! `NAME[N]`, and a block family's `place` puts members of another family in each instance.
//!
//! Expansion works on the TOML tree, before anything is decoded: each instance is a copy of
//! the family's table, with `shared = true`, under the name `NAME[i]`; a table written as
//! `[component."NAME[i]"]` (in the file, or made by `--set component.NAME[i].KEY=…`) overrides
//! that instance's keys. The instances then decode as ordinary components and blocks, so
//! every rule of the format applies to them unchanged. References (`NAME[*]`, `NAME[i]`, a
//! bare `NAME`) are checked and expanded once the blocks are decoded.

use super::Decoder;
use super::block::RawBlock;
use super::limits::MAX_INSTANCES;
use super::values::type_name;
use crate::diag::Code;
use crate::model::{Family, Model, NodeRef};
use std::borrow::Cow;
use std::collections::HashMap;
use toml_span::value::{Key, Table, Value, ValueInner};

/// A family as declared: its name, whether it is a block family, and how many instances.
pub(super) struct FamilyDecl {
    /// The family's name (`broker`).
    pub(super) name: String,
    /// Declared under `[block.…]` rather than `[component.…]`.
    pub(super) block: bool,
    /// N.
    pub(super) instances: u64,
    /// Its declaration had a problem (reported): references to it are not reported again.
    pub(super) broken: bool,
}

/// Splits `NAME[i]` into `NAME` and `i`, and `NAME[*]` into `NAME` and `None`; `None` for a
/// name of neither form.
pub fn instance_name(name: &str) -> Option<(&str, Option<u64>)> {
    let (base, rest) = name.strip_suffix(']')?.split_once('[')?;
    if base.is_empty() {
        return None;
    }
    if rest == "*" {
        return Some((base, None));
    }
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok().map(|index| (base, Some(index)))
}

/// The placement rule of a block family, read from `place = { … }`.
enum Rule {
    /// Instance i holds family members (i − 1 + j) mod n + 1 for j = 0 … r − 1.
    RoundRobin,
    /// Every r-subset of the family, in lexicographic order.
    Combinations,
    /// One explicit list of member indices per instance.
    Lists(Vec<Vec<u64>>),
}

/// A block family's placement: which family, and the member indices of each instance.
struct Placement {
    family: String,
    /// Member indices (1-based) per instance.
    per_instance: Vec<Vec<u64>>,
    span: toml_span::Span,
}

impl Decoder {
    /// Expands the families of one section (`component` or `block`) in place: family tables
    /// become their instances, instance tables are merged into them. `families` receives each
    /// family declared (component families first, so block placements can refer to them).
    pub(super) fn expand_families<'a>(
        &mut self,
        entries: Vec<(Key<'a>, Value<'a>)>,
        block: bool,
        families: &mut Vec<FamilyDecl>,
    ) -> Vec<(Key<'a>, Value<'a>)> {
        let what = if block { "block" } else { "component" };
        let mut plain = Vec::new();
        let mut instance_tables: HashMap<(String, u64), (Key<'a>, Value<'a>)> = HashMap::new();
        for (key, value) in entries {
            match instance_name(&key.name) {
                Some((base, Some(index))) => {
                    instance_tables.insert((base.to_string(), index), (key, value));
                }
                _ => plain.push((key, value)),
            }
        }
        let mut expanded = Vec::new();
        for (key, mut value) in plain {
            let is_family = value.as_table().is_some_and(|table| {
                table.contains_key("instances") || (block && table.contains_key("place"))
            });
            if !is_family {
                expanded.push((key, value));
                continue;
            }
            let value_span = value.span;
            let ValueInner::Table(mut table) = value.take() else {
                unreachable!("checked to be a table");
            };
            let table = &mut table;
            let instances = table.remove_entry("instances");
            let place = if block {
                table.remove_entry("place")
            } else {
                None
            };
            let name = key.name.to_string();
            let declared = instances.as_ref().and_then(|(_, v)| {
                let span = self.span(v.span);
                let count = self.integer(v, "instances", 1)?;
                if count > MAX_INSTANCES {
                    self.error(
                        Code::ModelTooLarge,
                        format!(
                            "`instances` = {count} is more than nines expands ({MAX_INSTANCES})"
                        ),
                        span,
                    )
                    .label = "too many instances".into();
                    return None;
                }
                Some(count)
            });
            let broken = |families: &mut Vec<FamilyDecl>| {
                families.push(FamilyDecl {
                    name: key.name.to_string(),
                    block,
                    instances: 0,
                    broken: true,
                })
            };
            if instances.is_some() && declared.is_none() {
                broken(families);
                continue;
            }
            self.check_family_shared(table, &name, what);
            let placement = match &place {
                Some((_, place)) => match self.placement(&name, place, declared, families) {
                    Some(placement) => Some(placement),
                    None => {
                        broken(families);
                        continue;
                    }
                },
                None => None,
            };
            if placement.is_some() && (table.contains_key("of") || table.contains_key("count")) {
                let span = self.span(place.as_ref().map_or(key.span, |(_, v)| v.span));
                self.error(
                    Code::BadPlacement,
                    format!("[block.{name}] gives `place` with `of`/`count`; list extra members in `members`"),
                    span,
                )
                .label = "placement adds members to `members`".into();
                broken(families);
                continue;
            }
            let count = placement
                .as_ref()
                .map_or(declared.unwrap_or(1), |p| p.per_instance.len() as u64);
            families.push(FamilyDecl {
                name: name.clone(),
                block,
                instances: count,
                broken: false,
            });
            self.family_sizes.insert(name.clone(), count);
            for index in 1..=count {
                let mut copy = clone_table(table);
                if let Some((_, mut own)) = instance_tables.remove(&(name.clone(), index))
                    && let ValueInner::Table(own) = own.take()
                {
                    self.merge_instance(&mut copy, own, &name, what);
                }
                copy.insert(
                    Key {
                        name: "shared".into(),
                        span: key.span,
                    },
                    Value::with_span(ValueInner::Boolean(true), key.span),
                );
                if let Some(placement) = &placement {
                    place_members(&mut copy, placement, index as usize);
                }
                expanded.push((
                    Key {
                        name: Cow::Owned(format!("{name}[{index}]")),
                        span: key.span,
                    },
                    Value::with_span(ValueInner::Table(copy), value_span),
                ));
            }
        }
        self.orphan_instance_tables(instance_tables, families, what);
        expanded.sort_by_key(|(key, _)| key.span.start);
        expanded
    }

    /// Reports `shared = false` on a family (every instance is one physical unit) and takes
    /// `shared` out of the table.
    fn check_family_shared(&mut self, table: &mut Table<'_>, name: &str, what: &str) {
        if let Some((_, shared)) = table.remove_entry("shared")
            && shared.as_bool() == Some(false)
        {
            let span = self.span(shared.span);
            self.error(
                Code::UnsharedFamily,
                format!("[{what}.{name}] declares a family with `shared = false`; each instance of a family is one physical unit"),
                span,
            )
            .label = "remove it, or drop `instances` and use `of`/`count` for copies".into();
        }
    }

    /// Merges an instance's own table over its copy of the family's; `instances` and `place`
    /// belong to the family and are reported there.
    fn merge_instance<'a>(
        &mut self,
        into: &mut Table<'a>,
        mut own: Table<'a>,
        name: &str,
        what: &str,
    ) {
        for key in ["instances", "place"] {
            if let Some((key, _)) = own.remove_entry(key) {
                let span = self.span(key.span);
                self.error(
                    Code::UnexpectedKey,
                    format!(
                        "`{}` belongs to the family table [{what}.{name}], not to one instance",
                        key.name
                    ),
                    span,
                )
                .label = "move it to the family".into();
            }
        }
        self.merge_overrides(into, own, 2, false);
    }

    /// Reports instance tables (`[component."x[3]"]`) whose family is not declared or has no
    /// such instance.
    fn orphan_instance_tables(
        &mut self,
        orphans: HashMap<(String, u64), (Key<'_>, Value<'_>)>,
        families: &[FamilyDecl],
        what: &str,
    ) {
        let mut orphans: Vec<_> = orphans.into_iter().collect();
        orphans.sort_by_key(|(_, (key, _))| key.span.start);
        for ((base, index), (key, _)) in orphans {
            let span = self.span(key.span);
            let family = families
                .iter()
                .find(|f| f.name == base && f.block == (what == "block"));
            let (message, label) = match family {
                Some(family) => (
                    format!(
                        "`{base}[{index}]` is out of range: the family `{base}` has instances 1 to {}",
                        family.instances
                    ),
                    format!("must be {base}[1] … {base}[{}]", family.instances),
                ),
                None => (
                    format!(
                        "`{base}[{index}]` sets one instance of a family `{base}`, but [{what}.{base}] declares no `instances`"
                    ),
                    format!("add instances = N to [{what}.{base}]"),
                ),
            };
            self.error(Code::FamilyReference, message, span).label = label;
        }
    }

    /// Reads `place = { family, replicas, rule | lists }` against the declared families.
    fn placement(
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

    /// How many members one written reference stands for: every instance for `NAME[*]` of a
    /// family declared so far, else one.
    pub(super) fn references_in(&self, member: &str) -> u64 {
        match instance_name(member) {
            Some((base, None)) => self.family_sizes.get(base).copied().unwrap_or(1),
            _ => 1,
        }
    }

    /// Checks every member reference against the families: `NAME[*]` becomes one reference
    /// per instance, `NAME[i]` must be in range, and a bare family name is refused (one
    /// instance or all of them is the user's choice to make).
    pub(super) fn expand_family_references(
        &mut self,
        raw_blocks: &mut [RawBlock],
        families: &[FamilyDecl],
    ) {
        let find = |name: &str| families.iter().find(|f| f.name == name);
        for raw in raw_blocks.iter_mut() {
            let mut members = Vec::with_capacity(raw.members.len());
            for (member, count, span) in std::mem::take(&mut raw.members) {
                if find(instance_name(&member).map_or(member.as_str(), |(base, _)| base))
                    .is_some_and(|family| family.broken)
                {
                    continue; // its declaration is reported already
                }
                match instance_name(&member) {
                    Some((base, None)) => match find(base) {
                        Some(family) => members.extend(
                            (1..=family.instances).map(|i| (format!("{base}[{i}]"), count, span)),
                        ),
                        None => {
                            self.error(
                                Code::FamilyReference,
                                format!("`{member}` names every instance of a family, but `{base}` is not a family"),
                                span,
                            )
                            .label = format!("declare [component.{base}] or [block.{base}] with instances = N");
                        }
                    },
                    Some((base, Some(index))) => match find(base) {
                        Some(family) if index < 1 || index > family.instances => {
                            self.error(
                                Code::FamilyReference,
                                format!("`{member}` is out of range: the family `{base}` has instances 1 to {}", family.instances),
                                span,
                            )
                            .label = format!("must be {base}[1] … {base}[{}]", family.instances);
                        }
                        _ => members.push((member, count, span)),
                    },
                    None => match find(&member) {
                        Some(family) => {
                            self.error(
                                Code::FamilyReference,
                                format!("`{member}` is a family of {} units; name one instance or all of them", family.instances),
                                span,
                            )
                            .label = format!("write \"{member}[*]\" for every instance, or \"{member}[1]\" for one");
                        }
                        None => members.push((member, count, span)),
                    },
                }
            }
            raw.members = members;
        }
    }
}

/// The model's families, as instance references, once names are resolved.
pub(super) fn resolved_families(model: &Model, families: &[FamilyDecl]) -> Vec<Family> {
    families
        .iter()
        .filter(|decl| !decl.broken)
        .map(|decl| {
            let instances = (1..=decl.instances)
                .filter_map(|i| {
                    let name = format!("{}[{i}]", decl.name);
                    if decl.block {
                        model.block_index(&name).map(NodeRef::Block)
                    } else {
                        model
                            .components
                            .iter()
                            .position(|c| c.name == name)
                            .map(NodeRef::Component)
                    }
                })
                .collect();
            Family {
                name: decl.name.clone(),
                instances,
            }
        })
        .collect()
}

/// Sets `members` of instance `index` (1-based): the placed family members, then the members
/// the family's table writes.
fn place_members<'a>(table: &mut Table<'a>, placement: &Placement, index: usize) {
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

/// A deep copy of a TOML table.
fn clone_table<'a>(table: &Table<'a>) -> Table<'a> {
    table
        .iter()
        .map(|(key, value)| (key.clone(), clone_value(value)))
        .collect()
}

/// A deep copy of a TOML value (toml_span's values are not `Clone`).
fn clone_value<'a>(value: &Value<'a>) -> Value<'a> {
    let inner = if let Some(table) = value.as_table() {
        ValueInner::Table(clone_table(table))
    } else if let Some(items) = value.as_array() {
        ValueInner::Array(items.iter().map(clone_value).collect())
    } else if let Some(text) = value.as_str() {
        ValueInner::String(Cow::Owned(text.to_string()))
    } else if let Some(integer) = value.as_integer() {
        ValueInner::Integer(integer)
    } else if let Some(float) = value.as_float() {
        ValueInner::Float(float)
    } else {
        ValueInner::Boolean(value.as_bool().unwrap_or_default())
    };
    Value::with_span(inner, value.span)
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
