//! Decoding `[block.NAME]`: its members, kind, crews, sharing and common cause, as a
//! [`RawBlock`] whose member names are resolved later.

use super::Decoder;
use super::limits::MAX_MEMBERS;
use super::reconfig::{Decoded, ReconfigurationKeys};
use super::standby::StandbyKeys;
use super::values::type_name;
use crate::diag::{Code, Diagnostic, Span, did_you_mean};
use crate::model::BlockKind;
use toml_span::value::{Key, Table, Value, ValueInner};

/// The keys a block table may have.
const BLOCK_KEYS: &[&str] = &[
    "kind",
    "members",
    "of",
    "count",
    "k",
    "repair_crews",
    "shared",
    "common_cause_beta",
    "mode",
    "dormant_factor",
    "failover",
    "coverage",
    "manual_failover",
    "failover_dist",
    "leader_election",
    "election_dist",
    "failure_pause",
    "pause_dist",
    "description",
    "uncertainty",
];
/// The values `kind` accepts.
const KINDS: &[&str] = &["series", "parallel", "k-of-n", "quorum", "standby"];

/// A block as written, before names are resolved.
pub(super) struct RawBlock {
    /// Name as written after `[block.`.
    pub(super) name: String,
    /// Where the block's table header is.
    pub(super) key_span: Span,
    /// The decoded kind, `None` when it had a problem.
    pub(super) kind: Option<BlockKind>,
    /// Member names with their copy counts and where each is written.
    pub(super) members: Vec<(String, u64, Span)>,
    /// `repair_crews` and where it is written.
    pub(super) repair_crews: Option<(u64, Span)>,
    /// `shared`.
    pub(super) shared: bool,
    /// `common_cause_beta` and where it is written.
    pub(super) common_cause_beta: Option<(f64, Span)>,
    /// `leader_election` and where its value is written.
    pub(super) leader_election: Decoded,
    /// `failure_pause` and where its value is written.
    pub(super) failure_pause: Decoded,
    /// `[block.NAME.uncertainty]`, when given and valid.
    pub(super) ranges: Option<crate::model::BlockRanges>,
}

/// The values of a block table's known keys, taken out of the table.
struct BlockKeys<'a> {
    kind: Option<Value<'a>>,
    members: Option<Value<'a>>,
    of: Option<Value<'a>>,
    count: Option<Value<'a>>,
    k: Option<Value<'a>>,
    crews: Option<Value<'a>>,
    shared: Option<Value<'a>>,
    beta: Option<Value<'a>>,
    uncertainty: Option<Value<'a>>,
    standby: StandbyKeys<'a>,
    reconfiguration: ReconfigurationKeys<'a>,
}

impl Decoder {
    /// Decodes one `[block.NAME]`, reporting its problems and keeping what could be read.
    pub(super) fn decode_block<'a>(&mut self, key: Key<'a>, mut value: Value<'a>) -> RawBlock {
        let name = key.name.to_string();
        let key_span = self.span(key.span);
        self.check_name(&name, key_span);
        let mut raw = RawBlock {
            name: name.clone(),
            key_span,
            kind: None,
            members: Vec::new(),
            repair_crews: None,
            shared: false,
            common_cause_beta: None,
            leader_election: None,
            failure_pause: None,
            ranges: None,
        };
        let ValueInner::Table(mut table) = value.take() else {
            return raw;
        };
        let keys = self.take_block_keys(&name, &mut table);
        raw.shared = keys
            .shared
            .as_ref()
            .and_then(|v| self.boolean(v, "shared"))
            .unwrap_or(false);
        raw.repair_crews = keys.crews.as_ref().and_then(|v| {
            let span = self.span(v.span);
            self.integer(v, "repair_crews", 1).map(|c| (c, span))
        });
        raw.common_cause_beta = keys.beta.as_ref().and_then(|v| self.common_cause_beta(v));
        raw.members = self.decode_members(&name, key_span, &keys);
        let total: u64 = raw.members.iter().fold(0u64, |t, m| {
            t.saturating_add(m.1.saturating_mul(self.references_in(&m.0)))
        });
        raw.kind = self.decode_kind(&name, key_span, &keys, total);
        let kind_text = keys.kind.as_ref().and_then(|kind| kind.as_str());
        (raw.leader_election, raw.failure_pause) =
            self.decode_reconfigurations(&name, kind_text, &keys.reconfiguration);
        if let Some(uncertainty) = keys.uncertainty {
            let has_beta = keys.beta.is_some();
            raw.ranges = self.block_ranges(&name, uncertainty, kind_text, has_beta);
        }
        raw
    }

    /// Takes the known keys out of a block table and reports what is left, and the keys that
    /// belong to components.
    fn take_block_keys<'a>(&mut self, name: &str, table: &mut Table<'a>) -> BlockKeys<'a> {
        let take = |table: &mut Table<'a>, k: &str| table.remove_entry(k).map(|(_, v)| v);
        let keys = BlockKeys {
            kind: take(table, "kind"),
            members: take(table, "members"),
            of: take(table, "of"),
            count: take(table, "count"),
            k: take(table, "k"),
            crews: take(table, "repair_crews"),
            shared: take(table, "shared"),
            beta: take(table, "common_cause_beta"),
            uncertainty: take(table, "uncertainty"),
            standby: StandbyKeys::take(table),
            reconfiguration: ReconfigurationKeys::take(table),
        };
        if let Some(description) = take(table, "description") {
            self.string(&description, "description");
        }
        for misplaced in ["failure_dist", "repair_dist"] {
            if let Some((misplaced_key, _)) = table.remove_entry(misplaced) {
                let span = self.span(misplaced_key.span);
                self.error(
                    Code::UnexpectedKey,
                    format!("`{misplaced}` belongs to a component, not to [block.{name}]"),
                    span,
                )
                .label = "move it to the member's [component.NAME]".into();
            }
        }
        self.unknown_keys(table, BLOCK_KEYS, &format!("[block.{name}]"));
        keys
    }

    /// `common_cause_beta`, which must be in [0, 1).
    fn common_cause_beta(&mut self, value: &Value<'_>) -> Option<(f64, Span)> {
        let span = self.span(value.span);
        let beta = self.number(value, "common_cause_beta")?;
        if !(0.0..1.0).contains(&beta) {
            self.error(
                Code::BadValue,
                format!("`common_cause_beta` = {beta} must be in [0, 1)"),
                span,
            )
            .label = "outside [0, 1)".into();
            return None;
        }
        Some((beta, span))
    }

    /// The members: a list of names, or `of` + `count`.
    fn decode_members(
        &mut self,
        name: &str,
        key_span: Span,
        keys: &BlockKeys<'_>,
    ) -> Vec<(String, u64, Span)> {
        match (&keys.members, &keys.of, &keys.count) {
            (Some(list), None, None) => return self.member_list(name, list),
            (None, Some(of), Some(count)) => return self.copies_of(of, count),
            (None, Some(of), None) => {
                let span = self.span(of.span);
                self.error(
                    Code::MissingKey,
                    format!("[block.{name}] gives `of` without `count`"),
                    span,
                )
                .label = "add e.g. count = 2".into();
            }
            (None, None, Some(count)) => {
                let span = self.span(count.span);
                self.error(
                    Code::MissingKey,
                    format!("[block.{name}] gives `count` without `of`"),
                    span,
                )
                .label = "add of = \"component name\"".into();
            }
            (None, None, None) => {
                self.error(
                    Code::MissingKey,
                    format!("[block.{name}] needs `members` (or `of` and `count`)"),
                    key_span,
                )
                .label = "no members".into();
            }
            (Some(list), _, _) => {
                let span = self.span(list.span);
                self.error(
                    Code::ConflictingKeys,
                    format!("[block.{name}] gives both `members` and `of`/`count`; keep one"),
                    span,
                )
                .label = "ambiguous members".into();
            }
        }
        Vec::new()
    }

    /// `members = ["a", "b", …]`: one copy per name written.
    fn member_list(&mut self, name: &str, list: &Value<'_>) -> Vec<(String, u64, Span)> {
        let list_span = self.span(list.span);
        let mut members = Vec::new();
        match list.as_array() {
            Some(items) if !items.is_empty() => {
                for item in items {
                    let item_span = self.span(item.span);
                    match item.as_str() {
                        Some(member) => members.push((member.to_string(), 1, item_span)),
                        None => {
                            self.error(
                                Code::WrongType,
                                "`members` must list names as strings",
                                item_span,
                            )
                            .label = format!("found {}", type_name(item));
                        }
                    }
                }
            }
            Some(_) => {
                self.error(
                    Code::BadValue,
                    format!("[block.{name}] has an empty `members` list"),
                    list_span,
                )
                .label = "needs at least one member".into();
            }
            None => {
                self.error(
                    Code::WrongType,
                    "`members` must be a list of names",
                    list_span,
                )
                .label = format!("found {}", type_name(list));
            }
        }
        members
    }

    /// `of = "a"` with `count = N`: N copies of one member, at most [`MAX_MEMBERS`].
    fn copies_of(&mut self, of: &Value<'_>, count: &Value<'_>) -> Vec<(String, u64, Span)> {
        let of_span = self.span(of.span);
        let count_span = self.span(count.span);
        let name_of = self.string(of, "of");
        let count = self.integer(count, "count", 1);
        if let Some(count) = count
            && count > MAX_MEMBERS
        {
            self.error(
                Code::ModelTooLarge,
                format!(
                    "`count` = {count} is more than nines solves ({MAX_MEMBERS} members per block)"
                ),
                count_span,
            )
            .label = "too many members".into();
        } else if let (Some(member), Some(count)) = (name_of, count) {
            return vec![(member, count, of_span)];
        }
        Vec::new()
    }

    /// The block's kind with its own keys (`k`, the standby keys); keys of other kinds are
    /// reported.
    fn decode_kind(
        &mut self,
        name: &str,
        key_span: Span,
        keys: &BlockKeys<'_>,
        total: u64,
    ) -> Option<BlockKind> {
        let kind_text = match &keys.kind {
            Some(kind) => {
                let span = self.span(kind.span);
                self.string(kind, "kind").map(|text| (text, span))
            }
            None => {
                self.error(
                    Code::MissingKey,
                    format!("[block.{name}] needs `kind`"),
                    key_span,
                )
                .label = format!("one of {}", KINDS.join(", "));
                None
            }
        };
        let k_value = keys.k.as_ref().map(|k| {
            let span = self.span(k.span);
            (self.integer(k, "k", 1), span)
        });
        let (kind_text, kind_span) = kind_text?;
        let kind = match kind_text.as_str() {
            "series" => Some(BlockKind::Series),
            "parallel" => Some(BlockKind::Parallel),
            "quorum" => Some(BlockKind::KOfN { k: total / 2 + 1 }),
            "k-of-n" => self.k_of_n_kind(name, kind_span, k_value, total),
            "standby" => self.standby_kind(name, kind_span, &keys.standby),
            other => {
                self.unknown_kind(other, kind_span);
                None
            }
        };
        self.reject_keys_of_other_kinds(&kind_text, k_value, &keys.standby);
        kind
    }

    /// A k-of-n block: `k` is required and at most the number of members.
    fn k_of_n_kind(
        &mut self,
        name: &str,
        kind_span: Span,
        k_value: Option<(Option<u64>, Span)>,
        total: u64,
    ) -> Option<BlockKind> {
        match k_value {
            Some((Some(k), span)) => {
                if k > total && total > 0 {
                    self.error(
                        Code::BadValue,
                        format!("k = {k} is more than the block's {total} members"),
                        span,
                    )
                    .label = format!("must be 1..={total}");
                    None
                } else {
                    Some(BlockKind::KOfN { k })
                }
            }
            Some((None, _)) => None,
            None => {
                self.error(
                    Code::MissingKey,
                    format!("[block.{name}] is k-of-n but has no `k`"),
                    kind_span,
                )
                .label = "add e.g. k = 2".into();
                None
            }
        }
    }

    /// Reports a `kind` that is none of [`KINDS`], suggesting a close one.
    fn unknown_kind(&mut self, other: &str, kind_span: Span) {
        let mut diagnostic = Diagnostic::new(
            Code::BadValue,
            format!("unknown block kind `{other}`"),
            Some(kind_span),
        );
        diagnostic = match did_you_mean(other, KINDS.iter().copied()) {
            Some(suggestion) => diagnostic.with_label(format!("did you mean `{suggestion}`?")),
            None => diagnostic.with_label("not a block kind"),
        };
        self.diagnostics
            .push(diagnostic.with_note(format!("kinds: {}", KINDS.join(", "))));
    }

    /// Reports `k` outside k-of-n blocks and the standby keys outside standby blocks.
    fn reject_keys_of_other_kinds(
        &mut self,
        kind_text: &str,
        k_value: Option<(Option<u64>, Span)>,
        standby: &StandbyKeys<'_>,
    ) {
        if kind_text != "k-of-n"
            && let Some((_, span)) = k_value
        {
            self.error(
                Code::UnexpectedKey,
                format!("`k` only applies to kind = \"k-of-n\" (this block is {kind_text})"),
                span,
            )
            .label = "remove it".into();
        }
        if kind_text != "standby" {
            for (key_name, value) in standby.written() {
                let span = self.span(value.span);
                self.error(
                    Code::UnexpectedKey,
                    format!("`{key_name}` only applies to kind = \"standby\" (this block is {kind_text})"),
                    span,
                )
                .label = "remove it".into();
            }
        }
    }
}
