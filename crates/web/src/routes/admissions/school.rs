//! A school's admissions: applying for its own pupils by reference.
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
use crate::pages::render_clearing_flash;
use crate::session::{SignedIn, Visitor, actor, flash_to};
use crate::shell::Shell;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Response};
use tutti_domain::admissions::ApplicationSource;
use tutti_store::admissions::applications::NewApplication;
use tutti_store::platform::accounts::User;
use tutti_store::records::pupils::PupilScope;

#[derive(Template)]
#[template(path = "admissions/school_applications.html")]
pub(super) struct SchoolApplicationsPage {
    shell: Shell,
    csrf: String,
    applications: Vec<AppLine>,
    choices: ApplyChoices,
    form: ApplyForm,
    errors: FormErrors,
    /// This year's price table (HTML from `crate::prices`).
    prices: String,
}

pub(super) async fn school_page(
    state: &AppState,
    visitor: &Visitor,
    user: &User,
    csrf: String,
    form: ApplyForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let scope = PupilScope::for_user(user);
    let applications = own_applications(state, &scope).await?;
    let offer = state.store.tuition_offer().await?;
    let prices = crate::prices::Prices::current(&state.store).await?;
    let status = errors.status();
    let page = SchoolApplicationsPage {
        shell: Shell::new(state, visitor, "School-paid tuition", "/school/applications"),
        csrf,
        applications: priced_lines(applications, &prices),
        prices: prices.table(2)?,
        choices: apply_choices(&offer, true),
        form,
        errors,
    };
    let response = render_clearing_flash(state, visitor, &page).await?;
    Ok((status, response).into_response())
}

pub(super) async fn school_applications(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, session): SignedIn,
) -> AppResult<Response> {
    school_page(
        &state,
        &visitor,
        &user,
        session.csrf_token,
        ApplyForm::default(),
        FormErrors::default(),
    )
    .await
}

/// A school or the office names the pupil by reference; only pupils in their scope count.
pub(super) async fn apply_by_ref(
    state: &AppState,
    visitor: &Visitor,
    user: &User,
    form: &ApplyForm,
    source: ApplicationSource,
    errors: &mut FormErrors,
) -> AppResult<bool> {
    let scope = PupilScope::for_user(user);
    let pupil = if form.pupil.trim().is_empty() {
        errors.add("pupil", "Enter the pupil's reference, like P100123");
        None
    } else {
        let found = state.store.pupil_id_by_ref(&scope, &form.pupil).await?;
        if found.is_none() {
            errors.add(
                "pupil",
                match source {
                    ApplicationSource::School => "None of your school's pupils has that reference",
                    _ => "No pupil has that reference",
                },
            );
        }
        found
    };
    let offer = state.store.tuition_offer().await?;
    let choice = read_choice(form, source, &offer, errors);
    if let (Some(pupil_id), Some(choice)) = (pupil, choice)
        && errors.is_empty()
    {
        let app = NewApplication {
            pupil_id,
            choice,
            source,
        };
        return Ok(submit_application(state, &actor(user, visitor), &scope, app, errors)
            .await?
            .is_some());
    }
    Ok(false)
}

pub(super) async fn school_apply(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, session): SignedIn,
    Form(form): Form<ApplyForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if apply_by_ref(&state, &visitor, &user, &form, ApplicationSource::School, &mut errors).await? {
        return flash_to(
            &state,
            &session.id_hash,
            "The application is on the waiting list.",
            "/school/applications",
        )
        .await;
    }
    school_page(&state, &visitor, &user, session.csrf_token, form, errors).await
}

// -------------------------------------------------------------------------------------------
// The office: the offer
