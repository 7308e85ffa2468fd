//! Sessions kept in memory, for tests of everything above the store. It follows the same rules
//! as the file store (locks, names, ids) and can be told to fail saves, to test how callers
//! handle a full disk. Its saves cost nothing, so the open session is saved on the caller's
//! thread unless it is told to save in the background like the file store.

use super::{Held, ListEntry, Position, Revision, SessionLock, SessionStore, StoreError, check_id};
use crate::domain::session::{Session, validate_name};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// An in-memory store; clones share the same sessions.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    sessions: Arc<Mutex<BTreeMap<String, Session>>>,
    locks: Arc<Mutex<BTreeSet<String>>>,
    failing: Arc<Mutex<bool>>,
    saves: Arc<Mutex<usize>>,
    positions: Arc<Mutex<BTreeMap<String, Position>>>,
    revisions: Arc<Mutex<BTreeMap<String, u128>>>,
    background: Arc<Mutex<bool>>,
    hold: Arc<(Mutex<Hold>, Condvar)>,
}

/// Saves held back by a [`SaveGate`].
#[derive(Debug, Default)]
struct Hold {
    /// Saves wait until let through.
    holding: bool,
    /// Saves that may still go through.
    permits: usize,
    /// Saves waiting now.
    waiting: usize,
}

/// Holds every save of a [`MemoryStore`] back until it is let through, as a slow disk would:
/// for tests of what happens while a save runs. Dropping it lets every save through.
#[derive(Debug)]
pub struct SaveGate {
    hold: Arc<(Mutex<Hold>, Condvar)>,
}

impl SaveGate {
    /// How many saves are waiting at the gate.
    pub fn waiting(&self) -> usize {
        guard(&self.hold.0).waiting
    }

    /// Waits until `count` saves are waiting at the gate.
    pub fn wait_for(&self, count: usize) {
        let (hold, changed) = &*self.hold;
        let mut held = guard(hold);
        while held.waiting < count {
            held = changed
                .wait(held)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    /// Lets one save through.
    pub fn let_one_through(&self) {
        guard(&self.hold.0).permits += 1;
        self.hold.1.notify_all();
    }
}

impl Drop for SaveGate {
    fn drop(&mut self) {
        guard(&self.hold.0).holding = false;
        self.hold.1.notify_all();
    }
}

fn guard<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Makes every following save fail (as a full disk would) until called with false.
    pub fn fail_saves(&self, failing: bool) {
        *guard(&self.failing) = failing;
    }

    /// Makes the open session be saved on a thread of its own, as with the file store.
    pub fn save_in_background(&self, background: bool) {
        *guard(&self.background) = background;
    }

    /// Holds saves back until the gate lets them through (or is dropped).
    pub fn hold_saves(&self) -> SaveGate {
        *guard(&self.hold.0) = Hold {
            holding: true,
            ..Hold::default()
        };
        SaveGate {
            hold: Arc::clone(&self.hold),
        }
    }

    /// Waits at the gate, if saves are held.
    fn pass_gate(&self) {
        let (hold, changed) = &*self.hold;
        let mut held = guard(hold);
        if !held.holding {
            return;
        }
        held.waiting += 1;
        changed.notify_all();
        while held.holding && held.permits == 0 {
            held = changed
                .wait(held)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        held.permits = held.permits.saturating_sub(1);
        held.waiting -= 1;
        changed.notify_all();
    }

    /// How many saves succeeded so far.
    pub fn save_count(&self) -> usize {
        *guard(&self.saves)
    }

    /// Whether a session is open for writing.
    pub fn is_locked(&self, id: &str) -> bool {
        guard(&self.locks).contains(id)
    }

    fn lock(&self, id: &str) -> Result<SessionLock, StoreError> {
        check_id(id)?;
        if !guard(&self.locks).insert(id.to_string()) {
            return Err(StoreError::Locked {
                id: id.to_string(),
                name: guard(&self.sessions).get(id).map(|s| s.name.clone()),
                holder: String::new(),
            });
        }
        Ok(SessionLock {
            id: id.to_string(),
            held: Held::Memory(Arc::clone(&self.locks)),
        })
    }

    fn write(&self, session: &Session) -> Result<(), StoreError> {
        if *guard(&self.failing) {
            return Err(StoreError::Write {
                id: session.id.clone(),
                path: PathBuf::from(format!("memory:{}", session.id)),
                source: std::io::Error::new(std::io::ErrorKind::StorageFull, "no space left"),
            });
        }
        guard(&self.sessions).insert(session.id.clone(), session.clone());
        *guard(&self.saves) += 1;
        self.bump(&session.id);
        Ok(())
    }

    fn bump(&self, id: &str) {
        *guard(&self.revisions).entry(id.to_string()).or_default() += 1;
    }

    fn check_lock(&self, lock: &SessionLock, id: &str) -> Result<(), StoreError> {
        let same_store =
            matches!(&lock.held, Held::Memory(locks) if Arc::ptr_eq(locks, &self.locks));
        if lock.id != id || !same_store {
            return Err(StoreError::WrongLock {
                id: id.to_string(),
                held: lock.id.clone(),
            });
        }
        Ok(())
    }
}

impl SessionStore for MemoryStore {
    fn list(&self) -> Result<Vec<ListEntry>, StoreError> {
        Ok(guard(&self.sessions)
            .iter()
            .map(|(id, s)| ListEntry {
                id: id.clone(),
                session: Ok(s.clone()),
            })
            .collect())
    }

    fn create(&self, session: &Session) -> Result<SessionLock, StoreError> {
        validate_name(&session.name)?;
        // As in the file store: a session that exists is refused for that reason, whether or
        // not someone has it open.
        let exists = || guard(&self.sessions).contains_key(&session.id);
        if exists() {
            return Err(StoreError::AlreadyExists {
                id: session.id.clone(),
            });
        }
        let lock = self.lock(&session.id)?;
        if exists() {
            return Err(StoreError::AlreadyExists {
                id: session.id.clone(),
            });
        }
        self.write(session)?;
        Ok(lock)
    }

    fn load(&self, id: &str) -> Result<Session, StoreError> {
        check_id(id)?;
        guard(&self.sessions)
            .get(id)
            .cloned()
            .ok_or_else(|| StoreError::NotFound {
                key: id.to_string(),
            })
    }

    fn open(&self, id: &str) -> Result<(Session, SessionLock), StoreError> {
        self.load(id)?;
        let lock = self.lock(id)?;
        let session = self.load(id)?;
        Ok((session, lock))
    }

    fn save(&self, lock: &SessionLock, session: &Session) -> Result<(), StoreError> {
        self.check_lock(lock, &session.id)?;
        self.pass_gate();
        self.write(session)
    }

    fn delete(&self, id: &str) -> Result<(), StoreError> {
        self.load(id)?;
        let lock = self.lock(id)?;
        guard(&self.sessions).remove(id);
        guard(&self.positions).remove(id);
        drop(lock);
        Ok(())
    }

    fn save_position(&self, lock: &SessionLock, position: &Position) -> Result<(), StoreError> {
        let id = lock.id().to_string();
        self.check_lock(lock, &id)?;
        guard(&self.positions).insert(id.clone(), position.clone());
        self.bump(&id);
        Ok(())
    }

    fn position(&self, id: &str) -> Option<Position> {
        guard(&self.positions).get(id).cloned()
    }

    fn saves_in_background(&self) -> bool {
        *guard(&self.background)
    }

    fn revision(&self, id: &str) -> Option<Revision> {
        if !guard(&self.sessions).contains_key(id) {
            return None;
        }
        let n = guard(&self.revisions).get(id).copied().unwrap_or_default();
        Some(Revision(vec![n]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::framework::{Category, Stage};
    use crate::domain::scale::Answer;
    use crate::domain::session::tests::{bank, question};
    use jiff::Timestamp;

    #[test]
    fn locks_saves_and_failures() {
        let b = bank(vec![question("a", Category::Security, Stage::Storage)]);
        let store = MemoryStore::new();
        let mut s = Session::new(
            "2026-01-01-x-000001".into(),
            "X".into(),
            &b,
            Timestamp::UNIX_EPOCH,
        );
        let lock = store.create(&s).unwrap();
        assert!(
            matches!(store.open(&s.id), Err(StoreError::Locked { name: Some(n), .. }) if n == "X")
        );
        s.set_answer("a", Some(Answer::Operating), Timestamp::UNIX_EPOCH);
        store.fail_saves(true);
        assert!(store.save(&lock, &s).is_err());
        assert_eq!(store.load(&s.id).unwrap().answer("a"), None);
        store.fail_saves(false);
        store.save(&lock, &s).unwrap();
        assert_eq!(
            store.load(&s.id).unwrap().answer("a"),
            Some(Answer::Operating)
        );
        assert!(matches!(
            store.delete(&s.id),
            Err(StoreError::Locked { .. })
        ));
        drop(lock);
        assert!(!store.is_locked(&s.id));
        let (_, lock) = store.open(&s.id).unwrap();
        drop(lock);
        store.delete(&s.id).unwrap();
        assert!(matches!(
            store.load(&s.id),
            Err(StoreError::NotFound { .. })
        ));
        assert_eq!(store.save_count(), 2);
    }

    #[test]
    fn find_by_id_or_exact_name() {
        let b = bank(vec![question("a", Category::Security, Stage::Storage)]);
        let store = MemoryStore::new();
        for (id, name) in [("a-1", "Acme"), ("a-2", "Beta"), ("a-3", "Beta")] {
            let s = Session::new(id.into(), name.into(), &b, Timestamp::UNIX_EPOCH);
            drop(store.create(&s).unwrap());
        }
        assert_eq!(store.find("a-1").unwrap(), "a-1");
        assert_eq!(store.find("Acme").unwrap(), "a-1");
        assert!(matches!(
            store.find("acme"),
            Err(StoreError::NotFound { .. })
        ));
        assert!(
            matches!(store.find("Beta"), Err(StoreError::Ambiguous { ids, .. }) if ids == ["a-2", "a-3"])
        );
    }
}
