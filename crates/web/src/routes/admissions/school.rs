//! A school's admissions: applying for its own pupils by reference.
use super::applying::ApplyForm;
use super::applying::read_choice;
use super::applying::submit_application;
use super::applying::{Applicant, ApplicantPage, applicant_page};
use crate::acting::Acting;
use crate::error::AppResult;
use crate::forms::FormErrors;
use askama::Template;
use axum::extract::Form;
use axum::response::Response;
use tutti_domain::admissions::ApplicationSource;
use tutti_store::admissions::applications::NewApplication;
use tutti_store::records::pupils::PupilScope;

#[derive(Template)]
#[template(path = "admissions/school_applications.html")]
pub(super) struct SchoolApplicationsPage {
    page: ApplicantPage,
}

impl std::ops::Deref for SchoolApplicationsPage {
    type Target = ApplicantPage;
    fn deref(&self) -> &ApplicantPage {
        &self.page
    }
}

pub(super) async fn school_page(a: &Acting, form: ApplyForm, errors: FormErrors) -> AppResult<Response> {
    let at = Applicant {
        title: "School-paid tuition",
        path: "/school/applications",
        school: true,
    };
    applicant_page(a, at, (Vec::new(), form, errors), |page| SchoolApplicationsPage {
        page,
    })
    .await
}

pub(super) async fn school_applications(a: Acting) -> AppResult<Response> {
    school_page(&a, ApplyForm::default(), FormErrors::default()).await
}

/// A school or the office names the pupil by reference; only pupils in their scope count.
pub(super) async fn apply_by_ref(
    a: &Acting,
    form: &ApplyForm,
    source: ApplicationSource,
    errors: &mut FormErrors,
) -> AppResult<bool> {
    let (state, user) = (&a.state, &a.user);
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
        return Ok(submit_application(state, &a.actor(), &scope, app, errors)
            .await?
            .is_some());
    }
    Ok(false)
}

pub(super) async fn school_apply(a: Acting, Form(form): Form<ApplyForm>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if apply_by_ref(&a, &form, ApplicationSource::School, &mut errors).await? {
        return a
            .done("The application is on the waiting list.", "/school/applications")
            .await;
    }
    school_page(&a, form, errors).await
}

// -------------------------------------------------------------------------------------------
// The office: the offer
