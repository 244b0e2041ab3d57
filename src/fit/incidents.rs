//! Incident logs: a CSV of `component, start, end[, units]` rows read into per-component
//! incidents, every problem reported with its line and column.
//!
//! Times are kept as whole seconds since the Unix epoch (UTC), so that durations are exact;
//! statistics convert them to hours.

use crate::diag::{Code, Diagnostic, Origin, Span};
use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

/// One incident of one component: a unit failed at `start` and was back at `end`.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// When the unit failed, seconds since the epoch.
    pub start: i64,
    /// When it was back up; `None` while still open.
    pub end: Option<i64>,
    /// The 1-based line of its row.
    pub line: usize,
}

/// The incidents of one component, in order of start.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentLog {
    /// The component's name as written.
    pub name: String,
    /// How many identical units of it were observed.
    pub units: u64,
    /// Its incidents, sorted by start.
    pub incidents: Vec<Incident>,
}

/// A parsed incident log: components in order of first appearance.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentLog {
    /// Components in order of first appearance.
    pub components: Vec<ComponentLog>,
    /// The earliest start, seconds since the epoch.
    pub first_start: i64,
    /// The latest time written (an end, or the start of an open incident).
    pub last_time: i64,
}

/// Parses a date-time written as RFC 3339 (`2026-03-01T14:05:00Z`, any offset) or as
/// `YYYY-MM-DD HH:MM[:SS]` (or with `T`), read as UTC; with `date_alone`, also a bare date
/// (`2026-03-01`, midnight UTC). Returns seconds since the epoch.
///
/// # Errors
/// A message saying which forms are accepted.
pub fn parse_time(text: &str, date_alone: bool) -> Result<i64, String> {
    let text = text.trim();
    if let Ok(timestamp) = text.parse::<Timestamp>() {
        return Ok(timestamp.as_second());
    }
    let civil = text.parse::<DateTime>().ok().or_else(|| {
        date_alone
            .then(|| text.parse::<Date>().ok().map(|date| date.at(0, 0, 0, 0)))
            .flatten()
    });
    // `2026-03-01` alone parses as a DateTime at midnight: only accept it where dates are.
    let is_date_only = text.len() == 10 && text.parse::<Date>().is_ok();
    match civil {
        Some(civil) if date_alone || !is_date_only => TimeZone::UTC
            .to_timestamp(civil)
            .map(|timestamp| timestamp.as_second())
            .map_err(|error| format!("`{text}` is out of range: {error}")),
        _ => Err(format!(
            "`{text}` is not a date-time: write RFC 3339 (2026-03-01T14:05:00Z) or YYYY-MM-DD HH:MM[:SS] (UTC){}",
            if date_alone { ", or a date" } else { "" }
        )),
    }
}

/// The columns of the log, by position.
struct Columns {
    component: usize,
    start: usize,
    end: usize,
    units: Option<usize>,
}

/// Reads an incident log from CSV text. Every row problem is collected; any problem makes
/// the whole log invalid (nothing half-parsed is returned).
///
/// # Errors
/// Every problem found, each with the span of its field (or row) in `text`.
pub fn parse_log(text: &str) -> Result<IncidentLog, Vec<Diagnostic>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut problems = Vec::new();
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(error)) => return Err(vec![csv_error(&error, text)]),
        None => {
            return Err(vec![Diagnostic::new(
                Code::BadCsv,
                "the incident log is empty: it needs a header line `component,start,end`",
                None,
            )]);
        }
    };
    let columns = columns(&header, text).map_err(|problem| vec![problem])?;
    let mut components: Vec<ComponentLog> = Vec::new();
    let mut units_line: Vec<usize> = Vec::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                problems.push(csv_error(&error, text));
                continue;
            }
        };
        let row = Row {
            record: &record,
            text,
        };
        if row.is_blank() {
            continue;
        }
        match row.read(&columns) {
            Ok((name, incident, units)) => {
                let position = components.iter().position(|c| c.name == name);
                let index = position.unwrap_or_else(|| {
                    components.push(ComponentLog {
                        name: name.clone(),
                        units: units.unwrap_or(1),
                        incidents: Vec::new(),
                    });
                    units_line.push(incident.line);
                    components.len() - 1
                });
                let component = &mut components[index];
                if let Some(units) = units
                    && units != component.units
                {
                    problems.push(
                        row.problem(
                            columns.units.unwrap_or(0),
                            Code::BadIncident,
                            format!(
                                "`{name}` has units = {units} here but {} on line {}: one component, one number of units",
                                component.units, units_line[index]
                            ),
                        ),
                    );
                }
                component.incidents.push(incident);
            }
            Err(problem) => problems.push(problem),
        }
    }
    for component in &mut components {
        component.incidents.sort_by_key(|incident| incident.start);
        if let Some(problem) = overlap_problem(component, text) {
            problems.push(problem);
        }
    }
    if components.is_empty() && problems.is_empty() {
        problems.push(Diagnostic::new(
            Code::BadCsv,
            "the incident log has a header but no incidents",
            None,
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let all = components.iter().flat_map(|c| &c.incidents);
    let first_start = all.clone().map(|i| i.start).min().unwrap_or(0);
    let last_time = all.map(|i| i.end.unwrap_or(i.start)).max().unwrap_or(0);
    Ok(IncidentLog {
        components,
        first_start,
        last_time,
    })
}

/// Finds the required columns in the header (names compared without case).
fn columns(header: &csv::StringRecord, text: &str) -> Result<Columns, Diagnostic> {
    let find = |name: &str| {
        header
            .iter()
            .position(|field| field.trim().eq_ignore_ascii_case(name))
    };
    let missing: Vec<&str> = ["component", "start", "end"]
        .into_iter()
        .filter(|name| find(name).is_none())
        .collect();
    if !missing.is_empty() {
        let start = header.position().map_or(0, |p| p.byte() as usize);
        let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
        return Err(Diagnostic::new(
            Code::BadCsv,
            format!(
                "the header has no column {}",
                missing
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(Span {
                origin: Origin::File,
                start,
                end,
            }),
        )
        .with_label("expected columns component, start, end and optionally units"));
    }
    Ok(Columns {
        component: find("component").unwrap_or(0),
        start: find("start").unwrap_or(0),
        end: find("end").unwrap_or(0),
        units: find("units"),
    })
}

/// One data row with its position in the text.
struct Row<'a> {
    record: &'a csv::StringRecord,
    text: &'a str,
}

impl Row<'_> {
    fn is_blank(&self) -> bool {
        self.record.iter().all(|field| field.trim().is_empty())
    }

    fn line(&self) -> usize {
        self.record.position().map_or(0, |p| p.line() as usize)
    }

    /// The span of field `index` in `text`: the row's raw line is searched for each field in
    /// turn (the CSV reader keeps no offsets of fields); the whole line when not found.
    fn span(&self, index: usize) -> Span {
        let base = self.record.position().map_or(0, |p| p.byte() as usize);
        let line_end = self.text[base..]
            .find('\n')
            .map_or(self.text.len(), |n| base + n);
        let line = &self.text[base..line_end];
        let mut cursor = 0;
        for (position, field) in self.record.iter().enumerate() {
            let Some(offset) = line[cursor..].find(field) else {
                break;
            };
            let start = cursor + offset;
            if position == index {
                return Span {
                    origin: Origin::File,
                    start: base + start,
                    end: base + start + field.len(),
                };
            }
            cursor = start + field.len();
        }
        Span {
            origin: Origin::File,
            start: base,
            end: line_end,
        }
    }

    fn problem(&self, index: usize, code: Code, message: String) -> Diagnostic {
        Diagnostic::new(code, message, Some(self.span(index)))
    }

    fn field(&self, index: usize) -> &str {
        self.record.get(index).unwrap_or("").trim()
    }

    /// The row's component name, incident and units.
    fn read(&self, columns: &Columns) -> Result<(String, Incident, Option<u64>), Diagnostic> {
        let name = self.field(columns.component);
        if name.is_empty() {
            return Err(self.problem(
                columns.component,
                Code::BadIncident,
                "the component is empty".into(),
            ));
        }
        let start = parse_time(self.field(columns.start), false)
            .map_err(|message| self.problem(columns.start, Code::BadDate, message))?;
        let end_text = self.field(columns.end);
        let end = if end_text.is_empty() {
            None
        } else {
            let end = parse_time(end_text, false)
                .map_err(|message| self.problem(columns.end, Code::BadDate, message))?;
            if end <= start {
                return Err(self.problem(
                    columns.end,
                    Code::BadIncident,
                    format!(
                        "the incident ends at {end_text}, {} its start: an incident must last more than 0 s",
                        if end == start { "at" } else { "before" }
                    ),
                ));
            }
            Some(end)
        };
        let units = match columns.units {
            Some(index) if !self.field(index).is_empty() => {
                let text = self.field(index);
                match text.parse::<u64>() {
                    Ok(units) if units >= 1 => Some(units),
                    _ => {
                        return Err(self.problem(
                            index,
                            Code::BadIncident,
                            format!("units `{text}` is not a whole number of at least 1"),
                        ));
                    }
                }
            }
            _ => None,
        };
        let incident = Incident {
            start,
            end,
            line: self.line(),
        };
        Ok((name.to_string(), incident, units))
    }
}

/// The first point where more incidents of `component` are open at once than it has units
/// (one unit cannot fail again before it is back).
fn overlap_problem(component: &ComponentLog, text: &str) -> Option<Diagnostic> {
    let mut open_ends: Vec<i64> = Vec::new();
    for incident in &component.incidents {
        open_ends.retain(|end| *end > incident.start);
        open_ends.push(incident.end.unwrap_or(i64::MAX));
        if open_ends.len() as u64 > component.units {
            let start = line_start(text, incident.line);
            let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
            return Some(Diagnostic::new(
                Code::BadIncident,
                format!(
                    "{} incidents of `{}` are open at once here, more than its {} unit{}: a unit cannot fail again before it is back (a duplicate row, or a missing `units` column?)",
                    open_ends.len(),
                    component.name,
                    component.units,
                    if component.units == 1 { "" } else { "s" }
                ),
                Some(Span {
                    origin: Origin::File,
                    start,
                    end,
                }),
            ));
        }
    }
    None
}

/// The byte offset where 1-based `line` starts.
fn line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(offset, _)| offset + 1)
}

/// A CSV syntax error (bad quoting, invalid UTF-8) at its position.
fn csv_error(error: &csv::Error, text: &str) -> Diagnostic {
    let start = error
        .position()
        .map_or(0, |p| (p.byte() as usize).min(text.len()));
    Diagnostic::new(
        Code::BadCsv,
        format!("the incident log is not valid CSV: {error}"),
        Some(Span {
            origin: Origin::File,
            start,
            end: start,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<(Code, String)> {
        parse_log(text)
            .unwrap_err()
            .into_iter()
            .map(|d| {
                let span = d.span.map(|s| text[s.start..s.end].to_string());
                (d.code, span.unwrap_or_default())
            })
            .collect()
    }

    #[test]
    fn reads_both_date_forms_as_utc() {
        // 2026-03-01 00:00 UTC is 1772323200 s after the epoch (date -u -d 2026-03-01 +%s).
        assert_eq!(parse_time("2026-03-01T00:00:00Z", false), Ok(1_772_323_200));
        assert_eq!(parse_time("2026-03-01 00:00", false), Ok(1_772_323_200));
        assert_eq!(
            parse_time("2026-03-01T02:00:00+02:00", false),
            Ok(1_772_323_200)
        );
        assert_eq!(parse_time("2026-03-01 00:00:30", false), Ok(1_772_323_230));
        assert_eq!(parse_time("2026-03-01", true), Ok(1_772_323_200));
        assert!(parse_time("2026-03-01", false).is_err());
        assert!(parse_time("yesterday", true).is_err());
    }

    #[test]
    fn reads_components_units_and_open_incidents() {
        let log = parse_log(
            "Component,Start,End,Units,Title\n\
             db,2026-01-10 10:00,2026-01-10 14:00,2,disk\n\
             web,2026-01-02 00:00,2026-01-02 01:00,,\n\
             db,2026-01-05 10:00,,2,still open\n",
        )
        .unwrap();
        assert_eq!(log.components.len(), 2);
        let db = &log.components[0];
        assert_eq!((db.name.as_str(), db.units), ("db", 2));
        assert_eq!(db.incidents[0].end, None); // sorted by start: the open one first
        assert_eq!(
            db.incidents[1].end.unwrap() - db.incidents[1].start,
            4 * 3600
        );
        assert_eq!(log.components[1].units, 1);
        assert_eq!(
            log.first_start,
            parse_time("2026-01-02 00:00", false).unwrap()
        );
        assert_eq!(
            log.last_time,
            parse_time("2026-01-10 14:00", false).unwrap()
        );
    }

    #[test]
    fn every_row_problem_is_located() {
        let problems = codes(
            "component,start,end\n\
             db,2026-01-10 10:00,2026-01-10 09:00\n\
             db,not a date,2026-01-10 09:00\n\
             ,2026-01-10 10:00,2026-01-10 11:00\n",
        );
        assert_eq!(
            problems,
            vec![
                (Code::BadIncident, "2026-01-10 09:00".into()),
                (Code::BadDate, "not a date".into()),
                (Code::BadIncident, String::new()),
            ]
        );
    }

    #[test]
    fn missing_columns_and_overlaps_are_refused() {
        let problems = codes("component,begin,end\ndb,2026-01-01 00:00,2026-01-01 01:00\n");
        assert_eq!(problems[0].0, Code::BadCsv);
        let problems = codes(
            "component,start,end\n\
             db,2026-01-01 00:00,2026-01-01 05:00\n\
             db,2026-01-01 01:00,2026-01-01 02:00\n",
        );
        assert_eq!(
            problems,
            vec![(
                Code::BadIncident,
                "db,2026-01-01 01:00,2026-01-01 02:00".into()
            )]
        );
        // Two units may be down at once.
        assert!(
            parse_log(
                "component,start,end,units\n\
                 db,2026-01-01 00:00,2026-01-01 05:00,2\n\
                 db,2026-01-01 01:00,2026-01-01 02:00,2\n"
            )
            .is_ok()
        );
    }
}
