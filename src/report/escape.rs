//! Escaping of text people typed, so that it reads as the words they wrote and can never change
//! the structure of a report: no table broken by a pipe or a line break, no code span, heading,
//! quote or list started by accident, no raw HTML and no link (least of all `javascript:`).

/// ASCII punctuation that Markdown (CommonMark, GFM, pandoc) may read as syntax anywhere in a
/// line. Each is written with a backslash in front, which every CommonMark reader shows as the
/// plain character.
const INLINE_SPECIAL: &[char] = &[
    '\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~', '&', '!', '$', '^',
];

/// What a line break inside a table cell or a one-line field becomes.
const LINE_JOIN: &str = " / ";

/// Escapes text for any inline position (a table cell, a heading, a list item or a sentence):
/// line breaks become ` / `, other control characters are dropped, Markdown punctuation is
/// backslash-escaped and a line-start marker (`-`, `+`, `=`, `1.`) cannot start a block.
pub fn inline(text: &str) -> String {
    let lines: Vec<&str> = split_lines(text)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let joined = lines.join(LINE_JOIN);
    escape_line(&joined)
}

/// Escapes multi-line text for a paragraph or list item: each line escaped like [`inline`] and
/// kept on its own line with a hard break (a trailing backslash), blank lines dropped so that
/// text cannot leave the block it is placed in.
pub fn block(text: &str) -> String {
    let lines: Vec<String> = split_lines(text)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(escape_line)
        .collect();
    lines.join("\\\n")
}

/// Neutralises a CSV cell that a spreadsheet would read as a formula: a cell starting with `=`,
/// `+`, `-`, `@`, tab or carriage return gets a leading apostrophe, which spreadsheets hide and
/// treat as "this is text".
pub fn csv_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    }
}

fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}'])
}

/// Escapes one line that has no line breaks left.
fn escape_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 8 + 2);
    for c in line.chars() {
        if c == '\t' {
            out.push(' ');
        } else if c.is_control() {
            // Dropped: terminals and converters interpret them, readers never need them.
        } else if INLINE_SPECIAL.contains(&c) {
            out.push('\\');
            out.push(c);
        } else {
            out.push(c);
        }
    }
    protect_line_start(out)
}

/// A line that starts with a list, heading-underline or ordered-list marker would become a
/// block of that kind; a backslash before the marker keeps it text.
fn protect_line_start(line: String) -> String {
    let first = line.chars().next();
    match first {
        Some('-' | '+' | '=') => format!("\\{line}"),
        Some(c) if c.is_ascii_digit() => {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            let rest = &line[digits..];
            let marker = rest.starts_with('.') || rest.starts_with(')');
            let ends_marker = rest.chars().nth(1).is_none_or(|c| c == ' ');
            if marker && ends_marker && digits <= 9 {
                format!("{}\\{}", &line[..digits], rest)
            } else {
                line
            }
        }
        _ => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_and_line_breaks_stay_inside_a_cell() {
        assert_eq!(inline("a | b\nc\r\n\nd"), "a \\| b / c / d");
    }

    #[test]
    fn markup_is_shown_not_interpreted() {
        assert_eq!(
            inline("<script>alert(1)</script>"),
            "\\<script\\>alert(1)\\</script\\>"
        );
        assert_eq!(
            inline("[x](javascript:alert(1))"),
            "\\[x\\](javascript:alert(1))"
        );
        assert_eq!(inline("`code`"), "\\`code\\`");
        assert_eq!(inline("&amp; *b* _i_"), "\\&amp; \\*b\\* \\_i\\_");
    }

    #[test]
    fn block_markers_at_line_start_are_neutralised() {
        assert_eq!(inline("# title"), "\\# title");
        assert_eq!(inline("> quote"), "\\> quote");
        assert_eq!(inline("- item"), "\\- item");
        assert_eq!(inline("+ item"), "\\+ item");
        assert_eq!(inline("==="), "\\===");
        assert_eq!(inline("1. first"), "1\\. first");
        assert_eq!(inline("12) x"), "12\\) x");
        assert_eq!(inline("2.5 points"), "2.5 points");
        assert_eq!(inline("2026-01-15"), "2026-01-15");
    }

    #[test]
    fn blocks_keep_lines_with_hard_breaks() {
        assert_eq!(block("one\n\n- two\n    three"), "one\\\n\\- two\\\nthree");
        assert_eq!(block(""), "");
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(inline("a\u{1b}[31mb\u{0}c\td"), "a\\[31mbc d");
    }

    #[test]
    fn formula_cells_are_neutralised() {
        for bad in ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\rx"] {
            assert!(csv_cell(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(csv_cell("Ana"), "Ana");
        assert_eq!(csv_cell(""), "");
    }
}
