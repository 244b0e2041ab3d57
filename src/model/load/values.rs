//! Decoding single values: strings, booleans, numbers, whole numbers, durations, fractions,
//! and the checks every table shares (unknown keys, valid names).

use super::Decoder;
use super::limits::MAX_RATE;
use crate::diag::{Code, Diagnostic, Span, did_you_mean};
use crate::model::units::{
    Fraction, fraction_from_number, parse_duration_hours, parse_fraction_text,
};
use toml_span::value::{Table, Value};

impl Decoder {
    pub(super) fn string(&mut self, value: &Value<'_>, key: &str) -> Option<String> {
        match value.as_str() {
            Some(text) => Some(text.to_string()),
            None => {
                let span = self.span(value.span);
                self.error(Code::WrongType, format!("`{key}` must be a string"), span)
                    .label = format!("found {}", type_name(value));
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, value: &Value<'_>, key: &str) -> Option<bool> {
        match value.as_bool() {
            Some(flag) => Some(flag),
            None => {
                let span = self.span(value.span);
                self.error(
                    Code::WrongType,
                    format!("`{key}` must be true or false"),
                    span,
                )
                .label = format!("found {}", type_name(value));
                None
            }
        }
    }

    pub(super) fn number(&mut self, value: &Value<'_>, key: &str) -> Option<f64> {
        let number = value
            .as_float()
            .or_else(|| value.as_integer().map(|i| i as f64));
        let span = self.span(value.span);
        match number {
            Some(number) if number.is_finite() => Some(number),
            Some(_) => {
                self.error(
                    Code::BadValue,
                    format!("`{key}` must be a finite number"),
                    span,
                )
                .label = "not finite".into();
                None
            }
            None => {
                self.error(Code::WrongType, format!("`{key}` must be a number"), span)
                    .label = format!("found {}", type_name(value));
                None
            }
        }
    }

    pub(super) fn integer(&mut self, value: &Value<'_>, key: &str, minimum: i64) -> Option<u64> {
        let span = self.span(value.span);
        match value.as_integer() {
            Some(integer) if integer >= minimum => Some(integer as u64),
            Some(integer) => {
                self.error(
                    Code::BadValue,
                    format!("`{key}` = {integer} is too small; it must be at least {minimum}"),
                    span,
                )
                .label = format!("must be ≥ {minimum}");
                None
            }
            None => {
                self.error(
                    Code::WrongType,
                    format!("`{key}` must be a whole number"),
                    span,
                )
                .label = format!("found {}", type_name(value));
                None
            }
        }
    }

    /// A duration in hours; `positive` forbids zero.
    pub(super) fn duration(&mut self, value: &Value<'_>, key: &str, positive: bool) -> Option<f64> {
        let span = self.span(value.span);
        let Some(text) = value.as_str() else {
            let hint = match value
                .as_float()
                .or_else(|| value.as_integer().map(|i| i as f64))
            {
                Some(number) if number.is_finite() => {
                    format!("write it with a unit, e.g. \"{number}h\"")
                }
                _ => "write it like \"4h\", \"30m\" or \"1h30m\"".to_string(),
            };
            self.error(
                Code::WrongType,
                format!("`{key}` must be a duration string"),
                span,
            )
            .label = hint;
            return None;
        };
        match parse_duration_hours(text) {
            Ok(hours) if positive && hours <= 0.0 => {
                self.error(
                    Code::BadValue,
                    format!("`{key}` = \"{text}\" must be longer than zero"),
                    span,
                )
                .label = "zero-length".into();
                None
            }
            Ok(hours) if hours > 0.0 && hours < 1.0 / MAX_RATE => {
                let instead = if positive {
                    "write a longer one"
                } else {
                    "write \"0s\" for an instant one"
                };
                self.error(
                    Code::BadValue,
                    format!(
                        "`{key}` = \"{text}\" is shorter than 3.6e-297 s, the shortest duration nines computes with; {instead}"
                    ),
                    span,
                )
                .label = "too short".into();
                None
            }
            Ok(hours) => Some(hours),
            Err(message) => {
                self.error(Code::BadDuration, format!("`{key}`: {message}"), span)
                    .label = "invalid duration".into();
                None
            }
        }
    }

    pub(super) fn fraction(&mut self, value: &Value<'_>, key: &str) -> Option<Fraction> {
        let span = self.span(value.span);
        let parsed = if let Some(text) = value.as_str() {
            parse_fraction_text(text)
        } else if let Some(number) = value
            .as_float()
            .or_else(|| value.as_integer().map(|i| i as f64))
        {
            fraction_from_number(number)
        } else {
            Err(format!(
                "expected a fraction or percentage, found {}",
                type_name(value)
            ))
        };
        match parsed {
            Ok(fraction) => Some(fraction),
            Err(message) => {
                self.error(Code::BadValue, format!("`{key}`: {message}"), span)
                    .label = "not in 0..1".into();
                None
            }
        }
    }

    pub(super) fn unknown_keys(&mut self, table: &Table<'_>, allowed: &[&str], context: &str) {
        for key in table.keys() {
            let span = self.span(key.span);
            let mut diagnostic = Diagnostic::new(
                Code::UnknownKey,
                format!("unknown key `{}` in {context}", key.name),
                Some(span),
            );
            diagnostic = match did_you_mean(&key.name, allowed.iter().copied()) {
                Some(suggestion) => diagnostic.with_label(format!("did you mean `{suggestion}`?")),
                None => diagnostic.with_label("not a known key"),
            };
            diagnostic = diagnostic.with_note(format!("allowed keys: {}", allowed.join(", ")));
            self.diagnostics.push(diagnostic);
        }
    }

    pub(super) fn check_name(&mut self, name: &str, span: Span) {
        // An instance of a family (`broker[2]`) is named by the loader from a valid name.
        let name = match super::family::instance_name(name) {
            Some((base, Some(_))) => base,
            _ => name,
        };
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        if !valid {
            self.error(Code::BadName, format!("`{name}` is not a valid name"), span)
                .label = "use letters, digits, `_` and `-`".into();
        }
    }
}

/// How a value's type is named in messages ("a string", "an integer", …).
pub(super) fn type_name(value: &Value<'_>) -> &'static str {
    if value.as_str().is_some() {
        "a string"
    } else if value.as_integer().is_some() {
        "an integer"
    } else if value.as_float().is_some() {
        "a number"
    } else if value.as_bool().is_some() {
        "a boolean"
    } else if value.as_array().is_some() {
        "a list"
    } else {
        "a table"
    }
}
