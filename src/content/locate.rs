//! Finds where a field path (`sections[1].questions[3].maps_to.tsc[0]`) sits in RON text, and
//! which path a line and column belong to.
//!
//! `ron` reports positions for syntax errors only; once text becomes structs, positions are
//! gone. Semantic errors still need `file:line:column`, so this module reads the same text a
//! second time, token by token, and records the span of every value under its path. It is
//! forgiving by design: on text it cannot follow it keeps what it found so far.

/// Spans of the values of one RON document, keyed by field path.
#[derive(Debug, Default)]
pub struct SourceMap {
    entries: Vec<Entry>,
    line_starts: Vec<usize>,
    text_len: usize,
}

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
        let tokens = tokenize(text);
        let mut walker = Walker {
            tokens: &tokens,
            pos: 0,
            entries: Vec::new(),
            depth: 0,
        };
        walker.value(String::new());
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut map = SourceMap {
            entries: walker.entries,
            line_starts,
            text_len: text.len(),
        };
        map.entries.sort_by_key(|e| e.start);
        map
    }

    /// Where the value at `path` starts; for a path that is not in the text (a missing or
    /// defaulted field), where its nearest enclosing value starts.
    pub fn location_of(&self, text: &str, path: &str) -> Location {
        let mut candidate = path;
        loop {
            if let Some(entry) = self.entries.iter().find(|e| e.path == candidate) {
                return self.location_at(text, entry.start);
            }
            match parent_path(candidate) {
                Some(parent) => candidate = parent,
                None => return Location { line: 1, column: 1 },
            }
        }
    }

    /// The innermost field path whose value spans the given location; empty at the top level.
    pub fn path_at(&self, text: &str, location: Location) -> String {
        let offset = self.offset_of(text, location);
        self.entries
            .iter()
            .filter(|e| e.start <= offset && offset < e.end.max(e.start + 1))
            .max_by_key(|e| (e.start, std::cmp::Reverse(e.end)))
            .map(|e| e.path.clone())
            .unwrap_or_default()
    }

    fn location_at(&self, text: &str, offset: usize) -> Location {
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let column = text
            .get(line_start..offset.min(self.text_len))
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
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

/// The path one step up: `a.b[2]` -> `a.b`, `a.b` -> `a`, `a` -> ``.
fn parent_path(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Ident(String),
    Literal,
    Open(char),
    Close(char),
    Colon,
    Comma,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

fn tokenize(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
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
                tokens.push(token(Kind::Literal, start, i));
            }
            b'\'' => {
                i = skip_string(bytes, i + 1, b'\'');
                tokens.push(token(Kind::Literal, start, i));
            }
            b'b' | b'r' if is_raw_string_start(bytes, i) => {
                i = skip_raw_string(bytes, i);
                tokens.push(token(Kind::Literal, start, i));
            }
            b'(' | b'[' | b'{' => {
                i += 1;
                tokens.push(token(Kind::Open(char::from(c)), start, i));
            }
            b')' | b']' | b'}' => {
                i += 1;
                tokens.push(token(Kind::Close(char::from(c)), start, i));
            }
            b':' => {
                i += 1;
                tokens.push(token(Kind::Colon, start, i));
            }
            b',' => {
                i += 1;
                tokens.push(token(Kind::Comma, start, i));
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'#')
                {
                    i += 1;
                }
                let name = text.get(start..i).unwrap_or("").to_string();
                tokens.push(token(Kind::Ident(name), start, i));
            }
            c if c.is_ascii_digit() || c == b'-' || c == b'+' || c == b'.' => {
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'.' | b'_'))
                {
                    i += 1;
                }
                tokens.push(token(Kind::Literal, start, i));
            }
            _ => {
                // Not RON: step over the whole character and let ron report it.
                i += text
                    .get(i..)
                    .and_then(|s| s.chars().next())
                    .map_or(1, char::len_utf8);
            }
        }
    }
    tokens
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
    tokens: &'t [Token],
    pos: usize,
    entries: Vec<Entry>,
    depth: usize,
}

/// Deeper nesting than any questionnaire needs; stops hostile input from exhausting the stack.
const MAX_DEPTH: usize = 64;

impl Walker<'_> {
    fn peek(&self, ahead: usize) -> Option<&Kind> {
        self.tokens.get(self.pos + ahead).map(|t| &t.kind)
    }

    fn value(&mut self, path: String) {
        let Some(first) = self.tokens.get(self.pos) else {
            return;
        };
        let start = first.start;
        if self.depth >= MAX_DEPTH {
            self.pos = self.tokens.len();
            return;
        }
        self.depth += 1;
        match first.kind.clone() {
            Kind::Ident(name) => {
                self.pos += 1;
                if self.peek(0) == Some(&Kind::Open('(')) {
                    self.pos += 1;
                    if name == "Some" {
                        self.positional_items(path.clone(), ')', false);
                    } else {
                        self.struct_body(path.clone());
                    }
                }
            }
            Kind::Open('(') => {
                self.pos += 1;
                self.struct_body(path.clone());
            }
            Kind::Open('[') => {
                self.pos += 1;
                self.positional_items(path.clone(), ']', true);
            }
            Kind::Open('{') => {
                self.pos += 1;
                self.map_body(&path);
            }
            Kind::Literal => self.pos += 1,
            _ => {}
        }
        self.depth -= 1;
        let end = self
            .tokens
            .get(self.pos.saturating_sub(1))
            .map_or(start, |t| t.end);
        self.entries.push(Entry { path, start, end });
    }

    fn struct_body(&mut self, path: String) {
        let named =
            matches!(self.peek(0), Some(Kind::Ident(_))) && self.peek(1) == Some(&Kind::Colon);
        if !named {
            // A tuple variant such as `Yes("key")` or `Any([...])`: its contents stand for the
            // variant itself, which is how validation names them.
            self.positional_items(path, ')', false);
            return;
        }
        while let Some(kind) = self.peek(0).cloned() {
            match kind {
                Kind::Close(_) => {
                    self.pos += 1;
                    return;
                }
                Kind::Comma => self.pos += 1,
                Kind::Ident(field) if self.peek(1) == Some(&Kind::Colon) => {
                    self.pos += 2;
                    let child = join(&path, &field);
                    self.value(child);
                }
                _ => self.pos += 1,
            }
        }
    }

    fn positional_items(&mut self, path: String, close: char, indexed: bool) {
        let mut index = 0;
        while let Some(kind) = self.peek(0).cloned() {
            match kind {
                Kind::Close(c) => {
                    self.pos += 1;
                    if c == close {
                        return;
                    }
                }
                Kind::Comma => self.pos += 1,
                _ => {
                    let child = if indexed {
                        format!("{path}[{index}]")
                    } else {
                        path.clone()
                    };
                    let before = self.pos;
                    self.value(child);
                    if self.pos == before {
                        self.pos += 1;
                    }
                    index += 1;
                }
            }
        }
    }

    fn map_body(&mut self, path: &str) {
        while let Some(kind) = self.peek(0).cloned() {
            match kind {
                Kind::Close(_) => {
                    self.pos += 1;
                    return;
                }
                Kind::Comma | Kind::Colon => self.pos += 1,
                _ => {
                    let key_token = self.pos;
                    self.pos += 1;
                    let key = self.tokens.get(key_token).map_or(0, |t| t.start);
                    if self.peek(0) == Some(&Kind::Colon) {
                        self.pos += 1;
                        self.value(format!("{path}[@{key}]"));
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
        let map = SourceMap::new(TEXT);
        let path = map.path_at(
            TEXT,
            Location {
                line: 8,
                column: 61,
            },
        );
        assert_eq!(path, "sections[0].questions[0].maps_to.tsc[1]");
        assert_eq!(map.path_at(TEXT, Location { line: 3, column: 5 }), "");
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
            assert_eq!(map.path_at(text, at), expected_path, "{text:?}");
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
            assert_eq!(map.path_at(&shifted, at), expected_path, "{shifted:?}");
        }
        // A comment that never ends holds no value at all: every path falls back to the start
        // of the file, wherever the comment begins.
        for text in ["/* open", "\n\n   /* open (( [["] {
            let map = SourceMap::new(text);
            assert_eq!(
                map.location_of(text, "a.b[3]"),
                Location { line: 1, column: 1 }
            );
            assert_eq!(map.path_at(text, Location { line: 1, column: 3 }), "");
        }
        let deep = "[".repeat(10_000);
        let map = SourceMap::new(&deep);
        assert_eq!(map.path_at(&deep, Location { line: 1, column: 1 }), "");
        // Nesting is followed as far as a questionnaire could need.
        assert_eq!(
            map.location_of(&deep, "[0][0][0]"),
            Location { line: 1, column: 4 }
        );
    }
}
