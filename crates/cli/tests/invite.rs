//! `tutti users invite` as an operator runs it after importing staff: the invitation is in the
//! outbox with the hub's name and its link, a second one to the same person is refused while
//! the first waits, and a wrong role or record says what is wrong. On SQLite, and on PostgreSQL
//! when TUTTI_TEST_POSTGRES_URL is set.
use std::process::{Command, Output};

use tutti_store::testing::world::a_teacher;
use tutti_store::testing::{TestBackend, TestDatabase};
use tutti_store::{Store, on_both_backends};

const BIN: &str = env!("CARGO_BIN_EXE_tutti");

on_both_backends!(an_operator_invites_a_teacher_from_the_command_line);

fn invite(url: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["users", "invite", "--database-url", url])
        .args(["--public-url", "https://hub.example", "--hub-name", "Anytown Music Hub"])
        .args(args)
        .output()
        .expect("run tutti users invite")
}

async fn an_operator_invites_a_teacher_from_the_command_line(backend: TestBackend) {
    let Some(db) = TestDatabase::create(backend).await else {
        return;
    };
    let store = Store::connect(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let teacher = a_teacher().named("Jo", "Bloggs").create(&store).await;
    let staff_id = teacher.staff.id.to_string();
    let email = teacher.staff.email.clone();

    let out = invite(
        &db.url,
        &["--email", &email, "--role", "teacher", "--staff-id", &staff_id],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains(&format!("Invited {email} as teacher")), "{said}");
    let (mail, _) = store.outbox_page(Some(&email), 1, 10).await.unwrap();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].subject, "Your invitation to Anytown Music Hub");
    assert!(mail[0].body.contains("Hello Jo Bloggs,"));
    assert!(mail[0].body.contains("https://hub.example/invitations/accept?token="));

    // Not twice while it waits.
    let again = invite(
        &db.url,
        &["--email", &email, "--role", "teacher", "--staff-id", &staff_id],
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("is waiting for an answer already"));

    // What is wrong, said plainly.
    for (args, words) in [
        (
            vec!["--email", "a@b.example", "--role", "admin", "--staff-id", &staff_id],
            "--role must be one of teacher, manager, school or pupil",
        ),
        (
            vec!["--email", "a@b.example", "--role", "school", "--staff-id", &staff_id],
            "cannot have the role school contact",
        ),
        (
            vec!["--email", "a@b.example", "--role", "teacher", "--staff-id", "987654"],
            "no record has the staff_id 987654",
        ),
        (
            vec!["--email", "a@b.example", "--role", "teacher"],
            "give exactly one of --staff-id, --school-id or --pupil-id",
        ),
        (
            vec![
                "--email",
                "a@b.example",
                "--role",
                "teacher",
                "--staff-id",
                "1",
                "--school-id",
                "1",
            ],
            "cannot be used with",
        ),
    ] {
        let out = invite(&db.url, &args);
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(words), "{args:?}: {err}");
    }
    store.close().await;
}
