//! Families for the reference, written from docs/model-format.md alone (no code shared with
//! src/): `instances = N` tables become N shared tables `NAME[i]`, instance tables
//! `NAME[i]` override their keys, `place` writes each block instance's members, and
//! `NAME[*]` in a member list stands for every instance.

use std::collections::BTreeMap;
use toml::{Table, Value};

/// The keys an instance table's key replaces in the family's table (one figure, one way).
const ALTERNATIVES: &[&[&str]] = &[
    &["mtbf", "failure_rate", "availability"],
    &["mttr", "repair_rate"],
];

/// The model's table with every family expanded.
pub fn expand(root: &Table) -> Result<Table, String> {
    let mut root = root.clone();
    let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
    for section in ["component", "block"] {
        let Some(Value::Table(tables)) = root.get(section).cloned() else {
            continue;
        };
        let mut out = Table::new();
        for (name, value) in &tables {
            let Value::Table(table) = value else {
                out.insert(name.clone(), value.clone());
                continue;
            };
            if name.contains('[') {
                continue; // an instance table, merged below
            }
            let place = table.get("place").cloned();
            if table.get("instances").is_none() && place.is_none() {
                out.insert(name.clone(), value.clone());
                continue;
            }
            let placed = match &place {
                Some(Value::Table(place)) => Some(placement(place, &sizes)?),
                Some(_) => return Err(format!("{name}: place must be a table")),
                None => None,
            };
            let n = match (table.get("instances"), &placed) {
                (Some(Value::Integer(n)), _) if *n >= 1 => *n as usize,
                (None, Some(lists)) => lists.len(),
                _ => return Err(format!("{name}: bad instances")),
            };
            if table.get("shared") == Some(&Value::Boolean(false)) {
                return Err(format!("{name}: a family is shared"));
            }
            // Round-robin makes as many instances as asked; the other rules fix the count.
            let lists = placed.map(|lists| {
                if let Some(Value::Table(place)) = &place
                    && place.get("rule").and_then(Value::as_str) == Some("round-robin")
                {
                    let family = place["family"].as_str().unwrap();
                    let n_family = sizes[family];
                    let r = place["replicas"].as_integer().unwrap() as usize;
                    (0..n)
                        .map(|i| (0..r).map(|j| (i + j) % n_family + 1).collect())
                        .collect()
                } else {
                    lists
                }
            });
            if let Some(lists) = &lists
                && lists.len() != n
            {
                return Err(format!("{name}: instances disagree with the placement"));
            }
            sizes.insert(name.clone(), n);
            for i in 1..=n {
                let mut copy = table.clone();
                copy.remove("instances");
                copy.remove("place");
                copy.insert("shared".into(), Value::Boolean(true));
                if let Some(Value::Table(own)) = tables.get(&format!("{name}[{i}]")) {
                    for (key, value) in own {
                        for group in ALTERNATIVES {
                            if group.contains(&key.as_str()) {
                                for other in *group {
                                    copy.remove(*other);
                                }
                            }
                        }
                        copy.insert(key.clone(), value.clone());
                    }
                }
                if let (Some(lists), Some(Value::Table(place))) = (&lists, &place) {
                    let family = place["family"].as_str().unwrap();
                    let mut members: Vec<Value> = lists[i - 1]
                        .iter()
                        .map(|j| Value::String(format!("{family}[{j}]")))
                        .collect();
                    if let Some(Value::Array(extra)) = table.get("members") {
                        members.extend(extra.iter().cloned());
                    }
                    copy.insert("members".into(), Value::Array(members));
                }
                out.insert(format!("{name}[{i}]"), Value::Table(copy));
            }
        }
        root.insert(section.into(), Value::Table(out));
    }
    // `NAME[*]` in member lists and `of`.
    if let Some(Value::Table(blocks)) = root.get_mut("block") {
        for (_, value) in blocks.iter_mut() {
            let Value::Table(block) = value else { continue };
            if let Some(Value::Array(members)) = block.get("members") {
                let mut expanded = Vec::new();
                for member in members {
                    match member.as_str().and_then(|m| m.strip_suffix("[*]")) {
                        Some(family) => {
                            let n = *sizes.get(family).ok_or("[*] of a non-family")?;
                            expanded
                                .extend((1..=n).map(|i| Value::String(format!("{family}[{i}]"))));
                        }
                        None => expanded.push(member.clone()),
                    }
                }
                block.insert("members".into(), Value::Array(expanded));
            }
            if let Some(family) = block
                .get("of")
                .and_then(Value::as_str)
                .and_then(|m| m.strip_suffix("[*]"))
                .map(str::to_string)
            {
                let n = *sizes.get(&family).ok_or("[*] of a non-family")?;
                let count = block
                    .remove("count")
                    .and_then(|c| c.as_integer())
                    .unwrap_or(1);
                block.remove("of");
                let members = (1..=n)
                    .flat_map(|i| {
                        std::iter::repeat_n(Value::String(format!("{family}[{i}]")), count as usize)
                    })
                    .collect();
                block.insert("members".into(), Value::Array(members));
            }
        }
    }
    Ok(root)
}

/// The member indices of each instance: every r-subset for `combinations`, the lists as
/// written, or (for `round-robin`, whose count comes from `instances`) the family's size
/// many rows, replaced by the caller.
fn placement(place: &Table, sizes: &BTreeMap<String, usize>) -> Result<Vec<Vec<usize>>, String> {
    let family = place
        .get("family")
        .and_then(Value::as_str)
        .ok_or("place needs family")?;
    let n = *sizes.get(family).ok_or("place.family is not a family")?;
    if let Some(Value::Array(lists)) = place.get("lists") {
        return lists
            .iter()
            .map(|list| match list {
                Value::Array(items) => items
                    .iter()
                    .map(|i| match i.as_integer() {
                        Some(i) if i >= 1 && i as usize <= n => Ok(i as usize),
                        _ => Err("bad list entry".to_string()),
                    })
                    .collect(),
                _ => Err("lists hold lists".to_string()),
            })
            .collect();
    }
    let r = place
        .get("replicas")
        .and_then(Value::as_integer)
        .ok_or("place needs replicas")? as usize;
    match place.get("rule").and_then(Value::as_str) {
        Some("round-robin") => Ok((0..n)
            .map(|i| (0..r).map(|j| (i + j) % n + 1).collect())
            .collect()),
        Some("combinations") => {
            // Every r-subset of 1..=n by recursion on whether n is in it, sorted.
            fn subsets(n: usize, r: usize) -> Vec<Vec<usize>> {
                if r == 0 {
                    return vec![Vec::new()];
                }
                if n < r {
                    return Vec::new();
                }
                let mut with: Vec<Vec<usize>> = subsets(n - 1, r - 1)
                    .into_iter()
                    .map(|mut s| {
                        s.push(n);
                        s
                    })
                    .collect();
                with.extend(subsets(n - 1, r));
                with
            }
            let mut all = subsets(n, r);
            all.sort();
            Ok(all)
        }
        _ => Err("unknown placement rule".into()),
    }
}
