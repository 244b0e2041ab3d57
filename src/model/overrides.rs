//! `--set PATH=VALUE` overrides for what-if runs.
//!
//! Overrides are turned into a small TOML text of their own (one dotted-key line each) and
//! merged over the model's table tree before decoding, so an override is checked exactly like
//! the file, and an error in it points at the override rather than at the file.

/// One `--set PATH=VALUE` override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// Dotted path such as `component.web.mttr`.
    pub(crate) path: Vec<String>,
    /// The value as a TOML literal (text that is not valid TOML is quoted as a string).
    pub(crate) value: String,
}

impl Override {
    /// Parses `PATH=VALUE`, e.g. `component.web_node.mttr=10m` or `block.web.count=8`.
    ///
    /// # Errors
    /// When there is no `=`, or the path is empty or has an empty segment.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (path, value) = text
            .split_once('=')
            .ok_or_else(|| format!("`{text}` is not PATH=VALUE (e.g. component.db.mttr=2h)"))?;
        let path: Vec<String> = path
            .trim()
            .split('.')
            .map(|s| s.trim().to_string())
            .collect();
        if path.iter().any(|segment| segment.is_empty()) {
            return Err(format!(
                "`{text}`: the path has an empty part; write e.g. component.db.mttr=2h"
            ));
        }
        if path.len() < 2 && !ROOT_VALUES.contains(&path[0].as_str()) {
            return Err(format!(
                "`{text}`: the path must name a table and a key, e.g. component.db.mttr or target.availability (or be top, name or description)"
            ));
        }
        let value = value.trim();
        let value = if is_toml_value(value) {
            value.to_string()
        } else {
            toml_string(value)
        };
        Ok(Self { path, value })
    }

    /// `--top BLOCK`: the override `top = "BLOCK"`.
    pub fn top(block: &str) -> Self {
        Self {
            path: vec!["top".to_string()],
            value: toml_string(block),
        }
    }

    /// The override as a TOML line with a quoted dotted key.
    pub(crate) fn to_toml_line(&self) -> String {
        let key: Vec<String> = self
            .path
            .iter()
            .map(|segment| toml_string(segment))
            .collect();
        format!("{} = {}", key.join("."), self.value)
    }
}

/// The model's top-level values an override may set on their own (`--set top=web`).
const ROOT_VALUES: &[&str] = &["top", "name", "description"];

/// The TOML text holding every override, one per line.
pub fn overrides_text(overrides: &[Override]) -> String {
    overrides
        .iter()
        .map(|item| item.to_toml_line() + "\n")
        .collect()
}

fn is_toml_value(value: &str) -> bool {
    !value.is_empty() && toml_span::parse(&format!("v = {value}")).is_ok()
}

fn toml_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_words_become_strings_and_numbers_stay_numbers() {
        let duration = Override::parse("component.web.mttr=10m").unwrap();
        assert_eq!(
            duration.to_toml_line(),
            "\"component\".\"web\".\"mttr\" = \"10m\""
        );
        let count = Override::parse("block.web.count=8").unwrap();
        assert_eq!(count.value, "8");
        let percent = Override::parse("target.availability=99.9%").unwrap();
        assert_eq!(percent.value, "\"99.9%\"");
    }

    #[test]
    fn malformed_overrides_are_rejected() {
        assert!(Override::parse("component.web.mttr").is_err());
        assert!(Override::parse("mttr=2h").is_err());
        assert_eq!(
            Override::parse("top=web").unwrap().to_toml_line(),
            Override::top("web").to_toml_line()
        );
        assert!(Override::parse("component..mttr=2h").is_err());
    }
}
