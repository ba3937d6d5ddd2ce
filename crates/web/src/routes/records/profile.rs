//! The 360° record pages' sections (a pupil's, a school's, a teacher's) and the family
//! (guardian) record: each section one store query, shown as a table with an empty state.
use crate::format::short_day;
use axum::extract::{Path, State};
use axum::response::Response;
use tutti_domain::Pence;
use tutti_domain::allocation::day_name;
use tutti_store::records::loans::Loan;
use tutti_store::records::profile::{EnrolmentLine, GroupLine, InvoiceLine, PaymentLine, TrailLine};

use super::*;
use crate::error::AppError;
use crate::format::{clock, when};
use crate::routes::teaching::lessons::mark_text;

pub fn routes() -> Routes {
    use axum::routing::get;
    Routes::new().route("/admin/guardians/{id}", get(family))
}

fn money(p: i64) -> String {
    Pence(p).to_string()
}

fn words(w: &str) -> String {
    let w = w.replace(['-', '_'], " ");
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => w,
    }
}

fn when_taught(e: &EnrolmentLine) -> String {
    match (e.weekday, e.start_minute) {
        (Some(d), Some(m)) => format!("{} {}", day_name(d as u8), clock(m)),
        _ => "Not yet placed".into(),
    }
}

/// Enrolments with their lessons: group, teacher, school, day and time, next lesson.
pub fn enrolments(rows: &[EnrolmentLine], with_pupil: bool, empty: &str) -> Section {
    let mut columns = vec!["Lessons", "Teacher", "School", "Day and time", "Next lesson", "Status"];
    if with_pupil {
        columns.insert(0, "Pupil");
    }
    Section::new("enrolments", "Enrolments and lessons", columns, empty).rows(rows.iter().map(|e| {
        let mut row = vec![
            cell(format!("{} {} ({} minutes)", e.instrument, e.lesson_type, e.minutes)),
            match (e.teacher_id, &e.teacher_name) {
                (Some(id), Some(n)) => link(n.clone(), format!("/admin/staff/{id}")),
                _ => cell("None yet"),
            },
            cell(e.school_name.clone().unwrap_or_else(|| "None yet".into())),
            cell(when_taught(e)),
            cell(e.next_lesson.map(short_day).unwrap_or_else(|| "None scheduled".into())),
            cell(match e.end_date {
                Some(end) => format!("{} until {}", words(&e.status), short_day(end)),
                None => words(&e.status),
            }),
        ];
        if with_pupil {
            row.insert(0, link(e.pupil_name.clone(), format!("/admin/pupils/{}", e.pupil_id)));
        }
        row
    }))
}

/// Invoices with balances, each linking to the invoice, and the total still owed.
pub fn invoices(rows: &[InvoiceLine], empty: &str) -> Section {
    let owed: i64 = rows.iter().map(InvoiceLine::balance_pence).sum();
    let mut s = Section::new(
        "invoices",
        "Invoices",
        vec!["Invoice", "Payer", "Term", "Issued", "Total", "Balance", "Status"],
        empty,
    );
    if !rows.is_empty() {
        s = s.note(format!("Balance owed: {}.", money(owed)));
    }
    s.rows(rows.iter().map(|i| {
        vec![
            link(i.number.clone(), format!("/admin/billing/invoices/{}", i.id)),
            cell(i.payer_name.clone()),
            cell(crate::format::term(&i.term)),
            cell(short_day(i.issued_on)),
            cell(money(i.total_pence)),
            cell(money(i.balance_pence())),
            cell(words(&i.status)),
        ]
    }))
}

pub fn payments(rows: &[PaymentLine]) -> Section {
    Section::new(
        "payments",
        "Payments",
        vec!["Received", "Invoice", "Kind", "Method", "Amount"],
        "No payments recorded.",
    )
    .rows(rows.iter().map(|p| {
        vec![
            cell(short_day(p.received_on)),
            link(p.number.clone(), format!("/admin/billing/invoices/{}", p.invoice_id)),
            cell(words(&p.kind)),
            cell(words(&p.method)),
            cell(money(p.amount_pence)),
        ]
    }))
}

pub fn loans(rows: &[Loan]) -> Section {
    Section::new(
        "loans",
        "Instrument loans",
        vec!["Instrument", "Serial", "From", "Due back", "Ended", "Status"],
        "No instruments lent, now or before.",
    )
    .rows(rows.iter().map(|l| {
        vec![
            cell(l.instrument_type.clone()),
            link(l.serial.clone(), format!("/admin/instruments/{}", l.instrument_id)),
            cell(short_day(l.start_date)),
            cell(l.due_date.map(short_day).unwrap_or_default()),
            cell(l.end_date.map(short_day).unwrap_or_default()),
            cell(if l.overdue {
                "On loan, overdue".to_owned()
            } else {
                words(l.status.as_str())
            }),
        ]
    }))
}

pub fn groups(rows: &[GroupLine], id: &'static str, heading: &str, empty: &str) -> Section {
    Section::new(
        id,
        heading,
        vec!["Day", "Time", "Lessons", "Teacher", "School", "Pupils"],
        empty,
    )
    .rows(rows.iter().map(|g| {
        vec![
            cell(day_name(g.weekday as u8)),
            cell(format!(
                "{}–{}",
                clock(g.start_minute),
                clock(g.start_minute + g.minutes)
            )),
            cell(format!("{} {}", g.instrument, g.lesson_type)),
            cell(g.teacher_name.clone()),
            cell(g.school_name.clone()),
            cell(g.pupils.to_string()),
        ]
    }))
}

pub fn trail(rows: &[TrailLine], entity: &str, id: i64) -> Section {
    Section::new(
        "audit",
        "Audit trail",
        vec!["When", "Who", "What", "Details"],
        "Nothing recorded yet.",
    )
    .note("The latest twenty changes and views of this record.")
    .rows(rows.iter().map(|t| {
        vec![
            cell(when(t.at)),
            cell(t.actor.clone()),
            cell(words(&t.action)),
            cell(t.summary.clone()),
        ]
    }))
    .rows(std::iter::once(vec![
        link(
            "The whole trail",
            format!("/admin/audit?entity={entity}&entity_id={id}"),
        ),
        cell(""),
        cell(""),
        cell(""),
    ]))
}

/// The sections of a pupil's record after their details and guardians.
pub async fn pupil_sections(state: &AppState, id: i64, loans_of: &[Loan]) -> AppResult<Vec<Section>> {
    let today = state.store.today();
    let p = state.store.pupil_profile(id, today).await?;
    let counts: Vec<String> = p
        .mark_counts
        .iter()
        .map(|m| format!("{}: {}", mark_text(&m.mark), m.n))
        .collect();
    let term = format!(
        "This term ({} to {}): {}.",
        short_day(p.term.dates.first),
        short_day(p.term.dates.last),
        if counts.is_empty() {
            "no marks yet".to_owned()
        } else {
            counts.join("; ")
        }
    );
    Ok(vec![
        Section::new(
            "family",
            "Brothers and sisters",
            vec!["Name", "School"],
            "No other children share a guardian with this pupil.",
        )
        .rows(p.siblings.iter().map(|s| {
            vec![
                link(
                    format!("{} {}", s.first_name, s.last_name),
                    format!("/admin/pupils/{}", s.id),
                ),
                cell(s.school_name.clone()),
            ]
        })),
        enrolments(&p.enrolments, false, "Not enrolled for lessons."),
        Section::new(
            "attendance",
            "Attendance",
            vec!["Date", "Time", "Lesson", "Mark"],
            "No register marks yet.",
        )
        .note(term)
        .rows(p.recent_marks.iter().map(|m| {
            vec![
                cell(short_day(m.day)),
                cell(clock(m.start_minute)),
                cell(m.instrument.clone()),
                cell(mark_text(&m.mark)),
            ]
        })),
        Section::new(
            "progress",
            "Progress reports",
            vec!["Term", "Teacher", "Status", "Report"],
            "No reports written yet.",
        )
        .rows(p.reports.iter().map(|r| {
            let body: String = r.body.chars().take(200).collect();
            vec![
                cell(crate::format::term(&r.term)),
                cell(r.teacher_name.clone()),
                cell(words(&r.status)),
                cell(if r.body.chars().count() > 200 {
                    format!("{body}…")
                } else {
                    body
                }),
            ]
        })),
        invoices(&p.invoices, "No invoices charge this pupil's lessons or hire."),
        payments(&p.payments),
        loans(loans_of),
        Section::new(
            "applications",
            "Applications and offers",
            vec!["Lessons", "Status", "Offer starts", "Answer by"],
            "No applications.",
        )
        .rows(p.applications.iter().map(|a| {
            vec![
                cell(format!("{} {} ({} minutes)", a.instrument, a.lesson_type, a.minutes)),
                cell(words(&a.status)),
                cell(a.offer_start_date.map(short_day).unwrap_or_default()),
                cell(a.offer_expires_on.map(short_day).unwrap_or_default()),
            ]
        })),
        match state
            .store
            .pupil_path(&tutti_store::records::pupils::PupilScope::All, id)
            .await?
        {
            Some(path) => super::path::section(&path),
            None => super::path::section(&Default::default()),
        },
        trail(&p.trail, "pupil", id),
    ])
}

/// The sections of a school's record after its details and contacts.
pub async fn school_sections(state: &AppState, id: i64) -> AppResult<Vec<Section>> {
    let p = state.store.school_profile(id).await?;
    let total: i64 = p.learning.iter().map(|l| l.n).sum();
    Ok(vec![
        Section::new(
            "pupils",
            "Pupils taught here",
            vec!["Instrument", "Pupils"],
            "No pupils of this school are learning now.",
        )
        .note(format!(
            "{total} pupil places in lessons now. See the pupils list for names."
        ))
        .rows(
            p.learning
                .iter()
                .map(|l| vec![cell(l.instrument.clone()), cell(l.n.to_string())]),
        ),
        groups(
            &p.groups,
            "groups",
            "Groups and timetable",
            "No teaching groups at this school.",
        )
        .note(format!(
            "The dated lessons with pupils' names are on the school's timetable: /admin/schools/{id}/timetable."
        )),
        invoices(&p.invoices, "No invoices to the school."),
        trail(&state.store.trail("school", id).await?, "school", id),
    ])
}

/// The sections of a teacher's record after their details.
pub async fn teacher_sections(state: &AppState, id: i64) -> AppResult<Vec<Section>> {
    let p = state.store.teacher_profile(id, state.store.today()).await?;
    let hours = format!(
        "{} hours {} minutes of lessons a week.",
        p.weekly_minutes / 60,
        p.weekly_minutes % 60
    );
    Ok(vec![
        groups(&p.groups, "groups", "Groups by day", "No teaching groups.").note(hours),
        enrolments(&p.enrolments, true, "No pupils taught now."),
        trail(&state.store.trail("staff", id).await?, "staff", id),
    ])
}

#[derive(askama::Template)]
#[template(path = "records/family.html")]
struct FamilyPage {
    shell: Shell,
    heading: String,
    facts: Vec<(String, String)>,
    sections: Vec<Section>,
}

/// A family's record, from one guardian: contact details, children, lessons, money.
async fn family(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let f = state
        .store
        .family_profile(id, state.store.today())
        .await?
        .ok_or(AppError::NotFound)?;
    let g = &f.guardian;
    let or_none = |s: &str| {
        if s.is_empty() {
            "None recorded".to_owned()
        } else {
            s.to_owned()
        }
    };
    let page = FamilyPage {
        shell: Shell::new(&state, &visitor, g.name.clone(), "/admin/pupils"),
        heading: g.name.clone(),
        facts: vec![
            ("Email".into(), or_none(&g.email)),
            ("Phone".into(), or_none(&g.phone)),
            ("Address".into(), or_none(&g.address)),
        ],
        sections: vec![
            Section::new(
                "children",
                "Children",
                vec!["Name", "School"],
                "No children linked to this guardian.",
            )
            .rows(f.children.iter().map(|c| {
                vec![
                    link(
                        named(format!("{} {}", c.first_name, c.last_name), c.archived),
                        format!("/admin/pupils/{}", c.id),
                    ),
                    cell(c.school_name.clone()),
                ]
            })),
            enrolments(&f.enrolments, true, "None of the children is enrolled."),
            invoices(&f.invoices, "No invoices to this guardian."),
            payments(&f.payments),
        ],
    };
    crate::pages::render_clearing_flash(&state, &visitor, &page).await
}
