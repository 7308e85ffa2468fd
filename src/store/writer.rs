//! Saves of an open session off the thread that draws the screen.
//!
//! A [`SessionWriter`] holds the session's lock and its own copy of the session as last handed
//! over. Each change is handed over as a [`Patch`] (the records that changed and the small rest
//! of the session, or the whole session) and written by a thread of its own, which always
//! writes the newest state: changes handed over while a save runs are written together by the
//! next save. [`SessionWriter::outcome`] tells which hand-over the last save included and
//! whether it failed; [`SessionWriter::wait`] blocks until everything handed over is written
//! or has failed. Dropping the writer writes what is still pending, then releases the lock, so
//! even a panic of the thread that draws the screen loses nothing it handed over.
//!
//! A store whose saves cost nothing (the memory store of tests, unless told otherwise) is
//! written on the caller's thread, with the same bookkeeping.

use super::{Position, SessionLock, SessionStore, Summary};
use crate::domain::session::{QuestionRecord, Session};
use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

/// Shown when the thread that saves stopped without finishing (a bug); the changes are still
/// in the open session, for a retry or a rescue copy.
const GONE: &str =
    "the thread that saves this session stopped unexpectedly, so nothing more is written";

/// What changed in a session since the last hand-over.
#[derive(Debug, Clone, PartialEq)]
pub enum Patch {
    /// The whole session.
    Whole(Box<Session>),
    /// Some records (None: the record is gone) and the rest of the session: everything but the
    /// records, the question digests and the pre-work receipts, which change only with the
    /// whole session (a setup or a merge).
    Parts {
        /// The session without its records, question digests and pre-work receipts.
        rest: Box<Session>,
        /// The records that changed.
        records: Vec<(String, Option<QuestionRecord>)>,
    },
}

impl Patch {
    /// The whole session.
    pub fn whole(session: &Session) -> Patch {
        Patch::Whole(Box::new(session.clone()))
    }

    /// The records of `questions` as they are in `session` now, and the rest of it.
    pub fn parts<'q>(session: &Session, questions: impl IntoIterator<Item = &'q str>) -> Patch {
        Patch::Parts {
            rest: Box::new(rest_of(session)),
            records: questions
                .into_iter()
                .map(|id| (id.to_string(), session.records.get(id).cloned()))
                .collect(),
        }
    }

    /// Brings a copy of the session up to date.
    pub fn apply(self, to: &mut Session) {
        match self {
            Patch::Whole(session) => *to = *session,
            Patch::Parts { rest, records } => {
                // Every field named, so that a new one cannot be forgotten here.
                let Session {
                    id,
                    name,
                    organisation,
                    system,
                    target,
                    mode,
                    observation_period,
                    facilitator,
                    participants,
                    scoping,
                    categories,
                    questionnaires,
                    content_hash,
                    created,
                    updated,
                    records: _,
                    time_spent,
                    agenda_minutes,
                    last_question,
                    started_from,
                    question_digests: _,
                    prework: _,
                    triage,
                } = *rest;
                to.id = id;
                to.name = name;
                to.organisation = organisation;
                to.system = system;
                to.target = target;
                to.mode = mode;
                to.observation_period = observation_period;
                to.facilitator = facilitator;
                to.participants = participants;
                to.scoping = scoping;
                to.categories = categories;
                to.questionnaires = questionnaires;
                to.content_hash = content_hash;
                to.created = created;
                to.updated = updated;
                to.time_spent = time_spent;
                to.agenda_minutes = agenda_minutes;
                to.last_question = last_question;
                to.started_from = started_from;
                to.triage = triage;
                for (question, record) in records {
                    match record {
                        Some(record) => {
                            to.records.insert(question, record);
                        }
                        None => {
                            to.records.remove(&question);
                        }
                    }
                }
            }
        }
    }
}

/// A session without its records, question digests and pre-work receipts: the few fields a
/// change besides the records can touch, cheap to copy.
fn rest_of(session: &Session) -> Session {
    Session {
        id: session.id.clone(),
        name: session.name.clone(),
        organisation: session.organisation.clone(),
        system: session.system.clone(),
        target: session.target,
        mode: session.mode,
        observation_period: session.observation_period,
        facilitator: session.facilitator.clone(),
        participants: session.participants.clone(),
        scoping: session.scoping.clone(),
        categories: session.categories.clone(),
        questionnaires: session.questionnaires.clone(),
        content_hash: session.content_hash.clone(),
        created: session.created,
        updated: session.updated,
        records: BTreeMap::new(),
        time_spent: session.time_spent.clone(),
        agenda_minutes: session.agenda_minutes.clone(),
        last_question: session.last_question.clone(),
        started_from: session.started_from.clone(),
        question_digests: BTreeMap::new(),
        prework: BTreeMap::new(),
        triage: session.triage,
    }
}

/// How the saves handed over so far went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The last hand-over (as numbered by [`SessionWriter::hand_over`]) the last finished save
    /// included; 0 before the first.
    pub through: u64,
    /// Why that save failed; None when it worked.
    pub error: Option<String>,
}

/// Work handed over and not yet taken by the writer, and how the last save went.
#[derive(Debug, Default)]
struct Queue {
    patches: Vec<Patch>,
    /// The summary of the newest state, for listing.
    summary: Option<Summary>,
    /// The facilitator's newest position, not yet written.
    position: Option<Position>,
    /// The number of the last hand-over.
    handed: u64,
    /// A save is running.
    busy: bool,
    outcome: Outcome,
    /// The writer is to finish what is queued and end.
    stop: bool,
    /// The writing thread ended without finishing its work.
    gone: bool,
}

impl Queue {
    fn has_work(&self) -> bool {
        !self.patches.is_empty() || self.position.is_some()
    }
}

#[derive(Debug, Default)]
struct Shared {
    queue: Mutex<Queue>,
    /// Work was queued, or the writer is to stop.
    work: Condvar,
    /// A save finished, or the writer ended.
    done: Condvar,
}

impl Shared {
    fn queue(&self) -> MutexGuard<'_, Queue> {
        // A panic while the queue was held leaves it consistent: every change is one
        // assignment.
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What writes: the store, the lock, and the session as handed over so far.
struct Worker {
    store: Arc<dyn SessionStore>,
    lock: SessionLock,
    session: Session,
    content_hash: String,
    summary: Option<Summary>,
    /// A position whose write failed, tried again with the next job.
    position: Option<Position>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("session", &self.session.id)
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// Takes what is queued and writes it: the session, with every patch applied, when
    /// patches were handed over (an empty one asks for a save as it is), then the position.
    /// Returns false when there was nothing to do.
    fn work(&mut self, shared: &Shared) -> bool {
        let (patches, save, position, through) = {
            let mut queue = shared.queue();
            if !queue.has_work() {
                return false;
            }
            queue.busy = true;
            if let Some(summary) = queue.summary.take() {
                self.summary = Some(summary);
            }
            let patches = std::mem::take(&mut queue.patches);
            let save = !patches.is_empty();
            (patches, save, queue.position.take(), queue.handed)
        };
        for patch in patches {
            patch.apply(&mut self.session);
        }
        let result = save.then(|| self.save());
        if position.is_some() {
            self.position = position;
        }
        if let Some(position) = &self.position
            && self.store.save_position(&self.lock, position).is_ok()
        {
            self.position = None;
        }
        let mut queue = shared.queue();
        queue.busy = false;
        if let Some(result) = result {
            queue.outcome = Outcome {
                through,
                error: result.err(),
            };
        }
        shared.done.notify_all();
        true
    }

    fn save(&self) -> Result<(), String> {
        match &self.summary {
            Some(summary) => {
                self.store
                    .save_with_summary(&self.lock, &self.session, &self.content_hash, summary)
            }
            None => self.store.save(&self.lock, &self.session),
        }
        .map_err(|e| e.to_string())
    }
}

/// Marks the writer gone when its thread ends without finishing (a panic), so that nobody
/// waits for it.
struct Farewell {
    shared: Arc<Shared>,
    finished: bool,
}

impl Drop for Farewell {
    fn drop(&mut self) {
        let mut queue = self.shared.queue();
        queue.busy = false;
        queue.gone |= !self.finished;
        self.shared.done.notify_all();
    }
}

/// Where the writing happens.
#[derive(Debug)]
enum Run {
    /// On a thread of its own (None once joined).
    Thread(Option<JoinHandle<()>>),
    /// On the caller's thread, at each hand-over.
    Inline(Box<Worker>),
}

/// Saves one open session, holding its lock, on a thread of its own where the store asks for
/// it (see the module documentation).
#[derive(Debug)]
pub struct SessionWriter {
    id: String,
    shared: Arc<Shared>,
    run: Run,
}

impl SessionWriter {
    /// A writer of `session` (as stored now) into `store` under `lock`; summaries are written
    /// for the questionnaires with `content_hash`.
    pub fn new(
        store: Arc<dyn SessionStore>,
        lock: SessionLock,
        session: Session,
        content_hash: String,
    ) -> SessionWriter {
        let id = lock.id().to_string();
        let shared = Arc::new(Shared::default());
        let background = store.saves_in_background();
        let worker = Box::new(Worker {
            store,
            lock,
            session,
            content_hash,
            summary: None,
            position: None,
        });
        let run = if background {
            spawn(&shared, worker)
        } else {
            Run::Inline(worker)
        };
        SessionWriter { id, shared, run }
    }

    /// The id of the session it saves.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Hands over a change and the summary of the session with it; returns the number of this
    /// hand-over, which [`Outcome::through`] reaches once a save included it. The newest
    /// state is written as soon as the save running now (if any) is done.
    pub fn hand_over(&mut self, patch: Patch, summary: Summary) -> u64 {
        let handed = {
            let mut queue = self.shared.queue();
            match patch {
                // Whatever was queued before is part of the whole session.
                Patch::Whole(_) => queue.patches = vec![patch],
                Patch::Parts { .. } => queue.patches.push(patch),
            }
            queue.summary = Some(summary);
            queue.handed += 1;
            queue.handed
        };
        self.kick();
        handed
    }

    /// Records where the facilitator is, for windows that follow; written after the session,
    /// and tried again with the next save when it fails.
    pub fn position(&mut self, position: Position) {
        self.shared.queue().position = Some(position);
        self.kick();
    }

    /// Gets the queued work done: wakes the thread, or does it here.
    fn kick(&mut self) {
        match &mut self.run {
            Run::Thread(_) => self.shared.work.notify_one(),
            Run::Inline(worker) => while worker.work(&self.shared) {},
        }
    }

    /// How the last finished save went.
    pub fn outcome(&self) -> Outcome {
        let queue = self.shared.queue();
        gone_or(&queue)
    }

    /// Whether changes handed over are still being written.
    pub fn busy(&self) -> bool {
        let queue = self.shared.queue();
        !queue.gone && (queue.busy || queue.has_work())
    }

    /// Waits until everything handed over is written or has failed, and tells how.
    pub fn wait(&self) -> Outcome {
        let mut queue = self.shared.queue();
        while !queue.gone && (queue.busy || queue.has_work()) {
            queue = self
                .shared
                .done
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
        }
        gone_or(&queue)
    }
}

/// The outcome, or the news that the writer is gone.
fn gone_or(queue: &Queue) -> Outcome {
    if queue.gone {
        Outcome {
            through: queue.outcome.through,
            error: Some(GONE.to_string()),
        }
    } else {
        queue.outcome.clone()
    }
}

/// Starts the writing thread; where no thread can be started, writing happens inline.
fn spawn(shared: &Arc<Shared>, worker: Box<Worker>) -> Run {
    let theirs = Arc::clone(shared);
    // The thread takes the worker once it runs; if it cannot start, the worker is taken back.
    let slot = Arc::new(Mutex::new(Some(worker)));
    let their_slot = Arc::clone(&slot);
    let started = std::thread::Builder::new()
        .name("session-writer".into())
        .spawn(move || {
            // Made first so that it goes last, after the worker has released the lock.
            let mut farewell = Farewell {
                shared: Arc::clone(&theirs),
                finished: false,
            };
            let taken = their_slot
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            let Some(mut worker) = taken else { return };
            loop {
                if worker.work(&theirs) {
                    continue;
                }
                let queue = theirs.queue();
                if queue.stop && !queue.has_work() {
                    break;
                }
                if !queue.has_work() {
                    // Woken by new work or by the request to stop; a spurious wake-up only
                    // loops once more.
                    drop(
                        theirs
                            .work
                            .wait(queue)
                            .unwrap_or_else(PoisonError::into_inner),
                    );
                }
            }
            // The lock is released here, after the last write.
            drop(worker);
            farewell.finished = true;
        });
    match started {
        Ok(handle) => Run::Thread(Some(handle)),
        Err(_) => match slot.lock().unwrap_or_else(PoisonError::into_inner).take() {
            Some(worker) => Run::Inline(worker),
            // Not reachable: a thread that never started took nothing.
            None => Run::Thread(None),
        },
    }
}

impl Drop for SessionWriter {
    /// Writes what is still queued and releases the lock before returning.
    fn drop(&mut self) {
        if let Run::Thread(handle) = &mut self.run {
            self.shared.queue().stop = true;
            self.shared.work.notify_one();
            if let Some(handle) = handle.take() {
                // A writer that panicked has reported it through the queue already.
                let _ = handle.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::framework::{Category, Stage};
    use crate::domain::questionnaire::QuestionBank;
    use crate::domain::scale::Answer;
    use crate::domain::scoring;
    use crate::domain::session::tests::{bank, question};
    use crate::store::{MemoryStore, Revision, StoreError};
    use jiff::Timestamp;

    const ID: &str = "2026-01-01-x-000001";

    fn questions() -> QuestionBank {
        bank(
            (0..6)
                .map(|i| question(&format!("q{i}"), Category::Security, Stage::Storage))
                .collect(),
        )
    }

    /// A stored session open for writing, and a writer that saves it in the background.
    fn writer(store: &MemoryStore, b: &QuestionBank) -> (Session, SessionWriter) {
        store.save_in_background(true);
        let session = Session::new(ID.into(), "X".into(), b, Timestamp::UNIX_EPOCH);
        let lock = store.create(&session).unwrap();
        let writer = SessionWriter::new(
            Arc::new(store.clone()),
            lock,
            session.clone(),
            b.content_hash.clone(),
        );
        (session, writer)
    }

    fn answer(session: &mut Session, i: usize, b: &QuestionBank) -> (Patch, Summary) {
        let id = format!("q{i}");
        session.set_answer(&id, Some(Answer::Implemented), Timestamp::UNIX_EPOCH);
        let summary = Summary::of(session, &scoring::score(b, session));
        (Patch::parts(session, [id.as_str()]), summary)
    }

    #[test]
    fn parts_and_whole_bring_a_copy_up_to_date() {
        let b = questions();
        let mut session = Session::new(ID.into(), "X".into(), &b, Timestamp::UNIX_EPOCH);
        let mut copy = session.clone();
        session.set_answer(
            "q1",
            Some(Answer::Designed),
            Timestamp::from_second(60).unwrap(),
        );
        session.record_mut("q2").notes = "kept".into();
        session.last_question = Some("q2".into());
        session.add_time(Category::Security, Stage::Storage, 30);
        Patch::parts(&session, ["q1", "q2"]).apply(&mut copy);
        assert_eq!(copy, session);
        // A record that went is removed from the copy too.
        session.records.remove("q2");
        Patch::parts(&session, ["q2"]).apply(&mut copy);
        assert_eq!(copy, session);
        session.name = "Renamed".into();
        session.question_digests.clear();
        Patch::whole(&session).apply(&mut copy);
        assert_eq!(copy, session);
    }

    #[test]
    fn changes_handed_over_during_a_save_are_written_together_by_the_next() {
        let b = questions();
        let store = MemoryStore::new();
        let (mut session, mut writer) = writer(&store, &b);
        let gate = store.hold_saves();
        let saves = store.save_count();
        let (patch, summary) = answer(&mut session, 0, &b);
        assert_eq!(writer.hand_over(patch, summary), 1);
        gate.wait_for(1);
        assert!(writer.busy());
        for i in 1..4 {
            let (patch, summary) = answer(&mut session, i, &b);
            writer.hand_over(patch, summary);
        }
        assert_eq!(writer.outcome(), Outcome::default(), "nothing finished yet");
        gate.let_one_through();
        gate.let_one_through();
        let outcome = writer.wait();
        assert_eq!(
            outcome,
            Outcome {
                through: 4,
                error: None
            }
        );
        // The first save, then one save of the newest state for the three changes after it.
        assert_eq!(store.save_count(), saves + 2);
        assert_eq!(store.load(ID).unwrap(), session);
        assert!(!writer.busy());
    }

    #[test]
    fn a_failed_save_is_reported_and_the_next_writes_everything() {
        let b = questions();
        let store = MemoryStore::new();
        let (mut session, mut writer) = writer(&store, &b);
        store.fail_saves(true);
        let (patch, summary) = answer(&mut session, 0, &b);
        writer.hand_over(patch, summary);
        let failed = writer.wait();
        assert_eq!(failed.through, 1);
        assert!(failed.error.unwrap().contains("no space left"));
        store.fail_saves(false);
        let (patch, summary) = answer(&mut session, 1, &b);
        writer.hand_over(patch, summary);
        assert_eq!(
            writer.wait(),
            Outcome {
                through: 2,
                error: None
            }
        );
        assert_eq!(store.load(ID).unwrap(), session);
    }

    #[test]
    fn dropping_the_writer_writes_what_is_pending_then_releases_the_lock() {
        let b = questions();
        let store = MemoryStore::new();
        let (mut session, mut writer) = writer(&store, &b);
        let gate = store.hold_saves();
        let (patch, summary) = answer(&mut session, 0, &b);
        writer.hand_over(patch, summary);
        let (patch, summary) = answer(&mut session, 1, &b);
        writer.hand_over(patch, summary);
        writer.position(Position {
            question: "q1".into(),
        });
        assert!(store.is_locked(ID));
        let opened = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let opener = {
            let opened = Arc::clone(&opened);
            std::thread::spawn(move || {
                gate.wait_for(1);
                std::thread::sleep(std::time::Duration::from_millis(20));
                opened.store(true, std::sync::atomic::Ordering::SeqCst);
                drop(gate);
            })
        };
        drop(writer);
        assert!(
            opened.load(std::sync::atomic::Ordering::SeqCst),
            "dropping waited for the save at the gate"
        );
        opener.join().unwrap();
        assert!(!store.is_locked(ID), "released once everything is written");
        assert_eq!(store.load(ID).unwrap(), session);
        assert_eq!(
            store.position(ID).map(|p| p.question).as_deref(),
            Some("q1")
        );
    }

    /// A store whose saves panic, as a bug in the writer would.
    #[derive(Debug, Default)]
    struct Panicking(MemoryStore);

    impl SessionStore for Panicking {
        fn list(&self) -> Result<Vec<crate::store::ListEntry>, StoreError> {
            self.0.list()
        }
        fn create(&self, session: &Session) -> Result<SessionLock, StoreError> {
            self.0.create(session)
        }
        fn load(&self, id: &str) -> Result<Session, StoreError> {
            self.0.load(id)
        }
        fn open(&self, id: &str) -> Result<(Session, SessionLock), StoreError> {
            self.0.open(id)
        }
        fn save(&self, _: &SessionLock, _: &Session) -> Result<(), StoreError> {
            panic!("a bug while saving");
        }
        fn delete(&self, id: &str) -> Result<(), StoreError> {
            self.0.delete(id)
        }
        fn save_position(&self, lock: &SessionLock, position: &Position) -> Result<(), StoreError> {
            self.0.save_position(lock, position)
        }
        fn position(&self, id: &str) -> Option<Position> {
            self.0.position(id)
        }
        fn revision(&self, id: &str) -> Option<Revision> {
            self.0.revision(id)
        }
    }

    #[test]
    fn a_writer_that_dies_is_reported_and_not_waited_for() {
        let b = questions();
        let store = Arc::new(Panicking::default());
        let mut session = Session::new(ID.into(), "X".into(), &b, Timestamp::UNIX_EPOCH);
        let lock = store.create(&session).unwrap();
        let mut writer =
            SessionWriter::new(store.clone(), lock, session.clone(), b.content_hash.clone());
        let (patch, summary) = answer(&mut session, 0, &b);
        writer.hand_over(patch, summary);
        let outcome = writer.wait();
        assert_eq!(outcome.error.as_deref(), Some(GONE));
        assert!(!writer.busy());
        // The lock went with the thread: the session can be opened again.
        assert!(store.0.open(ID).is_ok());
        // Later hand-overs are not waited for either.
        let (patch, summary) = answer(&mut session, 1, &b);
        writer.hand_over(patch, summary);
        assert_eq!(writer.wait().error.as_deref(), Some(GONE));
        drop(writer);
    }
}
