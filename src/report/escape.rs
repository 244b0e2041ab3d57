//! Escaping names and messages for the markup formats nines writes: XML (JUnit and SVG),
//! HTML, Graphviz DOT, Mermaid and YAML.
//!
//! Every escaper is one table from a character to its replacement over one loop
//! ([`replace_each`]), and every XML writer asks the same question of a character
//! ([`unfit_for_xml`]), so no writer can let a character through that another refuses.

/// `text` with each character for which `replacement` gives a string replaced by it.
fn replace_each(text: &str, replacement: impl Fn(char) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match replacement(character) {
            Some(replaced) => out.push_str(replaced),
            None => out.push(character),
        }
    }
    out
}

/// Whether XML 1.0 cannot hold `character` as it is: control characters (tab, newline and
/// carriage return may be written as character references instead) and the non-characters
/// U+FFFE and U+FFFF, which no XML document may contain in any form.
pub fn unfit_for_xml(character: char) -> bool {
    character.is_control() || character == '\u{FFFE}' || character == '\u{FFFF}'
}

/// The entity of a character with a meaning in XML markup, or `None`.
fn xml_entity(character: char) -> Option<&'static str> {
    match character {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&apos;"),
        _ => None,
    }
}

/// Escapes text for XML content and attribute values, keeping its line breaks and tabs (as
/// character references, which attribute values need); characters XML cannot hold at all
/// become U+FFFD. For JUnit XML.
pub fn xml(text: &str) -> String {
    replace_each(text, |character| match character {
        '\n' => Some("&#10;"),
        '\r' => Some("&#13;"),
        '\t' => Some("&#9;"),
        c if unfit_for_xml(c) => Some("\u{FFFD}"),
        c => xml_entity(c),
    })
}

/// Escapes text for XML content and attribute values on one line: characters XML cannot
/// hold, tabs and line breaks become spaces. For SVG labels.
pub fn xml_one_line(text: &str) -> String {
    replace_each(text, |character| match character {
        c if unfit_for_xml(c) => Some(" "),
        c => xml_entity(c),
    })
}

/// Escapes text for HTML element content and attribute values.
pub fn html(text: &str) -> String {
    replace_each(text, |character| match character {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        _ => None,
    })
}

/// Escapes text for a DOT double-quoted string: `\` and `"` get a backslash, a newline
/// becomes the `\n` line break and other control characters become spaces.
///
/// Escaping the backslash also keeps Graphviz's own escapes (`\N`, `\G`, `\l`) out of names.
pub fn dot(text: &str) -> String {
    replace_each(text, |character| match character {
        '\\' => Some("\\\\"),
        '"' => Some("\\\""),
        '\n' => Some("\\n"),
        c if c.is_control() => Some(" "),
        _ => None,
    })
}

/// Escapes text for a double-quoted Mermaid label with Mermaid entity codes (`#quot;`,
/// `#35;`), so that no character can end the label, start markup or an edge; a newline
/// becomes `<br/>` and other control characters become spaces.
pub fn mermaid(text: &str) -> String {
    replace_each(text, |character| match character {
        '"' => Some("#quot;"),
        '<' => Some("#lt;"),
        '>' => Some("#gt;"),
        '&' => Some("#amp;"),
        '#' => Some("#35;"),
        ';' => Some("#59;"),
        '[' => Some("#91;"),
        ']' => Some("#93;"),
        '`' => Some("#96;"),
        '{' => Some("#123;"),
        '|' => Some("#124;"),
        '}' => Some("#125;"),
        '\n' => Some("<br/>"),
        c if c.is_control() => Some(" "),
        _ => None,
    })
}

/// Escapes text for a one-line YAML double-quoted scalar (the Mermaid front-matter title):
/// `\` and `"` get a backslash, control characters (newlines included) become spaces, so
/// the title cannot end the front matter.
pub fn yaml(text: &str) -> String {
    replace_each(text, |character| match character {
        '\\' => Some("\\\\"),
        '"' => Some("\\\""),
        c if c.is_control() => Some(" "),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_refuses_the_non_characters_in_both_styles() {
        let text = "a\u{FFFE}b\u{FFFF}c\u{1}d";
        assert_eq!(xml(text), "a\u{FFFD}b\u{FFFD}c\u{FFFD}d");
        assert_eq!(xml_one_line(text), "a b c d");
        assert_eq!(
            xml("x<&>\"'\n\t\r"),
            "x&lt;&amp;&gt;&quot;&apos;&#10;&#9;&#13;"
        );
        assert_eq!(xml_one_line("x<\n\ty"), "x&lt;  y");
    }

    #[test]
    fn html_and_graph_labels_escape_their_own_markup() {
        assert_eq!(html("<a href='x'>&"), "&lt;a href=&#39;x&#39;&gt;&amp;");
        assert_eq!(dot("a\\\"b\nc\u{7}"), "a\\\\\\\"b\\nc ");
        assert_eq!(mermaid("a|b#c\nd"), "a#124;b#35;c<br/>d");
        assert_eq!(yaml("t\"\\\n"), "t\\\"\\\\ ");
    }
}
