//! A parent's home (the `/account` page of a parent, decision 76): what they owe and what to
//! pay next, their children's next lessons and the offers waiting for an answer, before the
//! children's list; passwords, second factors and API tokens behind links at the end.
use askama::Template;
use axum::response::Response;
use time::Duration;
use tutti_domain::Pence;
use tutti_domain::admissions::ApplicationStatus;
use tutti_store::admissions::applications::ApplicationFilter;
use tutti_store::platform::accounts::User;
use tutti_store::records::pupils::PupilScope;
use tutti_store::records::summaries::PupilSummary;
use tutti_store::teaching::lessons::{LessonStatus, NoteReader, TimetableOf};

use crate::error::AppResult;
use crate::format::{clock, long_day};
use crate::pages::render_clearing_flash;
use crate::routes::money::payments::pay::{next_payment_on, next_payment_words};
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

/// How many of the coming lessons the home page lists.
const NEXT_LESSONS: usize = 5;

/// An invoice with money left to pay.
pub struct OwedRow {
    pub id: i64,
    pub number: String,
    pub term: String,
    pub balance: Pence,
    pub next_amount: Pence,
    pub next_words: String,
}

/// One coming lesson.
pub struct NextLesson {
    pub child: String,
    pub instrument: String,
    pub day: String,
    pub time: String,
    pub place: String,
    /// "Cancelled" and the like; empty for a lesson going ahead.
    pub status: &'static str,
}

/// An offer waiting for the parent's answer.
pub struct WaitingOffer {
    pub child: String,
    pub instrument: String,
    pub school: String,
    pub answer_by: String,
}

#[derive(Template)]
#[template(path = "account/parent_home.html")]
pub struct ParentHomePage {
    shell: Shell,
    user: User,
    csrf: String,
    owed: Vec<OwedRow>,
    total_owed: Pence,
    lessons: Vec<NextLesson>,
    offers: Vec<WaitingOffer>,
    children: Vec<PupilSummary>,
    next_steps: Vec<(&'static str, &'static str, &'static str)>,
}

/// The parent's home page.
pub async fn parent_home(
    state: &AppState,
    visitor: &Visitor,
    user: &User,
    csrf: String,
    next_steps: Vec<(&'static str, &'static str, &'static str)>,
) -> AppResult<Response> {
    let store = &state.store;
    let today = store.today();
    // Children and invoices are linked only once the email is confirmed.
    let children = if user.email_verified {
        store.children_of_guardian(&user.email).await?
    } else {
        Vec::new()
    };
    let mut owed = Vec::new();
    for account in store.invoices_of_user(user).await? {
        if account.balance() <= Pence::ZERO || account.is_cancelled() {
            continue;
        }
        let next = next_payment_on(state, &account).await?;
        owed.push(OwedRow {
            id: account.id,
            next_words: next_payment_words(&next),
            next_amount: next.amount,
            balance: account.balance(),
            number: account.number,
            term: crate::format::term(&account.term),
        });
    }
    let mut coming = Vec::new();
    for child in &children {
        let name = format!("{} {}", child.first_name, child.last_name);
        let lessons = store
            .timetable(
                TimetableOf::Pupil(child.id),
                today,
                today + Duration::days(28),
                NoteReader::Family,
            )
            .await?;
        coming.extend(lessons.into_iter().map(|l| (l.date, l.start_minute, name.clone(), l)));
    }
    coming.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
    let lessons = coming
        .into_iter()
        .take(NEXT_LESSONS)
        .map(|(_, _, child, l)| NextLesson {
            child,
            instrument: l.instrument,
            day: long_day(l.date),
            time: format!("{}–{}", clock(l.start_minute), clock(l.end_minute)),
            place: l.school_name,
            status: match l.status {
                LessonStatus::Scheduled | LessonStatus::Given => "",
                LessonStatus::Cancelled => "Cancelled",
                LessonStatus::TeacherAbsent => "Teacher absent",
                LessonStatus::SchoolClosed => "School closed",
            },
        })
        .collect();
    let filter = ApplicationFilter {
        status: ApplicationStatus::Offered.as_str().into(),
        per_page: 50,
        ..Default::default()
    };
    let offers = store
        .applications(&PupilScope::for_user(user), &filter, today)
        .await?
        .rows
        .into_iter()
        .filter(|a| a.status == ApplicationStatus::Offered)
        .map(|a| WaitingOffer {
            child: a.pupil_name,
            instrument: a.instrument,
            school: a.school_name,
            answer_by: a.offer_expires_on.map(long_day).unwrap_or_default(),
        })
        .collect();
    let page = ParentHomePage {
        shell: Shell::new(state, visitor, "Your account", "/account"),
        user: user.clone(),
        csrf,
        total_owed: owed.iter().map(|o| o.balance).sum(),
        owed,
        lessons,
        offers,
        children,
        next_steps,
    };
    render_clearing_flash(state, visitor, &page).await
}
