//! A parent's admissions: applying for their children, answering offers, their enrolments and giving notice.
use super::applying::ApplyForm;
use super::applying::read_choice;
use super::applying::submit_application;
use super::applying::{Applicant, ApplicantPage, applicant_page};
use crate::acting::Acting;
use crate::error::AppResult;
use crate::forms::FormErrors;
use crate::pages::{render, render_clearing_flash};
use crate::shell::Shell;
use askama::Template;
use axum::extract::{Form, Path};
use axum::response::Response;
use tutti_domain::admissions::ApplicationSource;
use tutti_domain::lessons::lesson_words;
use tutti_domain::rotation::ClockTime;
use tutti_store::admissions::EnrolmentStatus;
use tutti_store::admissions::applications::NewApplication;
use tutti_store::admissions::enrolments::{EnrolmentFilter, EnrolmentView};
use tutti_store::admissions::notice::NoticePreview;
use tutti_store::records::pupils::PupilScope;

#[derive(Template)]
#[template(path = "admissions/parent_applications.html")]
pub(super) struct ParentApplicationsPage {
    page: ApplicantPage,
}

impl std::ops::Deref for ParentApplicationsPage {
    type Target = ApplicantPage;
    fn deref(&self) -> &ApplicantPage {
        &self.page
    }
}

pub(super) async fn parent_page(a: &Acting, form: ApplyForm, errors: FormErrors) -> AppResult<Response> {
    let children = if a.user.email_verified {
        a.state.store.children_of_guardian(&a.user.email).await?
    } else {
        Vec::new()
    };
    let at = Applicant {
        title: "Lessons for your children",
        path: "/parent/applications",
        school: false,
    };
    applicant_page(a, at, (children, form, errors), |page| ParentApplicationsPage { page }).await
}

pub(super) async fn parent_applications(a: Acting) -> AppResult<Response> {
    parent_page(&a, ApplyForm::default(), FormErrors::default()).await
}

pub(super) async fn parent_apply(a: Acting, Form(form): Form<ApplyForm>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let pupil = form.pupil.trim().parse::<i64>().ok();
    if pupil.is_none() {
        errors.add("pupil", "Choose which child the lessons are for");
    }
    let offer = a.state.store.tuition_offer().await?;
    let choice = read_choice(&form, ApplicationSource::Parent, &offer, &mut errors);
    if let (Some(pupil_id), Some(choice)) = (pupil, choice)
        && errors.is_empty()
    {
        let app = NewApplication {
            pupil_id,
            choice,
            source: ApplicationSource::Parent,
        };
        let scope = PupilScope::for_user(&a.user);
        if submit_application(&a.state, &a.actor(), &scope, app, &mut errors)
            .await?
            .is_some()
        {
            return a
                .done("Your application is on the waiting list.", "/parent/applications")
                .await;
        }
    }
    parent_page(&a, form, errors).await
}

pub(super) async fn answer(a: Acting, id: i64, accept: bool) -> AppResult<Response> {
    let scope = PupilScope::for_user(&a.user);
    let today = a.state.store.today();
    let enrolment = a
        .state
        .store
        .answer_offer(&a.actor(), &scope, id, accept, today)
        .await?;
    let message = match enrolment {
        Some(_) => "You accepted the place. We will tell you the day and time of the lessons once they are arranged.",
        None => "You declined the place.",
    };
    a.done(message, "/parent/applications").await
}

pub(super) async fn accept_offer(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    answer(a, id, true).await
}

pub(super) async fn decline_offer(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    answer(a, id, false).await
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

pub(super) async fn parent_enrolments(a: Acting) -> AppResult<Response> {
    let scope = PupilScope::for_user(&a.user);
    let rows = a
        .state
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
        shell: Shell::new(&a.state, &a.visitor, "Your children's enrolments", "/parent/enrolments"),
        lines: rows.into_iter().map(EnrolmentLine::new).collect(),
    };
    render_clearing_flash(&a.state, &a.visitor, &page).await
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

pub(super) async fn notice_page(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    let scope = PupilScope::for_user(&a.user);
    let preview = a.state.store.notice_preview(&scope, id, a.state.store.today()).await?;
    render(&NoticePage {
        shell: Shell::new(&a.state, &a.visitor, "Give notice", "/parent/enrolments"),
        csrf: a.csrf(),
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

pub(super) async fn confirm_notice(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    let scope = PupilScope::for_user(&a.user);
    let end = a
        .state
        .store
        .give_notice(&a.actor(), &scope, id, a.state.store.today())
        .await?;
    a.done(
        &format!("Notice given. Lessons end on {}.", crate::format::long_day(end)),
        "/parent/enrolments",
    )
    .await
}

// -------------------------------------------------------------------------------------------
// Schools
