//! Finds where a field path (`sections[1].questions[3].maps_to.tsc[0]`) sits in RON text, and
//! which path a line and column belong to.
//!
//! `ron` reports positions for syntax errors only; once text becomes structs, positions are
//! gone. Semantic errors still need `file:line:column`, so this module reads the same text a
//! second time, token by token, and records the span of every value under its path. It is
//! forgiving by design: on text it cannot follow it keeps what it found so far.

/// Spans of the values of one RON document, keyed by field path.
///
/// Built in one pass over the text, with lookups in logarithmic time, so that a file with
/// hundreds of thousands of problems is located in linear time overall. Paths are kept as
/// 64-bit hashes: a 50 MB file has millions of values, and their path texts would take far more
/// memory than the file itself.
#[derive(Debug, Default)]
pub struct SourceMap {
    /// Every value found: the hash of its path and where it starts, ordered by hash and then
    /// position, for lookups by path.
    starts: Vec<(u64, usize)>,
    /// For each value of the top bits of a hash, the first index in `starts` with those bits
    /// or more: a lookup searches a handful of neighbours instead of the whole list, which
    /// matters when a file with millions of values has a problem in each question.
    directory: Vec<usize>,
    /// How many top bits of a hash index the directory.
    directory_bits: u32,
    /// In a map read up to a position, the values that enclose that position, with their paths.
    enclosing: Vec<Entry>,
    line_starts: Vec<usize>,
    /// Characters in the text before each multiple of [`CHUNK`] bytes, so that a column on a
    /// very long line is counted from the nearest checkpoint rather than the line start.
    chars_before_chunk: Vec<usize>,
    /// The index of the line that holds the first byte of each [`CHUNK`], so that finding a
    /// line searches only the lines of one chunk.
    line_at_chunk: Vec<usize>,
    text_len: usize,
}

/// The distance in bytes between two character-count checkpoints.
const CHUNK: usize = 4096;

#[derive(Debug)]
struct Entry {
    path: String,
    start: usize,
    end: usize,
}

/// A 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl SourceMap {
    /// Reads `text` and records the span of every value it can follow.
    pub fn new(text: &str) -> SourceMap {
        SourceMap::build(text, usize::MAX)
    }

    /// Reads `text` only as far as `location`: enough to tell which values enclose it (for a
    /// syntax error, where the rest of the text may be anything at all).
    pub fn up_to(text: &str, location: Location) -> SourceMap {
        // The offset of a line and column needs only the line starts.
        let mut map = SourceMap::build(text, 0);
        let offset = map.offset_of(text, location);
        map = SourceMap::build(text, offset);
        map
    }

    fn build(text: &str, stop: usize) -> SourceMap {
        let mut walker = Walker {
            text,
            tokens: Tokens { text, at: 0 },
            ahead: std::collections::VecDeque::new(),
            last_end: 0,
            starts: Vec::new(),
            enclosing: Vec::new(),
            depth: 0,
            stop,
            stopped: false,
        };
        if stop > 0 {
            walker.value(String::new());
        }
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut chars_before_chunk = Vec::with_capacity(text.len() / CHUNK + 1);
        let mut count = 0;
        for chunk in text.as_bytes().chunks(CHUNK) {
            chars_before_chunk.push(count);
            count += chunk.iter().filter(|&&b| !is_continuation(b)).count();
        }
        chars_before_chunk.push(count);
        let line_starts: Vec<usize> = line_starts;
        let mut line_at_chunk = Vec::with_capacity(chars_before_chunk.len());
        let mut line = 0;
        for chunk in 0..chars_before_chunk.len() {
            let offset = chunk * CHUNK;
            while line_starts
                .get(line + 1)
                .is_some_and(|&next| next <= offset)
            {
                line += 1;
            }
            line_at_chunk.push(line);
        }
        let mut starts = walker.starts;
        starts.sort_unstable();
        // About four values per directory slot.
        let directory_bits = (usize::BITS - (starts.len() / 4).leading_zeros()).clamp(1, 24);
        let mut directory = Vec::with_capacity((1 << directory_bits) + 1);
        let mut i = 0;
        for bucket in 0..(1u64 << directory_bits) {
            while starts
                .get(i)
                .is_some_and(|&(h, _)| h >> (64 - directory_bits) < bucket)
            {
                i += 1;
            }
            directory.push(i);
        }
        directory.push(starts.len());
        SourceMap {
            starts,
            directory,
            directory_bits,
            enclosing: walker.enclosing,
            line_starts,
            chars_before_chunk,
            line_at_chunk,
            text_len: text.len(),
        }
    }

    /// Where the first value (in text order) recorded under exactly this path starts.
    fn find(&self, path: &str) -> Option<usize> {
        let hash = path_hash(path);
        let top = hash.checked_shr(64 - self.directory_bits).unwrap_or(0);
        let bucket = usize::try_from(top).unwrap_or(0);
        let from = self.directory.get(bucket).copied().unwrap_or(0);
        let to = self.directory.get(bucket + 1).copied().unwrap_or(from);
        let candidates = self.starts.get(from..to).unwrap_or_default();
        let i = candidates.partition_point(|&(h, _)| h < hash);
        candidates
            .get(i)
            .filter(|(h, _)| *h == hash)
            .map(|&(_, start)| start)
    }

    /// Where the value at `path` starts; for a path that is not in the text (a missing or
    /// defaulted field), where its nearest enclosing value starts.
    pub fn location_of(&self, text: &str, path: &str) -> Location {
        let mut candidate = path;
        loop {
            if let Some(start) = self.find(candidate) {
                return self.location_at(text, start);
            }
            match parent_path(candidate) {
                Some(parent) => candidate = parent,
                None => return Location { line: 1, column: 1 },
            }
        }
    }

    /// The innermost field path whose value spans the given location; empty at the top level.
    /// Only a map read [up to](SourceMap::up_to) that location knows it.
    pub fn path_at(&self, text: &str, location: Location) -> String {
        let offset = self.offset_of(text, location);
        self.enclosing
            .iter()
            .filter(|e| e.start <= offset && offset < e.end.max(e.start + 1))
            .max_by_key(|e| (e.start, std::cmp::Reverse(e.end)))
            .map(|e| e.path.clone())
            .unwrap_or_default()
    }

    /// Characters in the text before byte `offset`.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let offset = offset.min(self.text_len);
        let chunk = offset / CHUNK;
        let base = self.chars_before_chunk.get(chunk).copied().unwrap_or(0);
        let rest = text
            .as_bytes()
            .get(chunk * CHUNK..offset)
            .map_or(0, |bytes| {
                bytes.iter().filter(|&&b| !is_continuation(b)).count()
            });
        base + rest
    }

    fn location_at(&self, text: &str, offset: usize) -> Location {
        let chunk = offset.min(self.text_len) / CHUNK;
        let first = self.line_at_chunk.get(chunk).copied().unwrap_or(0);
        let last = self
            .line_at_chunk
            .get(chunk + 1)
            .copied()
            .unwrap_or(self.line_starts.len().saturating_sub(1));
        let lines = self.line_starts.get(first..=last).unwrap_or_default();
        let line_index = first
            + match lines.binary_search(&offset) {
                Ok(i) => i,
                Err(i) => i.saturating_sub(1),
            };
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let offset = offset.min(self.text_len);
        // Short stretches are counted directly; long lines from the nearest checkpoints.
        let chars = if offset.saturating_sub(line_start) < CHUNK {
            text.as_bytes().get(line_start..offset).map_or(0, |bytes| {
                bytes.iter().filter(|&&b| !is_continuation(b)).count()
            })
        } else {
            self.chars_before(text, offset) - self.chars_before(text, line_start)
        };
        let column = chars + 1;
        Location {
            line: line_index + 1,
            column,
        }
    }

    fn offset_of(&self, text: &str, location: Location) -> usize {
        let line_start = self
            .line_starts
            .get(location.line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text_len);
        let line = text.get(line_start..).unwrap_or("");
        let within: usize = line
            .chars()
            .take(location.column.saturating_sub(1))
            .map(char::len_utf8)
            .sum();
        line_start + within
    }
}

/// The hash a path is kept under. Fixed keys: the same path always hashes the same.
fn path_hash(path: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(path)
}

/// Whether a byte continues a UTF-8 character rather than starting one.
fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// The path one step up: `a.b[2]` -> `a.b`, `a.b` -> `a`, `a` -> ``.
fn parent_path(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// An identifier; its text is `text[start..end]` of its token.
    Ident,
    Literal,
    Open(char),
    Close(char),
    Colon,
    Comma,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

/// The tokens of a text, read one at a time so that a huge file never has all of them in
/// memory at once.
struct Tokens<'t> {
    text: &'t str,
    at: usize,
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut i = self.at;
        let found = loop {
            if i >= bytes.len() {
                break None;
            }
            let c = bytes[i];
            let start = i;
            match c {
                b' ' | b'\t' | b'\r' | b'\n' => i += 1,
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    let mut depth = 0usize;
                    while i < bytes.len() {
                        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                            depth += 1;
                            i += 2;
                        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        } else {
                            i += 1;
                        }
                    }
                }
                b'"' => {
                    i = skip_string(bytes, i + 1, b'"');
                    break Some(token(Kind::Literal, start, i));
                }
                b'\'' => {
                    i = skip_string(bytes, i + 1, b'\'');
                    break Some(token(Kind::Literal, start, i));
                }
                b'b' | b'r' if is_raw_string_start(bytes, i) => {
                    i = skip_raw_string(bytes, i);
                    break Some(token(Kind::Literal, start, i));
                }
                b'(' | b'[' | b'{' => {
                    i += 1;
                    break Some(token(Kind::Open(char::from(c)), start, i));
                }
                b')' | b']' | b'}' => {
                    i += 1;
                    break Some(token(Kind::Close(char::from(c)), start, i));
                }
                b':' => {
                    i += 1;
                    break Some(token(Kind::Colon, start, i));
                }
                b',' => {
                    i += 1;
                    break Some(token(Kind::Comma, start, i));
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    while i < bytes.len()
                        && (bytes[i].is_ascii_alphanumeric()
                            || bytes[i] == b'_'
                            || bytes[i] == b'#')
                    {
                        i += 1;
                    }
                    break Some(token(Kind::Ident, start, i));
                }
                c if c.is_ascii_digit() || c == b'-' || c == b'+' || c == b'.' => {
                    i += 1;
                    while i < bytes.len()
                        && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'_'))
                    {
                        i += 1;
                    }
                    break Some(token(Kind::Literal, start, i));
                }
                _ => {
                    // Not RON: step over the whole character and let ron report it.
                    i += text
                        .get(i..)
                        .and_then(|s| s.chars().next())
                        .map_or(1, char::len_utf8);
                }
            }
        };
        self.at = i;
        found
    }
}

fn token(kind: Kind, start: usize, end: usize) -> Token {
    Token { kind, start, end }
}

fn skip_string(bytes: &[u8], mut i: usize, quote: u8) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn is_raw_string_start(bytes: &[u8], i: usize) -> bool {
    let mut j = i;
    if bytes.get(j) == Some(&b'b') {
        j += 1;
    }
    if bytes.get(j) != Some(&b'r') {
        return bytes.get(j) == Some(&b'"') && j > i;
    }
    j += 1;
    while bytes.get(j) == Some(&b'#') {
        j += 1;
    }
    bytes.get(j) == Some(&b'"')
}

fn skip_raw_string(bytes: &[u8], i: usize) -> usize {
    let mut j = i;
    if bytes.get(j) == Some(&b'b') {
        j += 1;
    }
    if bytes.get(j) != Some(&b'r') {
        return skip_string(bytes, j + 1, b'"');
    }
    j += 1;
    let mut hashes = 0;
    while bytes.get(j) == Some(&b'#') {
        hashes += 1;
        j += 1;
    }
    j += 1;
    while j < bytes.len() {
        if bytes[j] == b'"'
            && bytes[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&b| b == b'#')
                .count()
                == hashes
        {
            return j + 1 + hashes;
        }
        j += 1;
    }
    bytes.len()
}

struct Walker<'t> {
    text: &'t str,
    tokens: Tokens<'t>,
    /// Tokens read but not yet consumed (at most two: the walker looks one token ahead).
    ahead: std::collections::VecDeque<Token>,
    /// Where the last consumed token ended.
    last_end: usize,
    /// The hash of each value's path and its start.
    starts: Vec<(u64, usize)>,
    /// The values that span the stop position, with their paths.
    enclosing: Vec<Entry>,
    depth: usize,
    /// Reading stops at the first token that starts after this offset.
    stop: usize,
    /// Whether reading stopped there; values still open then extend to the end of the text.
    stopped: bool,
}

/// Deeper nesting than any questionnaire needs; stops hostile input from exhausting the stack.
const MAX_DEPTH: usize = 64;

impl Walker<'_> {
    fn peek(&mut self, ahead: usize) -> Option<Kind> {
        while self.ahead.len() <= ahead {
            if self.stopped {
                return None;
            }
            match self.tokens.next() {
                Some(token) if token.start > self.stop => {
                    self.stopped = true;
                    return None;
                }
                Some(token) => self.ahead.push_back(token),
                None => return None,
            }
        }
        self.ahead.get(ahead).map(|t| t.kind)
    }

    fn advance(&mut self) -> Option<Token> {
        self.peek(0)?;
        let token = self.ahead.pop_front()?;
        self.last_end = token.end;
        Some(token)
    }

    /// Skips everything that is left.
    fn finish(&mut self) {
        while self.advance().is_some() {}
    }

    fn value(&mut self, path: String) {
        if self.peek(0).is_none() {
            return;
        }
        let Some(first) = self.ahead.front().copied() else {
            return;
        };
        let start = first.start;
        if self.depth >= MAX_DEPTH {
            self.finish();
            return;
        }
        self.depth += 1;
        match first.kind {
            Kind::Ident => {
                self.advance();
                if self.peek(0) == Some(Kind::Open('(')) {
                    self.advance();
                    if self.text.get(first.start..first.end) == Some("Some") {
                        self.positional_items(&path, ')', false);
                    } else {
                        self.struct_body(&path);
                    }
                }
            }
            Kind::Open('(') => {
                self.advance();
                self.struct_body(&path);
            }
            Kind::Open('[') => {
                self.advance();
                self.positional_items(&path, ']', true);
            }
            Kind::Open('{') => {
                self.advance();
                self.map_body(&path);
            }
            Kind::Literal => {
                self.advance();
            }
            _ => {}
        }
        self.depth -= 1;
        let end = if self.stopped {
            usize::MAX
        } else {
            self.last_end.max(start)
        };
        self.starts.push((path_hash(&path), start));
        if end > self.stop {
            self.enclosing.push(Entry { path, start, end });
        }
    }

    fn struct_body(&mut self, path: &str) {
        let named = self.peek(0) == Some(Kind::Ident) && self.peek(1) == Some(Kind::Colon);
        if !named {
            // A tuple variant such as `Yes("key")` or `Any([...])`: its contents stand for the
            // variant itself, which is how validation names them.
            self.positional_items(path, ')', false);
            return;
        }
        while let Some(kind) = self.peek(0) {
            match kind {
                Kind::Close(_) => {
                    self.advance();
                    return;
                }
                Kind::Ident if self.peek(1) == Some(Kind::Colon) => {
                    let Some(field) = self.advance() else {
                        return;
                    };
                    self.advance();
                    let name = self.text.get(field.start..field.end).unwrap_or("");
                    self.value(join(path, name));
                }
                _ => {
                    self.advance();
                }
            }
        }
    }

    fn positional_items(&mut self, path: &str, close: char, indexed: bool) {
        let mut index = 0;
        while let Some(kind) = self.peek(0) {
            match kind {
                Kind::Close(c) => {
                    self.advance();
                    if c == close {
                        return;
                    }
                }
                Kind::Comma => {
                    self.advance();
                }
                _ => {
                    let child = if indexed {
                        format!("{path}[{index}]")
                    } else {
                        path.to_string()
                    };
                    let before = self.last_end;
                    let consumed = self.ahead.front().map(|t| t.end);
                    self.value(child);
                    // A token that starts no value (a stray colon) is stepped over.
                    if self.last_end == before && consumed.is_some() && !self.stopped {
                        self.advance();
                    }
                    index += 1;
                }
            }
        }
    }

    fn map_body(&mut self, path: &str) {
        while let Some(kind) = self.peek(0) {
            match kind {
                Kind::Close(_) => {
                    self.advance();
                    return;
                }
                Kind::Comma | Kind::Colon => {
                    self.advance();
                }
                _ => {
                    let Some(key) = self.advance() else {
                        return;
                    };
                    if self.peek(0) == Some(Kind::Colon) {
                        self.advance();
                        self.value(format!("{path}[@{}]", key.start));
                    }
                }
            }
        }
    }
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"// a comment with ( and [
Questionnaire(
    id: "x",
    sections: [
        Section(
            stage: Training,
            questions: [
                Question(id: "a", maps_to: (tsc: ["CC1.1", "PI1.6"])),
                Question(id: "b", applies_if: Any([Yes("k"), No("é")])),
            ],
        ),
    ],
)
"#;

    #[test]
    fn finds_nested_paths() {
        let map = SourceMap::new(TEXT);
        assert_eq!(
            map.location_of(TEXT, "sections[0].questions[0].maps_to.tsc[1]"),
            Location {
                line: 8,
                column: 60
            }
        );
        assert_eq!(
            map.location_of(TEXT, "sections[0].stage"),
            Location {
                line: 6,
                column: 20
            }
        );
        assert_eq!(
            map.location_of(TEXT, "sections[0].questions[1].applies_if[1]"),
            Location {
                line: 9,
                column: 62
            }
        );
    }

    #[test]
    fn missing_paths_fall_back_to_the_nearest_parent() {
        let map = SourceMap::new(TEXT);
        assert_eq!(
            map.location_of(TEXT, "sections[0].questions[1].guidance"),
            Location {
                line: 9,
                column: 17
            }
        );
        assert_eq!(
            map.location_of(TEXT, "nothing.here"),
            Location { line: 2, column: 1 }
        );
    }

    #[test]
    fn path_at_returns_the_innermost_value() {
        let at = Location {
            line: 8,
            column: 61,
        };
        let map = SourceMap::up_to(TEXT, at);
        assert_eq!(
            map.path_at(TEXT, at),
            "sections[0].questions[0].maps_to.tsc[1]"
        );
        // The enclosing values are located too (a missing field is shown at its struct).
        assert_eq!(
            map.location_of(TEXT, "sections[0].questions[0]"),
            Location {
                line: 8,
                column: 17
            }
        );
        let at = Location { line: 3, column: 5 };
        assert_eq!(SourceMap::up_to(TEXT, at).path_at(TEXT, at), "");
        let at = Location {
            line: 9,
            column: 47,
        };
        assert_eq!(
            SourceMap::up_to(TEXT, at).path_at(TEXT, at),
            "sections[0].questions[1].applies_if"
        );
    }

    #[test]
    fn lines_and_columns_agree_with_counting_over_many_chunks() {
        // Short lines, a line longer than several chunks, and characters of every UTF-8 length.
        let mut text = String::new();
        for i in 0..2_000 {
            text.push_str(&format!("line {i} é 日本 🙂\n"));
        }
        text.push_str(&"ab é".repeat(5_000));
        text.push('\n');
        text.push_str("last");
        let map = SourceMap::new(&text);
        let offsets = text
            .char_indices()
            .map(|(i, _)| i)
            .step_by(97)
            .chain([0, text.len()]);
        for offset in offsets {
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            assert_eq!(
                map.location_at(&text, offset),
                Location { line, column },
                "at byte {offset}"
            );
        }
    }

    #[test]
    fn survives_unbalanced_and_hostile_text() {
        // Each text, a path to locate in it, where it is found (the nearest value the walker
        // could follow), and the path found at a location inside the text.
        type Case = (
            &'static str,
            &'static str,
            (usize, usize),
            (usize, usize),
            &'static str,
        );
        let cases: [Case; 6] = [
            // Four open parentheses: one value nested in the next, all at the top level.
            ("((((", "a.b[3]", (1, 1), (1, 3), ""),
            // Nothing but closing brackets: the top-level value is the first one.
            ("]]]", "a.b[3]", (1, 1), (1, 3), ""),
            // Cut off inside a map: `a[1].b` is the `{` at column 14.
            ("Q(a: [1, (b: {", "a[1].b[3]", (1, 14), (1, 14), "a[1].b"),
            ("Q(a: [1, (b: {", "a.b[3]", (1, 6), (1, 7), "a[0]"),
            // A string or raw string that never ends is one value reaching the end.
            ("\"unterminated", "a.b[3]", (1, 1), (1, 3), ""),
            ("r#\"x", "a.b[3]", (1, 1), (1, 3), ""),
        ];
        for (text, path, (line, column), inside, expected_path) in cases {
            let map = SourceMap::new(text);
            assert_eq!(
                map.location_of(text, path),
                Location { line, column },
                "{text:?}"
            );
            let at = Location {
                line: inside.0,
                column: inside.1,
            };
            let map_up_to = SourceMap::up_to(text, at);
            assert_eq!(map_up_to.path_at(text, at), expected_path, "{text:?}");
            // The same text after a comment line and an indent moves by one line and two
            // columns.
            let shifted = format!("// hostile\n  {text}");
            let map = SourceMap::new(&shifted);
            assert_eq!(
                map.location_of(&shifted, path),
                Location {
                    line: line + 1,
                    column: column + 2
                },
                "{shifted:?}"
            );
            let at = Location {
                line: inside.0 + 1,
                column: inside.1 + 2,
            };
            let map_up_to = SourceMap::up_to(&shifted, at);
            assert_eq!(
                map_up_to.path_at(&shifted, at),
                expected_path,
                "{shifted:?}"
            );
        }
        // A comment that never ends holds no value at all: every path falls back to the start
        // of the file, wherever the comment begins.
        for text in ["/* open", "\n\n   /* open (( [["] {
            let map = SourceMap::new(text);
            assert_eq!(
                map.location_of(text, "a.b[3]"),
                Location { line: 1, column: 1 }
            );
            let at = Location { line: 1, column: 3 };
            assert_eq!(SourceMap::up_to(text, at).path_at(text, at), "");
        }
        let deep = "[".repeat(10_000);
        let at = Location { line: 1, column: 1 };
        assert_eq!(SourceMap::up_to(&deep, at).path_at(&deep, at), "");
        let map = SourceMap::new(&deep);
        // Nesting is followed as far as a questionnaire could need.
        assert_eq!(
            map.location_of(&deep, "[0][0][0]"),
            Location { line: 1, column: 4 }
        );
    }
}
