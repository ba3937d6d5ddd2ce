//! Privacy by law through the store on both backends (issue 21): one family touching every
//! feature, exported (every row that names them, found by the schema, is in the export) and
//! erased (afterwards no row outside the kept financial records names them); the audit
//! log's hash chain finding an event changed or removed in the database.
use sea_orm::ConnectionTrait;
use time::macros::date;
use tutti_domain::Pence;
use tutti_domain::calendar::{AcademicYear, TermId};
use tutti_domain::charging::ChargingPolicy;
use tutti_domain::clock::Clock;
use tutti_domain::guarantee::RegisterMark;
use tutti_domain::validate::{EmailAddress, PhoneNumber};
use tutti_store::platform::audit::{Action, Actor};
use tutti_store::platform::audit_chain::Fault;
use tutti_store::privacy::erasure::Treatment;
use tutti_store::privacy::find::rows_containing;
use tutti_store::privacy::schema;
use tutti_store::privacy::subject::{Subject, SubjectKind};
use tutti_store::records::guardians::GuardianInput;
use tutti_store::teaching::lessons::{NoteReader, TimetableOf};
use tutti_store::teaching::progress::NewExamEntry;
use tutti_store::teaching::registers::MarkScope;
use tutti_store::testing::world::{
    PASSWORD, a_family, a_group, a_loan, a_pupil_login, a_school, a_teacher, an_application, an_ensemble, an_event,
    an_instrument,
};
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

on_both_backends!(
    a_family_is_exported_whole_and_erased_everywhere,
    the_audit_chain_finds_an_event_changed_or_removed,
    retention_removes_what_is_due_and_keeps_the_rest,
    a_consent_keeps_its_history_and_a_withdrawal_applies_everywhere,
);

/// Early in the autumn term of 2026.
const DAY: time::Date = date!(2026 - 09 - 16);

async fn hub(backend: TestBackend) -> Option<(Store, TestDatabase)> {
    let db = TestDatabase::create(backend).await?;
    let store = Store::connect(&db.url).await.unwrap().with_clock(Clock::on(DAY));
    store.migrate().await.unwrap();
    Some((store, db))
}

/// What names the family: the carer's name, address, phone and email, the child's name and
/// date of birth.
struct Names {
    carer: String,
    email: String,
    phone: String,
    address: String,
    child: String,
    born: String,
}

impl Names {
    fn all(&self) -> Vec<&str> {
        vec![
            &self.carer,
            &self.email,
            &self.phone,
            &self.address,
            &self.child,
            &self.born,
        ]
    }
}

/// A family with a login, a guardian's phone and address, lessons and a register mark, an
/// invoice and a payment, an instrument loan, an application, an exam entry, a pupil's own
/// login and views in the audit log. Returns the child, the guardian and what names them.
async fn a_busy_family(store: &Store) -> (i64, i64, Names) {
    let actor = Actor::cli();
    let year = AcademicYear::containing(DAY);
    store
        .save_charging_policy(&actor, year, &ChargingPolicy::default())
        .await
        .unwrap();
    let school = a_school().create(store).await;
    let teacher = a_teacher().available(1, 540, 900).create(store).await;
    let family = a_family(&school)
        .carer_named("Harriet Quillfeather")
        .surname("Quillfeather")
        .first_child("Ottoline", date!(2016 - 03 - 14))
        .with_login(PASSWORD)
        .create(store)
        .await;
    let child = family.children[0];
    let names = Names {
        carer: "Harriet Quillfeather".into(),
        email: family.email.clone(),
        phone: "07700 900123".into(),
        address: "12 Larkspur Lane, Durham DH1 4ZZ".into(),
        child: "Ottoline Quillfeather".into(),
        born: "2016-03-14".into(),
    };
    let guardian = store
        .add_guardian(
            &actor,
            child,
            &GuardianInput {
                name: names.carer.clone(),
                email: Some(EmailAddress::parse(&names.email).unwrap()),
                phone: Some(PhoneNumber::parse(&names.phone).unwrap()),
                address: names.address.clone(),
            },
        )
        .await
        .unwrap()
        .id;
    // Lessons, and a register mark.
    a_group(teacher.staff.id, school.id)
        .on(1, 540)
        .with_pupils(&[child])
        .enrolled_from(date!(2026 - 09 - 07))
        .create(store)
        .await;
    let autumn = TermId::parse("2026-autumn").unwrap();
    store.generate_dated_lessons(&actor, autumn).await.unwrap();
    let lessons = store
        .timetable(TimetableOf::Pupil(child), date!(2026 - 09 - 07), DAY, NoteReader::Staff)
        .await
        .unwrap();
    store
        .mark_pupil(
            &actor,
            MarkScope::Teacher(teacher.staff.id),
            lessons[0].id,
            child,
            RegisterMark::Present,
        )
        .await
        .unwrap();
    // An instrument on loan, an application, an exam entry, a login of the child's own.
    let violin = an_instrument().create(store).await;
    a_loan(violin.id, child).from(date!(2026 - 09 - 07)).create(store).await;
    an_application(child)
        .for_lessons("Cello", tutti_domain::lessons::LessonType::Individual, 30)
        .create(store)
        .await;
    store
        .add_exam_entry(
            &actor,
            &tutti_store::records::pupils::PupilScope::All,
            &NewExamEntry {
                pupil_id: child,
                instrument: "Violin".into(),
                board: "ABRSM".into(),
                grade: "1".parse().unwrap(),
                exam_date: date!(2026 - 11 - 20),
                result: None,
            },
        )
        .await
        .unwrap();
    a_pupil_login(store, child).await;
    // A place in an ensemble, and a free concert the carer booked as a guest.
    let orchestra = an_ensemble("Quillfeather test orchestra")
        .wanting(&[("Violin", 4)])
        .create(store)
        .await;
    store
        .apply_to_ensemble(
            &actor,
            &tutti_store::records::pupils::PupilScope::All,
            &tutti_store::teaching::ensembles::members::NewEnsembleApplication {
                ensemble_id: orchestra.id,
                pupil_id: child,
                instrument: "Violin".into(),
                grade: 1,
            },
        )
        .await
        .unwrap();
    let concert = an_event().free().create(store).await;
    store
        .book_event(
            &actor,
            &tutti_store::events::bookings::BookingRequest {
                event_id: concert,
                session_id: None,
                name: names.carer.clone(),
                email: names.email.clone(),
                tickets: vec![tutti_domain::events::TicketRequest {
                    ticket_type: "Free".into(),
                    quantity: 2,
                }],
                channel: tutti_store::events::bookings::Channel::Guest,
                site_url: "https://hub.example".into(),
            },
        )
        .await
        .unwrap();
    // An invoice and a payment on it.
    store.run_billing(&actor, autumn, false, &|_| {}).await.unwrap();
    let invoice: i64 = store
        .conn()
        .query_one_raw(sea_orm::Statement::from_string(
            store.conn().get_database_backend(),
            // Raw SQL: the test needs the invoice's id, which no list names by payer here.
            "SELECT MIN(id) AS id FROM invoices".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "id")
        .unwrap();
    store
        .record_payment(
            &actor,
            invoice,
            &tutti_store::money::payments::invoices::PaymentInput {
                method: tutti_domain::payments::PaymentMethod::Cheque,
                amount: Pence(1_000),
                reference: "cheque 100200".into(),
                received_on: DAY,
            },
        )
        .await
        .unwrap();
    // The office viewed the child's record.
    store
        .audit(&actor, Action::View, "pupil", Some(child), "viewed the record")
        .await
        .unwrap();
    (child, guardian, names)
}

fn key(table: &str, row: &serde_json::Map<String, serde_json::Value>) -> String {
    match row.get("id") {
        Some(id) => format!("{table}#{id}"),
        None => format!("{table}:{}", serde_json::Value::Object(row.clone())),
    }
}

async fn a_family_is_exported_whole_and_erased_everywhere(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let (child, guardian, names) = a_busy_family(&store).await;
    let pupil = Subject::new(SubjectKind::Pupil, child);
    let carer = Subject::new(SubjectKind::Guardian, guardian);

    // The exports hold every row that names them, wherever it is: found by the schema.
    let mut exported = std::collections::BTreeSet::new();
    for subject in [pupil, carer] {
        let export = store.subject_export(subject).await.unwrap();
        for t in &export.tables {
            for r in &t.rows {
                exported.insert(key(&t.table, r));
            }
        }
        assert!(
            !export.history.is_empty(),
            "who saw or changed their records is in the export"
        );
    }
    let child_export = store.subject_export(pupil).await.unwrap();
    for table in [
        "pupils",
        "register_marks",
        "instrument_loans",
        "applications",
        "exam_entries",
        "invoice_lines",
        "ensemble_members",
    ] {
        assert!(
            child_export.tables.iter().any(|t| t.table == table),
            "the child's export has their {table}"
        );
    }
    assert!(child_export.history.iter().any(|h| h.action == "view"));
    let mut naming = 0;
    for needle in names.all() {
        for (table, row) in rows_containing(store.conn(), needle).await.unwrap() {
            naming += 1;
            assert!(
                exported.contains(&key(&table, &row)),
                "{table} row naming them is exported: {row:?}"
            );
        }
    }
    assert!(naming >= 6, "the family is named in many rows ({naming})");

    // The plan says what goes and what is kept, and changes nothing.
    let plan = store.erasure_plan(carer).await.unwrap();
    assert!(plan.kept().any(|l| l.table == "invoices"), "{plan:?}");
    assert!(plan.removed().any(|l| l.table == "guardians"), "{plan:?}");
    assert!(
        plan.lines
            .iter()
            .any(|l| l.table == "sessions" || l.treatment == Treatment::Removed)
    );
    assert!(!rows_containing(store.conn(), &names.carer).await.unwrap().is_empty());

    // Erased: nothing outside the kept financial records names them.
    store.erase(&Actor::cli(), pupil).await.unwrap();
    store.erase(&Actor::cli(), carer).await.unwrap();
    for needle in names.all() {
        for (table, row) in rows_containing(store.conn(), needle).await.unwrap() {
            assert!(
                schema::financial(&table),
                "after erasure {table} still names them ({needle}): {row:?}"
            );
        }
    }
    // The erased record still reads as a record (its dates are dates): born on the first day
    // of their school year, so year-group statistics still hold.
    let kept = store.pupil_input(child).await.unwrap().expect("the record is kept");
    assert_eq!(kept.row.date_of_birth, date!(2015 - 09 - 01));
    assert_eq!(kept.row.first_name, "Erased");
    // Their logins are ended; the invoices are still there, pseudonymised.
    assert!(store.user_by_email(&names.email).await.unwrap().is_none());
    let invoices = rows_containing(store.conn(), &format!("Erased guardian {guardian}"))
        .await
        .unwrap();
    assert!(invoices.iter().any(|(t, _)| t == "invoices"), "{invoices:?}");
    // The audit log was not touched, only told.
    assert!(store.verify_audit().await.unwrap().intact());
}

async fn the_audit_chain_finds_an_event_changed_or_removed(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let actor = Actor::cli();
    for n in 0..5 {
        store
            .audit(&actor, Action::View, "pupil", Some(n), "viewed the record")
            .await
            .unwrap();
    }
    let school = a_school().create(&store).await;
    a_family(&school).create(&store).await;
    let intact = store.verify_audit().await.unwrap();
    assert!(intact.intact(), "{intact:?}");
    assert!(intact.checked >= 7);

    let run = |sql: &'static str| {
        let store = &store;
        async move {
            store.conn().execute_unprepared(sql).await.unwrap();
        }
    };
    // An event changed in the database is found, and only it.
    run("UPDATE audit_events SET summary = 'nothing to see' WHERE id = 3").await;
    let found = store.verify_audit().await.unwrap();
    assert_eq!(found.findings.len(), 1, "{found:?}");
    assert_eq!((found.findings[0].id, found.findings[0].fault), (3, Fault::Changed));
    run("UPDATE audit_events SET summary = 'viewed the record' WHERE id = 3").await;
    assert!(store.verify_audit().await.unwrap().intact());

    // An event removed is found at the next one.
    run("DELETE FROM audit_events WHERE id = 2").await;
    let found = store.verify_audit().await.unwrap();
    assert_eq!(found.findings.len(), 1, "{found:?}");
    assert_eq!((found.findings[0].id, found.findings[0].fault), (3, Fault::Broken));

    // New events chain on as before.
    store
        .audit(&actor, Action::View, "pupil", Some(9), "viewed")
        .await
        .unwrap();
    assert_eq!(store.verify_audit().await.unwrap().findings.len(), 1);
}

/// Runs SQL written with `?` on either backend. Raw SQL: the test builds a history (failed
/// sign-ins, sent mail, certificates) at dates no operation of the store writes.
async fn sql(store: &Store, text: &str, values: Vec<sea_orm::Value>) {
    let backend = store.conn().get_database_backend();
    let mut out = String::new();
    let mut n = 0;
    for c in text.chars() {
        if c == '?' && backend == sea_orm::DbBackend::Postgres {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    store
        .conn()
        .execute_raw(sea_orm::Statement::from_sql_and_values(backend, out, values))
        .await
        .unwrap();
}

async fn count(store: &Store, text: &str) -> i64 {
    store
        .conn()
        .query_one_raw(sea_orm::Statement::from_string(
            store.conn().get_database_backend(),
            format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {text}"),
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "n")
        .unwrap()
}

fn at(day: time::Date) -> time::OffsetDateTime {
    tutti_domain::clock::noon_in_london(day)
}

async fn retention_removes_what_is_due_and_keeps_the_rest(backend: TestBackend) {
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let actor = Actor::cli();
    // Audit events from 2019 (past the six years) and from today. The log stamps events by
    // the machine's clock, so the old two are dated back in the database (which their
    // hashes notice; retention removes them all the same).
    for n in 0..3 {
        store
            .audit(&actor, Action::View, "pupil", Some(n), "viewed")
            .await
            .unwrap();
    }
    sql(
        &store,
        "UPDATE audit_events SET at = ? WHERE id IN (1, 2)",
        vec![at(date!(2019 - 06 - 01)).into()],
    )
    .await;
    // Failed sign-ins: one in January (past six months), one this month.
    for day in [date!(2026 - 01 - 05), date!(2026 - 09 - 01)] {
        sql(
            &store,
            "INSERT INTO login_failures (scope, key, at) VALUES ('account', 'someone', ?)",
            vec![at(day).into()],
        )
        .await;
    }
    // Mail: sent in 2025 (past a year), sent last month, and an old one never sent.
    for (day, sent) in [
        (date!(2025 - 06 - 01), true),
        (date!(2026 - 08 - 01), true),
        (date!(2025 - 06 - 01), false),
    ] {
        sql(
            &store,
            "INSERT INTO outbox (to_address, subject, body, created_at, sent_at, attempts, secret) \
             VALUES ('someone@test.example', 'Hello', 'Body', ?, ?, 0, FALSE)",
            vec![at(day).into(), if sent { Some(at(day)) } else { None }.into()],
        )
        .await;
    }
    // DBS certificate details: issued in January (past six months) and in June.
    let old = a_teacher().create(&store).await;
    let recent = a_teacher().create(&store).await;
    for (id, day) in [
        (old.staff.id, date!(2026 - 01 - 10)),
        (recent.staff.id, date!(2026 - 06 - 01)),
    ] {
        sql(
            &store,
            "UPDATE staff SET dbs_number = '001234567890', dbs_issued = ? WHERE id = ?",
            vec![day.into(), id.into()],
        )
        .await;
    }
    let before = (
        count(&store, "login_failures").await,
        count(&store, "outbox").await,
        count(&store, "audit_events").await,
        count(&store, "staff WHERE dbs_number IS NOT NULL").await,
    );
    assert_eq!(before, (2, 3, before.2, 2));

    // The dry run reports what is due and changes nothing.
    let report = store.retention(&actor, true).await.unwrap();
    let due = |kind: &str| report.lines.iter().find(|l| l.kind == kind).unwrap().due;
    assert_eq!(due("login-failures"), 1);
    assert_eq!(due("outbox-messages"), 1);
    assert_eq!(due("audit-events"), 2);
    assert_eq!(due("dbs-certificates"), 1);
    let after_dry = (
        count(&store, "login_failures").await,
        count(&store, "outbox").await,
        count(&store, "audit_events").await,
        count(&store, "staff WHERE dbs_number IS NOT NULL").await,
    );
    assert_eq!(after_dry, before, "a dry run changes nothing");

    // The run removes what is due; what is not due stays; the chain still verifies.
    store.retention(&actor, false).await.unwrap();
    assert_eq!(count(&store, "login_failures").await, 1);
    assert_eq!(count(&store, "outbox").await, 2);
    assert_eq!(count(&store, "staff WHERE dbs_number IS NOT NULL").await, 1);
    assert_eq!(count(&store, "audit_events WHERE at < '2020-01-01'").await, 0);
    let verified = store.verify_audit().await.unwrap();
    assert!(verified.intact(), "{verified:?}");
    // Nothing more is due.
    assert_eq!(store.retention(&actor, true).await.unwrap().total(), 0);
}

async fn a_consent_keeps_its_history_and_a_withdrawal_applies_everywhere(backend: TestBackend) {
    use tutti_domain::privacy::{ConsentHow, ConsentKind};
    let Some((store, _db)) = hub(backend).await else {
        return;
    };
    let actor = Actor::cli();
    let school = a_school().create(&store).await;
    let child = a_family(&school).create(&store).await.children[0];
    // Most private by default: nothing is given until someone says yes.
    assert!(store.consents(child).await.unwrap().iter().all(|c| !c.given()));
    store
        .record_consent(&actor, child, ConsentKind::PhotoVideo, true, ConsentHow::Paper)
        .await
        .unwrap();
    assert!(store.pupil_input(child).await.unwrap().unwrap().photo_consent);
    store
        .record_consent(&actor, child, ConsentKind::PhotoVideo, false, ConsentHow::Phone)
        .await
        .unwrap();
    // Withdrawn: the pupil's record (what registers and screens read) says so at once.
    assert!(!store.pupil_input(child).await.unwrap().unwrap().photo_consent);
    let history = store.consent_history(child).await.unwrap();
    assert_eq!(
        history.iter().map(|e| (e.given, e.how.as_str())).collect::<Vec<_>>(),
        [(true, "paper"), (false, "phone")]
    );
    let photo = &store.consents(child).await.unwrap()[0];
    assert_eq!(photo.kind, ConsentKind::PhotoVideo);
    assert!(!photo.given());
    // No such pupil: nothing recorded.
    assert!(
        store
            .record_consent(&actor, 999_999, ConsentKind::MarketingEmail, true, ConsentHow::Online)
            .await
            .is_err()
    );
}
