//! Escaping of text people typed, so that it reads as the words they wrote and can never change
//! the structure of a report: no table broken by a pipe or a line break, no code span, heading,
//! quote or list started by accident, no raw HTML and no link of their making (least of all
//! `javascript:`).
//!
//! The one exception is a web address (`http://` or `https://`): it is written as an autolink,
//! `<https://...>`, whose text every CommonMark reader takes literally, so the link works and
//! points exactly where the person typed. Escaping it instead would show backslashes and break
//! the address on GitHub, and pandoc would cut it short.

use std::borrow::Cow;

/// ASCII punctuation that Markdown (CommonMark, GFM, pandoc) may read as syntax anywhere in a
/// line. Each is written with a backslash in front, which every CommonMark reader shows as the
/// plain character.
const INLINE_SPECIAL: &[char] = &[
    '\\', '`', '*', '_', '[', ']', '<', '>', '#', '|', '~', '&', '!', '$', '^',
];

/// What a line break inside a table cell or a one-line field becomes.
const LINE_JOIN: &str = " / ";

/// What a blank line (a paragraph break) inside a table cell or a one-line field becomes.
const PARAGRAPH_JOIN: &str = " ¶ ";

/// Whether [`inline`] would change the text. Most text people type (and all generated text
/// such as dates and scores) needs nothing, and reports of large sessions print a lot of it.
pub fn is_plain(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Some(first) = bytes.first() else {
        return true;
    };
    // The full escape trims every kind of space at the ends, not only ASCII ones.
    if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
        return false;
    }
    if matches!(first, b'-' | b'+' | b'=') || starts_ordered_marker(text) {
        return false;
    }
    // A web address is written as an autolink, which plain text never is. Looking for the
    // colon first costs far less than a substring search on every short value.
    if bytes.contains(&b':') && text.contains("://") && !web_addresses(text).is_empty() {
        return false;
    }
    // Almost all text has no byte worth a closer look; this branch-free pass says so fastest.
    if !bytes
        .iter()
        .fold(false, |seen, b| seen | SPECIAL_BYTE[usize::from(*b)])
    {
        return true;
    }
    for (i, b) in bytes.iter().enumerate() {
        if !SPECIAL_BYTE[usize::from(*b)] {
            continue;
        }
        let next = bytes.get(i + 1).copied();
        let plain = match b {
            // U+0080 to U+009F are control characters; other Latin-1 letters are plain.
            0xc2 => !matches!(next, Some(0x80..=0x9f)),
            // U+2028 and U+2029 separate lines; other characters in this range are plain.
            0xe2 => !(next == Some(0x80) && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9))),
            _ => false,
        };
        if !plain {
            return false;
        }
    }
    true
}

/// Bytes that need a closer look: ASCII controls, Markdown punctuation and the lead bytes of
/// non-ASCII line separators and control characters.
const SPECIAL_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[0x7f] = true;
    table[0xc2] = true;
    table[0xe2] = true;
    let mut i = 0;
    while i < INLINE_SPECIAL.len() {
        table[INLINE_SPECIAL[i] as usize] = true;
        i += 1;
    }
    table
};

/// Escapes text for any inline position (a table cell, a heading, a list item or a sentence):
/// line breaks become ` / ` and blank lines ` ¶ `, other control characters are dropped,
/// Markdown punctuation is backslash-escaped, a line-start marker (`-`, `+`, `=`, `1.`) cannot
/// start a block, and web addresses become autolinks.
pub fn inline(text: &str) -> String {
    if is_plain(text) {
        return text.to_string();
    }
    inline_escaped(text)
}

/// [`inline`] without the shortcut for plain text.
fn inline_escaped(text: &str) -> String {
    let mut joined = String::with_capacity(text.len() + 8);
    for (line, after_blank) in lines(text) {
        if !joined.is_empty() {
            joined.push_str(if after_blank {
                PARAGRAPH_JOIN
            } else {
                LINE_JOIN
            });
        }
        joined.push_str(line);
    }
    escape_line(&joined)
}

/// Escapes multi-line text for a paragraph or list item: each line escaped like [`inline`] and
/// kept on its own line with a hard break (a trailing backslash); a blank line starts a new
/// paragraph. Text cannot leave the block it is placed in.
pub fn block(text: &str) -> String {
    block_indented(text, 0)
}

/// [`block`] with every line after the first indented by `indent` spaces, so that the text
/// stays inside the list item it starts in.
pub fn block_indented(text: &str, indent: usize) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for (line, after_blank) in lines(text) {
        if !out.is_empty() {
            out.push_str(if after_blank { "\n\n" } else { "\\\n" });
            out.extend(std::iter::repeat_n(' ', indent));
        }
        if is_plain(line) {
            out.push_str(line);
        } else {
            out.push_str(&escape_line(line));
        }
    }
    out
}

/// The non-blank lines of a text, trimmed, each with whether one or more blank lines came
/// before it. `\r\n`, `\r`, `\n`, U+0085, U+2028 and U+2029 each end a line.
fn lines(text: &str) -> impl Iterator<Item = (&str, bool)> {
    let mut rest = text;
    let mut blank = false;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            let end = rest
                .find(['\n', '\r', '\u{2028}', '\u{2029}', '\u{85}'])
                .unwrap_or(rest.len());
            let line = rest[..end].trim();
            let mut next = &rest[end..];
            if let Some(c) = next.chars().next() {
                next = &next[c.len_utf8()..];
                if c == '\r' {
                    next = next.strip_prefix('\n').unwrap_or(next);
                }
            }
            rest = next;
            if line.is_empty() {
                blank = true;
                continue;
            }
            return Some((line, std::mem::take(&mut blank)));
        }
    })
    .scan(true, |first, (line, blank)| {
        // Blank lines before the first line are not a paragraph break.
        let after_blank = blank && !*first;
        *first = false;
        Some((line, after_blank))
    })
}

/// The byte ranges of the web addresses in a line: `http://` or `https://` (any case) at the
/// start or after a character that is not a letter or digit, then everything up to a space,
/// a control character, `<`, `>` or `"`, less trailing punctuation that ends a sentence and a
/// closing bracket that has no opening one in the address.
pub fn web_addresses(line: &str) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    let lower = line.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find("http").map(|p| p + from) {
        let rest = &lower[pos..];
        let scheme = if rest.starts_with("https://") {
            8
        } else if rest.starts_with("http://") {
            7
        } else {
            from = pos + 4;
            continue;
        };
        let boundary = line[..pos]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let body = line[pos + scheme..]
            .find(|c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'))
            .map_or(line.len(), |end| pos + scheme + end);
        let mut end = body;
        loop {
            let text = &line[pos..end];
            match text.chars().next_back() {
                Some('.' | ',' | ':' | ';' | '!' | '?' | '\'' | '*' | '_' | '~') => end -= 1,
                Some(')') if text.matches(')').count() > text.matches('(').count() => end -= 1,
                Some(']') if text.matches(']').count() > text.matches('[').count() => end -= 1,
                _ => break,
            }
        }
        if boundary && end > pos + scheme {
            found.push(pos..end);
            from = end;
        } else {
            from = pos + scheme;
        }
    }
    found
}

/// Neutralises a CSV cell that a spreadsheet would read as a formula: a cell starting with `=`,
/// `+`, `-`, `@`, tab or carriage return gets a leading apostrophe, which spreadsheets hide and
/// treat as "this is text".
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// Escapes one line that has no line breaks left; web addresses become autolinks.
fn escape_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 8 + 2);
    let mut at = 0;
    for range in web_addresses(line) {
        escape_text(&line[at..range.start], &mut out);
        out.push('<');
        // Inside an autolink nothing is an escape; only a pipe needs one, because a table
        // row is split at its pipes before anything else is read.
        for c in line[range.clone()].chars() {
            if c == '|' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('>');
        at = range.end;
    }
    escape_text(&line[at..], &mut out);
    protect_line_start(out)
}

/// Escapes plain text (no web address, no line break) onto `out`.
fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        if c == '\t' {
            out.push(' ');
        } else if c.is_control() {
            // Dropped: terminals and converters interpret them, readers never need them.
        } else if c.is_ascii() && SPECIAL_BYTE[c as usize] {
            out.push('\\');
            out.push(c);
        } else {
            out.push(c);
        }
    }
}

/// Whether the text starts like an ordered list item: up to nine digits, then `.` or `)`, then
/// a space or the end.
fn starts_ordered_marker(text: &str) -> bool {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 9 {
        return false;
    }
    let rest = &text.as_bytes()[digits..];
    matches!(rest.first(), Some(b'.' | b')')) && matches!(rest.get(1), None | Some(b' '))
}

/// A line that starts with a list, heading-underline or ordered-list marker would become a
/// block of that kind; a backslash before the marker keeps it text.
fn protect_line_start(line: String) -> String {
    let first = line.chars().next();
    match first {
        Some('-' | '+' | '=') => format!("\\{line}"),
        Some(c) if c.is_ascii_digit() && starts_ordered_marker(&line) => {
            let digits = line.bytes().take_while(u8::is_ascii_digit).count();
            format!("{}\\{}", &line[..digits], &line[digits..])
        }
        _ => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_and_line_breaks_stay_inside_a_cell() {
        assert_eq!(inline("a | b\nc\r\n\nd"), "a \\| b / c ¶ d");
        assert_eq!(inline("a\r\nb\r\n\r\nc"), "a / b ¶ c");
        assert_eq!(inline("\n\na\n\n\n"), "a");
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
        assert_eq!(block("one\n\n- two\n    three"), "one\n\n\\- two\\\nthree");
        assert_eq!(block_indented("a\n\nb", 2), "a\n\n  b");
        assert_eq!(block(""), "");
        assert_eq!(block_indented("a\n# b", 2), "a\\\n  \\# b");
    }

    #[test]
    fn plain_text_is_recognised_and_kept() {
        for plain in [
            "Acme Ltd",
            "2026-01-15",
            "Ana (ML)",
            "Ünïcode – text",
            "a/b, c; d.",
        ] {
            assert!(is_plain(plain), "{plain:?}");
            assert_eq!(inline(plain), plain);
        }
        for not_plain in [
            " x",
            "x ",
            "- x",
            "1. x",
            "a|b",
            "a\nb",
            "a\u{2028}b",
            "a\u{85}b",
            "<b>",
            "\u{a0}x",
            "x\u{3000}",
        ] {
            assert!(!is_plain(not_plain), "{not_plain:?}");
        }
    }

    #[test]
    fn web_addresses_become_autolinks_and_stay_as_typed() {
        let url = "https://wiki.acme.example/a_b~c#d?x=1&y=*z*&w=%20";
        assert_eq!(inline(url), format!("<{url}>"));
        assert_eq!(
            inline(&format!("see {url}, then _this_")),
            format!("see <{url}>, then \\_this\\_")
        );
        assert_eq!(
            inline("(http://x.example/a_(b))."),
            "(<http://x.example/a_(b)>)."
        );
        assert_eq!(inline("HTTPS://X.example"), "<HTTPS://X.example>");
        assert_eq!(inline("https://a.example/p|q"), "<https://a.example/p\\|q>");
        // Not a web address: no scheme, another scheme, or inside a word.
        for text in [
            "javascript:alert(1)",
            "xhttps://a.example",
            "https://",
            "ftp://x",
        ] {
            assert!(!inline(text).contains('<'), "{text}");
        }
        assert!(!is_plain("https://a.example"));
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

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Characters that plain text is made of, with the ones near the edge of the plain-text
        /// check: line-start markers, digits and dots, Latin-1 and other multi-byte letters,
        /// and Unicode spaces.
        const COMMON: &[char] = &[
            'a', 'Z', '0', '7', ' ', ' ', '.', ',', ')', '(', '-', '+', '=', '/', ':', ';', '"',
            '\'', '%', '@', '?', 'é', 'ß', '¢', '–', '€', 'Ж', '中', '🙂', '\u{a0}', '\u{2003}',
            '\u{3000}', '\u{1680}', '\u{202f}',
        ];

        /// Characters the escaper acts on: Markdown punctuation, controls and line breaks.
        const SPECIAL: &[char] = &[
            '|', '\\', '`', '*', '_', '[', '<', '#', '&', '!', '~', '\n', '\r', '\t', '\u{0}',
            '\u{1b}', '\u{7f}', '\u{85}', '\u{9f}', '\u{2028}', '\u{2029}',
        ];

        /// Mostly plain text, so that most cases pass the plain-text check.
        fn mostly_plain() -> impl Strategy<Value = String> {
            let c = prop_oneof![
                60 => prop::sample::select(COMMON),
                1 => prop::sample::select(SPECIAL),
            ];
            prop::collection::vec(c, 0..24).prop_map(|chars| chars.into_iter().collect())
        }

        proptest! {
            #![proptest_config(ProptestConfig {
                cases: 512,
                max_global_rejects: 4096,
                ..ProptestConfig::default()
            })]

            #[test]
            fn plain_text_is_what_the_full_escape_gives(s in mostly_plain()) {
                prop_assume!(is_plain(&s));
                prop_assert_eq!(inline_escaped(&s), s.clone());
                prop_assert_eq!(block(&s), s);
            }
        }
    }
}
