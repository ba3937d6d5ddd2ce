//! Long jobs through the API: one job's state, wherever it runs. A billing run that does not
//! finish within its request answers 202 with its job, followed here.
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;
use tutti_store::platform::jobs::Job;
use utoipa::{OpenApi, ToSchema};

use crate::access::{Access, Audience, Routes};
use crate::api_extract::ApiPath;
use crate::routes::api::caller::Caller;
use crate::routes::api::{ApiError, office, ok};

pub fn audience() -> Audience {
    Audience::new(Access::SignedIn, Routes::new().route("/api/v1/jobs/{id}", get(get_job)))
}

#[derive(OpenApi)]
#[openapi(paths(get_job))]
pub struct JobsDoc;

/// A long job: a billing run or a timetable proposal, on whichever app server holds it.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobState {
    pub id: i64,
    /// What it does.
    #[schema(example = "billing_run")]
    pub kind: String,
    /// running, done or failed.
    #[schema(example = "running")]
    pub status: String,
    /// How far it has got, as its kind says (a billing run: `stage`, and counts).
    #[schema(value_type = Option<Object>)]
    pub progress: Option<serde_json::Value>,
    /// What it did, once done (a billing run: `run_id`, `invoice_count`, `line_count`,
    /// `total_pence`).
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    /// Why it failed.
    pub error: Option<String>,
    /// Times it has been started: more than 1 when an app server stopped while holding it.
    pub attempts: i32,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub finished_at: Option<String>,
    /// Where to follow it.
    #[schema(example = "/api/v1/jobs/12")]
    pub href: String,
}

fn stamp(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl From<&Job> for JobState {
    fn from(j: &Job) -> JobState {
        JobState {
            id: j.id,
            kind: j.kind.as_str().to_owned(),
            status: j.status.as_str().to_owned(),
            progress: j.progress.clone().filter(serde_json::Value::is_object),
            result: j.result.clone().filter(serde_json::Value::is_object),
            error: j.error.clone(),
            attempts: j.attempts,
            created_at: stamp(j.created_at),
            finished_at: j.finished_at.map(stamp),
            href: format!("/api/v1/jobs/{}", j.id),
        }
    }
}

/// One job.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs",
    params(("id" = i64, Path, description = "The job's id")),
    responses((status = 200, description = "The job", body = JobState),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such job")))]
async fn get_job(Caller { state, user, .. }: Caller, ApiPath(id): ApiPath<i64>) -> Result<Response, ApiError> {
    office(&user)?;
    let job = state.store.job(id).await?;
    ok(StatusCode::OK, JobState::from(&job))
}
