//! Key bindings as data: contexts, commands, chords and the key map file format, with no
//! terminal library in sight. The build script compiles this file too: it reads the default key
//! map with [`parse`] and [`check_defaults`], so a broken default binding fails the build, and
//! embeds the bindings in postcard form for [`decode_defaults`]. The user's override file is
//! read with the same [`parse`] at start.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// The name of the compiled default bindings in the build's `OUT_DIR`.
pub const COMPILED_DEFAULTS_FILE: &str = "default-keymap.postcard";

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Context {
    /// Everywhere, after the active context.
    Global,
    /// The list of sessions.
    Home,
    /// The session setup form.
    Setup,
    /// The question screen.
    Workshop,
    /// Recording participants' votes.
    Vote,
    /// Answering one's pre-work.
    Prework,
    /// A session shown read-only or following the facilitator.
    Viewing,
    /// The results dashboard.
    Results,
    /// The help screen.
    Help,
    /// The notes editor.
    Editor,
    /// A small form (action owner, agenda minutes).
    Form,
    /// The search box.
    Search,
    /// A list to pick from (sections, flagged questions).
    Jump,
    /// The export popup's choices (format, anonymize).
    Export,
    /// A yes/no question.
    Confirm,
    /// Leaving with changes a failed save did not write.
    Unsaved,
    /// The triage agenda.
    Triage,
    /// Accepting the consensus.
    Consensus,
    /// Merging pre-work from a folder.
    Merge,
    /// Choosing a pre-work file to open.
    OpenFile,
}

/// What a binding asks for. The app turns a command and the key pressed into an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Command {
    /// Quit at once from anywhere.
    ForceQuit,
    /// Quit.
    Quit,
    /// Show the help screen.
    Help,
    /// Switch to the next theme.
    CycleTheme,
    /// Move up in a list.
    Up,
    /// Move down in a list.
    Down,
    /// Open the selected item.
    Open,
    /// Create a new session.
    New,
    /// Delete the selected item.
    Delete,
    /// Go to the next form field.
    NextField,
    /// Go to the previous form field.
    PrevField,
    /// Change a choice.
    Toggle,
    /// Add an item to a list.
    AddItem,
    /// Remove an item from a list.
    RemoveItem,
    /// Accept or save.
    Confirm,
    /// Leave the current screen or popup.
    Back,
    /// Answer with the level of the digit pressed.
    AnswerLevel,
    /// Answer not applicable.
    AnswerNotApplicable,
    /// Answer unknown.
    AnswerUnknown,
    /// Clear the answer.
    ClearAnswer,
    /// Open the notes editor.
    EditNotes,
    /// Edit owner, due date and evidence.
    EditAction,
    /// Flag or unflag for later.
    Flag,
    /// Open the vote row.
    Votes,
    /// Previous question.
    Prev,
    /// Next question.
    Next,
    /// Next unanswered question.
    NextUnanswered,
    /// Previous section.
    PrevSection,
    /// Next section.
    NextSection,
    /// Pick a section to jump to.
    JumpSection,
    /// Search the questions.
    Search,
    /// Fold or unfold the details.
    ToggleDetails,
    /// Switch the presenter view.
    Presenter,
    /// Show flagged questions.
    ParkingLot,
    /// Plan minutes for the section.
    EditAgenda,
    /// Open the session setup.
    EditSetup,
    /// Show the results dashboard.
    Results,
    /// Export a report of the session.
    Export,
    /// Choose the Markdown report.
    FormatMarkdown,
    /// Choose the JSON export.
    FormatJson,
    /// Choose the CSV action plan.
    FormatCsv,
    /// Choose the HTML report.
    FormatHtml,
    /// Choose the Excel workbook.
    FormatXlsx,
    /// Choose the OSCAL assessment results.
    FormatOscalAr,
    /// Choose the OSCAL plan of action and milestones.
    FormatOscalPoam,
    /// Try a failed save again.
    RetrySave,
    /// Write a rescue copy of the session to another place.
    Rescue,
    /// Change the place of the rescue copy.
    EditPath,
    /// Leave without saving (asks again).
    Discard,
    /// Take back the last change to the session.
    Undo,
    /// Make the last undone change again.
    Redo,
    /// Fill in the next suggestion (the next participant as owner).
    Pick,
    /// Open the list of every follow-up action, by owner.
    Actions,
    /// Confirm the answer carried over from the previous session.
    ConfirmCarried,
    /// Next answer carried over and not yet confirmed.
    NextUnconfirmed,
    /// Start a new session from the selected one.
    Reassess,
    /// The changes since the previous session, question by question.
    Changes,
    /// Show the triage agenda.
    Triage,
    /// Accept the unanimous votes as agreed levels.
    Consensus,
    /// Next and previous follow the questionnaires, not the agenda.
    QuestionnaireOrder,
    /// Follow the facilitator again.
    Follow,
    /// Open a pre-work file.
    OpenPrework,
    /// Merge pre-work from a folder.
    MergePrework,
}

/// A key as the key map names it, whatever terminal library reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Key {
    /// A character, Shift folded in (`N`, `?`); `space` is `' '`.
    Char(char),
    /// Enter.
    Enter,
    /// Escape.
    Esc,
    /// Tab.
    Tab,
    /// Shift-Tab.
    BackTab,
    /// Backspace.
    Backspace,
    /// Delete.
    Delete,
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Arrow left.
    Left,
    /// Arrow right.
    Right,
    /// Home.
    Home,
    /// End.
    End,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
    /// A function key, 1 to 12.
    F(u8),
    /// A key the key map has no name for (Insert, media keys): bound to nothing.
    Other,
}

/// A key with its modifiers, as written in the key map (`ctrl-c`, `N`, `pagedown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Chord {
    /// The key.
    pub key: Key,
    /// Control held.
    pub ctrl: bool,
    /// Alt held.
    pub alt: bool,
}

impl Chord {
    /// Parses a chord written in the key map.
    pub fn parse(text: &str) -> Result<Chord, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = text;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let key = match (chars.next(), chars.next()) {
            (Some(c), None) => Key::Char(c),
            _ => match rest {
                "enter" => Key::Enter,
                "esc" => Key::Esc,
                "tab" => Key::Tab,
                "backtab" => Key::BackTab,
                "backspace" => Key::Backspace,
                "delete" => Key::Delete,
                "up" => Key::Up,
                "down" => Key::Down,
                "left" => Key::Left,
                "right" => Key::Right,
                "home" => Key::Home,
                "end" => Key::End,
                "pageup" => Key::PageUp,
                "pagedown" => Key::PageDown,
                "space" => Key::Char(' '),
                f if f.starts_with('f') => match f[1..].parse::<u8>() {
                    Ok(n) if (1..=12).contains(&n) => Key::F(n),
                    _ => return Err(format!("unknown key \"{text}\"")),
                },
                _ => return Err(format!("unknown key \"{text}\"")),
            },
        };
        Ok(Chord { key, ctrl, alt })
    }

    /// Whether the chord types a character (no Ctrl or Alt): in a text field it is text.
    pub fn is_printable(&self) -> bool {
        matches!(self.key, Key::Char(_)) && !self.ctrl && !self.alt
    }

    /// The digit 0-9 of the chord, if it is one.
    pub fn digit(&self) -> Option<u8> {
        match self.key {
            Key::Char(c) => c.to_digit(10).and_then(|d| u8::try_from(d).ok()),
            _ => None,
        }
    }
}

impl fmt::Display for Chord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.key {
            Key::Char(' ') => f.write_str("Space"),
            Key::Char(c) => write!(f, "{c}"),
            Key::Enter => f.write_str("Enter"),
            Key::Esc => f.write_str("Esc"),
            Key::Tab => f.write_str("Tab"),
            Key::BackTab => f.write_str("Shift-Tab"),
            Key::Backspace => f.write_str("Backspace"),
            Key::Delete => f.write_str("Del"),
            Key::Up => f.write_str("↑"),
            Key::Down => f.write_str("↓"),
            Key::Left => f.write_str("←"),
            Key::Right => f.write_str("→"),
            Key::Home => f.write_str("Home"),
            Key::End => f.write_str("End"),
            Key::PageUp => f.write_str("PgUp"),
            Key::PageDown => f.write_str("PgDn"),
            Key::F(n) => write!(f, "F{n}"),
            Key::Other => f.write_str("another key"),
        }
    }
}

/// One binding: keys, the command they give in a context, and what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// Where it applies.
    pub context: Context,
    /// The keys, the first one shown in the footer.
    pub keys: Vec<Chord>,
    /// What it asks for.
    pub command: Command,
    /// What it does, for the footer and the help screen.
    pub description: String,
    /// Whether the footer shows it.
    pub footer: bool,
}

impl Binding {
    /// The keys as shown to people: `0-4` for a run of digits, else the first two keys.
    pub fn key_label(&self) -> String {
        let digits: Vec<u8> = self.keys.iter().filter_map(|k| k.digit()).collect();
        if digits.len() == self.keys.len()
            && digits.len() > 2
            && let (Some(first), Some(last)) = (digits.first(), digits.last())
        {
            return format!("{first}-{last}");
        }
        let shown: Vec<String> = self.keys.iter().take(2).map(|k| k.to_string()).collect();
        shown.join("/")
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    bindings: Vec<RawBinding>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBinding {
    context: Context,
    keys: Vec<String>,
    command: Command,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    footer: Option<bool>,
}

/// Why a key map could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    /// The file could not be read.
    #[error("cannot read the key map {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not valid RON for a key map.
    #[error("the key map {path} is not valid: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the parser said, with line and column.
        message: String,
    },
    /// A key could not be understood.
    #[error(
        "the key map {path} has a problem in binding {index} ({context:?} {command:?}): {message}"
    )]
    Key {
        /// The file.
        path: PathBuf,
        /// The binding's position, counting from 1.
        index: usize,
        /// Its context.
        context: Context,
        /// Its command.
        command: Command,
        /// What is wrong.
        message: String,
    },
    /// The default key map binds one chord to two commands of a context.
    #[error("the key map {path} binds {chord} twice in {context:?}")]
    Duplicate {
        /// The file.
        path: PathBuf,
        /// The context.
        context: Context,
        /// The chord, as shown to people.
        chord: String,
    },
    /// The key map compiled into the program cannot be read: the build is damaged.
    #[error("the key map compiled into aiready cannot be read ({0}); reinstall aiready")]
    Compiled(String),
}

/// Reads a key map file: every binding with its keys parsed. `defaults` asks for the rules of
/// the shipped file (every binding described); a user file may leave descriptions out.
pub fn parse(text: &str, path: &Path, defaults: bool) -> Result<Vec<Binding>, KeymapError> {
    // Optional fields are written plainly (`footer: true`), not as `Some(true)`.
    let options =
        ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let raw: RawFile = options.from_str(text).map_err(|e| KeymapError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    raw.bindings
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let keys = b
                .keys
                .iter()
                .map(|k| Chord::parse(k))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|message| KeymapError::Key {
                    path: path.to_path_buf(),
                    index: i + 1,
                    context: b.context,
                    command: b.command,
                    message,
                })?;
            if defaults && b.description.is_none() {
                return Err(KeymapError::Key {
                    path: path.to_path_buf(),
                    index: i + 1,
                    context: b.context,
                    command: b.command,
                    message: "a description is required".into(),
                });
            }
            Ok(Binding {
                context: b.context,
                keys,
                command: b.command,
                description: b.description.unwrap_or_default(),
                footer: b.footer.unwrap_or(false),
            })
        })
        .collect()
}

/// Every chord bound more than once in one context, in file order.
pub fn duplicates(bindings: &[Binding]) -> Vec<(Context, Chord)> {
    let mut seen: Vec<(Context, Chord)> = Vec::new();
    let mut dups = Vec::new();
    for b in bindings {
        for k in &b.keys {
            if seen.contains(&(b.context, *k)) {
                dups.push((b.context, *k));
            } else {
                seen.push((b.context, *k));
            }
        }
    }
    dups
}

/// Checks the default key map (every binding described, every key known, no chord bound twice
/// in a context) and encodes its bindings for [`decode_defaults`]: what the build script runs.
pub fn check_defaults(text: &str, path: &Path) -> Result<Vec<u8>, KeymapError> {
    let bindings = parse(text, path, true)?;
    if let Some((context, chord)) = duplicates(&bindings).first() {
        return Err(KeymapError::Duplicate {
            path: path.to_path_buf(),
            context: *context,
            chord: chord.to_string(),
        });
    }
    postcard::to_allocvec(&bindings).map_err(|e| KeymapError::Compiled(e.to_string()))
}

/// The bindings encoded by [`check_defaults`].
pub fn decode_defaults(bytes: &[u8]) -> Result<Vec<Binding>, KeymapError> {
    postcard::from_bytes(bytes).map_err(|e| KeymapError::Compiled(e.to_string()))
}
