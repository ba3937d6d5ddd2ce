//! Admissions on the screens: a parent applies, answers offers and gives notice from their
//! account; a school applies for its own pupils; the office edits the tuition offer, keeps the
//! waiting lists in their fair order and offers places.
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use time::{Date, Duration};
use tutti_domain::admissions::{ApplicationSource, TuitionChoice, WaitingPriority, check_application};
use tutti_domain::lessons::{LESSON_MINUTES, LessonType};
use tutti_domain::rotation::ClockTime;
use tutti_domain::validate::format_date_uk;
use tutti_store::StoreError;
use tutti_store::admissions::applications::{ApplicationFilter, ApplicationView, NewApplication};
use tutti_store::admissions::enrolments::{EnrolmentFilter, EnrolmentView};
use tutti_store::admissions::notice::NoticePreview;
use tutti_store::admissions::tuition_offer::OfferedLesson;
use tutti_store::admissions::{ApplicationStatus, EnrolmentStatus};
use tutti_store::platform::accounts::{Role, User};
use tutti_store::platform::audit::Actor;
use tutti_store::records::pupils::PupilScope;
use tutti_store::records::summaries::PupilSummary;

use crate::access::{Access, Audience, Routes};
use crate::error::{AppError, AppResult, message, refused_on};
use crate::forms::FormErrors;
use crate::pages::{render, render_clearing_flash};
use crate::routes::page_number;
use crate::session::{SignedIn, Visitor, actor, flash_to};
use crate::shell::Shell;
use crate::state::AppState;

/// How long an offer stays open unless the office says otherwise.
const OFFER_DAYS: i64 = 14;
const PER_PAGE: u64 = 25;

pub fn parent_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Parent]),
        Routes::new()
            .route("/parent/applications", get(parent_applications).post(parent_apply))
            .route("/parent/applications/{id}/accept", post(accept_offer))
            .route("/parent/applications/{id}/decline", post(decline_offer))
            .route("/parent/enrolments", get(parent_enrolments))
            .route("/parent/enrolments/{id}/notice", get(notice_page).post(confirm_notice)),
    )
}

pub fn school_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::School]),
        Routes::new().route("/school/applications", get(school_applications).post(school_apply)),
    )
}

pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new()
            .route("/admin/tuition-offer", get(offer_page).post(add_to_offer))
            .route("/admin/tuition-offer/{id}/withdraw", post(withdraw_from_offer))
            .route("/admin/waiting-lists", get(waiting_lists))
            .route("/admin/waiting-lists/priority", post(set_priority))
            .route("/admin/applications", post(office_apply))
            .route("/admin/applications/{id}/offer", post(make_offer)),
    )
}

/// Links the dashboard adds for each role.
pub fn dashboard_links(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Parent => vec![
            (
                "/parent/applications",
                "Apply for lessons and answer offers",
                "Ask for lessons for your child, see their place on the waiting list, accept or decline an offer.",
            ),
            (
                "/parent/enrolments",
                "Your children's enrolments",
                "What each child learns, and giving notice to stop.",
            ),
        ],
        Role::School => vec![(
            "/school/applications",
            "Apply for school-paid tuition",
            "Lessons your school pays for, for your own pupils.",
        )],
        Role::Admin | Role::Manager => vec![
            (
                "/admin/waiting-lists",
                "Waiting lists and offers",
                "Children waiting for lessons in their fair order; offer places.",
            ),
            (
                "/admin/tuition-offer",
                "The tuition the hub offers",
                "Instruments, lesson types and lengths families can apply for.",
            ),
        ],
        _ => Vec::new(),
    }
}

/// A lesson in words: "individual 30-minute".
pub use tutti_domain::lessons::lesson_words;

/// An application's status in words for its family.
pub fn status_words(a: &ApplicationView) -> String {
    let date = |d: Option<Date>| d.map(format_date_uk).unwrap_or_default();
    match a.status {
        ApplicationStatus::Waiting => match a.place {
            Some(p) => format!("Waiting: number {p} on the list"),
            None => "Waiting".into(),
        },
        ApplicationStatus::Offered => format!(
            "Offered a place from {}: answer by {}",
            date(a.offer_start_date),
            date(a.offer_expires_on)
        ),
        ApplicationStatus::Accepted => format!("Accepted: lessons from {}", date(a.offer_start_date)),
        ApplicationStatus::Declined => "Declined".into(),
        ApplicationStatus::Lapsed => format!("Offer lapsed on {}", date(a.offer_expires_on)),
    }
}

/// An application as a page shows it.
pub struct AppLine {
    pub a: ApplicationView,
    pub lesson: String,
    pub status: String,
    pub applied: String,
    pub open_offer: bool,
}

impl AppLine {
    pub fn new(a: ApplicationView) -> AppLine {
        AppLine {
            lesson: format!("{} ({})", a.instrument, lesson_words(&a.lesson_type, a.minutes)),
            status: status_words(&a),
            applied: format_date_uk(a.applied_at.date()),
            open_offer: a.status == ApplicationStatus::Offered,
            a,
        }
    }
}

fn lines(rows: Vec<ApplicationView>) -> Vec<AppLine> {
    rows.into_iter().map(AppLine::new).collect()
}

/// The applications a family's or a school's page lists: all of theirs, on one page.
async fn own_applications(state: &AppState, scope: &PupilScope) -> AppResult<Vec<ApplicationView>> {
    let filter = ApplicationFilter {
        per_page: 200,
        ..Default::default()
    };
    Ok(state
        .store
        .applications(scope, &filter, state.store.today())
        .await?
        .rows)
}

// -------------------------------------------------------------------------------------------
// Applying

/// The choices on an application form.
pub struct ApplyChoices {
    pub instruments: Vec<String>,
    pub lesson_types: Vec<(&'static str, &'static str)>,
    pub minutes: Vec<u16>,
}

fn apply_choices(offer: &[OfferedLesson], for_schools: bool) -> ApplyChoices {
    let mut instruments: Vec<String> = offer.iter().map(|o| o.instrument.clone()).collect();
    instruments.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let mut lesson_types = vec![
        ("individual", "Individual"),
        ("paired", "Paired (2 pupils)"),
        ("group", "Small group (up to 6)"),
    ];
    if for_schools {
        lesson_types.push(("whole-class", "Whole class"));
    }
    ApplyChoices {
        instruments,
        lesson_types,
        minutes: LESSON_MINUTES.to_vec(),
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct ApplyForm {
    #[serde(default)]
    pub pupil: String,
    #[serde(default)]
    pub instrument: String,
    #[serde(default)]
    pub lesson_type: String,
    #[serde(default)]
    pub minutes: String,
}

/// Reads the lesson part of an application form, checked against the offer.
fn read_choice(
    form: &ApplyForm,
    source: ApplicationSource,
    offer: &[OfferedLesson],
    errors: &mut FormErrors,
) -> Option<TuitionChoice> {
    if form.instrument.trim().is_empty() {
        errors.add("instrument", "Choose an instrument, or voice");
    }
    let lesson_type = form.lesson_type.parse::<LessonType>().ok();
    if lesson_type.is_none() {
        errors.add("lesson_type", "Choose individual, paired or group lessons");
    }
    let minutes = form
        .minutes
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|m| LESSON_MINUTES.contains(m));
    if minutes.is_none() {
        errors.add("minutes", "Choose a lesson length: 15, 20, 30, 45 or 60 minutes");
    }
    let choice = TuitionChoice {
        instrument: form.instrument.trim().to_owned(),
        lesson_type: lesson_type?,
        minutes: minutes?,
    };
    if form.instrument.trim().is_empty() {
        return None;
    }
    let offered: Vec<TuitionChoice> = offer
        .iter()
        .filter_map(|o| {
            Some(TuitionChoice {
                instrument: o.instrument.clone(),
                lesson_type: o.lesson_type.parse().ok()?,
                minutes: u16::try_from(o.minutes).ok()?,
            })
        })
        .collect();
    match check_application(&choice, source, &offered) {
        Ok(()) => Some(choice),
        Err(e) => {
            errors.add(e.field(), e.to_string());
            None
        }
    }
}

/// Stores an application, turning the store's refusals into messages by the field.
async fn submit_application(
    state: &AppState,
    actor: &Actor,
    scope: &PupilScope,
    app: NewApplication,
    errors: &mut FormErrors,
) -> AppResult<Option<i64>> {
    match state.store.apply(actor, scope, &app).await {
        Ok(id) => Ok(Some(id)),
        Err(StoreError::NotFound) => {
            errors.add("pupil", "Choose one of the children listed");
            Ok(None)
        }
        Err(StoreError::Refused(r)) => {
            // A clash (already waiting or learning) is about the instrument; the rest about
            // what was chosen.
            errors.add(if r.is_conflict() { "instrument" } else { "lesson_type" }, message(&r));
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admissions/parent_applications.html")]
struct ParentApplicationsPage {
    shell: Shell,
    csrf: String,
    children: Vec<PupilSummary>,
    applications: Vec<AppLine>,
    choices: ApplyChoices,
    form: ApplyForm,
    errors: FormErrors,
}

async fn parent_page(
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
    let status = errors.status();
    let page = ParentApplicationsPage {
        shell: Shell::new(state, visitor, "Lessons for your children", "/parent/applications"),
        csrf,
        children,
        applications: lines(applications),
        choices: apply_choices(&offer, false),
        form,
        errors,
    };
    let response = render_clearing_flash(state, visitor, &page).await?;
    Ok((status, response).into_response())
}

async fn parent_applications(
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

async fn parent_apply(
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

async fn answer(
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

async fn accept_offer(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, session): SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    answer(state, visitor, user, session.id_hash, id, true).await
}

async fn decline_offer(
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
            (_, Some(end)) => format!("Ending on {}", format_date_uk(end)),
            (EnrolmentStatus::Awaiting, _) => format!("From {}, awaiting allocation", format_date_uk(e.start_date)),
            _ => format!("From {}", format_date_uk(e.start_date)),
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
struct ParentEnrolmentsPage {
    shell: Shell,
    lines: Vec<EnrolmentLine>,
}

async fn parent_enrolments(
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
struct NoticePage {
    shell: Shell,
    csrf: String,
    preview: NoticePreview,
    lesson: String,
    end_date: String,
    deadline: String,
}

async fn notice_page(
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
        end_date: format_date_uk(preview.end_date),
        deadline: format_date_uk(preview.deadline),
        preview,
    })
}

async fn confirm_notice(
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
        &format!("Notice given. Lessons end on {}.", format_date_uk(end)),
        "/parent/enrolments",
    )
    .await
}

// -------------------------------------------------------------------------------------------
// Schools

#[derive(Template)]
#[template(path = "admissions/school_applications.html")]
struct SchoolApplicationsPage {
    shell: Shell,
    csrf: String,
    applications: Vec<AppLine>,
    choices: ApplyChoices,
    form: ApplyForm,
    errors: FormErrors,
}

async fn school_page(
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
    let status = errors.status();
    let page = SchoolApplicationsPage {
        shell: Shell::new(state, visitor, "School-paid tuition", "/school/applications"),
        csrf,
        applications: lines(applications),
        choices: apply_choices(&offer, true),
        form,
        errors,
    };
    let response = render_clearing_flash(state, visitor, &page).await?;
    Ok((status, response).into_response())
}

async fn school_applications(
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
async fn apply_by_ref(
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

async fn school_apply(
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

#[derive(Template)]
#[template(path = "admissions/offer.html")]
struct OfferPage {
    shell: Shell,
    csrf: String,
    offer: Vec<OfferedLesson>,
    form: ApplyForm,
    errors: FormErrors,
    lesson_types: &'static [LessonType],
    minutes: &'static [u16],
}

async fn offer_view(
    state: &AppState,
    visitor: &Visitor,
    csrf: String,
    form: ApplyForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let status = errors.status();
    let page = OfferPage {
        shell: Shell::new(state, visitor, "The tuition the hub offers", "/admin/tuition-offer"),
        csrf,
        offer: state.store.tuition_offer().await?,
        form,
        errors,
        lesson_types: LessonType::ALL,
        minutes: &LESSON_MINUTES,
    };
    let response = render_clearing_flash(state, visitor, &page).await?;
    Ok((status, response).into_response())
}

async fn offer_page(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(_, session): SignedIn,
) -> AppResult<Response> {
    offer_view(
        &state,
        &visitor,
        session.csrf_token,
        ApplyForm::default(),
        FormErrors::default(),
    )
    .await
}

async fn add_to_offer(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, session): SignedIn,
    Form(form): Form<ApplyForm>,
) -> AppResult<Response> {
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
    let minutes = form
        .minutes
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|m| LESSON_MINUTES.contains(m));
    if minutes.is_none() {
        errors.add("minutes", "Choose a lesson length: 15, 20, 30, 45 or 60 minutes");
    }
    if let (Some(lesson_type), Some(minutes)) = (lesson_type, minutes)
        && errors.is_empty()
    {
        let choice = TuitionChoice {
            instrument: form.instrument.trim().to_owned(),
            lesson_type,
            minutes,
        };
        match state.store.add_to_offer(&actor(&user, &visitor), &choice).await {
            Ok(_) => {
                return flash_to(
                    &state,
                    &session.id_hash,
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
    offer_view(&state, &visitor, session.csrf_token, form, errors).await
}

async fn withdraw_from_offer(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, session): SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    state.store.withdraw_from_offer(&actor(&user, &visitor), id).await?;
    flash_to(
        &state,
        &session.id_hash,
        "Withdrawn from the offer. Applications already made still stand.",
        "/admin/tuition-offer",
    )
    .await
}

// -------------------------------------------------------------------------------------------
// The office: waiting lists and offers

#[derive(Deserialize, Default)]
struct ListParams {
    school: Option<String>,
    instrument: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "admissions/waiting_lists.html")]
struct WaitingListsPage {
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

async fn waiting_view(
    state: &AppState,
    visitor: &Visitor,
    csrf: String,
    params: ListParams,
    form: ApplyForm,
    errors: FormErrors,
) -> AppResult<Response> {
    let day = state.store.today();
    let school_text = params.school.unwrap_or_default();
    let instrument = params.instrument.unwrap_or_default();
    let filter = ApplicationFilter {
        school_id: school_text.trim().parse().ok(),
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
    let status = errors.status();
    let page = WaitingListsPage {
        shell: Shell::new(state, visitor, "Waiting lists", "/admin/waiting-lists"),
        csrf,
        priority: state.store.waiting_priority().await?,
        priorities: WaitingPriority::ALL,
        school: school_text,
        instrument,
        total: waiting.total,
        page: waiting.page,
        pages: waiting.pages(),
        waiting: lines(waiting.rows),
        offers: lines(offers.rows),
        start_default: (day + Duration::days(OFFER_DAYS + 7)).to_string(),
        expiry_default: (day + Duration::days(OFFER_DAYS)).to_string(),
        choices: apply_choices(&offer, true),
        form,
        errors,
    };
    let response = render_clearing_flash(state, visitor, &page).await?;
    Ok((status, response).into_response())
}

async fn waiting_lists(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(_, session): SignedIn,
    Query(params): Query<ListParams>,
) -> AppResult<Response> {
    waiting_view(
        &state,
        &visitor,
        session.csrf_token,
        params,
        ApplyForm::default(),
        FormErrors::default(),
    )
    .await
}

#[derive(Deserialize)]
struct PriorityForm {
    #[serde(default)]
    priority: String,
}

async fn set_priority(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, session): SignedIn,
    Form(form): Form<PriorityForm>,
) -> AppResult<Response> {
    let priority: WaitingPriority = form
        .priority
        .parse()
        .map_err(|_| AppError::BadRequest("Choose one of the orders listed.".into()))?;
    state
        .store
        .set_waiting_priority(&actor(&user, &visitor), priority)
        .await?;
    flash_to(
        &state,
        &session.id_hash,
        &format!("Waiting lists now order: {}", priority.describe()),
        "/admin/waiting-lists",
    )
    .await
}

async fn office_apply(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, session): SignedIn,
    Form(form): Form<ApplyForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if apply_by_ref(&state, &visitor, &user, &form, ApplicationSource::Admin, &mut errors).await? {
        return flash_to(
            &state,
            &session.id_hash,
            "The application is on the waiting list.",
            "/admin/waiting-lists",
        )
        .await;
    }
    waiting_view(
        &state,
        &visitor,
        session.csrf_token,
        ListParams::default(),
        form,
        errors,
    )
    .await
}

#[derive(Deserialize)]
struct OfferForm {
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    expires_on: String,
}

fn form_date(text: &str, what: &str) -> AppResult<Date> {
    tutti_domain::validate::parse_date(text)
        .map_err(|_| AppError::BadRequest(format!("Enter the {what} as a date, like 2027-01-04.")))
}

async fn make_offer(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, session): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<OfferForm>,
) -> AppResult<Response> {
    let start = form_date(&form.start_date, "start date")?;
    let expires = form_date(&form.expires_on, "date the offer is open until")?;
    let answer_url = format!("{}/parent/applications", state.config.public_url.trim_end_matches('/'));
    state
        .store
        .make_offer(
            &actor(&user, &visitor),
            id,
            start,
            expires,
            state.store.today(),
            &answer_url,
        )
        .await?;
    flash_to(
        &state,
        &session.id_hash,
        "The place was offered and the family emailed.",
        "/admin/waiting-lists",
    )
    .await
}
