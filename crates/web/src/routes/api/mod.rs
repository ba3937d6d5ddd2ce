//! The JSON API under /api/v1 for schools, pupils, staff, instruments and the audit log,
//! described by the OpenAPI 3 document at /api/openapi.json. Bodies use the import's
//! column names; the screens' rules hold: writes are for admins and managers, pupils are
//! scoped to whoever asks, and someone else's record is 404.
use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tutti_store::StoreError;
use tutti_store::listing::ListQuery;
use tutti_store::platform::accounts::{Role, User};
use tutti_store::records::pupils::PupilScope;
use utoipa::OpenApi;

pub mod allocation;
pub mod billing;
pub mod enrolments;
pub mod hours;
pub mod lessons;
mod schemas;

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, ApiPath, ApiQuery};
use crate::forms::FormErrors;
use crate::problem::Problem;
use crate::routes::records::{self, Values};
use crate::session::{SignedIn, Visitor, actor};
use crate::state::AppState;

pub fn audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/api/v1/schools", get(list_schools).post(create_school))
            .route("/api/v1/schools/{id}", get(get_school).put(update_school))
            .route("/api/v1/schools/{id}/archive", post(archive_school))
            .route("/api/v1/pupils", get(list_pupils).post(create_pupil))
            .route("/api/v1/pupils/{id}", get(get_pupil).put(update_pupil))
            .route("/api/v1/pupils/{id}/archive", post(archive_pupil))
            .route("/api/v1/staff", get(list_staff).post(create_staff))
            .route("/api/v1/staff/{id}", get(get_staff).put(update_staff))
            .route("/api/v1/staff/{id}/archive", post(archive_staff))
            .route("/api/v1/instruments", get(list_instruments).post(create_instrument))
            .route("/api/v1/instruments/{id}", get(get_instrument).put(update_instrument))
            .route("/api/v1/instruments/{id}/archive", post(archive_instrument))
            .route("/api/v1/audit-events", get(audit_events)),
    )
}

/// The OpenAPI document is public, like any API reference.
pub fn docs_audience() -> Audience {
    Audience::new(
        Access::Public,
        Routes::new().route(
            "/api/openapi.json",
            get(|| async {
                Json(schemas::describe_bodies(hours::with_hours(
                    allocation::with_allocation(billing::with_billing(enrolments::with_enrolments(
                        lessons::with_lessons(ApiDoc::openapi()),
                    ))),
                )))
            }),
        ),
    )
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tutti API",
        description = "Core records of a music education hub. Send a personal API token as `Authorization: Bearer TOKEN`."
    ),
    paths(
        list_schools,
        create_school,
        get_school,
        update_school,
        archive_school,
        list_pupils,
        create_pupil,
        get_pupil,
        update_pupil,
        archive_pupil,
        list_staff,
        create_staff,
        get_staff,
        update_staff,
        archive_staff,
        list_instruments,
        create_instrument,
        get_instrument,
        update_instrument,
        archive_instrument,
        audit_events
    )
)]
pub struct ApiDoc;

type ApiResult = Result<Response, ApiError>;

pub enum ApiError {
    NotFound,
    Forbidden,
    Invalid(FormErrors),
    /// A rule of the hub said no (409, naming the field when the domain does).
    Refused(tutti_domain::Refusal),
    Internal(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Refused(r) => ApiError::Refused(r),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::NotFound => Problem::new(StatusCode::NOT_FOUND, "Not found."),
            ApiError::Forbidden => Problem::new(StatusCode::FORBIDDEN, "Your role may not do this."),
            ApiError::Invalid(errors) => Problem::invalid(errors.list().iter().map(|(f, m)| (*f, m.as_str()))),
            ApiError::Refused(r) => Problem::refused(&r),
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error in the API");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong; it has been logged.",
                )
            }
        }
        .into_response()
    }
}

/// The office's roles only: for API routes whose audience is everyone signed in, so that a
/// wrong role gets a JSON 403 rather than a page.
pub(crate) fn office(user: &User) -> Result<(), ApiError> {
    if matches!(user.role, Role::Admin | Role::Manager) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// A field of a JSON body as text: a string as it is, a number written out, anything else empty.
pub(crate) fn text(body: &serde_json::Value, key: &str) -> String {
    match &body[key] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn ok<T: serde::Serialize>(status: StatusCode, value: T) -> ApiResult {
    Ok((status, Json(value)).into_response())
}

/// A JSON object of fields, read as the form's values: true/false become yes/no.
fn values(body: HashMap<String, serde_json::Value>) -> Values {
    body.into_iter()
        .filter_map(|(k, v)| {
            let text = match v {
                serde_json::Value::Null => return None,
                serde_json::Value::Bool(b) => if b { "yes" } else { "no" }.to_owned(),
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            Some((k, text))
        })
        .collect()
}

fn parsed<T>(v: &Values, parse: impl Fn(&Values, &mut FormErrors) -> Option<T>) -> Result<T, ApiError> {
    let mut errors = FormErrors::default();
    match parse(v, &mut errors) {
        Some(t) if errors.is_empty() => Ok(t),
        _ => Err(ApiError::Invalid(errors)),
    }
}

#[derive(Deserialize)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    desc: bool,
    page: Option<u64>,
    per_page: Option<u64>,
    #[serde(default)]
    include_archived: bool,
}

impl ListParams {
    fn query(&self) -> ListQuery {
        ListQuery {
            q: self.q.clone(),
            sort: self.sort.clone(),
            desc: self.desc,
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(50),
            include_archived: self.include_archived,
        }
    }
}

macro_rules! office_records {
    ($tag:literal, $base:literal, $item:literal,
     $list:ident, $create:ident, $get:ident, $update:ident, $archive:ident,
     $store_list:ident, $store_get:ident, $store_create:ident, $store_update:ident, $store_archive:ident, $parse:expr) => {
        #[utoipa::path(get, path = $base, tag = $tag,
            params(("q" = Option<String>, Query, description = "Search text"), ("sort" = Option<String>, Query, description = "Column to sort by"),
                   ("desc" = Option<bool>, Query, description = "Sort descending"), ("page" = Option<u64>, Query, description = "Page, from 1"),
                   ("per_page" = Option<u64>, Query, description = "Rows a page, at most 200"), ("include_archived" = Option<bool>, Query, description = "Include archived records")),
            responses((status = 200, description = "A page: rows, total, capped, page, per_page"), (status = 401, description = "No token or session"), (status = 403, description = "Role may not list these")))]
        async fn $list(State(state): State<AppState>, signed: SignedIn, ApiQuery(p): ApiQuery<ListParams>) -> ApiResult {
            office(&signed.0)?;
            ok(StatusCode::OK, state.store.$store_list(&p.query()).await?)
        }

        #[utoipa::path(post, path = $base, tag = $tag,
            responses((status = 201, description = "Created; the record"), (status = 422, description = "Errors by field"), (status = 409, description = "The key is taken")))]
        async fn $create(State(state): State<AppState>, visitor: Visitor, signed: SignedIn, ApiJson(body): ApiJson<HashMap<String, serde_json::Value>>) -> ApiResult {
            office(&signed.0)?;
            let input = parsed(&values(body), $parse)?;
            ok(StatusCode::CREATED, state.store.$store_create(&actor(&signed.0, &visitor), &input).await?)
        }

        #[utoipa::path(get, path = $item, tag = $tag, params(("id" = i64, Path, description = "Record id")),
            responses((status = 200, description = "The record"), (status = 404, description = "No such record")))]
        async fn $get(State(state): State<AppState>, signed: SignedIn, ApiPath(id): ApiPath<i64>) -> ApiResult {
            office(&signed.0)?;
            ok(StatusCode::OK, state.store.$store_get(id).await?.ok_or(ApiError::NotFound)?)
        }

        #[utoipa::path(put, path = $item, tag = $tag, params(("id" = i64, Path, description = "Record id")),
            responses((status = 200, description = "Saved; the record"), (status = 404, description = "No such record"), (status = 422, description = "Errors by field")))]
        async fn $update(State(state): State<AppState>, visitor: Visitor, signed: SignedIn, ApiPath(id): ApiPath<i64>, ApiJson(body): ApiJson<HashMap<String, serde_json::Value>>) -> ApiResult {
            office(&signed.0)?;
            let input = parsed(&values(body), $parse)?;
            ok(StatusCode::OK, state.store.$store_update(&actor(&signed.0, &visitor), id, &input).await?)
        }

        #[utoipa::path(post, path = concat!($item, "/archive"), tag = $tag, params(("id" = i64, Path, description = "Record id")),
            responses((status = 204, description = "Archived"), (status = 404, description = "No such record")))]
        async fn $archive(State(state): State<AppState>, visitor: Visitor, signed: SignedIn, ApiPath(id): ApiPath<i64>) -> ApiResult {
            office(&signed.0)?;
            state.store.$store_archive(&actor(&signed.0, &visitor), id).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
    };
}

office_records!(
    "schools",
    "/api/v1/schools",
    "/api/v1/schools/{id}",
    list_schools,
    create_school,
    get_school,
    update_school,
    archive_school,
    list_schools,
    school,
    create_school,
    update_school,
    archive_school,
    records::schools::parse
);
office_records!(
    "staff",
    "/api/v1/staff",
    "/api/v1/staff/{id}",
    list_staff,
    create_staff,
    get_staff,
    update_staff,
    archive_staff,
    list_staff,
    staff_member,
    create_staff,
    update_staff,
    archive_staff,
    records::read_row::<tutti_domain::csv::StaffRow>
);
office_records!(
    "instruments",
    "/api/v1/instruments",
    "/api/v1/instruments/{id}",
    list_instruments,
    create_instrument,
    get_instrument,
    update_instrument,
    archive_instrument,
    list_instruments,
    instrument,
    create_instrument,
    update_instrument,
    archive_instrument,
    records::instruments::parse
);

#[utoipa::path(get, path = "/api/v1/pupils", tag = "pupils",
    params(("q" = Option<String>, Query, description = "Name or reference prefix"), ("sort" = Option<String>, Query, description = "name, first_name, ref, dob or school"),
           ("desc" = Option<bool>, Query, description = "Sort descending"), ("page" = Option<u64>, Query, description = "Page, from 1"),
           ("per_page" = Option<u64>, Query, description = "Rows a page, at most 200"), ("include_archived" = Option<bool>, Query, description = "Include archived pupils")),
    responses((status = 200, description = "The pupils the caller may see: a teacher theirs, a parent their children, a school its roll")))]
async fn list_pupils(State(state): State<AppState>, signed: SignedIn, ApiQuery(p): ApiQuery<ListParams>) -> ApiResult {
    let scope = PupilScope::for_user(&signed.0);
    ok(StatusCode::OK, state.store.list_pupils(&scope, &p.query()).await?)
}

#[utoipa::path(get, path = "/api/v1/pupils/{id}", tag = "pupils", params(("id" = i64, Path, description = "Pupil id")),
    responses((status = 200, description = "The pupil's record; the view is audited"), (status = 404, description = "No such pupil, or not one the caller may see")))]
async fn get_pupil(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult {
    let scope = PupilScope::for_user(&signed.0);
    let pupil = state
        .store
        .view_pupil(&actor(&signed.0, &visitor), &scope, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    ok(StatusCode::OK, pupil)
}

#[utoipa::path(post, path = "/api/v1/pupils", tag = "pupils",
    responses((status = 201, description = "Created; {\"id\": n}"), (status = 422, description = "Errors by field"), (status = 409, description = "Reference taken or school unknown")))]
async fn create_pupil(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    ApiJson(body): ApiJson<HashMap<String, serde_json::Value>>,
) -> ApiResult {
    office(&signed.0)?;
    let input = parsed(&values(body), records::pupils::parse)?;
    let id = state.store.create_pupil(&actor(&signed.0, &visitor), &input).await?;
    ok(StatusCode::CREATED, serde_json::json!({ "id": id }))
}

#[utoipa::path(put, path = "/api/v1/pupils/{id}", tag = "pupils", params(("id" = i64, Path, description = "Pupil id")),
    responses((status = 204, description = "Saved"), (status = 404, description = "No such pupil"), (status = 422, description = "Errors by field")))]
async fn update_pupil(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<HashMap<String, serde_json::Value>>,
) -> ApiResult {
    office(&signed.0)?;
    let input = parsed(&values(body), records::pupils::parse)?;
    state
        .store
        .update_pupil(&actor(&signed.0, &visitor), id, &input)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(post, path = "/api/v1/pupils/{id}/archive", tag = "pupils", params(("id" = i64, Path, description = "Pupil id")),
    responses((status = 204, description = "Archived"), (status = 404, description = "No such pupil")))]
async fn archive_pupil(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult {
    office(&signed.0)?;
    state.store.archive_pupil(&actor(&signed.0, &visitor), id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit",
    params(("entity" = Option<String>, Query, description = "school, pupil, staff, instrument"), ("entity_id" = Option<String>, Query, description = "Record id"),
           ("action" = Option<String>, Query, description = "create, update, archive, view, import, export"), ("actor" = Option<String>, Query, description = "Part of who did it"),
           ("page" = Option<String>, Query, description = "Page, from 1")),
    responses((status = 200, description = "A page of events, newest first"), (status = 403, description = "Managers and admins only")))]
async fn audit_events(
    State(state): State<AppState>,
    signed: SignedIn,
    ApiQuery(p): ApiQuery<records::audit::AuditParams>,
) -> ApiResult {
    office(&signed.0)?;
    ok(StatusCode::OK, state.store.audit_events(&p.filter(100)).await?)
}
