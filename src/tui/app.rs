//! The application: a stack of screens and popups ([`Layer`]s), the open session and the
//! store. [`App::dispatch`] hands each action to the layer on top and performs the effects it
//! asks for (change and save the session, open, create, delete, export); it is the only place
//! the session or the store changes.

use super::action::Action;
use super::edit::Edit;
use super::history::{Change, History, Part};
use super::keymap::{Chord, Command, Context, Keymap};
use super::layer::{Effect, ExportSource, Layer, Outcome, Reply, Transition};
use super::popups::Popup;
use super::popups::export::{ExportJob, ExportPlaces, ExportState, PendingWrite};
use super::popups::merge::MergePreview;
use super::popups::open_prework::OpenPreworkState;
use super::popups::unsaved::{Leaving, UnsavedState};
use super::screens::Screen;
use super::screens::help::HelpState;
use super::screens::home::{HomeEntry, HomeState};
use super::screens::setup::Draft;
use super::screens::workshop::{Use, WorkshopState};
use super::session::{
    Baseline, Document, Nav, NavQuestion, NavSection, OpenSession, Watch, first_unanswered,
};
use super::theme::Theme;
use super::view::View;
use crate::content::Bank;
use crate::domain::merge::{self, Contribution, MergeOptions};
use crate::domain::questionnaire::{Question, QuestionBank};
use crate::domain::scale::Answer;
use crate::domain::scoring::{self, Tally};
use crate::domain::session::Session;
use crate::report::{self, Format, Options, ReportError, Template};
use crate::store::prework::{self as prework_files, Document as FileDocument, PreworkFileError};
use crate::store::{
    Position, SaveOutcome, SessionLock, SessionStore, SessionWriter, StoreError, Summary,
    new_session_id,
};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::Input;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

pub use super::layer::{Message, MessageKind};

/// How often the section timer is written to the session while it runs.
const TIMER_SAVE_EVERY: Duration = Duration::from_secs(60);

/// How long an export may keep the screen waiting before it goes on in the background.
const EXPORT_PATIENCE: Duration = Duration::from_millis(300);

/// Returns the current time; injected so that tests are repeatable.
pub type Clock = Box<dyn Fn() -> Timestamp>;

/// How the program ended: what to tell the person once the terminal is theirs again, and
/// whether the exit status says something was not saved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Exit {
    /// Everything was saved (or there was nothing to save).
    #[default]
    Saved,
    /// The session could not be saved; its changes are in a rescue copy.
    Rescued {
        /// The session's name and id.
        session: String,
        /// Why saving failed.
        reason: String,
        /// What the session file lacks.
        changes: Vec<String>,
        /// The rescue copy.
        path: PathBuf,
    },
    /// The person chose to leave without saving.
    Discarded {
        /// The session's name and id.
        session: String,
        /// Why saving failed.
        reason: String,
        /// What was given up.
        changes: Vec<String>,
    },
    /// Neither a save nor a rescue copy could be written (the program was told to stop).
    Lost {
        /// The session's name and id.
        session: String,
        /// Why saving failed.
        reason: String,
        /// What was lost.
        changes: Vec<String>,
        /// Why the rescue copy failed.
        rescue: String,
    },
}

impl Exit {
    /// Whether everything was saved.
    pub fn saved(&self) -> bool {
        matches!(self, Exit::Saved)
    }

    /// The message for standard error, unless everything was saved.
    pub fn report(&self) -> Option<String> {
        let list = |changes: &[String]| {
            changes
                .iter()
                .map(|c| format!("  - {c}\n"))
                .collect::<String>()
        };
        match self {
            Exit::Saved => None,
            Exit::Rescued {
                session,
                reason,
                changes,
                path,
            } => Some(format!(
                "aiready: the session {session} could not be saved ({reason}).\nIts changes are in the rescue copy {}; to use it, put it in the data folder in place of the session's file (a session file named <id>.ron).\nNot in the session file:\n{}",
                path.display(),
                list(changes)
            )),
            Exit::Discarded {
                session,
                reason,
                changes,
            } => Some(format!(
                "aiready: quit without saving the session {session} (saving failed: {reason}).\nDiscarded:\n{}",
                list(changes)
            )),
            Exit::Lost {
                session,
                reason,
                changes,
                rescue,
            } => Some(format!(
                "aiready: the session {session} could not be saved ({reason}) and no rescue copy could be written ({rescue}).\nLost:\n{}",
                list(changes)
            )),
        }
    }
}

/// What an export running in the background sends back.
enum ExportDone {
    /// The report was written.
    Written,
    /// The file exists; the rendered report waits for "overwrite?".
    Exists(PendingWrite),
    /// Why it failed.
    Failed(String),
}

/// An export running in the background, so that the screen never waits for a template.
struct ExportTask {
    done: mpsc::Receiver<ExportDone>,
    cancel: Arc<AtomicBool>,
    format: Format,
    path: PathBuf,
}

/// The whole application.
pub struct App<'b> {
    /// The active questions; the built-in ones are decoded when first needed.
    pub bank: &'b Bank<'b>,
    store: Arc<dyn SessionStore>,
    /// The active key bindings.
    pub keymap: Keymap,
    /// The active theme.
    pub theme: Theme,
    clock: Clock,
    /// Time zone for times shown.
    pub time_zone: TimeZone,
    /// Screens and popups, the active one last; the list of sessions is always at the bottom.
    pub layers: Vec<Layer>,
    /// The session being worked on.
    pub open: Option<OpenSession<'b>>,
    /// The latest message for the status line.
    pub message: Option<Message>,
    /// Why the last save failed; cleared by the next successful save.
    pub save_error: Option<String>,
    /// Where the user's key map would be, for the help screen.
    pub keymap_path: String,
    /// Where reports are written and the report template is found.
    pub export_places: ExportPlaces,
    /// How long an export may keep the screen before it goes on in the background.
    pub export_patience: Duration,
    /// How the program ended, once it has.
    pub exit: Exit,
    /// The changes the last successful save did not include, described for people.
    pub unsaved_changes: Vec<String>,
    /// For each of [`App::unsaved_changes`], the hand-over to the writer that includes it.
    unsaved_handovers: Vec<u64>,
    /// The number of the last hand-over to the open session's writer.
    handed: u64,
    export_task: Option<ExportTask>,
    /// The terminal's size, once known; below the minimum only quit and help act.
    size: Option<(u16, u16)>,
    running: bool,
    /// A change to the open session waits for the save that ends the current action.
    unsaved: bool,
    /// The question last recorded as the facilitator's position.
    position: Option<String>,
    /// The workshop moved to another question since the last save (saved on leaving).
    moved: bool,
    /// Stands in for the screen while the stack is rebuilt (never shown).
    no_screen: Screen,
}

impl<'b> App<'b> {
    /// A new app on the list of sessions.
    pub fn new(
        bank: &'b Bank<'b>,
        store: Box<dyn SessionStore>,
        keymap: Keymap,
        theme: Theme,
        clock: Clock,
    ) -> App<'b> {
        let mut app = App::unlisted(bank, store, keymap, theme, clock);
        app.list_sessions();
        app
    }

    /// A new app whose list of sessions is read only when it is first shown (see
    /// [`App::list_sessions`]): for a start on one session, which needs no other.
    pub fn unlisted(
        bank: &'b Bank<'b>,
        store: Box<dyn SessionStore>,
        keymap: Keymap,
        theme: Theme,
        clock: Clock,
    ) -> App<'b> {
        App {
            bank,
            store: Arc::from(store),
            keymap,
            theme,
            clock,
            time_zone: crate::config::local_time_zone(),
            layers: vec![Layer::Screen(Screen::Home(HomeState::default()))],
            open: None,
            message: None,
            save_error: None,
            keymap_path: String::new(),
            export_places: ExportPlaces::default(),
            export_patience: EXPORT_PATIENCE,
            exit: Exit::Saved,
            unsaved_changes: Vec::new(),
            unsaved_handovers: Vec::new(),
            handed: 0,
            export_task: None,
            size: None,
            running: true,
            unsaved: false,
            position: None,
            moved: false,
            no_screen: Screen::Home(HomeState::default()),
        }
    }

    /// Reads the list of sessions into the screen at the bottom of the stack.
    pub fn list_sessions(&mut self) {
        let home = self.home_state(None);
        if let Some(bottom) = self.layers.first_mut() {
            *bottom = Layer::Screen(Screen::Home(home));
        }
    }

    /// Whether the app should keep running.
    pub fn running(&self) -> bool {
        self.running
    }

    /// Takes note of the terminal's size.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.size = Some((width, height));
    }

    /// Whether the terminal is below the size the screens are laid out for: the screens are
    /// hidden then, so keys must not change what nobody sees.
    pub fn too_small(&self) -> bool {
        self.size.is_some_and(|(width, height)| {
            width < super::widgets::MIN_WIDTH || height < super::widgets::MIN_HEIGHT
        })
    }

    /// The screen on top (popups over it aside).
    pub fn screen(&self) -> &Screen {
        self.layers
            .iter()
            .rev()
            .find_map(Layer::screen)
            .unwrap_or(&self.no_screen)
    }

    /// The popup on top, if the top layer is one.
    pub fn popup(&self) -> Option<&Popup> {
        self.layers.last().and_then(Layer::popup)
    }

    /// The export popup, wherever it is in the stack.
    pub fn export(&self) -> Option<&ExportState> {
        self.layers
            .iter()
            .rev()
            .find_map(|layer| match layer.popup() {
                Some(Popup::Export(state)) => Some(state),
                _ => None,
            })
    }

    /// The export popup, when it is on top (not under the help screen).
    pub fn active_export(&self) -> Option<&ExportState> {
        match self.popup() {
            Some(Popup::Export(state)) => Some(state),
            _ => None,
        }
    }

    fn export_mut(&mut self) -> Option<&mut ExportState> {
        match self.layers.last_mut().and_then(Layer::popup_mut) {
            Some(Popup::Export(state)) => Some(state),
            _ => None,
        }
    }

    /// The question at a position of the open session's navigation.
    pub fn question(&self, at: NavQuestion) -> Option<&Question> {
        super::session::question_at(self.bank, at)
    }

    /// The current time.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// What screens and popups may read.
    pub fn view(&self) -> View<'_> {
        View {
            bank: self.bank,
            open: self.open.as_ref(),
            theme: &self.theme,
            keymap: &self.keymap,
            time_zone: &self.time_zone,
            export_places: &self.export_places,
            keymap_path: &self.keymap_path,
            save_error: self.save_error.as_deref(),
            unsaved: &self.unsaved_changes,
            saving: !self.unsaved_changes.is_empty(),
            today: self.today(),
        }
    }

    /// Whether changes handed to the writer are still being written, or written without their
    /// outcome taken in yet: the event loop polls often until it is, so that a failure (or the
    /// end of "saving") shows at once rather than on the next slow tick.
    pub fn saving(&self) -> bool {
        let outcome_due =
            self.save_error.is_none() && self.unsaved_handovers.iter().any(|&h| h <= self.handed);
        outcome_due || self.writer().is_some_and(SessionWriter::busy)
    }

    /// Waits until every change handed to the writer is written or has failed, and takes in
    /// how it went (the status line, the unsaved changes).
    pub fn wait_for_saves(&mut self) {
        if let Some(outcome) = self.writer().map(SessionWriter::wait) {
            self.take_outcome(outcome);
        }
    }

    /// The writer of the open session, when this process may save it.
    fn writer(&self) -> Option<&SessionWriter> {
        match &self.open.as_ref()?.document {
            Document::Stored { writer, .. } => writer.as_ref(),
            Document::Prework { .. } => None,
        }
    }

    /// Takes in how the saves handed over so far went, without waiting.
    fn poll_saves(&mut self) {
        if let Some(outcome) = self.writer().map(SessionWriter::outcome) {
            self.take_outcome(outcome);
        }
    }

    /// Takes in a save's outcome: a failure is shown until a later save works; the changes a
    /// successful save included are no longer unsaved.
    fn take_outcome(&mut self, outcome: SaveOutcome) {
        match outcome.error {
            Some(problem) => self.save_error = Some(problem),
            None => {
                self.save_error = None;
                let mut handovers = self.unsaved_handovers.iter();
                self.unsaved_changes
                    .retain(|_| handovers.next().is_some_and(|h| *h > outcome.through));
                self.unsaved_handovers.retain(|h| *h > outcome.through);
            }
        }
    }

    /// Today in the app's time zone.
    pub fn today(&self) -> jiff::civil::Date {
        self.now().to_zoned_datetime(self.time_zone.clone()).date()
    }

    /// The stack of layers to change, and the view they read, borrowed apart.
    fn split(&mut self) -> (&mut Vec<Layer>, View<'_>) {
        let today = self.today();
        let App {
            bank,
            theme,
            keymap,
            time_zone,
            layers,
            open,
            keymap_path,
            export_places,
            save_error,
            unsaved_changes,
            ..
        } = self;
        let saving = !unsaved_changes.is_empty();
        let view = View {
            bank,
            open: open.as_ref(),
            theme,
            keymap,
            time_zone,
            export_places,
            keymap_path,
            save_error: save_error.as_deref(),
            unsaved: unsaved_changes,
            saving,
            today,
        };
        (layers, view)
    }

    /// The key context of the layer on top and whether keys type text there.
    pub fn context(&self) -> (Context, bool) {
        self.layers
            .last()
            .map_or((Context::Home, false), Layer::context)
    }

    /// Translates a key into an action through the key map; unbound keys in a text field are
    /// typed into it, and there undo and redo act on the text.
    pub fn action_for_key(&self, key: KeyEvent) -> Option<Action> {
        let chord = Chord::from_event(&key);
        let (context, typing) = self.context();
        match self.keymap.lookup(context, &chord, typing) {
            Some(Command::Undo | Command::Redo) if typing => Some(Action::Input(Input::from(key))),
            Some(command) => command_action(command, &chord),
            None if typing => Some(Action::Input(Input::from(key))),
            None => None,
        }
    }

    /// Runs an action: the app's own (quit, help, theme, time), or the top layer's, then the
    /// effects it asked for; a change is saved before this returns.
    pub fn dispatch(&mut self, action: Action) {
        let keeps_going = matches!(
            action,
            Action::Tick(_) | Action::Save | Action::Quit | Action::ForceQuit | Action::Help
        );
        if self.too_small() && !keeps_going {
            return;
        }
        let by_user = !matches!(action, Action::Tick(_) | Action::Save);
        if by_user {
            self.message = None;
        }
        self.poll_saves();
        let before = self.cursor();
        match action {
            Action::ForceQuit | Action::Quit => self.quit(),
            Action::CycleTheme => {
                self.theme = Theme::new(self.theme.name.next(), self.theme.no_color);
                self.info(format!("Theme: {}", self.theme.name.title()));
            }
            Action::Help => {
                if !matches!(self.screen(), Screen::Help(_)) {
                    let (context, _) = self.context();
                    self.layers
                        .push(Layer::Screen(Screen::Help(HelpState::new(context))));
                }
            }
            Action::Tick(elapsed) => self.tick(elapsed),
            Action::Undo => self.undo(false),
            Action::Redo => self.undo(true),
            Action::Save => self.unsaved = true,
            Action::OpenSession(id) => self.open_session(&id),
            Action::Follow if self.open.as_ref().and_then(|o| o.watch()).is_some() => {
                self.follow_again();
            }
            action => {
                let (layers, view) = self.split();
                if let Some(top) = layers.last_mut() {
                    let outcome = top.update(&view, action);
                    self.apply(outcome);
                }
            }
        }
        self.follow_section();
        if by_user && before.is_some() && self.cursor() != before {
            self.moved_by_user();
        }
        if self.unsaved {
            self.save();
        }
        self.record_position();
    }

    /// Performs a layer's effects, then its transition.
    fn apply(&mut self, outcome: Outcome) {
        for effect in outcome.effects {
            self.perform(effect);
        }
        match outcome.transition {
            Transition::Stay => {}
            Transition::Close => self.close_top(),
            Transition::CloseWith(reply) => {
                self.close_top();
                self.reply(reply);
            }
            Transition::Push(layer) => self.layers.push(*layer),
            Transition::Home => self.leave_session(),
        }
    }

    /// Back to the list of sessions, once everything is saved; otherwise asks what to do.
    fn leave_session(&mut self) {
        self.shutdown();
        if self.save_error.is_some() {
            self.ask_unsaved(Leaving::Home);
            return;
        }
        self.go_home();
    }

    /// Closes the session without saving again and shows the list of sessions.
    fn go_home(&mut self) {
        self.open = None;
        self.save_error = None;
        self.forget_unsaved();
        self.layers.clear();
        let home = self.home_state(None);
        self.layers.push(Layer::Screen(Screen::Home(home)));
    }

    /// Quits once everything is saved; otherwise asks what to do.
    fn quit(&mut self) {
        self.shutdown();
        if self.save_error.is_some() {
            self.ask_unsaved(Leaving::Quit);
            return;
        }
        self.running = false;
    }

    /// Opens the popup about changes a failed save did not write (once).
    fn ask_unsaved(&mut self, leaving: Leaving) {
        if let Some(Popup::Unsaved(state)) = self.layers.last_mut().and_then(Layer::popup_mut) {
            state.leaving = leaving;
            return;
        }
        let path = self.export_places.dir.join(self.rescue_name());
        self.layers
            .push(Popup::Unsaved(UnsavedState::new(leaving, path)).into());
    }

    /// Shows in the unsaved-changes popup and the status line why its choice did not work.
    fn unsaved_failed(&mut self, problem: String) {
        if let Some(Popup::Unsaved(state)) = self.layers.last_mut().and_then(Layer::popup_mut) {
            state.failed(problem.clone());
        }
        self.error(problem);
    }

    /// What happens once the changes are safe or given up.
    fn leave(&mut self, leaving: Leaving) {
        if matches!(self.popup(), Some(Popup::Unsaved(_))) {
            self.layers.pop();
        }
        match leaving {
            Leaving::Quit => self.running = false,
            Leaving::Home => self.go_home(),
        }
    }

    /// The session's name and id, for messages after the program ends.
    fn session_label(&self) -> String {
        self.open.as_ref().map_or_else(String::new, |o| {
            format!("\"{}\" ({})", o.session.name, o.session.id)
        })
    }

    /// A file name for a rescue copy of the open session, unique to the second.
    fn rescue_name(&self) -> String {
        let id = self
            .open
            .as_ref()
            .map_or("session", |o| o.session.id.as_str());
        let stamp = self.now().strftime("%Y%m%dT%H%M%SZ");
        format!("{id}-rescue-{stamp}.ron")
    }

    /// Writes the open session, in the session file format, to `path` (a file, or a folder
    /// that gets the rescue name) or, without one, to the current folder and failing that the
    /// system's temporary folder. Returns the file written, or why nothing was.
    fn write_rescue(&self, path: Option<PathBuf>) -> Result<PathBuf, String> {
        let Some(open) = &self.open else {
            return Err("no session is open".into());
        };
        let text = crate::store::encode(&open.session).map_err(|e| e.to_string())?;
        let name = self.rescue_name();
        let places = match path {
            Some(path) if path.is_dir() => vec![path.join(&name)],
            Some(path) => vec![path],
            None => vec![
                self.export_places.dir.join(&name),
                std::env::temp_dir().join(&name),
            ],
        };
        let mut problems = Vec::new();
        for place in places {
            match report::write_file(&place, &text, false) {
                Ok(()) => return Ok(place),
                Err(e) => problems.push(e.to_string()),
            }
        }
        Err(problems.join("; "))
    }

    /// Stops the program from outside (a hang-up or a request to terminate): saves, and when
    /// that fails writes a rescue copy. Returns how it ended.
    pub fn terminate(&mut self) -> Exit {
        self.shutdown();
        self.running = false;
        if self.save_error.is_some() {
            self.exit = self.rescue_exit(None);
        }
        self.exit.clone()
    }

    /// The exit after an attempt to write a rescue copy.
    fn rescue_exit(&self, path: Option<PathBuf>) -> Exit {
        let session = self.session_label();
        let reason = self.save_error.clone().unwrap_or_default();
        let changes = self.unsaved_changes.clone();
        match self.write_rescue(path) {
            Ok(path) => Exit::Rescued {
                session,
                reason,
                changes,
                path,
            },
            Err(rescue) => Exit::Lost {
                session,
                reason,
                changes,
                rescue,
            },
        }
    }

    /// Hands an answer to the layer on top.
    fn reply(&mut self, reply: Reply) {
        let (layers, view) = self.split();
        if let Some(top) = layers.last_mut() {
            let outcome = top.on_reply(&view, reply);
            self.apply(outcome);
        }
    }

    fn perform(&mut self, effect: Effect) {
        match effect {
            Effect::Edit(edit) => self.edit(edit),
            Effect::Status(message) => self.message = Some(message),
            Effect::Open(id) => self.open_session(&id),
            Effect::Create(draft) => self.create_session(&draft),
            Effect::Reassess(id) => self.reassess(&id),
            Effect::Delete { id, name, row } => self.delete_session(&id, &name, row),
            Effect::BeginExport(source) => self.begin_export(source),
            Effect::Export(job) => self.run_export(job),
            Effect::Overwrite(pending) => self.overwrite(pending),
            Effect::CancelExport => self.cancel_export(),
            Effect::RetrySave(leaving) => {
                self.save_and_wait();
                match &self.save_error {
                    None => self.leave(leaving),
                    Some(problem) => {
                        self.unsaved_failed(format!("Tried again: still not saved. {problem}"))
                    }
                }
            }
            Effect::Rescue { path, leaving } => match self.write_rescue(path) {
                Ok(path) => {
                    let shown = path.display().to_string();
                    if leaving == Leaving::Quit {
                        self.exit = Exit::Rescued {
                            session: self.session_label(),
                            reason: self.save_error.clone().unwrap_or_default(),
                            changes: self.unsaved_changes.clone(),
                            path,
                        };
                    }
                    self.leave(leaving);
                    self.info(format!(
                        "Wrote a rescue copy to {shown}; the session's own file does not have those changes."
                    ));
                }
                Err(problem) => {
                    self.unsaved_failed(format!("No rescue copy was written: {problem}"))
                }
            },
            Effect::Discard(leaving) => {
                let count = self.unsaved_changes.len();
                if leaving == Leaving::Quit {
                    self.exit = Exit::Discarded {
                        session: self.session_label(),
                        reason: self.save_error.clone().unwrap_or_default(),
                        changes: self.unsaved_changes.clone(),
                    };
                }
                self.leave(leaving);
                if leaving == Leaving::Home {
                    self.warn(format!(
                        "Left the session without saving {count} change(s)."
                    ));
                }
            }
            Effect::BeginOpenPrework => self.begin_open_prework(),
            Effect::OpenPrework(path) => self.open_prework(&path),
            Effect::PreviewMerge { folder, options } => self.preview_merge(&folder, options),
        }
    }

    /// Closes the layer on top (never the list of sessions at the bottom).
    fn close_top(&mut self) {
        if self.layers.len() > 1 {
            self.layers.pop();
        }
        // The list of sessions shows what changed while it was covered.
        let selected = match self.layers.last() {
            Some(Layer::Screen(Screen::Home(home))) => Some(home.selected_id().map(str::to_string)),
            _ => None,
        };
        if let Some(selected) = selected {
            let home = self.home_state(selected.as_deref());
            if let Some(top) = self.layers.last_mut() {
                *top = Layer::Screen(Screen::Home(home));
            }
        }
    }

    // ----- status ---------------------------------------------------------------------------

    fn status(&mut self, kind: MessageKind, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            kind,
        });
    }

    fn info(&mut self, text: impl Into<String>) {
        self.status(MessageKind::Info, text);
    }

    fn warn(&mut self, text: impl Into<String>) {
        self.status(MessageKind::Warn, text);
    }

    fn error(&mut self, text: impl Into<String>) {
        self.status(MessageKind::Error, text);
    }

    // ----- the open session -----------------------------------------------------------------

    /// Saves the open session: a stored session is handed to its writer, which writes it
    /// without holding up the next frame (its outcome is taken in at the next action or tick);
    /// a pre-work file is written at once. A failure is kept for the status line, and the
    /// in-memory session stays as it is so that the next save can write it.
    fn save(&mut self) {
        self.unsaved = false;
        self.moved = false;
        let Some(open) = &mut self.open else { return };
        let result = match &mut open.document {
            Document::Stored {
                writer: Some(writer),
                ..
            } => {
                let patch = open.unsent.take(&open.session);
                let summary = Summary::of(&open.session, &open.results);
                self.handed = writer.hand_over(patch, summary);
                // The memory store of tests writes during the hand-over.
                let outcome = writer.outcome();
                return self.take_outcome(outcome);
            }
            Document::Prework {
                prework,
                lock: Some(lock),
                ..
            } => {
                prework.take_answers(&open.session);
                prework_files::save(lock, prework).map_err(|e| e.to_string())
            }
            Document::Stored { writer: None, .. } | Document::Prework { lock: None, .. } => return,
        };
        match result {
            Ok(()) => {
                self.save_error = None;
                self.forget_unsaved();
            }
            Err(e) => self.save_error = Some(e),
        }
    }

    /// Saves and waits until the save is written: for a retry, and before the session is
    /// left. Without new changes the session is written again as it is.
    fn save_and_wait(&mut self) {
        self.save();
        self.wait_for_saves();
    }

    /// No change waits to be saved any more (saved, or given up with the session).
    fn forget_unsaved(&mut self) {
        self.unsaved_changes.clear();
        self.unsaved_handovers.clear();
    }

    /// Applies a change to the open session, stamps it and marks it for saving. Refused, with
    /// a message, when the session is read-only.
    fn edit(&mut self, edit: Edit) {
        let now = self.now();
        let on_agenda = self.following_agenda();
        let Some(open) = &mut self.open else { return };
        if open.read_only() {
            let message = open.read_only_message();
            self.warn(message);
            return;
        }
        // A question agreed on while the agenda is followed counts towards its pace.
        if let Edit::Answer {
            question,
            answer: Some(_),
        } = &edit
            && on_agenda
            && open.session.answer(question).is_none()
        {
            open.session.triage.decided = open.session.triage.decided.saturating_add(1);
        }
        let before = Part::of(&open.session, &edit);
        edit.apply(self.bank, &mut open.session, now);
        open.session.updated = now;
        rescore(self.bank, open, &before);
        if matches!(edit, Edit::Setup(_)) {
            open.nav = Nav::of(self.bank, &open.session, &open.document);
        }
        open.history.record(Change {
            description: edit.describe(),
            before,
            after: Part::of(&open.session, &edit),
        });
        let (layers, view) = self.split();
        for layer in layers.iter_mut() {
            layer.session_changed(&view);
        }
        self.unsaved = true;
        self.note_unsaved(edit.describe());
    }

    /// Opens a session for writing, or read-only (refreshed after each save by the process
    /// that has it) when another process has it.
    pub fn open_session(&mut self, id: &str) {
        self.close_session();
        match self.store.open(id) {
            Ok((session, lock)) => {
                let document = Document::Stored {
                    writer: Some(self.writer_for(lock, &session)),
                    watch: None,
                };
                self.start_workshop(session, document);
            }
            Err(StoreError::Locked { .. }) => {
                if self.open_read_only(id, false) {
                    self.warn(
                        "This session is open in another aiready process: it is shown read-only here, and follows their saves.",
                    );
                }
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    /// Opens a session read-only and follows the facilitator: the screen shows their
    /// question and redraws after each of their saves.
    pub fn follow_session(&mut self, id: &str) {
        self.close_session();
        if self.open_read_only(id, true) {
            self.follow_again();
            let facilitator = self
                .open
                .as_ref()
                .map(|o| o.session.facilitator.clone())
                .filter(|f| !f.is_empty())
                .unwrap_or_else(|| "the facilitator".into());
            self.info(format!(
                "Following {facilitator}: this window shows their question and redraws after each of their saves."
            ));
        }
    }

    /// Opens a session without its lock; true when it could be read.
    fn open_read_only(&mut self, id: &str, follow: bool) -> bool {
        let revision = self.store.revision(id);
        match self.store.load(id) {
            Ok(session) => {
                let watch = Watch {
                    revision,
                    follow,
                    paused: false,
                    position: None,
                };
                let document = Document::Stored {
                    writer: None,
                    watch: Some(watch),
                };
                self.start_workshop(session, document);
                true
            }
            Err(e) => {
                self.error(e.to_string());
                false
            }
        }
    }

    /// Takes back the last change to the open session (or makes the last undone one again),
    /// saves, says what it was and shows its question.
    fn undo(&mut self, redo: bool) {
        let now = self.now();
        let Some(open) = &mut self.open else {
            return self.info("There is nothing to undo: no session is open.");
        };
        if open.read_only() {
            let message = open.read_only_message();
            return self.warn(message);
        }
        let change = if redo {
            open.history.redo(&mut open.session)
        } else {
            open.history.undo(&mut open.session)
        };
        let Some(change) = change else {
            return self.info(if redo {
                "There is nothing to redo."
            } else {
                "There is nothing to undo since the session was opened."
            });
        };
        let description = change.description.clone();
        let question = change.before.question().map(str::to_string);
        let scope = change.before.changes_scope();
        let part = change.before.clone();
        open.session.updated = now;
        rescore(self.bank, open, &part);
        if scope {
            open.nav = Nav::of(self.bank, &open.session, &open.document);
        }
        let position = question.and_then(|q| open.nav.position_of(self.bank, &q));
        let (layers, view) = self.split();
        for layer in layers.iter_mut() {
            // Lists drawn from the session (the triage agenda) follow any change.
            layer.session_changed(&view);
            if let Some(position) = position {
                layer.show_question(position);
            }
        }
        self.unsaved = true;
        let (done, again, command) = if redo {
            ("Redone", "undoes", Command::Undo)
        } else {
            ("Undone", "redoes", Command::Redo)
        };
        self.note_unsaved(format!("{} of {description}", done.to_lowercase()));
        let key = self.keymap.key_for(Context::Global, command);
        self.info(format!("{done}: {description}. {key} {again} it."));
    }

    /// Remembers a change until a save includes it: the next hand-over to the writer.
    fn note_unsaved(&mut self, change: String) {
        let handover = self.handed + 1;
        match self.unsaved_changes.iter().position(|c| *c == change) {
            // Made again: saved with the newer hand-over.
            Some(at) => {
                if let Some(handed) = self.unsaved_handovers.get_mut(at) {
                    *handed = handover;
                }
            }
            None => {
                self.unsaved_changes.push(change);
                self.unsaved_handovers.push(handover);
            }
        }
    }

    /// Opens a pre-work file to answer it, or read-only when another process has it.
    pub fn open_prework(&mut self, path: &Path) {
        let opened = match prework_files::open(path) {
            Ok((prework, lock)) => Ok((prework, Some(lock))),
            Err(PreworkFileError::Locked { .. }) => {
                prework_files::load(path).map(|prework| (prework, None))
            }
            Err(e) => Err(e),
        };
        let (prework, lock) = match opened {
            Ok(opened) => opened,
            Err(e) => {
                let problem = e.to_string();
                if let Some(Popup::OpenPrework(state)) =
                    self.layers.last_mut().and_then(Layer::popup_mut)
                {
                    state.failed(problem.clone());
                }
                self.error(problem);
                return;
            }
        };
        self.close_session();
        let read_only = lock.is_none();
        let other_content = prework.content_hash != self.bank.content_hash;
        let session = prework.to_session(self.bank);
        let document = Document::Prework {
            prework: Box::new(prework),
            path: path.to_path_buf(),
            lock,
        };
        self.start_workshop(session, document);
        if read_only {
            self.warn("This pre-work file is open in another aiready process: it is shown read-only here.");
        } else if other_content {
            self.warn("This pre-work was prepared with other questionnaires than this aiready has; questions it lacks are not shown, their answers are kept.");
        }
    }

    /// The writer of a session opened for writing, holding its lock.
    fn writer_for(&self, lock: SessionLock, session: &Session) -> SessionWriter {
        SessionWriter::new(
            Arc::clone(&self.store),
            lock,
            session.clone(),
            self.bank.content_hash().to_string(),
        )
    }

    fn start_workshop(&mut self, session: Session, document: Document) {
        let nav = Nav::of(self.bank, &session, &document);
        let (results, tally) = Tally::score(self.bank, &session);
        // Back where it was left; else at the first question not answered yet.
        let cursor = session
            .last_question
            .as_deref()
            .and_then(|id| nav.position_of(self.bank, id))
            .or_else(|| first_unanswered(&nav, &session, self.bank, 0))
            .unwrap_or(0);
        let orphaned = results.orphaned.len();
        let section = nav.section_of(cursor);
        // A re-assessment is shown against the session it started from, when that is still
        // stored; it is only read.
        let baseline = session
            .started_from
            .as_ref()
            .and_then(|from| self.store.load(&from.id).ok())
            .map(|previous| Baseline {
                results: scoring::score(self.bank, &previous),
                session: previous,
            });
        let prework = matches!(document, Document::Prework { .. });
        let usage = match &document {
            Document::Prework { .. } => Use::Prework,
            Document::Stored { writer: None, .. } => Use::Viewing,
            Document::Stored { .. } => Use::Workshop,
        };
        self.position = None;
        self.save_error = None;
        self.forget_unsaved();
        // The session's writer counts its hand-overs from the start.
        self.handed = 0;
        self.open = Some(OpenSession {
            session,
            document,
            nav,
            results,
            tally,
            unsent: Default::default(),
            pending_time: Duration::ZERO,
            pending_triage: Duration::ZERO,
            section,
            history: History::default(),
            baseline,
        });
        if orphaned > 0 && self.message.is_none() && !prework {
            self.warn(format!(
                "{orphaned} recorded answer(s) belong to questions the current questionnaires no longer have; they are kept and listed in the results."
            ));
        }
        // Whatever was on top of the list of sessions goes.
        self.layers.truncate(1);
        self.layers
            .push(Layer::Screen(Screen::Workshop(WorkshopState::for_use(
                cursor, usage,
            ))));
    }

    fn create_session(&mut self, draft: &Draft) {
        let now = self.now();
        let id = new_session_id(&draft.name, now);
        let mut session = Session::new(id, draft.name.clone(), self.bank, now);
        draft.apply(&mut session, now);
        match self.store.create(&session) {
            Ok(lock) => {
                let document = Document::Stored {
                    writer: Some(self.writer_for(lock, &session)),
                    watch: None,
                };
                self.start_workshop(session, document);
            }
            Err(e) => self.reply(Reply::Refused(e.to_string())),
        }
    }

    /// Starts a new session from a stored one: its setup, answers, notes and actions carried
    /// over to be confirmed. The stored one is only read.
    fn reassess(&mut self, id: &str) {
        let previous = match self.store.load(id) {
            Ok(previous) => previous,
            Err(e) => {
                self.error(e.to_string());
                return;
            }
        };
        let now = self.now();
        let name = crate::domain::reassess::reassessment_name(&previous.name, self.today());
        let session = crate::domain::reassess::start_from(
            &previous,
            self.bank,
            new_session_id(&name, now),
            name,
            now,
        );
        let carried = session.unconfirmed_count();
        match self.store.create(&session) {
            Ok(lock) => {
                let document = Document::Stored {
                    writer: Some(self.writer_for(lock, &session)),
                    watch: None,
                };
                self.start_workshop(session, document);
                let next = self
                    .keymap
                    .key_for(Context::Workshop, Command::NextUnconfirmed);
                self.info(format!(
                    "Started from \"{}\": {carried} answer(s) carried over to confirm; {next} goes to the next.",
                    crate::text::value(&previous.name)
                ));
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    fn close_session(&mut self) {
        if self.flush_timer(true) || self.moved {
            self.save();
        }
        self.open = None;
    }

    /// Writes everything in flight (notes being typed, time on the section) and saves.
    fn shutdown(&mut self) {
        let notes = self.layers.iter().find_map(|layer| match layer.popup() {
            Some(Popup::Notes(notes)) => notes.pending(),
            _ => None,
        });
        if let Some(edit) = notes {
            self.edit(edit);
        }
        self.flush_timer(true);
        // A save that failed before is tried again: its changes are still only here.
        if self.unsaved || self.save_error.is_some() || self.moved {
            self.save();
        }
        // Whatever the writer still has in hand is written before anything is decided.
        self.wait_for_saves();
    }

    /// Adds the time spent on the current section to the session; true when something was
    /// added. With `all`, also a part of a second; otherwise only whole seconds, the rest
    /// stays pending.
    fn flush_timer(&mut self, all: bool) -> bool {
        let Some(open) = self.open.as_mut() else {
            return false;
        };
        if open.read_only() || open.prework().is_some() {
            open.pending_time = Duration::ZERO;
            open.pending_triage = Duration::ZERO;
            return false;
        }
        let mut added = false;
        let triage = open.pending_triage.as_secs();
        if triage > 0 {
            open.session.triage.spent = open.session.triage.spent.saturating_add(triage);
            open.pending_triage -= Duration::from_secs(triage);
            self.unsaved = true;
            added = true;
        }
        let Some(section) = open.section else {
            return added;
        };
        let mut secs = open.pending_time.as_secs();
        if all && open.pending_time.subsec_millis() >= 500 {
            secs += 1;
        }
        if secs == 0 {
            return added;
        }
        open.pending_time = if all {
            Duration::ZERO
        } else {
            open.pending_time - Duration::from_secs(secs)
        };
        open.session.add_time(section.category, section.stage, secs);
        self.unsaved = true;
        self.note_unsaved("time spent on sections".into());
        true
    }

    /// Keeps the timer on the section of the workshop's current question: time on the
    /// section left is written first.
    fn follow_section(&mut self) {
        let cursor = self.layers.iter().find_map(|layer| match layer {
            Layer::Screen(Screen::Workshop(ws)) => Some(ws.cursor),
            _ => None,
        });
        let (Some(cursor), Some(open)) = (cursor, &self.open) else {
            return;
        };
        let section = open.nav.section_of(cursor);
        let place = |s: Option<NavSection>| s.map(|s| (s.category, s.stage));
        if place(section) != place(open.section) {
            self.flush_timer(true);
        }
        let bank = self.bank;
        if let Some(open) = &mut self.open {
            open.section = section;
            // Where the session was left is where it reopens; not a change to undo or stamp.
            let here = open
                .nav
                .questions
                .get(cursor)
                .and_then(|at| super::session::question_at(bank, *at))
                .map(|q| q.id.clone());
            if here.is_some() && here != open.session.last_question {
                open.session.last_question = here;
                self.moved = true;
            }
        }
    }

    /// The section of the workshop screen's current question.
    pub fn current_section(&self) -> Option<NavSection> {
        self.open.as_ref()?.section
    }

    fn tick(&mut self, elapsed: Duration) {
        self.poll_export(Duration::ZERO);
        self.poll_saves();
        // Notes are saved a moment after the last keystroke.
        if let Some(Popup::Notes(notes)) = self.layers.last_mut().and_then(Layer::popup_mut)
            && let Some(edit) = notes.tick(elapsed)
        {
            self.edit(edit);
        }
        let timing = self
            .layers
            .iter()
            .any(|layer| matches!(layer, Layer::Screen(Screen::Workshop(_))));
        let on_agenda = self.following_agenda();
        if timing && let Some(open) = &mut self.open {
            open.pending_time += elapsed;
            if on_agenda {
                open.pending_triage += elapsed;
            }
            if open.pending_time >= TIMER_SAVE_EVERY || open.pending_triage >= TIMER_SAVE_EVERY {
                self.flush_timer(false);
            }
        }
        self.refresh_read_only();
    }

    // ----- the agenda, the facilitator's position and windows that follow ------------------

    /// The workshop screen's state, wherever it is in the stack.
    fn workshop(&self) -> Option<&WorkshopState> {
        self.layers.iter().find_map(|layer| match layer {
            Layer::Screen(Screen::Workshop(ws)) => Some(ws),
            _ => None,
        })
    }

    fn workshop_mut(&mut self) -> Option<&mut WorkshopState> {
        self.layers.iter_mut().find_map(|layer| match layer {
            Layer::Screen(Screen::Workshop(ws)) => Some(ws),
            _ => None,
        })
    }

    /// The workshop screen's current position, when it is open.
    fn cursor(&self) -> Option<usize> {
        self.workshop().map(|ws| ws.cursor)
    }

    /// Whether next and previous follow the triage agenda (or the agenda is on screen).
    pub fn following_agenda(&self) -> bool {
        self.workshop().is_some_and(|ws| ws.agenda.is_some())
            || matches!(self.screen(), Screen::Triage(_))
    }

    /// Records the facilitator's question beside the session when it changed, so that
    /// windows following the session show it.
    fn record_position(&mut self) {
        let question = self
            .cursor()
            .and_then(|c| self.open.as_ref()?.nav.questions.get(c).copied())
            .and_then(|at| self.question(at))
            .map(|q| q.id.clone());
        let Some(question) = question else { return };
        if self.position.as_ref() == Some(&question) {
            return;
        }
        let Some(OpenSession {
            document:
                Document::Stored {
                    writer: Some(writer),
                    ..
                },
            ..
        }) = &mut self.open
        else {
            return;
        };
        // Following is a convenience: the writer tries a position that cannot be written again
        // with its next save, and never lets it get in the way of the workshop.
        writer.position(Position {
            question: question.clone(),
        });
        self.position = Some(question);
    }

    /// A read-only window takes in the saves of the process that holds the session: the
    /// session is read again when its stored state changed, and a following window moves to
    /// the facilitator's question.
    fn refresh_read_only(&mut self) {
        let Some(open) = &self.open else { return };
        let Some(watch) = open.watch() else { return };
        let id = open.session.id.clone();
        let revision = self.store.revision(&id);
        if revision == watch.revision {
            return;
        }
        let session = match self.store.load(&id) {
            Ok(session) => session,
            Err(e) => {
                // Shown, and tried again at the next tick; the last good copy stays on screen.
                self.error(e.to_string());
                return;
            }
        };
        let position = self.store.position(&id).map(|p| p.question);
        let current = self
            .cursor()
            .and_then(|c| open.nav.questions.get(c).copied())
            .and_then(|at| self.question(at))
            .map(|q| q.id.clone());
        let Some(open) = &mut self.open else { return };
        open.nav = Nav::of(self.bank, &session, &open.document);
        (open.results, open.tally) = Tally::score(self.bank, &session);
        open.session = session;
        let (follow, paused) = match &mut open.document {
            Document::Stored {
                watch: Some(watch), ..
            } => {
                watch.revision = revision;
                watch.position.clone_from(&position);
                (watch.follow, watch.paused)
            }
            _ => (false, false),
        };
        let target = if follow && !paused {
            position.or(current)
        } else {
            current
        };
        let place = target.and_then(|id| open.nav.position_of(self.bank, &id));
        let (layers, view) = self.split();
        for layer in layers.iter_mut() {
            layer.session_changed(&view);
        }
        if let (Some(place), Some(ws)) = (place, self.workshop_mut()) {
            ws.cursor = place;
        }
        self.follow_section();
    }

    /// Goes to the facilitator's question and keeps following it.
    fn follow_again(&mut self) {
        let Some(open) = &mut self.open else { return };
        let id = open.session.id.clone();
        let position = self.store.position(&id).map(|p| p.question);
        if let Document::Stored {
            watch: Some(watch), ..
        } = &mut open.document
        {
            watch.paused = false;
            watch.position.clone_from(&position);
        }
        let place = position.and_then(|q| open.nav.position_of(self.bank, &q));
        if let (Some(place), Some(ws)) = (place, self.workshop_mut()) {
            ws.cursor = place;
        }
        self.follow_section();
    }

    /// A viewer who moves on their own stops following until they ask again.
    fn moved_by_user(&mut self) {
        let Some(Document::Stored {
            watch: Some(watch), ..
        }) = self.open.as_mut().map(|o| &mut o.document)
        else {
            return;
        };
        if watch.follow && !watch.paused {
            watch.paused = true;
            let again = self.keymap.key_for(Context::Viewing, Command::Follow);
            self.info(format!(
                "Following paused while you look around; {again} follows the facilitator again."
            ));
        }
    }

    // ----- pre-work -------------------------------------------------------------------------

    /// Offers the pre-work files of the current folder to open.
    fn begin_open_prework(&mut self) {
        // A folder that cannot be listed offers nothing; a path can still be typed.
        let found = prework_files::list(Path::new(".")).unwrap_or_default();
        let found = found
            .into_iter()
            .map(|p| p.strip_prefix(".").map(Path::to_path_buf).unwrap_or(p))
            .collect();
        self.layers
            .push(Popup::OpenPrework(OpenPreworkState::new(found)).into());
    }

    /// Reads the pre-work files of a folder and shows in the merge popup what merging them
    /// into the open session would do; nothing changes until the popup's yes.
    fn preview_merge(&mut self, folder: &Path, options: MergeOptions) {
        let result = self.read_contributions(folder).and_then(|contributions| {
            let open = self
                .open
                .as_ref()
                .ok_or_else(|| "No session is open.".to_string())?;
            let merged = merge::merge(
                &open.session,
                self.bank,
                &contributions,
                options,
                self.now(),
            )
            .map_err(|refused| {
                let mut text = format!("Nothing can be merged: {refused}");
                if refused
                    .0
                    .iter()
                    .any(|r| matches!(r, merge::Refusal::UnknownParticipant { .. }))
                {
                    text.push_str(" (choose \"add them\" to add them to the session)");
                }
                text
            })?;
            Ok(MergePreview {
                contributions,
                options,
                lines: merged.summary.lines(),
                changed: merged.changed,
            })
        });
        let Some(Popup::Merge(state)) = self.layers.last_mut().and_then(Layer::popup_mut) else {
            return;
        };
        match result {
            Ok(preview) => {
                state.error = None;
                state.preview = Some(preview);
            }
            Err(problem) => state.failed(problem),
        }
    }

    /// The contributions of every pre-work file in a folder.
    fn read_contributions(&self, folder: &Path) -> Result<Vec<Contribution>, String> {
        let files: Vec<PathBuf> = prework_files::list(folder).map_err(|e| e.to_string())?;
        if files.is_empty() {
            return Err(format!(
                "{} holds no pre-work files (names ending in {}).",
                folder.display(),
                prework_files::PREWORK_EXTENSION
            ));
        }
        let mut contributions = Vec::new();
        for file in files {
            match prework_files::read_document(&file).map_err(|e| e.to_string())? {
                FileDocument::Prework(prework) => {
                    // The folder is named above the summary; the file's name is enough.
                    let label = file.file_name().map_or_else(
                        || file.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    );
                    contributions.push(Contribution::from_prework(label, *prework, self.bank));
                }
                FileDocument::Session(_) => {
                    return Err(format!(
                        "{} is a session file, not pre-work; merge a solo session from the command line with `aiready merge SESSION FILE --as NAME`.",
                        file.display()
                    ));
                }
            }
        }
        Ok(contributions)
    }

    /// Seconds spent on the current section, including time not yet written.
    pub fn section_seconds(&self) -> u64 {
        self.open.as_ref().map_or(0, OpenSession::section_seconds)
    }

    // ----- the list of sessions -------------------------------------------------------------

    /// The list of sessions as the store has them now.
    fn home_state(&mut self, select: Option<&str>) -> HomeState {
        let mut entries = Vec::new();
        match self.store.summaries(self.bank) {
            Ok(list) => {
                for entry in list {
                    entries.push(match entry.summary {
                        Ok(summary) => HomeEntry::from_summary(summary),
                        Err(e) => HomeEntry::unreadable(entry.id, e.to_string()),
                    });
                }
            }
            Err(e) => self.error(e.to_string()),
        }
        // Most recently changed first; unreadable ones last.
        entries.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.id.cmp(&b.id)));
        HomeState::new(entries, select)
    }

    fn delete_session(&mut self, id: &str, name: &str, row: usize) {
        match self.store.delete(id) {
            Ok(()) => {
                let mut home = self.home_state(None);
                home.selected = row.min(home.entries.len().saturating_sub(1));
                if let Some(top) = self.layers.last_mut() {
                    *top = Layer::Screen(Screen::Home(home));
                }
                self.info(format!("Deleted \"{name}\"."));
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    // ----- export ---------------------------------------------------------------------------

    /// Opens the export popup for a stored session (read without taking it over) or the open
    /// one.
    fn begin_export(&mut self, source: ExportSource) {
        let session = match source {
            ExportSource::Stored(id) => match self.store.load(&id) {
                Ok(session) => session,
                Err(e) => {
                    self.error(e.to_string());
                    return;
                }
            },
            ExportSource::Open => {
                // Time on the current section goes into the report too.
                self.flush_timer(true);
                match &self.open {
                    Some(open) => open.session.clone(),
                    None => return,
                }
            }
        };
        self.layers
            .push(Popup::Export(ExportState::new(session)).into());
    }

    /// Renders and writes a report on a thread of its own, so that a slow or endless
    /// template never freezes the screen; waits a moment so that a quick export looks
    /// immediate. An existing file leaves the report waiting in the popup for the answer to
    /// "overwrite?".
    fn run_export(&mut self, job: ExportJob) {
        let template = match &self.export_places.config_dir {
            Some(dir) => match Template::resolve(job.format, None, dir) {
                Ok(template) => template,
                Err(e) => return self.export_failed(e.to_string()),
            },
            None => None,
        };
        let options = Options {
            anonymize: job.anonymize,
            template,
            generated: self.now(),
            ..Options::now()
        };
        let bank = QuestionBank::clone(self.bank);
        let cancel = Arc::new(AtomicBool::new(false));
        let (send, done) = mpsc::channel();
        let stop = Arc::clone(&cancel);
        let path = job.path.clone();
        let spawned = std::thread::Builder::new()
            .name("export".into())
            .spawn(move || {
                let result = match report::render_bytes(job.format, &bank, &job.session, &options) {
                    // Stopped while rendering: nothing is written.
                    Ok(_) if stop.load(Ordering::SeqCst) => return,
                    Ok(bytes) => match report::write_file(&job.path, &bytes, false) {
                        Ok(()) => ExportDone::Written,
                        Err(ReportError::Exists { path }) => {
                            ExportDone::Exists(PendingWrite { path, bytes })
                        }
                        Err(e) => ExportDone::Failed(e.to_string()),
                    },
                    Err(e) => ExportDone::Failed(e.to_string()),
                };
                // The app may have quit in the meantime; then nobody is waiting.
                let _ = send.send(result);
            });
        if let Err(e) = spawned {
            return self.export_failed(format!("cannot start the export: {e}"));
        }
        self.export_task = Some(ExportTask {
            done,
            cancel,
            format: job.format,
            path,
        });
        if let Some(state) = self.export_mut() {
            state.busy = true;
        }
        self.poll_export(self.export_patience);
    }

    /// Takes the result of the export in the background, waiting at most `patience`.
    fn poll_export(&mut self, patience: Duration) {
        let Some(task) = &self.export_task else {
            return;
        };
        let done = match task.done.recv_timeout(patience) {
            Ok(done) => done,
            Err(mpsc::RecvTimeoutError::Timeout) => return,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                ExportDone::Failed("the export stopped before the report was written".into())
            }
        };
        let Some(task) = self.export_task.take() else {
            return;
        };
        if let Some(state) = self.export_mut() {
            state.busy = false;
        }
        match done {
            ExportDone::Written => self.exported(task.format, &task.path),
            ExportDone::Exists(pending) => {
                if let Some(state) = self.export_mut() {
                    state.overwrite = Some(pending);
                }
            }
            ExportDone::Failed(problem) => self.export_failed(problem),
        }
    }

    /// Stops waiting for the export in the background; what it renders is not written.
    fn cancel_export(&mut self) {
        if let Some(task) = self.export_task.take() {
            task.cancel.store(true, Ordering::SeqCst);
            if let Some(state) = self.export_mut() {
                state.busy = false;
            }
            self.info("Stopped: the report is not written.");
        }
    }

    fn overwrite(&mut self, pending: PendingWrite) {
        let format = self
            .export()
            .map_or(Format::default(), |state| state.format);
        match report::write_file(&pending.path, &pending.bytes, true) {
            Ok(()) => self.exported(format, &pending.path),
            Err(e) => self.export_failed(e.to_string()),
        }
    }

    /// Closes the popup and says where the report is.
    fn exported(&mut self, format: Format, path: &Path) {
        if self.export_mut().is_some() {
            self.layers.pop();
        }
        self.info(format!("Wrote the {format} report to {}", path.display()));
    }

    /// Shows why an export failed in the popup and the status line; the popup stays open
    /// with every choice as it was.
    fn export_failed(&mut self, problem: String) {
        if let Some(state) = self.export_mut() {
            state.failed(problem.clone());
        }
        self.error(problem);
    }
}

/// Takes in a change to a part of the open session: re-scores only the questions whose records
/// it holds (everything, when it may have touched anything) and notes it for the writer.
fn rescore<'b>(bank: &'b QuestionBank, open: &mut OpenSession<'b>, part: &Part) {
    open.unsent.touched(part);
    match part.questions() {
        // Planned minutes: no score changes.
        Some(questions) if questions.is_empty() => {}
        Some(questions) => open
            .tally
            .rescore(bank, &open.session, &mut open.results, &questions),
        None => (open.results, open.tally) = Tally::score(bank, &open.session),
    }
}

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
        Command::FormatHtml => Action::ExportFormat(Format::Html),
        Command::FormatXlsx => Action::ExportFormat(Format::Xlsx),
        Command::FormatOscalAr => Action::ExportFormat(Format::OscalAr),
        Command::FormatOscalPoam => Action::ExportFormat(Format::OscalPoam),
        Command::RetrySave => Action::RetrySave,
        Command::Rescue => Action::Rescue,
        Command::EditPath => Action::EditPath,
        Command::Discard => Action::Discard,
        Command::Undo => Action::Undo,
        Command::Redo => Action::Redo,
        Command::Pick => Action::Pick,
        Command::Actions => Action::Actions,
        Command::ConfirmCarried => Action::ConfirmCarried,
        Command::NextUnconfirmed => Action::NextUnconfirmed,
        Command::Reassess => Action::Reassess,
        Command::Changes => Action::Changes,
        Command::Triage => Action::Triage,
        Command::Consensus => Action::Consensus,
        Command::QuestionnaireOrder => Action::QuestionnaireOrder,
        Command::Follow => Action::Follow,
        Command::OpenPrework => Action::OpenPrework,
        Command::MergePrework => Action::MergePrework,
    })
}
