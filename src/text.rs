//! Text from people and files made safe to print on a terminal.
//!
//! Anything aiready prints that it did not write itself (a session name, a questionnaire id, a
//! file name, a value quoted in an error) goes through [`escape`] or [`value`] first. A terminal
//! acts on control characters: ESC starts sequences that change the window title or set the
//! clipboard, a newline starts what looks like a new message. Bidirectional overrides and
//! zero-width characters make text read differently from what it is. All of them are shown as
//! visible escapes instead, and a value longer than a line is cut with its length given.

use std::borrow::Cow;
use std::fmt::Write;

/// The longest value shown whole inside a message, in characters of output.
pub const VALUE_CHARS: usize = 80;

/// The longest line of output a single message may take, in characters.
pub const LINE_CHARS: usize = 2_000;

/// Whether a character would act on the terminal or hide itself: C0 and C1 control characters,
/// DEL, bidirectional controls, zero-width and other invisible format characters.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // Bidirectional marks, embeddings, overrides and isolates.
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            // Zero-width and invisible characters, line and paragraph separators.
            | '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2028}' | '\u{2029}'
            | '\u{2060}'..='\u{2064}' | '\u{206A}'..='\u{206F}' | '\u{3164}' | '\u{FEFF}'
            | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}' | '\u{E0000}'..='\u{E007F}'
        )
}

/// The visible form of an unsafe character: `\n`, `\t`, `\r`, `\x1b` for other C0 characters
/// and DEL, `\u{9b}` for C1, `<U+202E>` for invisible format characters.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if u32::from(c) < 0x20 || c == '\u{7f}' => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        c if c.is_control() => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
        c => {
            let _ = write!(out, "<U+{:04X}>", u32::from(c));
        }
    }
}

/// The text with every unsafe character shown escaped; borrowed when nothing needed escaping.
pub fn escape(text: &str) -> Cow<'_, str> {
    cut(text, usize::MAX)
}

/// A value quoted in a message: escaped, and cut after [`VALUE_CHARS`] characters with an
/// ellipsis and its full length, so that a huge value cannot flood the terminal.
pub fn value(text: &str) -> Cow<'_, str> {
    cut(text, VALUE_CHARS)
}

/// A whole line of output: escaped, and cut after [`LINE_CHARS`] characters.
pub fn line(text: &str) -> Cow<'_, str> {
    cut(text, LINE_CHARS)
}

/// Each line of a message escaped and cut on its own; line breaks between them are kept.
pub fn lines(text: &str) -> Cow<'_, str> {
    if !text.contains('\n') {
        return line(text);
    }
    Cow::Owned(text.split('\n').map(line).collect::<Vec<_>>().join("\n"))
}

/// Escapes `text` and cuts it once the output holds `max` characters.
pub fn cut(text: &str, max: usize) -> Cow<'_, str> {
    // The common case, short clean text, costs one scan and no allocation.
    let clean = !text.chars().any(is_unsafe);
    if clean && (max == usize::MAX || text.len() <= max) {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut shown = 0;
    for c in text.chars() {
        if shown >= max {
            let total = text.chars().count();
            let _ = write!(out, "… ({total} characters)");
            return Cow::Owned(out);
        }
        let before = out.len();
        if is_unsafe(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
        shown += out[before..].chars().count();
    }
    if clean && out == text {
        return Cow::Borrowed(text);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(escape("Acme — 日本語 🙂"), Cow::Borrowed(_)));
        assert!(matches!(value("short"), Cow::Borrowed(_)));
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape("a\u{1b}]0;x\u{7}b"), "a\\x1b]0;x\\x07b");
        assert_eq!(escape("one\ntwo\tthree\r"), "one\\ntwo\\tthree\\r");
        assert_eq!(escape("del\u{7f} csi\u{9b}"), "del\\x7f csi\\u{9b}");
        assert_eq!(escape("nul\0"), "nul\\x00");
    }

    #[test]
    fn invisible_characters_are_made_visible() {
        assert_eq!(escape("abc\u{202E}fed"), "abc<U+202E>fed");
        assert_eq!(escape("a\u{200B}b\u{FEFF}"), "a<U+200B>b<U+FEFF>");
        assert_eq!(escape("\u{2066}x\u{2069}"), "<U+2066>x<U+2069>");
    }

    #[test]
    fn long_values_are_cut_with_their_length() {
        let long = "x".repeat(10_000);
        let shown = value(&long);
        assert_eq!(
            shown,
            format!("{}… (10000 characters)", "x".repeat(VALUE_CHARS))
        );
        let escapes = "\u{1b}".repeat(1_000);
        let escaped = value(&escapes);
        assert!(escaped.ends_with("… (1000 characters)"), "{escaped}");
        assert!(escaped.chars().count() < VALUE_CHARS + 30);
        assert_eq!(value(&"y".repeat(VALUE_CHARS)), "y".repeat(VALUE_CHARS));
    }

    proptest::proptest! {
        #[test]
        fn nothing_unsafe_survives_and_values_stay_short(text in "\\PC*|[\\x00-\\x{9f}\\x{202a}-\\x{202e}\\x{200b}]{0,300}") {
            proptest::prop_assert!(!escape(&text).chars().any(is_unsafe));
            let shown = value(&text);
            proptest::prop_assert!(!shown.chars().any(is_unsafe));
            // The cut value, the longest escape and the length note.
            proptest::prop_assert!(shown.chars().count() <= VALUE_CHARS + 8 + 22);
            proptest::prop_assert!(!lines(&text).chars().any(|c| c != '\n' && is_unsafe(c)));
        }
    }

    #[test]
    fn lines_keep_their_breaks_but_not_their_controls() {
        assert_eq!(lines("a\u{1b}\nb"), "a\\x1b\nb");
        assert_eq!(lines("plain"), "plain");
    }
}
