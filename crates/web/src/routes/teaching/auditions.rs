//! Audition screens (decision 0095): the office's slots for an auditioned ensemble (add one with
//! its day, time and place; remove a free one; record each outcome: accept, decline, or wait for
//! a place), and a family booking, or changing, the slot for their own child's application
//! (another family's is 404; a slot taken meanwhile is refused beside the choice).
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tutti_domain::ensembles::{EnsembleEntry, MembershipStatus};
use tutti_domain::rotation::ClockTime;
use tutti_domain::validate::parse_date;
use tutti_store::StoreError;
use tutti_store::platform::accounts::Role;
use tutti_store::records::pupils::PupilScope;
use tutti_store::teaching::ensembles::auditions::AuditionSlot;
use tutti_store::teaching::ensembles::members::EnsembleApplication;

use super::ensembles::accept_or_decline;
use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::{AppError, AppResult, message};
use crate::forms::FormErrors;
use crate::pages::render;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

/// The office's audition screens.
pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new()
            .route("/admin/ensembles/{id}/auditions", get(office_page).post(add_slot))
            .route("/admin/ensembles/{id}/auditions/{slot_id}/remove", post(remove_slot))
            .route(
                "/admin/ensembles/{id}/auditions/outcomes/{application_id}/{outcome}",
                post(outcome),
            ),
    )
}

/// A family books their child's audition.
pub fn parent_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Parent]),
        Routes::new().route(
            "/parent/ensembles/applications/{id}/audition",
            get(parent_page).post(book),
        ),
    )
}

/// A slot as the pages show it.
struct SlotLine {
    s: AuditionSlot,
    when: String,
    status: String,
    /// Still to be decided: the outcome buttons show.
    open: bool,
}

fn when(s: &AuditionSlot) -> String {
    format!(
        "{} at {}",
        crate::format::long_day(s.day),
        ClockTime(s.start_minute.max(0) as u16)
    )
}

fn line(s: AuditionSlot) -> SlotLine {
    let status = s.status.as_deref().and_then(MembershipStatus::parse);
    SlotLine {
        when: when(&s),
        status: status.map(|st| st.label().to_owned()).unwrap_or_default(),
        open: matches!(
            status,
            Some(MembershipStatus::AuditionBooked | MembershipStatus::Applied)
        ),
        s,
    }
}

#[derive(Template)]
#[template(path = "progression/auditions_office.html")]
struct OfficePage {
    shell: Shell,
    csrf: String,
    id: i64,
    name: String,
    /// An open ensemble has no auditions: the page says so and offers no form.
    auditioned: bool,
    slots: Vec<SlotLine>,
    /// Applications still to be heard with no slot booked.
    unbooked: Vec<EnsembleApplication>,
    errors: FormErrors,
    day: String,
    start: String,
    place: String,
}

#[derive(Deserialize, Default)]
struct SlotForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    place: String,
}

async fn office_form(
    state: &AppState,
    visitor: &Visitor,
    id: i64,
    f: SlotForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let e = state.store.ensemble(id).await?.ok_or(AppError::NotFound)?;
    let slots: Vec<SlotLine> = state.store.audition_slots(id).await?.into_iter().map(line).collect();
    let unbooked = state
        .store
        .ensemble_applications(id)
        .await?
        .into_iter()
        .filter(|a| a.status == MembershipStatus::Applied)
        .collect();
    let status = errors.status();
    let page = OfficePage {
        shell: Shell::new(state, visitor, format!("Auditions: {}", e.name), "/admin/ensembles"),
        csrf: visitor.csrf(),
        id,
        auditioned: e.entry == EnsembleEntry::Audition,
        name: e.name,
        slots,
        unbooked,
        errors,
        day: f.day,
        start: f.start,
        place: f.place,
    };
    if visitor.session.as_ref().is_some_and(|s| s.flash.is_some()) && status == StatusCode::OK {
        return crate::pages::render_clearing_flash(state, visitor, &page).await;
    }
    Ok((status, render(&page)?).into_response())
}

async fn office_page(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    office_form(&state, &visitor, id, SlotForm::default(), FormErrors::default()).await
}

async fn add_slot(a: Acting, Path(id): Path<i64>, Form(f): Form<SlotForm>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let day = match parse_date(&f.day) {
        Ok(d) if d < a.state.store.today() => {
            errors.add("day", "Choose a day from today on");
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.add("day", "Enter the day like 14/10/2026");
            None
        }
    };
    let start = f.start.parse::<ClockTime>().ok();
    if start.is_none() {
        errors.add("start", "Enter the time like 17:30");
    }
    if f.place.trim().is_empty() {
        errors.add("place", "Enter where the audition is, like Room 4, County Music Centre");
    } else if f.place.trim().chars().count() > 200 {
        errors.add("place", "Keep the place to 200 characters or fewer");
    }
    if let (Some(day), Some(start), true) = (day, start, errors.is_empty()) {
        match a
            .state
            .store
            .add_audition_slot(&a.actor(), id, day, start.0, &f.place)
            .await
        {
            Ok(_) => {
                return a
                    .done("Audition slot added.", &format!("/admin/ensembles/{id}/auditions"))
                    .await;
            }
            Err(StoreError::Refused(r)) => errors.add("day", message(&r)),
            Err(e) => return Err(e.into()),
        }
    }
    office_form(&a.state, &a.visitor, id, f, errors).await
}

async fn remove_slot(a: Acting, Path((id, slot_id)): Path<(i64, i64)>) -> AppResult<Response> {
    let back = format!("/admin/ensembles/{id}/auditions");
    match a.state.store.remove_audition_slot(&a.actor(), id, slot_id).await {
        Ok(()) => a.done("Audition slot removed.", &back).await,
        Err(StoreError::Refused(_)) => {
            a.done(
                "That slot is booked, so it stays: the family must change it first.",
                &back,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn outcome(a: Acting, Path((id, application_id, outcome)): Path<(i64, i64, String)>) -> AppResult<Response> {
    let back = format!("/admin/ensembles/{id}/auditions");
    let declined = "Not offered a place: the application is declined.";
    let result = match accept_or_decline(&a, (id, application_id, &outcome), declined).await {
        Some(result) => result,
        None if outcome == "wait" => a
            .state
            .store
            .wait_after_audition(&a.actor(), id, application_id)
            .await
            .map(|_| "On the waiting list: they will be offered the next place on their instrument."),
        None => return Err(AppError::NotFound),
    };
    a.said(result, &back).await
}

// ---- a family's ----

#[derive(Template)]
#[template(path = "progression/audition_book.html")]
struct BookPage {
    shell: Shell,
    csrf: String,
    application: EnsembleApplication,
    booked: Option<String>,
    /// Whether a slot may still be booked or changed.
    bookable: bool,
    free: Vec<(i64, String, String)>,
    errors: FormErrors,
}

async fn book_page(
    state: &AppState,
    visitor: &Visitor,
    user: &tutti_store::platform::accounts::User,
    id: i64,
    errors: FormErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let application = state
        .store
        .ensemble_applications_of(&PupilScope::for_user(user))
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(AppError::NotFound)?;
    let ensemble = state
        .store
        .ensemble(application.ensemble_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if ensemble.entry != EnsembleEntry::Audition {
        return Err(AppError::NotFound);
    }
    let today = state.store.today();
    let mine = state.store.audition_slot_of(id).await?;
    let free = state
        .store
        .audition_slots(application.ensemble_id)
        .await?
        .into_iter()
        .filter(|s| s.is_free() && s.day >= today)
        .map(|s| (s.id, when(&s), s.place.clone()))
        .collect();
    let page = BookPage {
        shell: Shell::new(
            state,
            visitor,
            format!("Audition for {}", application.ensemble_name),
            "/parent/ensembles",
        ),
        csrf: visitor.csrf(),
        bookable: matches!(
            application.status,
            MembershipStatus::Applied | MembershipStatus::AuditionBooked
        ),
        booked: mine.map(|s| format!("{}, {}", when(&s), s.place)),
        application,
        free,
        errors,
    };
    if status == StatusCode::OK {
        return crate::pages::render_clearing_flash(state, visitor, &page).await;
    }
    Ok((status, render(&page)?).into_response())
}

async fn parent_page(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    book_page(&a.state, &a.visitor, &a.user, id, FormErrors::default(), StatusCode::OK).await
}

#[derive(Deserialize)]
struct BookForm {
    #[serde(default)]
    slot: String,
}

async fn book(a: Acting, Path(id): Path<i64>, Form(f): Form<BookForm>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    // A choice left out is the form's fault (422); a slot taken meanwhile, or an application
    // already decided, is a conflict with the records as they are now (409).
    let mut status = StatusCode::CONFLICT;
    match f.slot.trim().parse::<i64>() {
        Err(_) => {
            errors.add("slot", "Choose a time for the audition");
            status = StatusCode::UNPROCESSABLE_ENTITY;
        }
        Ok(slot) => match a
            .state
            .store
            .book_audition(&a.actor(), &PupilScope::for_user(&a.user), id, slot)
            .await
        {
            Ok(()) => {
                return a
                    .done(
                        "Audition booked. We look forward to hearing them.",
                        &format!("/parent/ensembles/applications/{id}/audition"),
                    )
                    .await;
            }
            Err(StoreError::Refused(r)) => errors.add("slot", message(&r)),
            // A slot of another ensemble, or gone: say so beside the choice. An application
            // that is not theirs is answered 404 by the page itself.
            Err(StoreError::NotFound) => errors.add("slot", "That time is no longer offered. Choose another."),
            Err(e) => return Err(e.into()),
        },
    }
    book_page(&a.state, &a.visitor, &a.user, id, errors, status).await
}
