//! A pupil's own page about their data (the ICO's Children's Code): in plain words, what the
//! hub holds about them, who can see it, what they have agreed to, and how to ask for a copy
//! or for it to be deleted. Built from the same search of the schema as a subject access
//! export, so it never leaves a kind of record out.
use askama::Template;
use axum::response::Response;
use axum::routing::get;
use tutti_store::platform::accounts::Role;
use tutti_store::privacy::subject::{Subject, SubjectKind};

use crate::access::Routes;
use crate::acting::Acting;
use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::shell::Shell;

pub fn routes() -> Routes {
    Routes::new().route("/pupil/my-data", get(my_data))
}

/// The link on a pupil's home page.
pub fn dashboard_links(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Pupil => vec![(
            "/pupil/my-data",
            "What we know about you",
            "Everything the music service keeps about you, and who can see it.",
        )],
        _ => Vec::new(),
    }
}

/// What a kind of record is, in a child's words.
fn plain(table: &str) -> String {
    match table {
        "pupils" => "your name, date of birth, school and year".into(),
        "users" => "your login (your email address, never your password)".into(),
        "enrolments" => "the lessons you are signed up for".into(),
        "register_marks" => "the register: which lessons you came to".into(),
        "applications" => "asking for lessons".into(),
        "exam_entries" => "music exams you are entered for".into(),
        "pupil_reports" => "reports your teacher writes".into(),
        "instrument_loans" => "instruments you have borrowed".into(),
        "pupil_guardians" => "who your parents or carers are".into(),
        "consents" => "what you and your family have agreed to".into(),
        "invoice_lines" => "what your lessons cost".into(),
        "search_entries" => "your name in the office's search".into(),
        "group_members" => "which lesson group you are in".into(),
        other => other.replace('_', " "),
    }
}

struct Held {
    what: String,
    count: usize,
}

#[derive(Template)]
#[template(path = "privacy/pupil.html")]
struct MyData {
    shell: Shell,
    name: String,
    held: Vec<Held>,
    consents: Vec<(&'static str, bool)>,
    hub: String,
}

async fn my_data(a: Acting) -> AppResult<Response> {
    let pupil = a.user.pupil_id.ok_or(AppError::NotFound)?;
    let subject = Subject::new(SubjectKind::Pupil, pupil);
    let export = a.state.store.subject_export(subject).await?;
    let held = export
        .tables
        .iter()
        .map(|t| Held {
            what: plain(&t.table),
            count: t.rows.len(),
        })
        .collect();
    let consents = a
        .state
        .store
        .consents(pupil)
        .await?
        .iter()
        .map(|c| (c.kind.label(), c.given()))
        .collect();
    render(&MyData {
        shell: Shell::new(&a.state, &a.visitor, "What we know about you", "/pupil/my-data"),
        name: export.name.clone(),
        held,
        consents,
        hub: a.state.hub_name(),
    })
}
