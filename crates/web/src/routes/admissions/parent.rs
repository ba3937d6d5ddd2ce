//! A parent's admissions: applying for their children, answering offers, their enrolments and giving notice.
use super::applying::AppLine;
use super::applying::ApplyChoices;
use super::applying::ApplyForm;
use super::applying::apply_choices;
use super::applying::own_applications;
use super::applying::priced_lines;
use super::applying::read_choice;
use super::applying::submit_application;
use crate::error::AppResult;
use crate::forms::FormErrors;
use crate::pages::{render, render_clearing_flash};
use crate::session::{SignedIn, Visitor, actor, flash_to};
use crate::shell::Shell;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Response};
use tutti_domain::admissions::ApplicationSource;
use tutti_domain::lessons::lesson_words;
use tutti_domain::rotation::ClockTime;
use tutti_store::admissions::EnrolmentStatus;
use tutti_store::admissions::applications::NewApplication;
use tutti_store::admissions::enrolments::{EnrolmentFilter, EnrolmentView};
use tutti_store::admissions::notice::NoticePreview;
use tutti_store::platform::accounts::User;
use tutti_store::records::pupils::PupilScope;
use tutti_store::records::summaries::PupilSummary;

#[derive(Template)]
#[template(path = "admissions/parent_applications.html")]
pub(super) struct ParentApplicationsPage {
    shell: Shell,
    csrf: String,
    children: Vec<PupilSummary>,
    applications: Vec<AppLine>,
    choices: ApplyChoices,
    form: ApplyForm,
    errors: FormErrors,
    /// This year's price table (HTML from `crate::prices`).
    prices: String,
}

pub(super) async fn parent_page(
    state: &AppState,
    visitor: &Visitor,
    user: &User,
    csrf: String,
    form: ApplyForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let scope = PupilScope::for_user(user);
    let children = if user.email_verified {
        state.store.children_of_guardian(&user.email).await?
    } else {
        Vec::new()
    };
    let applications = own_applications(state, &scope).await?;
    let offer = state.store.tuition_offer().await?;
    let prices = crate::prices::Prices::current(&state.store).await?;
    let status = errors.status();
    let page = ParentApplicationsPage {
        shell: Shell::new(state, visitor, "Lessons for your children", "/parent/applications"),
        csrf,
        children,
        applications: priced_lines(applications, &prices),
        prices: prices.table(2)?,
        choices: apply_choices(&offer, false),
        form,
        errors,
    };
    let response = render_clearing_flash(state, visitor, &page).await?;
    Ok((status, response).into_response())
}

pub(super) async fn parent_applications(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, session): SignedIn,
) -> AppResult<Response> {
    parent_page(
        &state,
        &visitor,
        &user,
        session.csrf_token,
        ApplyForm::default(),
        FormErrors::default(),
    )
    .await
}

pub(super) async fn parent_apply(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, session): SignedIn,
    Form(form): Form<ApplyForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let pupil = form.pupil.trim().parse::<i64>().ok();
    if pupil.is_none() {
        errors.add("pupil", "Choose which child the lessons are for");
    }
    let offer = state.store.tuition_offer().await?;
    let choice = read_choice(&form, ApplicationSource::Parent, &offer, &mut errors);
    if let (Some(pupil_id), Some(choice)) = (pupil, choice)
        && errors.is_empty()
    {
        let app = NewApplication {
            pupil_id,
            choice,
            source: ApplicationSource::Parent,
        };
        let scope = PupilScope::for_user(&user);
        if submit_application(&state, &actor(&user, &visitor), &scope, app, &mut errors)
            .await?
            .is_some()
        {
            return flash_to(
                &state,
                &session.id_hash,
                "Your application is on the waiting list.",
                "/parent/applications",
            )
            .await;
        }
    }
    parent_page(&state, &visitor, &user, session.csrf_token, form, errors).await
}

pub(super) async fn answer(
    state: AppState,
    visitor: Visitor,
    user: User,
    hash: String,
    id: i64,
    accept: bool,
) -> AppResult<Response> {
    let scope = PupilScope::for_user(&user);
    let enrolment = state
        .store
        .answer_offer(&actor(&user, &visitor), &scope, id, accept, state.store.today())
        .await?;
    let message = match enrolment {
        Some(_) => "You accepted the place. We will tell you the day and time of the lessons once they are arranged.",
        None => "You declined the place.",
    };
    flash_to(&state, &hash, message, "/parent/applications").await
}

pub(super) async fn accept_offer(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, session): SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    answer(state, visitor, user, session.id_hash, id, true).await
}

pub(super) async fn decline_offer(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, session): SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    answer(state, visitor, user, session.id_hash, id, false).await
}

// -------------------------------------------------------------------------------------------
// Enrolments and notice

/// An enrolment as a family's page shows it.
pub struct EnrolmentLine {
    pub e: EnrolmentView,
    pub lesson: String,
    pub when: String,
    pub status: String,
    pub may_give_notice: bool,
}

impl EnrolmentLine {
    pub fn new(e: EnrolmentView) -> EnrolmentLine {
        let day = |d: i32| {
            ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
                .get(d as usize - 1)
                .copied()
        };
        let when = match (
            e.weekday.and_then(|d| if d >= 1 { day(d) } else { None }),
            e.start_minute,
        ) {
            (Some(d), Some(m)) => format!("{d}s at {}", ClockTime(m as u16)),
            _ => "Awaiting a day and time".into(),
        };
        let status = match (e.status, e.end_date) {
            (_, Some(end)) => format!("Ending on {}", crate::format::short_day(end)),
            (EnrolmentStatus::Awaiting, _) => {
                format!("From {}, awaiting allocation", crate::format::short_day(e.start_date))
            }
            _ => format!("From {}", crate::format::short_day(e.start_date)),
        };
        EnrolmentLine {
            lesson: format!("{} ({})", e.instrument, lesson_words(&e.lesson_type, e.minutes)),
            may_give_notice: e.end_date.is_none(),
            when,
            status,
            e,
        }
    }
}

#[derive(Template)]
#[template(path = "admissions/parent_enrolments.html")]
pub(super) struct ParentEnrolmentsPage {
    shell: Shell,
    lines: Vec<EnrolmentLine>,
}

pub(super) async fn parent_enrolments(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
) -> AppResult<Response> {
    let scope = PupilScope::for_user(&user);
    let rows = state
        .store
        .enrolments(
            &scope,
            &EnrolmentFilter {
                per_page: 200,
                ..Default::default()
            },
        )
        .await?
        .rows;
    let page = ParentEnrolmentsPage {
        shell: Shell::new(&state, &visitor, "Your children's enrolments", "/parent/enrolments"),
        lines: rows.into_iter().map(EnrolmentLine::new).collect(),
    };
    render_clearing_flash(&state, &visitor, &page).await
}

#[derive(Template)]
#[template(path = "admissions/notice.html")]
pub(super) struct NoticePage {
    shell: Shell,
    csrf: String,
    preview: NoticePreview,
    lesson: String,
    end_date: String,
    deadline: String,
}

pub(super) async fn notice_page(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, session): SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = PupilScope::for_user(&user);
    let preview = state.store.notice_preview(&scope, id, state.store.today()).await?;
    render(&NoticePage {
        shell: Shell::new(&state, &visitor, "Give notice", "/parent/enrolments"),
        csrf: session.csrf_token,
        lesson: format!(
            "{} ({})",
            preview.enrolment.instrument,
            lesson_words(&preview.enrolment.lesson_type, preview.enrolment.minutes)
        ),
        end_date: crate::format::long_day(preview.end_date),
        deadline: crate::format::long_day(preview.deadline),
        preview,
    })
}

pub(super) async fn confirm_notice(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, session): SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = PupilScope::for_user(&user);
    let end = state
        .store
        .give_notice(&actor(&user, &visitor), &scope, id, state.store.today())
        .await?;
    flash_to(
        &state,
        &session.id_hash,
        &format!("Notice given. Lessons end on {}.", crate::format::long_day(end)),
        "/parent/enrolments",
    )
    .await
}

// -------------------------------------------------------------------------------------------
// Schools
