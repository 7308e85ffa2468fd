//! The application state and [`App::update`], the only place it changes.

use super::action::Action;
use super::keymap::{Chord, Command, Context, Keymap};
use super::popups::export::{ExportPlaces, ExportState, PendingWrite, target_file};
use super::screens::home::{HomeEntry, HomeState};
use super::screens::results::ResultsState;
use super::screens::setup::{Draft, SetupState};
use super::screens::workshop::{
    FormKind, FormState, JumpKind, JumpState, NotesEditor, SearchState, WorkshopMode, WorkshopState,
};
use super::screens::{HelpState, Screen};
use super::theme::Theme;
use crate::domain::framework::{Category, Stage};
use crate::domain::questionnaire::{Question, QuestionBank};
use crate::domain::scale::Answer;
use crate::domain::scoring::{self, Results};
use crate::domain::session::{Session, validate_name};
use crate::report::{self, Format, Options, ReportError, Template};
use crate::store::{SessionLock, SessionStore, StoreError, new_session_id};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::Input;
use std::time::Duration;

/// How long after the last keystroke notes are saved.
pub const NOTES_SAVE_DELAY: Duration = Duration::from_millis(1500);

/// How often the section timer is written to the session while it runs.
const TIMER_SAVE_EVERY: Duration = Duration::from_secs(60);

/// Where a question sits in the bank, and in which section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavQuestion {
    /// Index of its questionnaire in the bank.
    pub questionnaire: usize,
    /// Index of its section in the questionnaire.
    pub section: usize,
    /// Index of the question in the section.
    pub index: usize,
    /// Index of its entry in [`Nav::sections`].
    pub nav_section: usize,
}

/// A section (category x stage) with at least one applicable question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NavSection {
    /// Its category.
    pub category: Category,
    /// Its stage.
    pub stage: Stage,
    /// Position of its first question in [`Nav::questions`].
    pub start: usize,
    /// How many applicable questions it has.
    pub len: usize,
}

/// The applicable questions of a session in the order they are asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Nav {
    /// Every applicable question.
    pub questions: Vec<NavQuestion>,
    /// Every section that has applicable questions.
    pub sections: Vec<NavSection>,
}

impl Nav {
    /// The applicable questions of a session, section by section.
    pub fn build(bank: &QuestionBank, session: &Session) -> Nav {
        let scoping = session.resolved_scoping(bank);
        let mut nav = Nav::default();
        for category in Category::ALL {
            for section in bank.category_sections(category) {
                let start = nav.questions.len();
                let nav_section = nav.sections.len();
                for member in &section.members {
                    if session.applies_in(member.question, category, &scoping) {
                        nav.questions.push(NavQuestion {
                            questionnaire: member.at.questionnaire,
                            section: member.at.section,
                            index: member.at.index,
                            nav_section,
                        });
                    }
                }
                let len = nav.questions.len() - start;
                if len > 0 {
                    nav.sections.push(NavSection {
                        category,
                        stage: section.stage,
                        start,
                        len,
                    });
                }
            }
        }
        nav
    }
}

/// A session opened in the app.
#[derive(Debug)]
pub struct OpenSession<'b> {
    /// The session as it is now; the store holds the last successful save.
    pub session: Session,
    /// The right to save; None when another process has it open (read-only here).
    pub lock: Option<SessionLock>,
    /// Its applicable questions.
    pub nav: Nav,
    /// Scores, recomputed after every change.
    pub results: Results<'b>,
    /// Time on the current section not yet written to the session.
    pub pending_time: Duration,
    /// The section of the current question: the one the timer runs for.
    pub section: Option<NavSection>,
}

impl OpenSession<'_> {
    /// Whether changes are refused because another process holds the session.
    pub fn read_only(&self) -> bool {
        self.lock.is_none()
    }
}

/// How a message in the status line should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// Plain information.
    Info,
    /// Something to notice.
    Warn,
    /// Something went wrong.
    Error,
}

/// A message for the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// What it says.
    pub text: String,
    /// How it looks.
    pub kind: MessageKind,
}

/// What a screen handler asks the app to do with the screen stack.
enum Transition {
    Stay,
    Pop,
    Push(Screen),
    Replace(Screen),
    /// Back to the list of sessions, closing the open session.
    Home,
}

/// Returns the current time; injected so that tests are repeatable.
pub type Clock = Box<dyn Fn() -> Timestamp>;

/// The whole application.
pub struct App<'b> {
    /// The active questions.
    pub bank: &'b QuestionBank,
    store: Box<dyn SessionStore>,
    /// The active key bindings.
    pub keymap: Keymap,
    /// The active theme.
    pub theme: Theme,
    clock: Clock,
    /// Time zone for times shown.
    pub time_zone: TimeZone,
    /// The screens, the active one last; the list of sessions is always at the bottom.
    pub screens: Vec<Screen>,
    /// The session being worked on.
    pub open: Option<OpenSession<'b>>,
    /// The latest message for the status line.
    pub message: Option<Message>,
    /// Why the last save failed; cleared by the next successful save.
    pub save_error: Option<String>,
    /// Where the user's key map would be, for the help screen.
    pub keymap_path: String,
    /// The export popup, over the screen it was opened from.
    pub export: Option<ExportState>,
    /// Where reports are written and the report template is found.
    pub export_places: ExportPlaces,
    running: bool,
}

impl<'b> App<'b> {
    /// A new app on the list of sessions.
    pub fn new(
        bank: &'b QuestionBank,
        store: Box<dyn SessionStore>,
        keymap: Keymap,
        theme: Theme,
        clock: Clock,
    ) -> App<'b> {
        let mut app = App {
            bank,
            store,
            keymap,
            theme,
            clock,
            time_zone: TimeZone::system(),
            screens: Vec::new(),
            open: None,
            message: None,
            save_error: None,
            keymap_path: String::new(),
            export: None,
            export_places: ExportPlaces::default(),
            running: true,
        };
        let home = app.home_state(None);
        app.screens.push(Screen::Home(home));
        app
    }

    /// Whether the app should keep running.
    pub fn running(&self) -> bool {
        self.running
    }

    /// The active screen.
    pub fn screen(&self) -> &Screen {
        // The stack is never empty: Home is pushed at start and never popped.
        self.screens.last().unwrap_or(&Screen::Empty)
    }

    /// The question at a position of the open session's navigation.
    pub fn question(&self, at: NavQuestion) -> Option<&Question> {
        self.bank
            .questionnaires
            .get(at.questionnaire)?
            .sections
            .get(at.section)?
            .questions
            .get(at.index)
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// The key context of the active screen and whether keys type text there.
    pub fn context(&self) -> (Context, bool) {
        if let Some(export) = self.active_export() {
            return export.context();
        }
        match self.screen() {
            Screen::Home(home) if home.confirm_delete.is_some() => (Context::Confirm, false),
            Screen::Home(_) | Screen::Empty => (Context::Home, false),
            Screen::Setup(setup) => (Context::Setup, setup.editor.is_some()),
            Screen::Workshop(ws) => match &ws.mode {
                WorkshopMode::Browse => (Context::Workshop, false),
                WorkshopMode::Notes(_) => (Context::Editor, true),
                WorkshopMode::Vote { .. } => (Context::Vote, false),
                WorkshopMode::Search(_) => (Context::Search, true),
                WorkshopMode::Jump(_) => (Context::Jump, false),
                WorkshopMode::Form(_) => (Context::Form, true),
            },
            Screen::Results(_) => (Context::Results, false),
            Screen::Help(_) => (Context::Help, false),
        }
    }

    /// Translates a key into an action through the key map; unbound keys in a text field are
    /// typed into it.
    pub fn action_for_key(&self, key: KeyEvent) -> Option<Action> {
        let chord = Chord::from_event(&key);
        let (context, typing) = self.context();
        match self.keymap.lookup(context, &chord, typing) {
            Some(command) => command_action(command, &chord),
            None if typing => Some(Action::Input(Input::from(key))),
            None => None,
        }
    }

    /// Runs an action and every follow-up it returns.
    pub fn dispatch(&mut self, action: Action) {
        let mut next = Some(action);
        // A chain is short (an answer, then its save); the bound guards against a cycle.
        for _ in 0..8 {
            match next {
                Some(action) => next = self.update(action),
                None => break,
            }
        }
    }

    /// Applies one action; may return a follow-up such as a save.
    pub fn update(&mut self, action: Action) -> Option<Action> {
        if !matches!(action, Action::Tick(_) | Action::Save) {
            self.message = None;
        }
        match action {
            Action::ForceQuit | Action::Quit => {
                self.shutdown();
                self.running = false;
                None
            }
            Action::CycleTheme => {
                self.theme = Theme::new(self.theme.name.next(), self.theme.no_color);
                self.info(format!("Theme: {}", self.theme.name.title()));
                None
            }
            Action::Help => {
                if !matches!(self.screen(), Screen::Help(_)) {
                    let (context, _) = self.context();
                    self.screens
                        .push(Screen::Help(HelpState { scroll: 0, context }));
                }
                None
            }
            Action::Tick(elapsed) => self.tick(elapsed),
            Action::Save => {
                self.save();
                None
            }
            Action::OpenSession(id) => {
                self.open_session(&id);
                None
            }
            Action::Export => self.begin_export(),
            action if self.active_export().is_some() => {
                self.update_export(action);
                None
            }
            action => self.update_screen(action),
        }
    }

    fn update_screen(&mut self, action: Action) -> Option<Action> {
        let mut screen = self.screens.pop()?;
        let (transition, follow) = match &mut screen {
            Screen::Home(home) => self.update_home(home, action),
            Screen::Setup(setup) => self.update_setup(setup, action),
            Screen::Workshop(ws) => self.update_workshop(ws, action),
            Screen::Results(results) => update_scroll(&mut results.scroll, action),
            Screen::Help(help) => update_scroll(&mut help.scroll, action),
            Screen::Empty => (Transition::Stay, None),
        };
        match transition {
            Transition::Stay => self.screens.push(screen),
            Transition::Pop => {
                if self.screens.is_empty() {
                    self.screens.push(screen);
                }
                self.on_reveal();
            }
            Transition::Push(next) => {
                self.screens.push(screen);
                self.screens.push(next);
            }
            Transition::Replace(next) => self.screens.push(next),
            Transition::Home => {
                self.close_session();
                self.screens.clear();
                let home = self.home_state(None);
                self.screens.push(Screen::Home(home));
            }
        }
        follow
    }

    /// After a screen was closed, refreshes the one now on top.
    fn on_reveal(&mut self) {
        let refresh = matches!(self.screen(), Screen::Home(_));
        if refresh {
            let selected = match self.screen() {
                Screen::Home(home) => home.selected_id().map(str::to_string),
                _ => None,
            };
            let home = self.home_state(selected.as_deref());
            if let Some(top) = self.screens.last_mut() {
                *top = Screen::Home(home);
            }
        }
    }

    // ----- status ---------------------------------------------------------------------------

    fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            kind: MessageKind::Info,
        });
    }

    fn warn(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            kind: MessageKind::Warn,
        });
    }

    fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            kind: MessageKind::Error,
        });
    }

    // ----- the open session -----------------------------------------------------------------

    /// Saves the open session; a failure is kept for the status line, and the in-memory
    /// session stays as it is so that the next save can write it.
    fn save(&mut self) {
        let Some(open) = &self.open else { return };
        let Some(lock) = &open.lock else { return };
        match self.store.save(lock, &open.session) {
            Ok(()) => self.save_error = None,
            Err(e) => self.save_error = Some(e.to_string()),
        }
    }

    /// Applies a change to the open session, stamps it and asks for a save. Refused, with a
    /// message, when the session is read-only.
    fn change(&mut self, f: impl FnOnce(&mut Session, Timestamp)) -> Option<Action> {
        let now = self.now();
        let Some(open) = &mut self.open else {
            return None;
        };
        if open.read_only() {
            self.warn(READ_ONLY_MESSAGE);
            return None;
        }
        f(&mut open.session, now);
        open.session.updated = now;
        open.results = scoring::score(self.bank, &open.session);
        Some(Action::Save)
    }

    fn read_only(&self) -> bool {
        self.open.as_ref().is_some_and(OpenSession::read_only)
    }

    /// Opens a session for writing, or read-only when another process has it.
    pub fn open_session(&mut self, id: &str) {
        self.close_session();
        let (session, lock) = match self.store.open(id) {
            Ok((session, lock)) => (session, Some(lock)),
            Err(StoreError::Locked { .. }) => match self.store.load(id) {
                Ok(session) => {
                    self.warn(
                        "This session is open in another aiready process: it is shown read-only here.",
                    );
                    (session, None)
                }
                Err(e) => {
                    self.error(e.to_string());
                    return;
                }
            },
            Err(e) => {
                self.error(e.to_string());
                return;
            }
        };
        self.start_workshop(session, lock);
    }

    fn start_workshop(&mut self, session: Session, lock: Option<SessionLock>) {
        let nav = Nav::build(self.bank, &session);
        let results = scoring::score(self.bank, &session);
        let cursor = first_unanswered(&nav, &session, self.bank, 0).unwrap_or(0);
        let orphaned = results.orphaned.len();
        let section = nav
            .questions
            .get(cursor)
            .and_then(|q| nav.sections.get(q.nav_section))
            .copied();
        self.open = Some(OpenSession {
            session,
            lock,
            nav,
            results,
            pending_time: Duration::ZERO,
            section,
        });
        if orphaned > 0 && self.message.is_none() {
            self.warn(format!(
                "{orphaned} recorded answer(s) belong to questions the current questionnaires no longer have; they are kept and listed in the results."
            ));
        }
        // Whatever was on top of the list of sessions goes.
        self.screens.truncate(1);
        self.screens
            .push(Screen::Workshop(WorkshopState::new(cursor)));
    }

    fn close_session(&mut self) {
        let follow = self.flush_timer(true);
        if follow.is_some() {
            self.save();
        }
        self.open = None;
    }

    /// Writes everything in flight (notes being typed, time on the section) and saves.
    fn shutdown(&mut self) {
        let mut dirty = false;
        let mut notes: Option<(String, String)> = None;
        for screen in &self.screens {
            if let Screen::Workshop(ws) = screen
                && let WorkshopMode::Notes(editor) = &ws.mode
                && editor.dirty
            {
                notes = Some((editor.question_id.clone(), editor.text()));
            }
        }
        if let Some((id, text)) = notes {
            dirty |= self.change(|s, _| s.record_mut(&id).notes = text).is_some();
        }
        dirty |= self.flush_timer(true).is_some();
        if dirty {
            self.save();
        }
    }

    /// Adds the time spent on the current section to the session. With `all`, also a part of
    /// a second; otherwise only whole seconds, the rest stays pending.
    fn flush_timer(&mut self, all: bool) -> Option<Action> {
        let section = self.current_section()?;
        let open = self.open.as_mut()?;
        if open.read_only() {
            open.pending_time = Duration::ZERO;
            return None;
        }
        let mut secs = open.pending_time.as_secs();
        if all && open.pending_time.subsec_millis() >= 500 {
            secs += 1;
        }
        if secs == 0 {
            return None;
        }
        open.pending_time = if all {
            Duration::ZERO
        } else {
            open.pending_time - Duration::from_secs(secs)
        };
        open.session.add_time(section.category, section.stage, secs);
        Some(Action::Save)
    }

    /// The section of the workshop screen's current question.
    pub fn current_section(&self) -> Option<NavSection> {
        self.open.as_ref()?.section
    }

    fn tick(&mut self, elapsed: Duration) -> Option<Action> {
        let mut follow = None;
        // Notes are saved a moment after the last keystroke.
        let mut due_notes = None;
        if let Some(Screen::Workshop(ws)) = self.screens.last_mut()
            && let WorkshopMode::Notes(editor) = &mut ws.mode
            && editor.dirty
        {
            editor.idle += elapsed;
            if editor.idle >= NOTES_SAVE_DELAY {
                editor.dirty = false;
                due_notes = Some((editor.question_id.clone(), editor.text()));
            }
        }
        if let Some((id, text)) = due_notes {
            follow = self.change(|s, _| s.record_mut(&id).notes = text);
        }
        let timing = self
            .screens
            .iter()
            .any(|s| matches!(s, Screen::Workshop(_)));
        if timing && let Some(open) = &mut self.open {
            open.pending_time += elapsed;
            if open.pending_time >= TIMER_SAVE_EVERY {
                follow = self.flush_timer(false).or(follow);
            }
        }
        follow
    }

    /// Seconds spent on the current section, including time not yet written.
    pub fn section_seconds(&self) -> u64 {
        match (self.current_section(), &self.open) {
            (Some(section), Some(open)) => {
                open.session.time_spent_on(section.category, section.stage)
                    + open.pending_time.as_secs()
            }
            _ => 0,
        }
    }

    // ----- home -----------------------------------------------------------------------------

    /// The list of sessions as the store has them now.
    fn home_state(&mut self, select: Option<&str>) -> HomeState {
        let mut entries = Vec::new();
        match self.store.list() {
            Ok(list) => {
                for entry in list {
                    entries.push(match entry.session {
                        Ok(session) => {
                            let results = scoring::score(self.bank, &session);
                            HomeEntry::from_session(&session, &results)
                        }
                        Err(e) => HomeEntry::unreadable(entry.id, e.to_string()),
                    });
                }
            }
            Err(e) => self.error(e.to_string()),
        }
        // Most recently changed first; unreadable ones last.
        entries.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.id.cmp(&b.id)));
        let selected = select
            .and_then(|id| entries.iter().position(|e| e.id == id))
            .unwrap_or(0);
        HomeState {
            entries,
            selected,
            confirm_delete: None,
        }
    }

    fn update_home(
        &mut self,
        home: &mut HomeState,
        action: Action,
    ) -> (Transition, Option<Action>) {
        if let Some(index) = home.confirm_delete {
            match action {
                Action::Confirm => {
                    home.confirm_delete = None;
                    if let Some(entry) = home.entries.get(index) {
                        let (id, name) = (entry.id.clone(), entry.name.clone());
                        match self.store.delete(&id) {
                            Ok(()) => {
                                *home = self.home_state(None);
                                home.selected = index.min(home.entries.len().saturating_sub(1));
                                self.info(format!("Deleted \"{name}\"."));
                            }
                            Err(e) => self.error(e.to_string()),
                        }
                    }
                }
                Action::Back => home.confirm_delete = None,
                _ => {}
            }
            return (Transition::Stay, None);
        }
        match action {
            Action::Up => home.selected = home.selected.saturating_sub(1),
            Action::Down if home.selected + 1 < home.entries.len() => home.selected += 1,
            Action::Open | Action::Confirm => {
                if let Some(entry) = home.entries.get(home.selected) {
                    if let Some(problem) = &entry.error {
                        self.error(problem.clone());
                    } else {
                        return (
                            Transition::Stay,
                            Some(Action::OpenSession(entry.id.clone())),
                        );
                    }
                }
            }
            Action::New => {
                let setup = SetupState::new(Draft::new(self.bank), true);
                return (Transition::Push(Screen::Setup(setup)), None);
            }
            Action::Delete if home.entries.get(home.selected).is_some() => {
                home.confirm_delete = Some(home.selected);
            }
            _ => {}
        }
        (Transition::Stay, None)
    }

    // ----- export ---------------------------------------------------------------------------

    /// The export popup, unless the help screen was opened over it.
    pub fn active_export(&self) -> Option<&ExportState> {
        match self.screen() {
            Screen::Help(_) => None,
            _ => self.export.as_ref(),
        }
    }

    /// Opens the export popup for the selected session (list of sessions) or the open one
    /// (workshop, results). A session from the list is read without taking it over.
    fn begin_export(&mut self) -> Option<Action> {
        let (context, _) = self.context();
        let (session, follow) = match (context, self.screen()) {
            (Context::Home, Screen::Home(home)) => {
                let Some(entry) = home.entries.get(home.selected) else {
                    let new = self.keymap.key_for(Context::Home, Command::New);
                    self.info(format!(
                        "There is no session to export yet; press {new} to start one."
                    ));
                    return None;
                };
                if let Some(problem) = &entry.error {
                    let problem = problem.clone();
                    self.error(problem);
                    return None;
                }
                let id = entry.id.clone();
                match self.store.load(&id) {
                    Ok(session) => (session, None),
                    Err(e) => {
                        self.error(e.to_string());
                        return None;
                    }
                }
            }
            (Context::Workshop | Context::Results, _) => {
                // Time on the current section goes into the report too.
                let follow = self.flush_timer(true);
                match &self.open {
                    Some(open) => (open.session.clone(), follow),
                    None => return follow,
                }
            }
            _ => return None,
        };
        self.export = Some(ExportState::new(session));
        follow
    }

    fn update_export(&mut self, action: Action) {
        let Some(mut state) = self.export.take() else {
            return;
        };
        if let Some(pending) = state.overwrite.take() {
            match action {
                Action::Confirm => match report::write_file(&pending.path, &pending.text, true) {
                    Ok(()) => {
                        self.wrote(state.format, &pending.path);
                        return;
                    }
                    Err(e) => self.export_failed(&mut state, e.to_string()),
                },
                Action::Back => {
                    self.info("Nothing was written; the existing file is unchanged. Change the file name, or press Enter again to replace it.");
                    state.focus = super::popups::export::ExportField::Path;
                }
                _ => state.overwrite = Some(pending),
            }
            self.export = Some(state);
            return;
        }
        match action {
            Action::Back => return,
            Action::NextField => state.move_focus(1),
            Action::PrevField => state.move_focus(-1),
            Action::Toggle => state.toggle(),
            Action::ExportFormat(format) => state.set_format(format),
            Action::Input(input) => state.input(input),
            Action::Confirm => {
                let written = self.write_export(&mut state);
                if written {
                    return;
                }
            }
            _ => {}
        }
        self.export = Some(state);
    }

    /// Renders and writes the report; true when it was written. An existing file leaves the
    /// report waiting for the answer to "overwrite?".
    fn write_export(&mut self, state: &mut ExportState) -> bool {
        state.error = None;
        let default_name = report::default_file_name(&state.session, state.format);
        let path = match target_file(&self.export_places, &state.path_text(), &default_name) {
            Ok(path) => path,
            Err(problem) => {
                self.export_failed(state, problem);
                return false;
            }
        };
        let template = match (&self.export_places.config_dir, state.format) {
            (Some(dir), Format::Markdown) => match Template::resolve(None, dir) {
                Ok(template) => template,
                Err(e) => {
                    self.export_failed(state, e.to_string());
                    return false;
                }
            },
            _ => None,
        };
        let options = Options {
            anonymize: state.anonymize,
            template,
            generated: self.now(),
        };
        let text = match report::render(state.format, self.bank, &state.session, &options) {
            Ok(text) => text,
            Err(e) => {
                self.export_failed(state, e.to_string());
                return false;
            }
        };
        match report::write_file(&path, &text, false) {
            Ok(()) => {
                self.wrote(state.format, &path);
                true
            }
            Err(ReportError::Exists { path }) => {
                state.overwrite = Some(PendingWrite { path, text });
                false
            }
            Err(e) => {
                self.export_failed(state, e.to_string());
                false
            }
        }
    }

    fn wrote(&mut self, format: Format, path: &std::path::Path) {
        self.info(format!("Wrote the {format} report to {}", path.display()));
    }

    /// Shows why an export failed in the popup and the status line; the popup stays open
    /// with every choice as it was.
    fn export_failed(&mut self, state: &mut ExportState, problem: String) {
        state.error = Some(problem.clone());
        self.error(problem);
    }

    // ----- setup ----------------------------------------------------------------------------

    /// Opens the setup of the open session for editing.
    fn edit_setup(&self) -> Option<Screen> {
        let open = self.open.as_ref()?;
        Some(Screen::Setup(SetupState::new(
            Draft::from_session(&open.session, self.bank),
            false,
        )))
    }

    fn update_setup(
        &mut self,
        setup: &mut SetupState,
        action: Action,
    ) -> (Transition, Option<Action>) {
        match action {
            Action::NextField => setup.move_focus(self.bank, 1),
            Action::PrevField => setup.move_focus(self.bank, -1),
            Action::Toggle => setup.toggle(self.bank),
            Action::AddItem => setup.add_participant(self.bank),
            Action::RemoveItem => setup.remove_participant(self.bank),
            Action::Input(input) => setup.input(input),
            Action::Back => return (Transition::Pop, None),
            Action::Confirm => {
                setup.commit(self.bank);
                let name = match validate_name(&setup.draft.name) {
                    Ok(name) => name,
                    Err(e) => {
                        setup.error = Some(format!("Name: {e}."));
                        return (Transition::Stay, None);
                    }
                };
                if let Err(problem) = setup.draft.check() {
                    setup.error = Some(problem);
                    return (Transition::Stay, None);
                }
                setup.draft.name = name;
                if setup.is_new {
                    return self.create_session(setup);
                }
                let draft = setup.draft.clone();
                let follow = self.change(|s, now| draft.apply(s, now));
                if let Some(open) = &mut self.open {
                    open.nav = Nav::build(self.bank, &open.session);
                }
                let len = self.open.as_ref().map_or(0, |o| o.nav.questions.len());
                if let Some(Screen::Workshop(ws)) = self.screens.last_mut() {
                    ws.cursor = ws.cursor.min(len.saturating_sub(1));
                    if let Some(open) = &mut self.open {
                        open.section = open
                            .nav
                            .questions
                            .get(ws.cursor)
                            .and_then(|q| open.nav.sections.get(q.nav_section))
                            .copied();
                    }
                }
                return (Transition::Pop, follow);
            }
            _ => {}
        }
        (Transition::Stay, None)
    }

    fn create_session(&mut self, setup: &mut SetupState) -> (Transition, Option<Action>) {
        let now = self.now();
        let id = new_session_id(&setup.draft.name, now);
        let mut session = Session::new(id, setup.draft.name.clone(), self.bank, now);
        setup.draft.apply(&mut session, now);
        match self.store.create(&session) {
            Ok(lock) => {
                self.start_workshop(session, Some(lock));
                // start_workshop rebuilt the stack with the workshop on top.
                match self.screens.pop() {
                    Some(ws) => (Transition::Replace(ws), None),
                    None => (Transition::Stay, None),
                }
            }
            Err(e) => {
                setup.error = Some(e.to_string());
                (Transition::Stay, None)
            }
        }
    }

    // ----- workshop -------------------------------------------------------------------------

    fn current_question(&self, ws: &WorkshopState) -> Option<(NavQuestion, &Question)> {
        let open = self.open.as_ref()?;
        let at = *open.nav.questions.get(ws.cursor)?;
        Some((at, self.question(at)?))
    }

    fn current_id(&self, ws: &WorkshopState) -> Option<String> {
        self.current_question(ws).map(|(_, q)| q.id.clone())
    }

    /// Moves to another question; time on the section left is written first.
    fn move_to(&mut self, ws: &mut WorkshopState, cursor: usize) -> Option<Action> {
        let Some(open) = &self.open else { return None };
        let len = open.nav.questions.len();
        if len == 0 {
            return None;
        }
        let cursor = cursor.min(len - 1);
        let old = open.nav.questions.get(ws.cursor).map(|q| q.nav_section);
        let new = open.nav.questions.get(cursor).map(|q| q.nav_section);
        let follow = if old != new {
            self.flush_timer(true)
        } else {
            None
        };
        ws.cursor = cursor;
        if let Some(open) = &mut self.open {
            open.section = new.and_then(|i| open.nav.sections.get(i)).copied();
        }
        follow
    }

    fn update_workshop(
        &mut self,
        ws: &mut WorkshopState,
        action: Action,
    ) -> (Transition, Option<Action>) {
        let mode = std::mem::replace(&mut ws.mode, WorkshopMode::Browse);
        match mode {
            WorkshopMode::Browse => self.workshop_browse(ws, action),
            WorkshopMode::Notes(editor) => self.workshop_notes(ws, editor, action),
            WorkshopMode::Vote { selected } => self.workshop_vote(ws, selected, action),
            WorkshopMode::Search(search) => self.workshop_search(ws, search, action),
            WorkshopMode::Jump(jump) => self.workshop_jump(ws, jump, action),
            WorkshopMode::Form(form) => self.workshop_form(ws, form, action),
        }
    }

    fn workshop_browse(
        &mut self,
        ws: &mut WorkshopState,
        action: Action,
    ) -> (Transition, Option<Action>) {
        let Some(id) = self.current_id(ws) else {
            return match action {
                Action::Back => (Transition::Home, None),
                Action::EditSetup => match self.edit_setup() {
                    Some(screen) => (Transition::Push(screen), None),
                    None => (Transition::Stay, None),
                },
                _ => {
                    self.warn("No question applies with this scope; press s to change the setup.");
                    (Transition::Stay, None)
                }
            };
        };
        let follow = match action {
            Action::Answer(answer) => {
                let follow = self.change(|s, now| s.set_answer(&id, Some(answer), now));
                if follow.is_some() {
                    if answer == Answer::NotApplicable {
                        ws.mode = WorkshopMode::Notes(NotesEditor::new(
                            id.clone(),
                            self.notes_of(&id),
                            true,
                        ));
                    } else {
                        self.advance(ws);
                    }
                }
                follow
            }
            Action::ClearAnswer => self.change(|s, now| s.set_answer(&id, None, now)),
            Action::Flag => {
                let follow = self.change(|s, _| {
                    let record = s.record_mut(&id);
                    record.discuss_later = !record.discuss_later;
                });
                if follow.is_some() {
                    let flagged = self
                        .open
                        .as_ref()
                        .and_then(|o| o.session.record(&id))
                        .is_some_and(|r| r.discuss_later);
                    self.info(if flagged {
                        "Flagged to discuss later (L shows the parking lot)."
                    } else {
                        "Flag removed."
                    });
                }
                follow
            }
            Action::EditNotes => {
                if self.read_only() {
                    self.warn(READ_ONLY_MESSAGE);
                } else {
                    ws.mode = WorkshopMode::Notes(NotesEditor::new(
                        id.clone(),
                        self.notes_of(&id),
                        false,
                    ));
                }
                None
            }
            Action::EditAction => {
                if self.read_only() {
                    self.warn(READ_ONLY_MESSAGE);
                } else if let Some(record) = self.open.as_ref().map(|o| o.session.record(&id)) {
                    ws.mode = WorkshopMode::Form(FormState::action(id.clone(), record));
                }
                None
            }
            Action::EditAgenda => {
                if self.read_only() {
                    self.warn(READ_ONLY_MESSAGE);
                } else if let (Some(section), Some(open)) = (self.current_section(), &self.open) {
                    let planned = open
                        .session
                        .planned_minutes(section.category, section.stage);
                    ws.mode = WorkshopMode::Form(FormState::agenda(
                        section.category,
                        section.stage,
                        planned,
                    ));
                }
                None
            }
            Action::Votes => {
                let participants = self
                    .open
                    .as_ref()
                    .map_or(0, |o| o.session.participants.len());
                if self.read_only() {
                    self.warn(READ_ONLY_MESSAGE);
                } else if participants == 0 {
                    self.warn("No participants yet: press s to add them in the setup, then v to record their votes.");
                } else {
                    ws.mode = WorkshopMode::Vote { selected: 0 };
                }
                None
            }
            Action::Next => {
                let at_end = self
                    .open
                    .as_ref()
                    .is_some_and(|o| ws.cursor + 1 >= o.nav.questions.len());
                if at_end {
                    self.info("This is the last question. Press r for the results.");
                    None
                } else {
                    self.move_to(ws, ws.cursor + 1)
                }
            }
            Action::Prev => {
                if ws.cursor == 0 {
                    None
                } else {
                    self.move_to(ws, ws.cursor - 1)
                }
            }
            Action::NextUnanswered => {
                let found = self
                    .open
                    .as_ref()
                    .and_then(|o| first_unanswered(&o.nav, &o.session, self.bank, ws.cursor + 1));
                match found {
                    Some(cursor) => self.move_to(ws, cursor),
                    None => {
                        self.info("Every question is answered. Press r for the results.");
                        None
                    }
                }
            }
            Action::NextSection | Action::PrevSection => {
                let target = self.open.as_ref().and_then(|o| {
                    let current = o.nav.questions.get(ws.cursor)?.nav_section;
                    let next = if action == Action::NextSection {
                        current + 1
                    } else {
                        current.checked_sub(1)?
                    };
                    o.nav.sections.get(next).map(|s| s.start)
                });
                match target {
                    Some(cursor) => self.move_to(ws, cursor),
                    None => None,
                }
            }
            Action::JumpSection => {
                let selected = self
                    .open
                    .as_ref()
                    .and_then(|o| o.nav.questions.get(ws.cursor))
                    .map_or(0, |q| q.nav_section);
                ws.mode = WorkshopMode::Jump(JumpState {
                    kind: JumpKind::Sections,
                    selected,
                });
                None
            }
            Action::ParkingLot => {
                ws.mode = WorkshopMode::Jump(JumpState {
                    kind: JumpKind::Flagged,
                    selected: 0,
                });
                None
            }
            Action::Search => {
                ws.mode = WorkshopMode::Search(SearchState::new());
                None
            }
            Action::ToggleDetails => {
                ws.details = !ws.details;
                None
            }
            Action::Presenter => {
                ws.presenter = !ws.presenter;
                None
            }
            Action::EditSetup => {
                return match self.edit_setup() {
                    Some(screen) => (Transition::Push(screen), None),
                    None => (Transition::Stay, None),
                };
            }
            Action::Results => {
                return (
                    Transition::Push(Screen::Results(ResultsState::default())),
                    None,
                );
            }
            Action::Back => return (Transition::Home, None),
            _ => None,
        };
        (Transition::Stay, follow)
    }

    /// Moves to the next question after an answer; at the end, says so.
    fn advance(&mut self, ws: &mut WorkshopState) {
        let len = self.open.as_ref().map_or(0, |o| o.nav.questions.len());
        if ws.cursor + 1 < len {
            // The timer's save is folded into the answer's save that follows.
            let _ = self.move_to(ws, ws.cursor + 1);
        } else {
            self.info(
                "That was the last question. Press u for any left open, or r for the results.",
            );
        }
    }

    fn notes_of(&self, id: &str) -> String {
        self.open
            .as_ref()
            .and_then(|o| o.session.record(id))
            .map(|r| r.notes.clone())
            .unwrap_or_default()
    }

    fn workshop_notes(
        &mut self,
        ws: &mut WorkshopState,
        mut editor: NotesEditor,
        action: Action,
    ) -> (Transition, Option<Action>) {
        match action {
            Action::Input(input) => {
                editor.input(input);
                ws.mode = WorkshopMode::Notes(editor);
                (Transition::Stay, None)
            }
            Action::Back => {
                let text = editor.text();
                let id = editor.question_id.clone();
                let follow = if text != self.notes_of(&id) {
                    self.change(|s, _| s.record_mut(&id).notes = text.clone())
                } else {
                    None
                };
                if editor.justify && text.trim().is_empty() {
                    self.warn("N/A needs a note saying why the question does not apply (press e to add it).");
                } else if editor.justify {
                    self.advance(ws);
                }
                (Transition::Stay, follow)
            }
            _ => {
                ws.mode = WorkshopMode::Notes(editor);
                (Transition::Stay, None)
            }
        }
    }

    fn workshop_vote(
        &mut self,
        ws: &mut WorkshopState,
        mut selected: usize,
        action: Action,
    ) -> (Transition, Option<Action>) {
        let Some(id) = self.current_id(ws) else {
            return (Transition::Stay, None);
        };
        let participants: Vec<String> = self
            .open
            .as_ref()
            .map(|o| {
                o.session
                    .participants
                    .iter()
                    .map(|p| p.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        let count = participants.len().max(1);
        let mut follow = None;
        let mut keep = true;
        match action {
            Action::Answer(answer) => {
                if let Some(name) = participants.get(selected) {
                    follow = self.change(|s, now| s.record_vote(&id, name, Some(answer), now));
                    selected = (selected + 1) % count;
                }
            }
            Action::ClearAnswer => {
                if let Some(name) = participants.get(selected) {
                    follow = self.change(|s, now| s.record_vote(&id, name, None, now));
                }
            }
            Action::Down => selected = (selected + 1) % count,
            Action::Up => selected = (selected + count - 1) % count,
            Action::Confirm => {
                let median = self.open.as_ref().and_then(|o| o.session.vote_median(&id));
                match median {
                    Some(answer) => {
                        follow = self.change(|s, now| s.set_answer(&id, Some(answer), now));
                        self.info(format!(
                            "Agreed: {} {}. Press a digit to agree on another level.",
                            answer.short(),
                            answer.name()
                        ));
                        keep = false;
                    }
                    None => {
                        self.warn("No rated votes yet: press 0-4 to record each person's vote.")
                    }
                }
            }
            Action::Back => keep = false,
            _ => {}
        }
        if keep {
            ws.mode = WorkshopMode::Vote { selected };
        }
        (Transition::Stay, follow)
    }

    fn search_matches(&self, query: &str) -> Vec<usize> {
        let query = query.trim().to_lowercase();
        let Some(open) = &self.open else {
            return Vec::new();
        };
        if query.is_empty() {
            return Vec::new();
        }
        open.nav
            .questions
            .iter()
            .enumerate()
            .filter(|(_, at)| {
                self.question(**at).is_some_and(|q| {
                    q.id.to_lowercase().contains(&query)
                        || q.prompt.to_lowercase().contains(&query)
                        || q.guidance.to_lowercase().contains(&query)
                        || open
                            .session
                            .record(&q.id)
                            .is_some_and(|r| r.notes.to_lowercase().contains(&query))
                })
            })
            .map(|(i, _)| i)
            .collect()
    }

    fn workshop_search(
        &mut self,
        ws: &mut WorkshopState,
        mut search: SearchState,
        action: Action,
    ) -> (Transition, Option<Action>) {
        match action {
            Action::Input(input) => {
                search.input.input(input);
                search.matches = self.search_matches(&search.query());
                search.selected = 0;
            }
            Action::Down if search.selected + 1 < search.matches.len() => search.selected += 1,
            Action::Up => search.selected = search.selected.saturating_sub(1),
            Action::Confirm => {
                return match search.matches.get(search.selected) {
                    Some(&cursor) => (Transition::Stay, self.move_to(ws, cursor)),
                    None => {
                        ws.mode = WorkshopMode::Search(search);
                        (Transition::Stay, None)
                    }
                };
            }
            Action::Back => return (Transition::Stay, None),
            _ => {}
        }
        ws.mode = WorkshopMode::Search(search);
        (Transition::Stay, None)
    }

    /// Positions of flagged questions in the navigation.
    pub fn flagged(&self) -> Vec<usize> {
        let Some(open) = &self.open else {
            return Vec::new();
        };
        open.nav
            .questions
            .iter()
            .enumerate()
            .filter(|(_, at)| {
                self.question(**at)
                    .and_then(|q| open.session.record(&q.id))
                    .is_some_and(|r| r.discuss_later)
            })
            .map(|(i, _)| i)
            .collect()
    }

    fn workshop_jump(
        &mut self,
        ws: &mut WorkshopState,
        mut jump: JumpState,
        action: Action,
    ) -> (Transition, Option<Action>) {
        let targets: Vec<usize> = match jump.kind {
            JumpKind::Sections => self
                .open
                .as_ref()
                .map(|o| o.nav.sections.iter().map(|s| s.start).collect())
                .unwrap_or_default(),
            JumpKind::Flagged => self.flagged(),
        };
        match action {
            Action::Down if jump.selected + 1 < targets.len() => jump.selected += 1,
            Action::Up => jump.selected = jump.selected.saturating_sub(1),
            Action::Confirm => {
                return match targets.get(jump.selected) {
                    Some(&cursor) => (Transition::Stay, self.move_to(ws, cursor)),
                    None => (Transition::Stay, None),
                };
            }
            Action::Back => return (Transition::Stay, None),
            _ => {}
        }
        ws.mode = WorkshopMode::Jump(jump);
        (Transition::Stay, None)
    }

    fn workshop_form(
        &mut self,
        ws: &mut WorkshopState,
        mut form: FormState,
        action: Action,
    ) -> (Transition, Option<Action>) {
        match action {
            Action::Input(input) => form.input(input),
            Action::NextField => form.move_focus(1),
            Action::PrevField => form.move_focus(-1),
            Action::Back => return (Transition::Stay, None),
            Action::Confirm => {
                form.commit();
                match form.kind.clone() {
                    FormKind::Action { question_id } => match form.parse_action() {
                        Ok((owner, due, evidence)) => {
                            let follow = self.change(|s, _| {
                                let record = s.record_mut(&question_id);
                                record.action_owner = owner;
                                record.due = due;
                                record.evidence = evidence;
                            });
                            return (Transition::Stay, follow);
                        }
                        Err(problem) => form.error = Some(problem),
                    },
                    FormKind::Agenda { category, stage } => match form.parse_minutes() {
                        Ok(minutes) => {
                            let follow =
                                self.change(|s, _| s.set_planned_minutes(category, stage, minutes));
                            return (Transition::Stay, follow);
                        }
                        Err(problem) => form.error = Some(problem),
                    },
                }
            }
            _ => {}
        }
        ws.mode = WorkshopMode::Form(form);
        (Transition::Stay, None)
    }
}

/// Shown when a change is attempted on a session held by another process.
pub const READ_ONLY_MESSAGE: &str =
    "Read-only: this session is open in another aiready process. Close it there to make changes.";

/// The action a command gives for the key pressed.
fn command_action(command: Command, chord: &Chord) -> Option<Action> {
    Some(match command {
        Command::ForceQuit => Action::ForceQuit,
        Command::Quit => Action::Quit,
        Command::Help => Action::Help,
        Command::CycleTheme => Action::CycleTheme,
        Command::Up => Action::Up,
        Command::Down => Action::Down,
        Command::Open => Action::Open,
        Command::New => Action::New,
        Command::Delete => Action::Delete,
        Command::NextField => Action::NextField,
        Command::PrevField => Action::PrevField,
        Command::Toggle => Action::Toggle,
        Command::AddItem => Action::AddItem,
        Command::RemoveItem => Action::RemoveItem,
        Command::Confirm => Action::Confirm,
        Command::Back => Action::Back,
        Command::AnswerLevel => Action::Answer(Answer::from_level(chord.digit()?)?),
        Command::AnswerNotApplicable => Action::Answer(Answer::NotApplicable),
        Command::AnswerUnknown => Action::Answer(Answer::Unknown),
        Command::ClearAnswer => Action::ClearAnswer,
        Command::EditNotes => Action::EditNotes,
        Command::EditAction => Action::EditAction,
        Command::Flag => Action::Flag,
        Command::Votes => Action::Votes,
        Command::Prev => Action::Prev,
        Command::Next => Action::Next,
        Command::NextUnanswered => Action::NextUnanswered,
        Command::PrevSection => Action::PrevSection,
        Command::NextSection => Action::NextSection,
        Command::JumpSection => Action::JumpSection,
        Command::Search => Action::Search,
        Command::ToggleDetails => Action::ToggleDetails,
        Command::Presenter => Action::Presenter,
        Command::ParkingLot => Action::ParkingLot,
        Command::EditAgenda => Action::EditAgenda,
        Command::EditSetup => Action::EditSetup,
        Command::Results => Action::Results,
        Command::Export => Action::Export,
        Command::FormatMarkdown => Action::ExportFormat(Format::Markdown),
        Command::FormatJson => Action::ExportFormat(Format::Json),
        Command::FormatCsv => Action::ExportFormat(Format::Csv),
    })
}

/// Scroll handling shared by the results and help screens.
fn update_scroll(scroll: &mut u16, action: Action) -> (Transition, Option<Action>) {
    match action {
        Action::Down => *scroll = scroll.saturating_add(1),
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::Back => return (Transition::Pop, None),
        _ => {}
    }
    (Transition::Stay, None)
}

/// The first unanswered question at or after `from`, wrapping around.
fn first_unanswered(
    nav: &Nav,
    session: &Session,
    bank: &QuestionBank,
    from: usize,
) -> Option<usize> {
    let len = nav.questions.len();
    (0..len).map(|i| (from + i) % len).find(|&i| {
        let at = nav.questions[i];
        bank.questionnaires
            .get(at.questionnaire)
            .and_then(|q| q.sections.get(at.section))
            .and_then(|s| s.questions.get(at.index))
            .is_some_and(|q| session.answer(&q.id).is_none())
    })
}
