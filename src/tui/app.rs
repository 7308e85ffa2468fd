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
use super::screens::Screen;
use super::screens::help::HelpState;
use super::screens::home::{HomeEntry, HomeState};
use super::screens::setup::Draft;
use super::screens::workshop::WorkshopState;
use super::session::{
    Nav, NavQuestion, NavSection, OpenSession, READ_ONLY_MESSAGE, first_unanswered,
};
use super::theme::Theme;
use super::view::View;
use crate::domain::questionnaire::{Question, QuestionBank};
use crate::domain::scale::Answer;
use crate::domain::scoring;
use crate::domain::session::Session;
use crate::report::{self, Format, Options, ReportError, Template};
use crate::store::{SessionLock, SessionStore, Summary, new_session_id};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::Input;
use std::path::Path;
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
        let mut app = App::unlisted(bank, store, keymap, theme, clock);
        app.list_sessions();
        app
    }

    /// A new app whose list of sessions is read only when it is first shown (see
    /// [`App::list_sessions`]): for a start on one session, which needs no other.
    pub fn unlisted(
        bank: &'b QuestionBank,
        store: Box<dyn SessionStore>,
        keymap: Keymap,
        theme: Theme,
        clock: Clock,
    ) -> App<'b> {
        App {
            bank,
            store,
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
            running: true,
            unsaved: false,
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
        if !matches!(action, Action::Tick(_) | Action::Save) {
            self.message = None;
        }
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
            action => {
                let (layers, view) = self.split();
                if let Some(top) = layers.last_mut() {
                    let outcome = top.update(&view, action);
                    self.apply(outcome);
                }
            }
        }
        self.follow_section();
        if self.unsaved {
            self.save();
        }
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
        let Some(open) = &self.open else { return };
        let Some(lock) = &open.lock else { return };
        let summary = Summary::of(&open.session, &open.results);
        match self
            .store
            .save_with_summary(lock, &open.session, self.bank, &summary)
        {
            Ok(()) => self.save_error = None,
            Err(e) => self.save_error = Some(e.to_string()),
        }
    }

    /// Applies a change to the open session, stamps it and marks it for saving. Refused, with
    /// a message, when the session is read-only.
    fn edit(&mut self, edit: Edit) {
        let now = self.now();
        let Some(open) = &mut self.open else { return };
        if open.read_only() {
            self.warn(READ_ONLY_MESSAGE);
            return;
        }
        edit.apply(&mut open.session, now);
        open.session.updated = now;
        open.results = scoring::score(self.bank, &open.session);
        self.unsaved = true;
        if matches!(edit, Edit::Setup(_)) {
            open.nav = Nav::build(self.bank, &open.session);
            let (layers, view) = self.split();
            for layer in layers.iter_mut() {
                layer.session_changed(&view);
            }
        }
    }

    /// Opens a session for writing, or read-only when another process has it.
    pub fn open_session(&mut self, id: &str) {
        self.close_session();
        let (session, lock) = match self.store.open(id) {
            Ok((session, lock)) => (session, Some(lock)),
            Err(crate::store::StoreError::Locked { .. }) => match self.store.load(id) {
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
        let section = nav.section_of(cursor);
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
        self.layers.truncate(1);
        self.layers
            .push(Layer::Screen(Screen::Workshop(WorkshopState::new(cursor))));
    }

    fn create_session(&mut self, draft: &Draft) {
        let now = self.now();
        let id = new_session_id(&draft.name, now);
        let mut session = Session::new(id, draft.name.clone(), self.bank, now);
        draft.apply(&mut session, now);
        match self.store.create(&session) {
            Ok(lock) => self.start_workshop(session, Some(lock)),
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
        let Some(section) = open.section else {
            return false;
        };
        if open.read_only() {
            open.pending_time = Duration::ZERO;
            return false;
        }
        let mut secs = open.pending_time.as_secs();
        if all && open.pending_time.subsec_millis() >= 500 {
            secs += 1;
        }
        if secs == 0 {
            return false;
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
        if timing && let Some(open) = &mut self.open {
            open.pending_time += elapsed;
            if open.pending_time >= TIMER_SAVE_EVERY {
                self.flush_timer(false);
            }
        }
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
    })
}
