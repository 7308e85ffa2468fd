use super::*;
use crate::domain::questionnaire::Question;
use crate::domain::reassess::start_from;
use crate::domain::session::tests::{bank, question};
use proptest::prelude::*;

fn t(days: i64) -> Timestamp {
    Timestamp::from_second(1_767_225_600 + days * 86_400).unwrap()
}

fn today() -> Date {
    jiff::civil::date(2026, 4, 1)
}

fn critical(id: &str, category: Category, stage: Stage) -> Question {
    let mut q = question(id, category, stage);
    q.critical = true;
    q
}

/// Security: training has a, b, c (c critical), storage has d; Privacy: p.
fn questions() -> Vec<Question> {
    vec![
        question("a", Category::Security, Stage::Training),
        question("b", Category::Security, Stage::Training),
        critical("c", Category::Security, Stage::Training),
        question("d", Category::Security, Stage::Storage),
        question("p", Category::Privacy, Stage::Collection),
    ]
}

fn answered(b: &QuestionBank, id: &str, answers: &[(&str, Answer)]) -> Session {
    let mut s = Session::new(id.into(), id.into(), b, t(0));
    s.target = Target::Type1;
    for (q, a) in answers {
        s.set_answer(q, Some(*a), t(1));
    }
    s
}

#[test]
fn deltas_and_verdicts_before_and_after() {
    let b = bank(questions());
    use Answer::*;
    let before = answered(
        &b,
        "q1",
        &[
            ("a", AdHoc),
            ("b", Implemented),
            ("c", Designed),
            ("d", Operating),
            ("p", Implemented),
        ],
    );
    let mut after = start_from(&before, &b, "q2".into(), "q2".into(), t(90));
    after.set_answer("a", Some(Implemented), t(91));
    after.set_answer("c", Some(Implemented), t(91));
    let cmp = compare(&b, &before, &after, today());
    // Security: (25 + 75 + 50 + 100) / 4 = 62.5 -> (75 + 75 + 75 + 100) / 4 = 81.25.
    let security = cmp.category(Category::Security).unwrap();
    let (sb, sa) = (
        security.change.before.unwrap(),
        security.change.after.unwrap(),
    );
    assert_eq!(scoring::shown_points(sb.score.unwrap()), 62);
    assert_eq!(scoring::shown_points(sa.score.unwrap()), 81);
    assert_eq!(security.change.delta(), Some(19));
    // The critical question below 3 made it Not ready; now it is Type 1 ready.
    assert_eq!(sb.verdict, Verdict::NotReady);
    assert_eq!(sa.verdict, Verdict::Type1Ready);
    assert!(security.change.verdict_changed());
    let privacy = cmp.category(Category::Privacy).unwrap();
    assert_eq!(privacy.change.delta(), Some(0));
    // Overall: the mean of the category scores, 68 -> 78 (no other category has questions).
    assert_eq!(cmp.overall.delta(), Some(10));
    let training = cmp
        .stages
        .iter()
        .find(|s| s.category == Category::Security && s.stage == Stage::Training)
        .unwrap();
    // (25 + 75 + 50) / 3 = 50 -> 75.
    assert_eq!(training.delta(), Some(25));
    let storage = cmp
        .stages
        .iter()
        .find(|s| s.category == Category::Security && s.stage == Stage::Storage)
        .unwrap();
    assert_eq!(storage.delta(), Some(0));
    assert!(cmp.linked);
    assert!(!cmp.is_unchanged());
}

#[test]
fn closed_new_and_regressed_each_with_their_question() {
    let b = bank(questions());
    use Answer::*;
    let before = answered(
        &b,
        "q1",
        &[
            ("a", AdHoc),
            ("b", Operating),
            ("c", Implemented),
            ("p", Unknown),
        ],
    );
    let after = answered(
        &b,
        "q2",
        &[
            ("a", Implemented), // closed
            ("b", Implemented), // regressed, not a gap (Type 1 target)
            ("c", AdHoc),       // regressed into a gap
            ("d", Designed),    // new gap: newly answered below the target
            ("p", Designed),    // improved, still a gap
        ],
    );
    let cmp = compare(&b, &before, &after, today());
    let ids = |m: Movement| -> Vec<&str> { cmp.moved(m).map(|q| q.id).collect() };
    assert_eq!(ids(Movement::Closed), ["a"]);
    assert_eq!(ids(Movement::Regressed), ["b", "c"]);
    assert_eq!(ids(Movement::NewGap), ["d"]);
    assert_eq!(ids(Movement::Improved), ["p"]);
    let c = cmp.questions.iter().find(|q| q.id == "c").unwrap();
    assert_eq!(
        (c.answer_before, c.answer_after),
        (Some(Implemented), Some(AdHoc))
    );
    assert!(!c.gap_before && c.gap_after && c.critical);
    assert_eq!(c.prompt, "Prompt c?");
    assert!(!cmp.linked, "two sessions that are not linked compare too");
    // Unknown counts as 0: Designed is up two levels.
    let p = cmp.questions.iter().find(|q| q.id == "p").unwrap();
    assert_eq!(p.category, Category::Privacy);
}

#[test]
fn answering_reopening_and_scope_are_told_apart() {
    let b = bank(questions());
    use Answer::*;
    let mut before = answered(&b, "q1", &[("a", Operating), ("b", Operating)]);
    before.categories.remove(&Category::Privacy);
    let mut after = answered(&b, "q2", &[("b", NotApplicable), ("c", Implemented)]);
    after.record_mut("b").notes = "no training here".into();
    after.set_answer("p", Some(Operating), t(2));
    let cmp = compare(&b, &before, &after, today());
    let movement = |id: &str| {
        cmp.questions
            .iter()
            .find(|q| q.id == id)
            .map(|q| q.movement)
    };
    assert_eq!(movement("a"), Some(Movement::Reopened));
    assert_eq!(movement("b"), Some(Movement::Changed));
    assert_eq!(movement("c"), Some(Movement::Answered));
    // Privacy was out of scope before: newly assessed, not "answered" progress.
    assert_eq!(movement("p"), Some(Movement::Changed));
    assert_eq!(movement("d"), None, "open in both: not listed");
    let privacy = cmp.category(Category::Privacy).unwrap();
    assert!(privacy.change.before.is_none() && privacy.change.after.is_some());
    assert_eq!(privacy.change.delta(), None);
}

#[test]
fn a_higher_target_turns_the_same_level_into_a_gap_and_says_so() {
    let b = bank(questions());
    let before = answered(&b, "q1", &[("a", Answer::Implemented)]);
    let mut after = before.clone();
    after.id = "q2".into();
    after.target = Target::Type2;
    let cmp = compare(&b, &before, &after, today());
    assert_eq!(cmp.method.target, Some((Target::Type1, Target::Type2)));
    let a: Vec<&str> = cmp.moved(Movement::NewGap).map(|q| q.id).collect();
    assert_eq!(a, ["a"]);
    assert_eq!(cmp.overall.delta(), Some(0));
}

#[test]
fn questions_added_changed_and_removed_between_contents_are_flagged() {
    use Answer::*;
    let old = bank(vec![
        question("a", Category::Security, Stage::Training),
        question("b", Category::Security, Stage::Training),
        question("gone", Category::Security, Stage::Training),
    ]);
    let before = answered(
        &old,
        "q1",
        &[("a", AdHoc), ("b", AdHoc), ("gone", Operating)],
    );
    let mut b2 = question("b", Category::Security, Stage::Training);
    b2.prompt = "Prompt b, reworded to ask for more?".into();
    let mut new = bank(vec![
        question("a", Category::Security, Stage::Training),
        b2,
        question("fresh", Category::Security, Stage::Training),
    ]);
    new.content_hash = "v2".into();
    let mut after = start_from(&before, &new, "q2".into(), "q2".into(), t(90));
    after.set_answer("fresh", Some(Operating), t(91));
    let cmp = compare(&new, &before, &after, today());
    let flag = |id: &str| {
        cmp.questions
            .iter()
            .find(|q| q.id == id)
            .and_then(|q| q.bank)
    };
    assert_eq!(flag("fresh"), Some(BankChange::Added));
    assert_eq!(flag("b"), Some(BankChange::Changed));
    assert_eq!(flag("a"), None);
    assert_eq!(
        cmp.removed,
        [RemovedQuestion {
            id: "gone".into(),
            answer: Some(Operating)
        }]
    );
    let m = &cmp.method;
    assert!(m.content_changed && m.questions_known);
    assert_eq!((m.added, m.changed, m.removed), (1, 1, 1));
    // a and b are only carried over; b is carried over a changed question.
    assert_eq!(m.carried, 2);
    let b = cmp.questions.iter().find(|q| q.id == "b").unwrap();
    assert_eq!(b.carried, Some(Carried::QuestionChanged));
    assert_eq!(b.movement, Movement::Unchanged);
    let security = cmp.category(Category::Security).unwrap();
    assert!(security.method_changed);
    assert_eq!(security.carried, 2);
    // The score rose only through the added question: the category says so.
    assert!(security.change.delta().unwrap() > 0);
}

#[test]
fn without_digests_or_a_shared_content_the_method_is_unknown() {
    let b = bank(questions());
    let mut before = answered(&b, "q1", &[("a", Answer::AdHoc)]);
    before.question_digests.clear();
    before.content_hash = "older".into();
    let after = answered(&b, "q2", &[("a", Answer::AdHoc)]);
    let cmp = compare(&b, &before, &after, today());
    assert!(!cmp.method.questions_known);
    assert!(cmp.method.content_changed);
    assert!(cmp.questions.iter().all(|q| q.bank.is_none()));
    // Started with the content used now: its digests stand in.
    before.content_hash = b.content_hash.clone();
    let cmp = compare(&b, &before, &after, today());
    assert!(cmp.method.questions_known && cmp.method.is_none());
}

#[test]
fn actions_done_open_and_overdue() {
    let b = bank(questions());
    let mut before = answered(&b, "q1", &[("a", Answer::AdHoc), ("b", Answer::AdHoc)]);
    before.record_mut("a").action.owner = "Ben".into();
    before.record_mut("b").action.owner = "Ana".into();
    let mut after = start_from(&before, &b, "q2".into(), "q2".into(), t(90));
    after
        .record_mut("a")
        .action
        .set_status(ActionStatus::Done, today());
    after.record_mut("b").action.due = Some(jiff::civil::date(2026, 3, 1));
    let c = after.record_mut("c");
    c.action.owner = "Chi".into();
    c.action.due = Some(jiff::civil::date(2026, 6, 1));
    c.action.status = ActionStatus::InProgress;
    let d = after.record_mut("d");
    d.action.what = "Retire the old store".into();
    d.action.status = ActionStatus::WontDo("the store is going away".into());
    let cmp = compare(&b, &before, &after, today());
    let states: Vec<(&str, ActionState)> = cmp
        .actions
        .iter()
        .map(|a| (a.question.as_str(), a.state))
        .collect();
    assert_eq!(
        states,
        [
            ("b", ActionState::Overdue),
            ("c", ActionState::Open),
            ("a", ActionState::Done),
            ("d", ActionState::WontDo),
        ]
    );
    let a = cmp.actions_in(ActionState::Done).next().unwrap();
    assert_eq!(a.before, Some(ActionStatus::Open));
    assert_eq!(a.action.status_date, Some(today()));
    assert_eq!(
        cmp.actions_in(ActionState::Open).next().unwrap().before,
        None
    );
}

#[test]
fn a_session_compared_with_itself_has_moved_nowhere() {
    let b = bank(questions());
    let s = answered(&b, "q1", &[("a", Answer::AdHoc), ("c", Answer::Operating)]);
    let cmp = compare(&b, &s, &s, today());
    assert!(cmp.is_unchanged());
    assert!(cmp.questions.is_empty());
    assert!(cmp.method.is_none());
}

// ----- properties ---------------------------------------------------------------------------

fn answer() -> impl Strategy<Value = Option<Answer>> {
    prop_oneof![
        Just(None),
        proptest::sample::select(Answer::ALL.to_vec()).prop_map(Some),
    ]
}

fn bank_questions() -> Vec<Question> {
    let mut qs = Vec::new();
    for (i, category) in [Category::Security, Category::Privacy, Category::AiRisk]
        .into_iter()
        .enumerate()
    {
        for (j, stage) in [Stage::Collection, Stage::Training, Stage::Monitoring]
            .into_iter()
            .enumerate()
        {
            for k in 0..2 {
                let mut q = question(&format!("q{i}{j}{k}"), category, stage);
                q.weight = 1 + u8::try_from((i + j + k) % 3).unwrap();
                q.critical = k == 1 && j == 0;
                qs.push(q);
            }
        }
    }
    qs
}

prop_compose! {
    fn session()(
        answers in proptest::collection::vec(answer(), 18),
        type2 in any::<bool>(),
        privacy in any::<bool>(),
        carried in proptest::collection::vec(any::<bool>(), 18),
        statuses in proptest::collection::vec(0u8..5, 18),
    ) -> Session {
        let b = bank(bank_questions());
        let mut s = Session::new("s".into(), "s".into(), &b, t(0));
        s.target = if type2 { Target::Type2 } else { Target::Type1 };
        if !privacy {
            s.categories.remove(&Category::Privacy);
        }
        for (((q, a), c), st) in b.questions().zip(answers).zip(carried).zip(statuses) {
            if let Some(a) = a {
                let r = s.record_mut(&q.id);
                r.answer = Some(a);
                r.carried = c.then_some(Carried::Unconfirmed);
            }
            let action = &mut s.record_mut(&q.id).action;
            match st {
                0 => {}
                1 => action.owner = "Ana".into(),
                2 => action.status = ActionStatus::Done,
                3 => action.due = Some(jiff::civil::date(2026, 1, 1)),
                _ => action.status = ActionStatus::WontDo("no".into()),
            }
            s.records.retain(|_, r| !r.is_empty());
        }
        s
    }
}

proptest! {
    #[test]
    fn compared_with_itself_nothing_moves(s in session()) {
        let b = bank(bank_questions());
        let cmp = compare(&b, &s, &s, today());
        prop_assert!(cmp.is_unchanged());
        prop_assert!(cmp.method.target.is_none() && cmp.removed.is_empty());
        prop_assert!(cmp.questions.iter().all(|q| q.movement == Movement::Unchanged && q.bank.is_none()));
        prop_assert!(cmp.actions.iter().all(|a| a.before.as_ref() == Some(&a.action.status)));
    }

    #[test]
    fn comparing_the_other_way_mirrors(mut a in session(), mut b in session()) {
        a.id = "a".into();
        b.id = "b".into();
        let bank = bank(bank_questions());
        let ab = compare(&bank, &a, &b, today());
        let ba = compare(&bank, &b, &a, today());
        let negated = |d: Option<i64>| d.map(|d| -d);
        prop_assert_eq!(ab.overall.delta(), negated(ba.overall.delta()));
        prop_assert_eq!(ab.overall.before, ba.overall.after);
        prop_assert_eq!(ab.categories.len(), ba.categories.len());
        for (x, y) in ab.categories.iter().zip(&ba.categories) {
            prop_assert_eq!(x.category, y.category);
            prop_assert_eq!(x.change.before, y.change.after);
            prop_assert_eq!(x.change.after, y.change.before);
            prop_assert_eq!(x.change.delta(), negated(y.change.delta()));
        }
        for (x, y) in ab.stages.iter().zip(&ba.stages) {
            prop_assert_eq!((x.category, x.stage), (y.category, y.stage));
            prop_assert_eq!(x.delta(), negated(y.delta()));
        }
        // The questions that moved are the same both ways, each seen from the other side.
        let moved = |c: &Comparison| -> Vec<(String, QuestionStatus, QuestionStatus, bool, bool)> {
            c.questions.iter()
                .filter(|q| q.movement != Movement::Unchanged)
                .map(|q| (q.id.to_string(), q.before, q.after, q.gap_before, q.gap_after))
                .collect()
        };
        let back: Vec<_> = moved(&ba).into_iter().map(|(id, b, a, gb, ga)| (id, a, b, ga, gb)).collect();
        prop_assert_eq!(moved(&ab), back);
        for q in &ab.questions {
            let r = ba.questions.iter().find(|r| r.id == q.id);
            match q.movement {
                Movement::Regressed => prop_assert!(r.is_some_and(|r| matches!(r.movement, Movement::Closed | Movement::Improved))),
                Movement::Closed => prop_assert!(r.is_some_and(|r| matches!(r.movement, Movement::Regressed | Movement::NewGap))),
                Movement::Answered => prop_assert!(r.is_some_and(|r| r.movement == Movement::Reopened)),
                _ => {}
            }
        }
    }
}
