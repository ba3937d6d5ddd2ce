//! The office's admissions: the tuition offer, the waiting lists in their fair order, and offering places.
use super::applying::AppLine;
use super::applying::ApplyChoices;
use super::applying::ApplyForm;
use super::applying::apply_choices;
use super::applying::lines;
use super::applying::read_minutes;
use super::school::apply_by_ref;
use crate::acting::Acting;
use crate::error::refused_on;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::pages::render_clearing_flash;
use crate::routes::page_number;
use crate::shell::Shell;
use askama::Template;
use axum::extract::{Form, Path, Query};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::Date;
use tutti_domain::admissions::{
    ApplicationSource, TuitionChoice, WaitingPriority, offer_answer_by_default, offer_start_default,
};
use tutti_domain::lessons::{LESSON_MINUTES, LessonType};
use tutti_store::admissions::applications::ApplicationFilter;
use tutti_store::admissions::tuition_offer::OfferedLesson;
use tutti_store::records::pupils::PupilScope;

const PER_PAGE: u64 = 25;

#[derive(Template)]
#[template(path = "admissions/offer.html")]
pub(super) struct OfferPage {
    shell: Shell,
    csrf: String,
    offer: Vec<OfferedLesson>,
    form: ApplyForm,
    errors: FormErrors,
    lesson_types: &'static [LessonType],
    minutes: &'static [u16],
}

pub(super) async fn offer_view(a: &Acting, form: ApplyForm, errors: FormErrors) -> AppResult<Response> {
    let (state, visitor) = (&a.state, &a.visitor);
    let status = errors.status();
    let page = OfferPage {
        shell: Shell::new(state, visitor, "The tuition the hub offers", "/admin/tuition-offer"),
        csrf: a.csrf(),
        offer: state.store.tuition_offer().await?,
        form,
        errors,
        lesson_types: LessonType::ALL,
        minutes: &LESSON_MINUTES,
    };
    let response = render_clearing_flash(state, visitor, &page).await?;
    Ok((status, response).into_response())
}

pub(super) async fn offer_page(a: Acting) -> AppResult<Response> {
    offer_view(&a, ApplyForm::default(), FormErrors::default()).await
}

pub(super) async fn add_to_offer(a: Acting, Form(form): Form<ApplyForm>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if form.instrument.trim().is_empty() {
        errors.add("instrument", "Enter the instrument, or voice");
    } else if form.instrument.trim().chars().count() > 60 {
        errors.add("instrument", "The instrument must be 60 characters or fewer");
    }
    let lesson_type = form.lesson_type.parse::<LessonType>().ok();
    if lesson_type.is_none() {
        errors.add("lesson_type", "Choose a lesson type");
    }
    let minutes = read_minutes(&form, &mut errors);
    if let (Some(lesson_type), Some(minutes)) = (lesson_type, minutes)
        && errors.is_empty()
    {
        let choice = TuitionChoice {
            instrument: form.instrument.trim().to_owned(),
            lesson_type,
            minutes,
        };
        match a.state.store.add_to_offer(&a.actor(), &choice).await {
            Ok(_) => {
                return a
                    .done(
                        &format!(
                            "Added {} {} lessons of {} minutes.",
                            lesson_type, choice.instrument, minutes
                        ),
                        "/admin/tuition-offer",
                    )
                    .await;
            }
            Err(e) => refused_on(e, "instrument", &mut errors)?,
        }
    }
    offer_view(&a, form, errors).await
}

pub(super) async fn withdraw_from_offer(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    a.state.store.withdraw_from_offer(&a.actor(), id).await?;
    a.done(
        "Withdrawn from the offer. Applications already made still stand.",
        "/admin/tuition-offer",
    )
    .await
}

// -------------------------------------------------------------------------------------------
// The office: waiting lists and offers

#[derive(Deserialize, Default)]
pub(super) struct ListParams {
    school: Option<String>,
    instrument: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "admissions/waiting_lists.html")]
pub(super) struct WaitingListsPage {
    shell: Shell,
    csrf: String,
    priority: WaitingPriority,
    priorities: &'static [WaitingPriority],
    school: String,
    instrument: String,
    waiting: Vec<AppLine>,
    offers: Vec<AppLine>,
    total: u64,
    page: u64,
    pages: u64,
    start_default: String,
    expiry_default: String,
    choices: ApplyChoices,
    form: ApplyForm,
    errors: FormErrors,
}

pub(super) async fn waiting_view(
    a: &Acting,
    params: ListParams,
    form: ApplyForm,
    mut errors: FormErrors,
) -> AppResult<Response> {
    let (state, visitor) = (&a.state, &a.visitor);
    let day = state.store.today();
    let school_text = params.school.unwrap_or_default();
    let instrument = params.instrument.unwrap_or_default();
    let school_id = crate::pickers::school_filter(&state.store, &mut errors, &school_text).await?;
    let filter = ApplicationFilter {
        school_id,
        instrument: instrument.clone(),
        status: "waiting".into(),
        waiting_order: true,
        page: page_number(params.page.as_deref()),
        per_page: PER_PAGE,
        ..Default::default()
    };
    let waiting = state.store.applications(&PupilScope::All, &filter, day).await?;
    let offers = state
        .store
        .applications(
            &PupilScope::All,
            &ApplicationFilter {
                status: "offered".into(),
                per_page: 200,
                ..Default::default()
            },
            day,
        )
        .await?;
    let offer = state.store.tuition_offer().await?;
    // An offer is answered two weeks on (a working day) and starts on the next teaching day
    // after that, by the hub's own terms and closures: never Christmas Day, never the day
    // the answer is due.
    let answer_by = offer_answer_by_default(day);
    let start_default = offer_start_default(answer_by, &state.store.hub_calendar(day).await?);
    let status = errors.status();
    let page = WaitingListsPage {
        shell: Shell::new(state, visitor, "Waiting lists", "/admin/waiting-lists"),
        csrf: a.csrf(),
        priority: state.store.waiting_priority().await?,
        priorities: WaitingPriority::ALL,
        school: school_text,
        instrument,
        total: waiting.total,
        page: waiting.page,
        pages: waiting.pages(),
        waiting: lines(waiting.rows),
        offers: lines(offers.rows),
        start_default: crate::format::input_date(start_default),
        expiry_default: crate::format::input_date(answer_by),
        choices: apply_choices(&offer, true),
        form,
        errors,
    };
    let response = render_clearing_flash(state, visitor, &page).await?;
    Ok((status, response).into_response())
}

pub(super) async fn waiting_lists(a: Acting, Query(params): Query<ListParams>) -> AppResult<Response> {
    waiting_view(&a, params, ApplyForm::default(), FormErrors::default()).await
}

#[derive(Deserialize)]
pub(super) struct PriorityForm {
    #[serde(default)]
    priority: String,
}

pub(super) async fn set_priority(a: Acting, Form(form): Form<PriorityForm>) -> AppResult<Response> {
    let priority: WaitingPriority = form
        .priority
        .parse()
        .map_err(|_| AppError::BadRequest("Choose one of the orders listed.".into()))?;
    a.state.store.set_waiting_priority(&a.actor(), priority).await?;
    a.done(
        &format!("Waiting lists now order: {}", priority.describe()),
        "/admin/waiting-lists",
    )
    .await
}

pub(super) async fn office_apply(a: Acting, Form(form): Form<ApplyForm>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if apply_by_ref(&a, &form, ApplicationSource::Admin, &mut errors).await? {
        return a
            .done("The application is on the waiting list.", "/admin/waiting-lists")
            .await;
    }
    waiting_view(&a, ListParams::default(), form, errors).await
}

#[derive(Deserialize)]
pub(super) struct OfferForm {
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    expires_on: String,
}

pub(super) fn form_date(text: &str, what: &str) -> AppResult<Date> {
    tutti_domain::validate::parse_date(text)
        .map_err(|_| AppError::BadRequest(format!("Enter the {what} as a date, like 2027-01-04.")))
}

pub(super) async fn make_offer(a: Acting, Path(id): Path<i64>, Form(form): Form<OfferForm>) -> AppResult<Response> {
    let start = form_date(&form.start_date, "start date")?;
    let expires = form_date(&form.expires_on, "date the offer is open until")?;
    let answer_url = format!(
        "{}/parent/applications",
        a.state.config.public_url.trim_end_matches('/')
    );
    a.state
        .store
        .make_offer(&a.actor(), id, start, expires, a.state.store.today(), &answer_url)
        .await?;
    a.done("The place was offered and the family emailed.", "/admin/waiting-lists")
        .await
}
