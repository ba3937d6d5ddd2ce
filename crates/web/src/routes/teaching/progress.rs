//! Progress on the screens: a pupil's graded exams (entered by their teacher or the office)
//! and termly reports (written by the teacher, a draft until published), and the parent's
//! view of both once published.
use askama::Template;
use axum::extract::{Form, Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use time::Date;
use tutti_domain::calendar::{AcademicYear, SchoolCalendar, TermId};
use tutti_domain::progress::{ExamResult, Grade};
use tutti_domain::validate::parse_date;
use tutti_store::StoreError;
use tutti_store::platform::accounts::{Role, User};
use tutti_store::records::pupils::PupilScope;
use tutti_store::records::summaries::PupilSummary;
use tutti_store::teaching::progress::{ExamEntry, NewExamEntry, PupilReport};

use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::{AppError, AppResult, message};
use crate::forms::FormErrors;
use crate::pages::render_clearing_flash;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

pub fn staff_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Teacher, Role::Admin, Role::Manager]),
        Routes::new()
            .route("/progress/pupils", get(pupils))
            .route("/progress/pupils/{id}", get(pupil_page))
            .route("/progress/pupils/{id}/exams", post(add_exam))
            .route("/progress/pupils/{id}/report", post(save_report))
            .route("/progress/exams/{id}/result", post(set_result)),
    )
}

pub fn parent_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Parent]),
        Routes::new().route("/parent/progress", get(parent_progress)),
    )
}

/// Links the dashboard adds for each role.
pub fn dashboard_links(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Teacher | Role::Admin | Role::Manager => vec![(
            "/progress/pupils",
            "Exams and reports",
            "Graded exam entries and termly reports for each pupil.",
        )],
        Role::Parent => vec![(
            "/parent/progress",
            "Your children's progress",
            "Exam results and their teachers' reports.",
        )],
        _ => Vec::new(),
    }
}

/// The term reports are written for: the one today falls in, or the next in the holidays.
pub fn report_term(day: Date) -> TermId {
    let year = AcademicYear::containing(day);
    SchoolCalendar::local_authority_default(year)
        .term_on_or_after(day)
        .map(|t| t.term)
        .unwrap_or(year.terms()[2])
}

/// An exam entry as a page shows it.
pub struct ExamLine {
    pub e: ExamEntry,
    pub grade: String,
    pub date: String,
    pub result: String,
}

impl ExamLine {
    fn new(e: ExamEntry) -> ExamLine {
        ExamLine {
            grade: u8::try_from(e.grade)
                .ok()
                .and_then(|g| g.to_string().parse::<Grade>().ok())
                .map_or(e.grade.to_string(), |g| g.to_string()),
            date: crate::format::short_day(e.exam_date),
            result: match e.result.as_deref() {
                Some("not-passed") => "Not passed".into(),
                Some(r) => {
                    let mut c = r.chars();
                    c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
                }
                None => "Not in yet".into(),
            },
            e,
        }
    }
}

#[derive(Template)]
#[template(path = "progress/pupils.html")]
struct PupilsPage {
    shell: Shell,
    pupils: Vec<PupilSummary>,
    office: bool,
    reference: String,
    not_found: bool,
}

#[derive(Deserialize, Default)]
struct RefQuery {
    #[serde(rename = "ref")]
    reference: Option<String>,
}

async fn pupils(a: Acting, Query(q): Query<RefQuery>) -> AppResult<Response> {
    let scope = PupilScope::for_user(&a.user);
    let reference = q.reference.unwrap_or_default();
    if !reference.trim().is_empty()
        && let Some(id) = a.state.store.pupil_id_by_ref(&scope, &reference).await?
    {
        return Ok(Redirect::to(&format!("/progress/pupils/{id}")).into_response());
    }
    let pupils = match a.user.staff_id {
        Some(staff) if a.user.role == Role::Teacher => a.state.store.pupils_taught_by(staff).await?,
        _ => Vec::new(),
    };
    let page = PupilsPage {
        shell: Shell::new(&a.state, &a.visitor, "Exams and reports", "/progress/pupils"),
        pupils,
        office: a.user.role != Role::Teacher,
        not_found: !reference.trim().is_empty(),
        reference,
    };
    render_clearing_flash(&a.state, &a.visitor, &page).await
}

#[derive(Deserialize, Default, Clone)]
struct ExamForm {
    #[serde(default)]
    instrument: String,
    #[serde(default)]
    board: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    exam_date: String,
    #[serde(default)]
    result: String,
}

#[derive(Deserialize, Default, Clone)]
struct ReportForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    publish: String,
}

#[derive(Template)]
#[template(path = "progress/pupil.html")]
struct PupilPage {
    shell: Shell,
    csrf: String,
    pupil_id: i64,
    name: String,
    exams: Vec<ExamLine>,
    reports: Vec<PupilReport>,
    results: &'static [ExamResult],
    exam: ExamForm,
    report: ReportForm,
    term: String,
    is_teacher: bool,
    errors: FormErrors,
}

/// What was typed into the page's forms, and what was wrong with it.
#[derive(Default)]
struct Typed {
    exam: ExamForm,
    report: Option<ReportForm>,
    errors: FormErrors,
}

async fn pupil_view(
    state: &AppState,
    visitor: &Visitor,
    user: &User,
    csrf: String,
    id: i64,
    typed: Typed,
) -> AppResult<Response> {
    let Typed { exam, report, errors } = typed;
    let scope = PupilScope::for_user(user);
    let pupil = state
        .store
        .pupil_in_scope(&scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let exams = state.store.exam_entries(&scope, id).await?;
    let reports = state.store.pupil_reports(&scope, id).await?;
    let term = report_term(state.store.today());
    let own_draft = reports
        .iter()
        .find(|r| Some(r.teacher_id) == user.staff_id && r.term == term.to_string())
        .map(|r| ReportForm {
            body: r.body.clone(),
            publish: String::new(),
        });
    let status = errors.status();
    let page = PupilPage {
        shell: Shell::new(
            state,
            visitor,
            format!("{} {}: exams and reports", pupil.first_name, pupil.last_name),
            "/progress/pupils",
        ),
        csrf,
        pupil_id: id,
        name: format!("{} {}", pupil.first_name, pupil.last_name),
        exams: exams.into_iter().map(ExamLine::new).collect(),
        reports,
        results: ExamResult::ALL,
        exam,
        report: report.or(own_draft).unwrap_or_default(),
        term: term.to_string(),
        is_teacher: user.role == Role::Teacher,
        errors,
    };
    let response = render_clearing_flash(state, visitor, &page).await?;
    Ok((status, response).into_response())
}

async fn pupil_page(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    pupil_view(&a.state, &a.visitor, &a.user, a.csrf(), id, Typed::default()).await
}

/// The pupil's progress page, where a saved form goes back to.
fn back(id: i64) -> String {
    format!("/progress/pupils/{id}")
}

async fn add_exam(a: Acting, Path(id): Path<i64>, Form(form): Form<ExamForm>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if form.instrument.trim().is_empty() {
        errors.add("instrument", "Enter the instrument the exam is on");
    }
    if form.board.trim().is_empty() {
        errors.add("board", "Enter the exam board, such as ABRSM");
    }
    let grade = form.grade.parse::<Grade>();
    if let Err(e) = &grade {
        errors.add("grade", e.clone());
    }
    let exam_date = parse_date(&form.exam_date);
    if exam_date.is_err() {
        errors.add("exam_date", "Enter the exam date, like 2027-03-15");
    }
    let result = if form.result.trim().is_empty() {
        Ok(None)
    } else {
        form.result.parse::<ExamResult>().map(Some)
    };
    if result.is_err() {
        errors.add("result", "Choose a result, or not in yet");
    }
    if let (Ok(grade), Ok(exam_date), Ok(result)) = (grade, exam_date, result)
        && errors.is_empty()
    {
        let entry = NewExamEntry {
            pupil_id: id,
            instrument: form.instrument.clone(),
            board: form.board.clone(),
            grade,
            exam_date,
            result,
        };
        let scope = PupilScope::for_user(&a.user);
        a.state.store.add_exam_entry(&a.actor(), &scope, &entry).await?;
        return a.done("Exam entry saved.", &back(id)).await;
    }
    let typed = Typed {
        exam: form,
        report: None,
        errors,
    };
    pupil_view(&a.state, &a.visitor, &a.user, a.csrf(), id, typed).await
}

#[derive(Deserialize)]
struct ResultForm {
    #[serde(default)]
    pupil: i64,
    #[serde(default)]
    result: String,
}

async fn set_result(a: Acting, Path(id): Path<i64>, Form(form): Form<ResultForm>) -> AppResult<Response> {
    let result = if form.result.trim().is_empty() {
        None
    } else {
        Some(
            form.result
                .parse::<ExamResult>()
                .map_err(|_| AppError::BadRequest("Choose a result, or not in yet.".into()))?,
        )
    };
    let scope = PupilScope::for_user(&a.user);
    a.state.store.set_exam_result(&a.actor(), &scope, id, result).await?;
    a.done("Result saved.", &back(form.pupil)).await
}

async fn save_report(a: Acting, Path(id): Path<i64>, Form(form): Form<ReportForm>) -> AppResult<Response> {
    let staff = match (a.user.role, a.user.staff_id) {
        (Role::Teacher, Some(staff)) => staff,
        _ => {
            return Err(AppError::Forbidden(
                "Reports are written by the pupil's teacher.".into(),
            ));
        }
    };
    let publish = form.publish == "yes";
    let outcome = a
        .state
        .store
        .save_report(
            &a.actor(),
            staff,
            id,
            report_term(a.state.store.today()),
            &form.body,
            publish,
        )
        .await;
    match outcome {
        Ok(_) => {
            let message = if publish {
                "Report published: the pupil's parents can read it."
            } else {
                "Report saved as a draft."
            };
            a.done(message, &back(id)).await
        }
        Err(StoreError::Refused(r)) => {
            let mut errors = FormErrors::default();
            errors.add("body", message(&r));
            pupil_view(
                &a.state,
                &a.visitor,
                &a.user,
                a.csrf(),
                id,
                Typed {
                    exam: ExamForm::default(),
                    report: Some(form),
                    errors,
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// One child's exams and published reports.
pub struct ChildProgress {
    pub id: i64,
    pub name: String,
    pub exams: Vec<ExamLine>,
    pub reports: Vec<PupilReport>,
}

#[derive(Template)]
#[template(path = "progress/parent.html")]
struct ParentPage {
    shell: Shell,
    children: Vec<ChildProgress>,
}

async fn parent_progress(a: Acting) -> AppResult<Response> {
    let scope = PupilScope::for_user(&a.user);
    let kids = if a.user.email_verified {
        a.state.store.children_of_guardian(&a.user.email).await?
    } else {
        Vec::new()
    };
    let mut children = Vec::new();
    for k in kids {
        children.push(ChildProgress {
            id: k.id,
            name: format!("{} {}", k.first_name, k.last_name),
            exams: a
                .state
                .store
                .exam_entries(&scope, k.id)
                .await?
                .into_iter()
                .map(ExamLine::new)
                .collect(),
            reports: a.state.store.pupil_reports(&scope, k.id).await?,
        });
    }
    let page = ParentPage {
        shell: Shell::new(&a.state, &a.visitor, "Your children's progress", "/parent/progress"),
        children,
    };
    render_clearing_flash(&a.state, &a.visitor, &page).await
}
