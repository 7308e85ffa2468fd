//! The application: a stack of screens and popups ([`Layer`]s), the open session and the
//! store. [`App::dispatch`] hands each action to the layer on top and performs the effects it
//! asks for (change and save the session, open, create, delete, export); it is the only place
//! the session or the store changes.

use super::action::Action;
use super::edit::Edit;
use super::keymap::{Chord, Command, Context, Keymap};
use super::layer::{Effect, ExportSource, Layer, Outcome, Reply, Transition};
use super::popups::Popup;
use super::popups::export::{ExportJob, ExportPlaces, ExportState, PendingWrite};
use super::popups::merge::MergePreview;
use super::popups::open_prework::OpenPreworkState;
use super::screens::Screen;
use super::screens::help::HelpState;
use super::screens::home::{HomeEntry, HomeState};
use super::screens::setup::Draft;
use super::screens::workshop::{Use, WorkshopState};
use super::session::{
    Document, Nav, NavQuestion, NavSection, OpenSession, Watch, first_unanswered,
};
use super::theme::Theme;
use super::view::View;
use crate::domain::merge::{self, Contribution, MergeOptions};
use crate::domain::questionnaire::{Question, QuestionBank};
use crate::domain::scale::Answer;
use crate::domain::scoring;
use crate::domain::session::Session;
use crate::report::{self, Format, Options, ReportError, Template};
use crate::store::prework::{self as prework_files, Document as FileDocument, PreworkFileError};
use crate::store::{Position, SessionStore, StoreError, new_session_id};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::Input;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use super::layer::{Message, MessageKind};

/// How often the section timer is written to the session while it runs.
const TIMER_SAVE_EVERY: Duration = Duration::from_secs(60);

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
    running: bool,
    /// A change to the open session waits for the save that ends the current action.
    unsaved: bool,
    /// The question last recorded as the facilitator's position.
    position: Option<String>,
    /// Stands in for the screen while the stack is rebuilt (never shown).
    no_screen: Screen,
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
            layers: Vec::new(),
            open: None,
            message: None,
            save_error: None,
            keymap_path: String::new(),
            export_places: ExportPlaces::default(),
            running: true,
            unsaved: false,
            position: None,
            no_screen: Screen::Home(HomeState::default()),
        };
        let home = app.home_state(None);
        app.layers.push(Layer::Screen(Screen::Home(home)));
        app
    }

    /// Whether the app should keep running.
    pub fn running(&self) -> bool {
        self.running
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
        }
    }

    /// The stack of layers to change, and the view they read, borrowed apart.
    fn split(&mut self) -> (&mut Vec<Layer>, View<'_>) {
        let App {
            bank,
            theme,
            keymap,
            time_zone,
            layers,
            open,
            keymap_path,
            export_places,
            ..
        } = self;
        let view = View {
            bank,
            open: open.as_ref(),
            theme,
            keymap,
            time_zone,
            export_places,
            keymap_path,
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

    /// Runs an action: the app's own (quit, help, theme, time), or the top layer's, then the
    /// effects it asked for; a change is saved before this returns.
    pub fn dispatch(&mut self, action: Action) {
        let by_user = !matches!(action, Action::Tick(_) | Action::Save);
        if by_user {
            self.message = None;
        }
        let before = self.cursor();
        match action {
            Action::ForceQuit | Action::Quit => {
                self.shutdown();
                self.running = false;
            }
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
            Transition::Home => {
                self.close_session();
                self.layers.clear();
                let home = self.home_state(None);
                self.layers.push(Layer::Screen(Screen::Home(home)));
            }
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
            Effect::Delete { id, name, row } => self.delete_session(&id, &name, row),
            Effect::BeginExport(source) => self.begin_export(source),
            Effect::Export(job) => self.run_export(job),
            Effect::Overwrite(pending) => self.overwrite(pending),
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

    /// Saves the open session; a failure is kept for the status line, and the in-memory
    /// session stays as it is so that the next save can write it.
    fn save(&mut self) {
        self.unsaved = false;
        let Some(open) = &mut self.open else { return };
        let result = match &mut open.document {
            Document::Stored {
                lock: Some(lock), ..
            } => self
                .store
                .save(lock, &open.session)
                .map_err(|e| e.to_string()),
            Document::Prework {
                prework,
                lock: Some(lock),
                ..
            } => {
                prework.take_answers(&open.session);
                prework_files::save(lock, prework).map_err(|e| e.to_string())
            }
            Document::Stored { lock: None, .. } | Document::Prework { lock: None, .. } => return,
        };
        match result {
            Ok(()) => self.save_error = None,
            Err(e) => self.save_error = Some(e),
        }
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
        edit.apply(self.bank, &mut open.session, now);
        open.session.updated = now;
        open.results = scoring::score(self.bank, &open.session);
        self.unsaved = true;
        if matches!(edit, Edit::Setup(_)) {
            open.nav = Nav::of(self.bank, &open.session, &open.document);
        }
        let (layers, view) = self.split();
        for layer in layers.iter_mut() {
            layer.session_changed(&view);
        }
    }

    /// Opens a session for writing, or read-only (refreshed after each save by the process
    /// that has it) when another process has it.
    pub fn open_session(&mut self, id: &str) {
        self.close_session();
        match self.store.open(id) {
            Ok((session, lock)) => {
                let document = Document::Stored {
                    lock: Some(lock),
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
                    lock: None,
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

    fn start_workshop(&mut self, session: Session, document: Document) {
        let nav = Nav::of(self.bank, &session, &document);
        let results = scoring::score(self.bank, &session);
        let cursor = first_unanswered(&nav, &session, self.bank, 0).unwrap_or(0);
        let orphaned = results.orphaned.len();
        let section = nav.section_of(cursor);
        let prework = matches!(document, Document::Prework { .. });
        let usage = match &document {
            Document::Prework { .. } => Use::Prework,
            Document::Stored { lock: None, .. } => Use::Viewing,
            Document::Stored { .. } => Use::Workshop,
        };
        self.position = None;
        self.open = Some(OpenSession {
            session,
            document,
            nav,
            results,
            pending_time: Duration::ZERO,
            pending_triage: Duration::ZERO,
            section,
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
                    lock: Some(lock),
                    watch: None,
                };
                self.start_workshop(session, document);
            }
            Err(e) => self.reply(Reply::Refused(e.to_string())),
        }
    }

    fn close_session(&mut self) {
        if self.flush_timer(true) {
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
        if self.unsaved {
            self.save();
        }
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
        if let Some(open) = &mut self.open {
            open.section = section;
        }
    }

    /// The section of the workshop screen's current question.
    pub fn current_section(&self) -> Option<NavSection> {
        self.open.as_ref()?.section
    }

    fn tick(&mut self, elapsed: Duration) {
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
            document: Document::Stored {
                lock: Some(lock), ..
            },
            ..
        }) = &self.open
        else {
            return;
        };
        // Following is a convenience: a position that cannot be written is tried again at
        // the next move and never gets in the way of the workshop.
        if self
            .store
            .save_position(
                lock,
                &Position {
                    question: question.clone(),
                },
            )
            .is_ok()
        {
            self.position = Some(question);
        }
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
        open.results = scoring::score(self.bank, &session);
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

    /// Renders and writes a report. An existing file leaves the report waiting in the popup
    /// for the answer to "overwrite?".
    fn run_export(&mut self, job: ExportJob) {
        let template = match (&self.export_places.config_dir, job.format) {
            (Some(dir), Format::Markdown) => match Template::resolve(None, dir) {
                Ok(template) => template,
                Err(e) => return self.export_failed(e.to_string()),
            },
            _ => None,
        };
        let options = Options {
            anonymize: job.anonymize,
            template,
            generated: self.now(),
            ..Options::now()
        };
        let text = match report::render(job.format, self.bank, &job.session, &options) {
            Ok(text) => text,
            Err(e) => return self.export_failed(e.to_string()),
        };
        match report::write_file(&job.path, &text, false) {
            Ok(()) => self.exported(job.format, &job.path),
            Err(ReportError::Exists { path }) => {
                if let Some(state) = self.export_mut() {
                    state.overwrite = Some(PendingWrite { path, text });
                }
            }
            Err(e) => self.export_failed(e.to_string()),
        }
    }

    fn overwrite(&mut self, pending: PendingWrite) {
        let format = self
            .export()
            .map_or(Format::default(), |state| state.format);
        match report::write_file(&pending.path, &pending.text, true) {
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
        Command::Triage => Action::Triage,
        Command::Consensus => Action::Consensus,
        Command::QuestionnaireOrder => Action::QuestionnaireOrder,
        Command::Follow => Action::Follow,
        Command::OpenPrework => Action::OpenPrework,
        Command::MergePrework => Action::MergePrework,
    })
}
