//! Key bindings as data. The defaults are compiled in from `assets/keymap.ron`; a user file
//! `keymap.ron` in the config directory can replace the keys of any command. Each binding has one
//! description, used by both the footer and the help screen.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// The default bindings shipped with the program.
pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.ron");

/// The file name of the user's override file in the config directory.
pub const USER_KEYMAP_FILE: &str = "keymap.ron";

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
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

/// A key with its modifiers, as written in the key map (`ctrl-c`, `N`, `pagedown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chord {
    /// The key.
    pub code: KeyCode,
    /// Control held.
    pub ctrl: bool,
    /// Alt held.
    pub alt: bool,
}

impl Chord {
    /// The chord of a key event; Shift is folded into the character (`N`, `?`).
    pub fn from_event(event: &KeyEvent) -> Chord {
        Chord {
            code: event.code,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        }
    }

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
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest {
                "enter" => KeyCode::Enter,
                "esc" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "backspace" => KeyCode::Backspace,
                "delete" => KeyCode::Delete,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" => KeyCode::PageUp,
                "pagedown" => KeyCode::PageDown,
                "space" => KeyCode::Char(' '),
                f if f.starts_with('f') => match f[1..].parse::<u8>() {
                    Ok(n) if (1..=12).contains(&n) => KeyCode::F(n),
                    _ => return Err(format!("unknown key \"{text}\"")),
                },
                _ => return Err(format!("unknown key \"{text}\"")),
            },
        };
        Ok(Chord { code, ctrl, alt })
    }

    /// Whether the chord types a character (no Ctrl or Alt): in a text field it is text.
    pub fn is_printable(&self) -> bool {
        matches!(self.code, KeyCode::Char(_)) && !self.ctrl && !self.alt
    }

    /// The digit 0-9 of the chord, if it is one.
    pub fn digit(&self) -> Option<u8> {
        match self.code {
            KeyCode::Char(c) => c.to_digit(10).and_then(|d| u8::try_from(d).ok()),
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
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// One binding: keys, the command they give in a context, and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

/// The active bindings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Keymap {
    /// The compiled-in defaults.
    pub fn defaults() -> Result<Keymap, KeymapError> {
        let bindings = parse(DEFAULT_KEYMAP, Path::new("assets/keymap.ron"), true)?;
        Ok(Keymap { bindings })
    }

    /// The defaults with the user's file from `config_dir` applied, if there is one.
    pub fn load(config_dir: &Path) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap::defaults()?;
        let path = config_dir.join(USER_KEYMAP_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let user = parse(&text, &path, false)?;
                keymap.apply(user);
                Ok(keymap)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(keymap),
            Err(source) => Err(KeymapError::Read { path, source }),
        }
    }

    /// Applies user bindings: each replaces the keys of its command in its context, and its
    /// keys are taken away from any other command of that context.
    fn apply(&mut self, user: Vec<Binding>) {
        for binding in user {
            for other in self
                .bindings
                .iter_mut()
                .filter(|b| b.context == binding.context)
            {
                other.keys.retain(|k| !binding.keys.contains(k));
            }
            match self
                .bindings
                .iter_mut()
                .find(|b| b.context == binding.context && b.command == binding.command)
            {
                Some(existing) => {
                    existing.keys = binding.keys;
                    if !binding.description.is_empty() {
                        existing.description = binding.description;
                    }
                }
                None => self.bindings.push(binding),
            }
        }
        self.bindings.retain(|b| !b.keys.is_empty());
    }

    /// The command a chord gives in the active context, falling back to the global bindings.
    /// When `typing` is true, printable keys are text and only other chords are looked up.
    pub fn lookup(&self, context: Context, chord: &Chord, typing: bool) -> Option<Command> {
        if typing && chord.is_printable() {
            return None;
        }
        let find = |ctx: Context| {
            self.bindings
                .iter()
                .find(|b| b.context == ctx && b.keys.contains(chord))
                .map(|b| b.command)
        };
        find(context).or_else(|| {
            // Text contexts let only non-printable global keys through (Ctrl-C, F1).
            find(Context::Global)
        })
    }

    /// The bindings of a context, in file order.
    pub fn bindings(&self, context: Context) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.context == context)
    }

    /// The first key bound to a command in a context, as shown to people.
    pub fn key_for(&self, context: Context, command: Command) -> String {
        self.bindings(context)
            .chain(self.bindings(Context::Global))
            .find(|b| b.command == command)
            .map(|b| b.key_label())
            .unwrap_or_default()
    }

    /// The footer entries for a context: its own, then the global ones not shadowed by it,
    /// leaving out commands that do nothing now (`idle`). While typing, keys that would type a
    /// character are left out (they are text there).
    pub fn footer(&self, context: Context, typing: bool, idle: &[Command]) -> Vec<(String, &str)> {
        let own: Vec<&Chord> = self.bindings(context).flat_map(|b| b.keys.iter()).collect();
        self.bindings(context)
            .chain(
                self.bindings(Context::Global)
                    .filter(|b| !b.keys.iter().all(|k| own.contains(&k))),
            )
            .filter(|b| b.footer && !idle.contains(&b.command))
            .filter_map(|b| {
                if typing {
                    let keys: Vec<Chord> = b
                        .keys
                        .iter()
                        .filter(|k| !k.is_printable())
                        .copied()
                        .collect();
                    if keys.is_empty() {
                        return None;
                    }
                    let shown = Binding { keys, ..b.clone() };
                    Some((shown.key_label(), b.description.as_str()))
                } else {
                    Some((b.key_label(), b.description.as_str()))
                }
            })
            .collect()
    }

    /// Every chord bound more than once in one context, for checks.
    pub fn duplicates(&self) -> Vec<(Context, Chord)> {
        let mut seen: Vec<(Context, Chord)> = Vec::new();
        let mut dups = Vec::new();
        for b in &self.bindings {
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
}

/// Whether a key event should be handled (presses and repeats, not releases).
pub fn is_press(event: &KeyEvent) -> bool {
    event.kind != KeyEventKind::Release
}

fn parse(text: &str, path: &Path, defaults: bool) -> Result<Vec<Binding>, KeymapError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_keymap_loads_without_duplicate_chords() {
        let keymap = Keymap::defaults().unwrap();
        assert!(keymap.bindings.len() > 40);
        assert_eq!(keymap.duplicates(), Vec::new());
    }

    #[test]
    fn duplicates_are_found() {
        let mut keymap = Keymap::defaults().unwrap();
        let mut extra = keymap.bindings[1].clone();
        extra.command = Command::Help;
        keymap.bindings.push(extra);
        assert_eq!(keymap.duplicates().len(), 1);
    }

    #[test]
    fn chords_parse_and_show() {
        let c = Chord::parse("ctrl-c").unwrap();
        assert!(c.ctrl && c.code == KeyCode::Char('c'));
        assert_eq!(Chord::parse("pagedown").unwrap().code, KeyCode::PageDown);
        assert_eq!(Chord::parse("f2").unwrap().code, KeyCode::F(2));
        assert!(Chord::parse("hyper-x").is_err());
        assert_eq!(Chord::parse("ctrl-s").unwrap().to_string(), "Ctrl-s");
    }

    #[test]
    fn lookup_falls_back_to_global_and_skips_text() {
        let keymap = Keymap::defaults().unwrap();
        let q = Chord::parse("q").unwrap();
        assert_eq!(
            keymap.lookup(Context::Workshop, &q, false),
            Some(Command::Quit)
        );
        assert_eq!(keymap.lookup(Context::Editor, &q, true), None);
        let ctrl_c = Chord::parse("ctrl-c").unwrap();
        assert_eq!(
            keymap.lookup(Context::Editor, &ctrl_c, true),
            Some(Command::ForceQuit)
        );
        let three = Chord::parse("3").unwrap();
        assert_eq!(
            keymap.lookup(Context::Workshop, &three, false),
            Some(Command::AnswerLevel)
        );
    }

    #[test]
    fn footer_leaves_out_text_keys_while_typing() {
        let keymap = Keymap::defaults().unwrap();
        let typing: Vec<String> = keymap
            .footer(Context::Editor, true, &[])
            .iter()
            .map(|(k, _)| k.clone())
            .collect();
        assert!(!typing.iter().any(|k| k == "q"), "{typing:?}");
        assert!(typing.iter().any(|k| k == "F1"), "{typing:?}");
        let browsing = keymap.footer(Context::Workshop, false, &[]);
        assert!(browsing.iter().any(|(k, _)| k == "q"));
        // Help's own keys shadow the global help key.
        assert!(
            !keymap
                .footer(Context::Help, false, &[])
                .iter()
                .any(|(_, d)| *d == "help")
        );
    }

    #[test]
    fn a_key_means_one_thing_on_every_screen() {
        let keymap = Keymap::defaults().unwrap();
        // Yes/no questions and the export popup's format letters are their own small worlds.
        let special = [Context::Confirm, Context::Export];
        for key in ["d", "j", "k", "n", "x", "t", "m", "backspace"] {
            let chord = Chord::parse(key).unwrap();
            let mut commands: Vec<Command> = keymap
                .bindings
                .iter()
                .filter(|b| !special.contains(&b.context) && b.keys.contains(&chord))
                .map(|b| b.command)
                .collect();
            commands.dedup();
            assert!(commands.len() <= 1, "{key} means {commands:?}");
        }
        // Clearing an answer has a key nothing else uses.
        let clear: Vec<&Chord> = keymap
            .bindings
            .iter()
            .filter(|b| b.command == Command::ClearAnswer)
            .flat_map(|b| b.keys.iter())
            .collect();
        assert!(!clear.is_empty());
        for chord in clear {
            assert!(
                keymap
                    .bindings
                    .iter()
                    .filter(|b| b.keys.contains(chord))
                    .all(|b| b.command == Command::ClearAnswer),
                "{chord}"
            );
        }
    }

    #[test]
    fn answer_keys_show_as_a_range() {
        let keymap = Keymap::defaults().unwrap();
        assert_eq!(
            keymap.key_for(Context::Workshop, Command::AnswerLevel),
            "0-4"
        );
    }

    #[test]
    fn user_file_replaces_keys_and_frees_them_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(USER_KEYMAP_FILE),
            r#"(bindings: [(context: Workshop, keys: ["e"], command: Flag)])"#,
        )
        .unwrap();
        let keymap = Keymap::load(dir.path()).unwrap();
        let e = Chord::parse("e").unwrap();
        assert_eq!(
            keymap.lookup(Context::Workshop, &e, false),
            Some(Command::Flag)
        );
        let f = Chord::parse("f").unwrap();
        assert_eq!(keymap.lookup(Context::Workshop, &f, false), None);
        assert!(keymap.duplicates().is_empty());
        // The description is kept when the user leaves it out.
        assert_eq!(
            keymap
                .bindings(Context::Workshop)
                .find(|b| b.command == Command::Flag)
                .map(|b| b.description.as_str()),
            Some("flag")
        );
    }

    #[test]
    fn a_broken_user_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(USER_KEYMAP_FILE), "(bindings: [oops])").unwrap();
        let err = Keymap::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("keymap.ron"), "{err}");
    }
}
