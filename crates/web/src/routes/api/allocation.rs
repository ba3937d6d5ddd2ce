//! The allocation API: placements, cancellations, make-ups and timetable proposals, for the
//! office's roles; the rules are the office's pages' (routes/teaching/allocation.rs). A request of the
//! right shape that a rule refuses (a double-booked teacher, no lessons that day, a lesson
//! not owed) is 409 with the reasons in words.
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tutti_domain::lessons::LessonType;
use tutti_store::teaching::cancellations::DayOff;
use tutti_store::teaching::proposals::{CostParts, GroupMove, MAX_SECONDS, Proposal};
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, ApiPath};
use crate::forms::FormErrors;
use crate::routes::api::caller::Caller;
use crate::routes::api::schemas::{clock, date, school_day, school_weekday};
use crate::routes::api::{ApiError, invalid, office, ok};
use crate::routes::teaching::allocation::{PlaceFields, read_place, read_proposal, start};

/// The API: the office's roles only, checked in each handler (JSON errors, not pages).
pub fn audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/api/v1/placements", post(api_place))
            .route("/api/v1/cancellations", post(api_cancel))
            .route("/api/v1/make-ups", post(api_make_up))
            .route("/api/v1/timetable/proposals", post(api_request_proposal))
            .route("/api/v1/timetable/proposals/{id}", get(api_proposal))
            .route("/api/v1/timetable/proposals/{id}/accept", post(api_accept)),
    )
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(api_place, api_cancel, api_make_up, api_request_proposal, api_proposal, api_accept))]
pub struct AllocationDoc;

fn lesson_types() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(LessonType::WORDS.iter().copied()))
        .build()
}

/// Enrolments placed in a new group.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct NewGroupPlacement {
    #[schema(min_items = 1)]
    enrolments: Vec<i64>,
    /// The teacher's staff id.
    teacher: i64,
    /// The school's id.
    school: i64,
    #[schema(schema_with = school_day)]
    weekday: Value,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "09:05")]
    start: String,
    #[schema(minimum = 15, maximum = 60)]
    minutes: u16,
    #[schema(schema_with = lesson_types)]
    lesson_type: String,
    #[schema(pattern = r"\S")]
    instrument: String,
}

/// Enrolments added to a group already placed.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct GroupPlacement {
    /// The group's id.
    group: i64,
    #[schema(min_items = 1)]
    enrolments: Vec<i64>,
}

/// A placement: enrolments in a new group, or added to one already placed.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum PlacementRequest {
    NewGroup(NewGroupPlacement),
    Group(GroupPlacement),
}

/// A placement as read, naming each field that is missing or wrong.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaceBody {
    group: Option<i64>,
    enrolments: Option<Vec<i64>>,
    teacher: Option<i64>,
    school: Option<i64>,
    weekday: Option<Value>,
    start: Option<String>,
    minutes: Option<i64>,
    lesson_type: Option<String>,
    instrument: Option<String>,
}

/// The group placed in, or added to.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Placed {
    pub group: i64,
}

/// Places enrolments in a new group or adds them to a placed one. A placement that breaks a
/// rule is 409 with the reasons.
#[utoipa::path(post, path = "/api/v1/placements", tag = "allocation", request_body = PlacementRequest,
    responses((status = 201, description = "Placed in a new group", body = Placed),
              (status = 200, description = "Added to the group", body = Placed),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such group, enrolment, teacher or school"),
              (status = 409, description = "The rules it breaks, in words")))]
async fn api_place(
    Caller { state, user, actor }: Caller,
    ApiJson(body): ApiJson<PlaceBody>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let enrolments = body.enrolments.clone().unwrap_or_default();
    if enrolments.is_empty() {
        return Err(invalid("enrolments", "Give the ids of one enrolment or more."));
    }
    if let Some(group) = body.group {
        let new_group = [
            body.teacher.is_some(),
            body.school.is_some(),
            body.weekday.is_some(),
            body.start.is_some(),
            body.minutes.is_some(),
            body.lesson_type.is_some(),
            body.instrument.is_some(),
        ];
        if new_group.into_iter().any(|given| given) {
            return Err(invalid(
                "group",
                "Give a group to add to, or a new group's teacher, school and time, not both.",
            ));
        }
        state.store.add_to_group(&actor, group, &enrolments).await?;
        return ok(StatusCode::OK, Placed { group });
    }
    let mut errors = FormErrors::default();
    for (field, given) in [("teacher", body.teacher.is_some()), ("school", body.school.is_some())] {
        if !given {
            errors.add(field, "Give its id.");
        }
    }
    let weekday = body.weekday.as_ref().and_then(school_weekday);
    if weekday.is_none() {
        errors.add("weekday", "Choose a school day, Monday (1) to Friday (5).");
    }
    if body.start.as_deref().and_then(clock).is_none() {
        errors.add("start", "Enter a start time like 09:05.");
    }
    if !body.minutes.is_some_and(|m| (15..=60).contains(&m)) {
        errors.add("minutes", "Enter a length from 15 to 60 minutes.");
    }
    if !LessonType::WORDS.contains(&body.lesson_type.as_deref().unwrap_or("")) {
        errors.add("lesson_type", "Choose individual, paired, group or whole-class.");
    }
    if body.instrument.as_deref().unwrap_or("").trim().is_empty() {
        errors.add("instrument", "Enter the instrument.");
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let (teacher, school) = (body.teacher.map(|t| t.to_string()), body.school.map(|s| s.to_string()));
    let (weekday, minutes) = (weekday.map(|d| d.to_string()), body.minutes.map(|m| m.to_string()));
    let (start, lesson_type, instrument) = (text(&body.start), text(&body.lesson_type), text(&body.instrument));
    let fields = PlaceFields {
        teacher: teacher.as_deref().unwrap_or_default(),
        school: school.as_deref().unwrap_or_default(),
        weekday: weekday.as_deref().unwrap_or_default(),
        start: &start,
        minutes: minutes.as_deref().unwrap_or_default(),
        lesson_type: &lesson_type,
        instrument: &instrument,
    };
    let request = read_place(&mut errors, enrolments, &fields);
    let Some(request) = request.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let id = state.store.place_enrolments(&actor, &request.group).await?;
    ok(StatusCode::CREATED, Placed { group: id })
}

/// A teacher's day off.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct TeacherDayOff {
    /// The absent teacher's staff id.
    teacher: i64,
    #[schema(format = Date)]
    date: String,
    reason: Option<String>,
}

/// A school's closure.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct SchoolClosure {
    /// The closed school's id.
    school: i64,
    #[schema(format = Date)]
    date: String,
    reason: Option<String>,
}

/// Whose lessons are cancelled that day: a teacher's or a school's.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum CancellationRequest {
    Teacher(TeacherDayOff),
    School(SchoolClosure),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelBody {
    teacher: Option<i64>,
    school: Option<i64>,
    date: Option<String>,
    reason: Option<String>,
}

/// The lessons cancelled, now owed by the hub.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cancelled {
    pub cancelled: u64,
}

/// Cancels a teacher's (`teacher`) or a school's (`school`) lessons on `date`.
#[utoipa::path(post, path = "/api/v1/cancellations", tag = "allocation", request_body = CancellationRequest,
    responses((status = 200, description = "The lessons now owed by the hub", body = Cancelled),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such teacher or school"),
              (status = 409, description = "No scheduled lessons that day")))]
async fn api_cancel(
    Caller { state, user, actor }: Caller,
    ApiJson(body): ApiJson<CancelBody>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let mut errors = FormErrors::default();
    let whose = match (body.teacher, body.school) {
        (Some(t), None) => Some(DayOff::Teacher(t)),
        (None, Some(s)) => Some(DayOff::School(s)),
        _ => {
            errors.add(
                "teacher",
                "Give the teacher who is absent, or the school that is closed (not both).",
            );
            None
        }
    };
    let day = body.date.as_deref().and_then(date);
    if day.is_none() {
        errors.add("date", "Enter a date like 2026-12-07.");
    }
    let (Some(whose), Some(day)) = (whose, day) else {
        return Err(ApiError::Invalid(errors));
    };
    let n = state
        .store
        .cancel_day(&actor, whose, day, body.reason.as_deref().unwrap_or(""))
        .await?;
    ok(StatusCode::OK, Cancelled { cancelled: n as u64 })
}

/// A make-up for an owed lesson.
#[derive(Deserialize, ToSchema)]
pub struct MakeUpBody {
    /// The owed lesson's id.
    #[schema(value_type = i64, required = true)]
    lesson: Option<i64>,
    #[schema(value_type = String, required = true, format = Date)]
    date: Option<String>,
    #[schema(value_type = String, required = true, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$", example = "09:05")]
    start: Option<String>,
}

/// The make-up lesson.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MadeUp {
    pub lesson: i64,
}

/// Schedules a make-up for an owed lesson on `date` at `start`.
#[utoipa::path(post, path = "/api/v1/make-ups", tag = "allocation", request_body = MakeUpBody,
    responses((status = 201, description = "The make-up", body = MadeUp),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such lesson"),
              (status = 409, description = "Not owed, already made up, or the rules it breaks")))]
async fn api_make_up(
    Caller { state, user, actor }: Caller,
    ApiJson(body): ApiJson<MakeUpBody>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let mut errors = FormErrors::default();
    if body.lesson.is_none() {
        errors.add("lesson", "Give the owed lesson's id.");
    }
    let day = body.date.as_deref().and_then(date);
    if day.is_none() {
        errors.add("date", "Enter a date like 2026-12-07.");
    }
    let at = body.start.as_deref().and_then(clock);
    if at.is_none() {
        errors.add("start", "Enter a start time like 09:05.");
    }
    let (Some(lesson), Some(day), Some(at)) = (body.lesson, day, at) else {
        return Err(ApiError::Invalid(errors));
    };
    let id = state.store.schedule_make_up(&actor, lesson, day, at).await?;
    ok(StatusCode::CREATED, MadeUp { lesson: id })
}

/// A proposed timetable asked for.
#[derive(Deserialize, ToSchema)]
pub struct ProposalBody {
    /// The term, like 2026-spring.
    #[schema(value_type = String, required = true, pattern = "^[0-9]{4}-(autumn|spring|summer)$", example = "2026-spring")]
    term: Option<String>,
    /// How long the search may take (10 unless said).
    #[schema(minimum = 1, maximum = 120)]
    seconds: Option<u32>,
}

/// A proposal being worked out.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalStarted {
    pub id: i64,
    /// running
    pub status: String,
}

/// Asks for a proposed timetable for `term` within `seconds`; `GET` it for its progress.
#[utoipa::path(post, path = "/api/v1/timetable/proposals", tag = "allocation", request_body = ProposalBody,
    responses((status = 202, description = "Started", body = ProposalStarted),
              (status = 403, description = "Office roles only")))]
async fn api_request_proposal(
    Caller { state, user, actor }: Caller,
    ApiJson(body): ApiJson<ProposalBody>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let mut errors = FormErrors::default();
    let term = body.term.as_deref().unwrap_or("");
    let shaped = term.len() == 11
        && term.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && term
            .get(4..)
            .is_some_and(|t| ["-autumn", "-spring", "-summer"].contains(&t));
    if !shaped {
        errors.add("term", "Choose a term, like 2026-spring.");
    }
    let seconds = body.seconds.unwrap_or(10);
    if !(1..=MAX_SECONDS).contains(&seconds) {
        errors.add("seconds", format!("Enter from 1 to {MAX_SECONDS} seconds."));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let Some((term, seconds)) = read_proposal(&mut errors, term, &seconds.to_string()) else {
        return Err(ApiError::Invalid(errors));
    };
    let id = state.store.request_proposal(&actor, term, seconds).await?;
    start(&state, id);
    ok(
        StatusCode::ACCEPTED,
        ProposalStarted {
            id,
            status: "running".into(),
        },
    )
}

/// What a timetable costs, in TIMETABLING.md's terms.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    pub cost: i64,
    pub travel: i64,
    pub idle: i64,
    pub visits: i64,
    pub unplaced: i64,
    /// Broken hard rules (the current timetable may have some; a proposal never does).
    pub broken_rules: i64,
}

impl From<CostParts> for Cost {
    fn from(c: CostParts) -> Cost {
        Cost {
            cost: c.cost,
            travel: c.travel,
            idle: c.idle,
            visits: c.visits,
            unplaced: c.unplaced,
            broken_rules: c.broken_rules,
        }
    }
}

/// One group the proposal moves; `after` is null for one it could not place.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Move {
    pub group_id: i64,
    pub label: String,
    pub teacher: String,
    pub school: String,
    /// [weekday 1-5, minutes after midnight].
    #[schema(value_type = Vec<u16>, min_items = 2, max_items = 2)]
    pub before: [u16; 2],
    #[schema(value_type = Option<Vec<u16>>, min_items = 2, max_items = 2)]
    pub after: Option<[u16; 2]>,
}

impl From<GroupMove> for Move {
    fn from(m: GroupMove) -> Move {
        Move {
            group_id: m.group_id,
            label: m.label,
            teacher: m.teacher,
            school: m.school,
            before: [u16::from(m.before.0), m.before.1],
            after: m.after.map(|(d, t)| [u16::from(d), t]),
        }
    }
}

/// A finished proposal's outcome.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalOutcome {
    pub before: Cost,
    pub after: Cost,
    pub groups: u64,
    pub pinned: u64,
    pub moves: Vec<Move>,
    pub solve_seconds: f64,
}

/// A proposal and how far it has got.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalStatus {
    pub id: i64,
    pub term: String,
    pub seconds: i32,
    /// running, ready, failed or accepted.
    pub status: String,
    /// The share of its time gone, 0 to 1.
    #[schema(minimum = 0, maximum = 1)]
    pub progress: f64,
    /// Once ready.
    pub result: Option<ProposalOutcome>,
    /// Why it failed.
    pub error: Option<String>,
}

impl From<Proposal> for ProposalStatus {
    fn from(p: Proposal) -> ProposalStatus {
        let progress = p.progress();
        ProposalStatus {
            id: p.id,
            term: p.term,
            seconds: p.seconds,
            status: p.status.as_str().to_owned(),
            progress,
            result: p.result.map(|r| ProposalOutcome {
                before: r.before.into(),
                after: r.after.into(),
                groups: r.groups as u64,
                pinned: r.pinned as u64,
                moves: r.moves.into_iter().map(Move::from).collect(),
                solve_seconds: r.solve_seconds,
            }),
            error: p.error,
        }
    }
}

/// A proposal: its status, its progress and, when ready, what it would change.
#[utoipa::path(get, path = "/api/v1/timetable/proposals/{id}", tag = "allocation",
    params(("id" = i64, Path, description = "The proposal")),
    responses((status = 200, description = "The proposal", body = ProposalStatus),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such proposal")))]
async fn api_proposal(Caller { state, user, .. }: Caller, ApiPath(id): ApiPath<i64>) -> Result<Response, ApiError> {
    office(&user)?;
    ok(StatusCode::OK, ProposalStatus::from(state.store.proposal(id).await?))
}

/// The groups an accepted proposal moved.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Accepted {
    pub moved: u64,
}

/// Accepts a ready proposal: its groups move and their lessons are re-dated.
#[utoipa::path(post, path = "/api/v1/timetable/proposals/{id}/accept", tag = "allocation",
    params(("id" = i64, Path, description = "The proposal")),
    responses((status = 200, description = "Accepted", body = Accepted),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such proposal"),
              (status = 409, description = "Not ready, already accepted, or the timetable changed since")))]
async fn api_accept(Caller { state, user, actor }: Caller, ApiPath(id): ApiPath<i64>) -> Result<Response, ApiError> {
    office(&user)?;
    let moved = state.store.accept_proposal(&actor, id).await?;
    ok(StatusCode::OK, Accepted { moved: moved as u64 })
}
