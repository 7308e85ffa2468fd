//! The active key bindings. The defaults come from `assets/keymap.ron`, checked and compiled in
//! by the build script (see [`bindings`]), so start-up parses no RON for them; a user file
//! `keymap.ron` in the config directory can replace the keys of any command. Each binding has one
//! description, used by both the footer and the help screen.

mod bindings;

pub use bindings::{
    Binding, COMPILED_DEFAULTS_FILE, Chord, Command, Context, Key, KeymapError, check_defaults,
    parse,
};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::path::Path;

/// The default bindings as shipped, the text the compiled-in defaults are made from.
pub const DEFAULT_KEYMAP: &str = include_str!("../../../assets/keymap.ron");

/// The default bindings as the build script checked and encoded them.
static COMPILED_DEFAULTS: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/default-keymap.postcard"));

/// The file name of the user's override file in the config directory.
pub const USER_KEYMAP_FILE: &str = "keymap.ron";

/// The active bindings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Keymap {
    /// The compiled-in defaults.
    pub fn defaults() -> Result<Keymap, KeymapError> {
        let bindings = bindings::decode_defaults(COMPILED_DEFAULTS)?;
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
        bindings::duplicates(&self.bindings)
    }
}

impl Chord {
    /// The chord of a key event; Shift is folded into the character (`N`, `?`).
    pub fn from_event(event: &KeyEvent) -> Chord {
        let key = match event.code {
            KeyCode::Char(c) => Key::Char(c),
            KeyCode::Enter => Key::Enter,
            KeyCode::Esc => Key::Esc,
            KeyCode::Tab => Key::Tab,
            KeyCode::BackTab => Key::BackTab,
            KeyCode::Backspace => Key::Backspace,
            KeyCode::Delete => Key::Delete,
            KeyCode::Up => Key::Up,
            KeyCode::Down => Key::Down,
            KeyCode::Left => Key::Left,
            KeyCode::Right => Key::Right,
            KeyCode::Home => Key::Home,
            KeyCode::End => Key::End,
            KeyCode::PageUp => Key::PageUp,
            KeyCode::PageDown => Key::PageDown,
            KeyCode::F(n) => Key::F(n),
            _ => Key::Other,
        };
        Chord {
            key,
            ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
            alt: event.modifiers.contains(KeyModifiers::ALT),
        }
    }
}

/// Whether a key event should be handled (presses and repeats, not releases).
pub fn is_press(event: &KeyEvent) -> bool {
    event.kind != KeyEventKind::Release
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
    fn compiled_defaults_are_the_shipped_file() {
        let parsed = parse(DEFAULT_KEYMAP, Path::new("assets/keymap.ron"), true).unwrap();
        assert_eq!(Keymap::defaults().unwrap().bindings, parsed);
    }

    #[test]
    fn a_broken_default_key_map_is_refused_by_the_build_check() {
        let path = Path::new("assets/keymap.ron");
        let check = |text: &str| check_defaults(text, path).unwrap_err().to_string();
        let undescribed = check(r#"(bindings: [(context: Home, keys: ["o"], command: Open)])"#);
        assert!(undescribed.contains("assets/keymap.ron"), "{undescribed}");
        assert!(undescribed.contains("binding 1"), "{undescribed}");
        assert!(undescribed.contains("description"), "{undescribed}");
        let unknown = check(
            r#"(bindings: [(context: Home, keys: ["hyper-o"], command: Open, description: "open")])"#,
        );
        assert!(unknown.contains("unknown key \"hyper-o\""), "{unknown}");
        let twice = check(
            r#"(bindings: [
                (context: Home, keys: ["o"], command: Open, description: "open"),
                (context: Home, keys: ["o"], command: New, description: "new"),
            ])"#,
        );
        assert!(twice.contains("binds o twice in Home"), "{twice}");
        let not_ron = check("(bindings: [");
        assert!(not_ron.contains("is not valid"), "{not_ron}");
        // The shipped file passes, and what it encodes reads back as its bindings.
        let bytes = check_defaults(DEFAULT_KEYMAP, path).unwrap();
        assert_eq!(
            bindings::decode_defaults(&bytes).unwrap(),
            parse(DEFAULT_KEYMAP, path, true).unwrap()
        );
    }

    #[test]
    fn keys_the_map_cannot_name_are_bound_to_nothing() {
        let keymap = Keymap::defaults().unwrap();
        let insert = KeyEvent::new(KeyCode::Insert, KeyModifiers::NONE);
        let chord = Chord::from_event(&insert);
        assert_eq!(chord.key, Key::Other);
        assert_eq!(keymap.lookup(Context::Workshop, &chord, false), None);
        let shift_n = KeyEvent::new(KeyCode::Char('N'), KeyModifiers::SHIFT);
        assert_eq!(Chord::from_event(&shift_n), Chord::parse("N").unwrap());
        let ctrl_pgdn = KeyEvent::new(KeyCode::PageDown, KeyModifiers::CONTROL);
        assert_eq!(
            Chord::from_event(&ctrl_pgdn),
            Chord::parse("ctrl-pagedown").unwrap()
        );
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
        assert!(c.ctrl && c.key == Key::Char('c'));
        assert_eq!(Chord::parse("pagedown").unwrap().key, Key::PageDown);
        assert_eq!(Chord::parse("f2").unwrap().key, Key::F(2));
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
