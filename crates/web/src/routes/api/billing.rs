//! The billing API: charging policies by academic year (read, replace; the body is the
//! policy file), billing runs, and invoices with the screens' role rules (a parent their own,
//! a school its own; anyone else's is 404).
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::{Value, json};
use tutti_domain::billing::{FieldError, PayerKey, export_policy, import_policy, parse_policy_value, validate_policy};
use tutti_domain::calendar::{AcademicYear, TermId};
use tutti_store::listing::ListQuery;
use tutti_store::money::billing::invoices::InvoiceFilter;
use tutti_store::platform::accounts::{Role, User};
use tutti_store::platform::audit::Actor;
use utoipa::OpenApi;

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, ApiPath, ApiQuery};
use crate::routes::api::ApiError;
use crate::session::{SignedIn, Visitor};
use crate::state::AppState;

pub fn audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/api/v1/charging-policies", get(list_policies))
            .route("/api/v1/charging-policies/{year}", get(get_policy).put(put_policy))
            .route("/api/v1/billing-runs", axum::routing::post(post_run))
            .route("/api/v1/invoices", get(list_invoices))
            .route("/api/v1/invoices/{id}", get(get_invoice)),
    )
}

#[derive(OpenApi)]
#[openapi(paths(list_policies, get_policy, put_policy, post_run, list_invoices, get_invoice))]
struct BillingDoc;

/// The API document with the billing paths added.
pub fn with_billing(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    doc.merge(BillingDoc::openapi());
    doc
}

type ApiResult = Result<Response, ApiError>;

fn office(user: &User) -> Result<(), ApiError> {
    if matches!(user.role, Role::Admin | Role::Manager) {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// 422 with every problem by field, as the file names the fields.
fn field_errors(errors: &[FieldError]) -> Response {
    crate::problem::Problem::invalid(errors.iter().map(|e| (e.field.as_str(), e.message.as_str()))).into_response()
}

fn year_of(text: &str) -> Result<AcademicYear, ApiError> {
    AcademicYear::parse(text).map_err(|_| ApiError::NotFound)
}

/// Every academic year with a saved policy.
#[utoipa::path(get, path = "/api/v1/charging-policies", tag = "billing",
    responses((status = 200, description = "{policies: [{academic_year, name, revision, updated_at}]}"), (status = 403, description = "Office roles only")))]
async fn list_policies(State(state): State<AppState>, SignedIn(user, _): SignedIn) -> ApiResult {
    office(&user)?;
    let years = state.store.charging_policy_years().await?;
    let list: Vec<Value> = years
        .iter()
        .map(|p| json!({"academic_year": p.academic_year, "name": p.policy.name, "revision": p.revision, "updated_at": p.updated_at.map(crate::format::iso)}))
        .collect();
    Ok(Json(json!({ "policies": list })).into_response())
}

/// A year's policy as its file (Durham's default, revision 0, until one is saved).
#[utoipa::path(get, path = "/api/v1/charging-policies/{year}", tag = "billing",
    params(("year" = String, Path, description = "Academic year, like 2026-27")),
    responses((status = 200, description = "{revision, file: {format, format_version, academic_year, policy}}"), (status = 403, description = "Office roles only")))]
async fn get_policy(
    State(state): State<AppState>,
    SignedIn(user, _): SignedIn,
    ApiPath(year): ApiPath<String>,
) -> ApiResult {
    office(&user)?;
    let year = year_of(&year)?;
    let record = state.store.charging_policy(year).await?;
    let file: Value =
        serde_json::from_str(&export_policy(year, &record.policy)).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Json(json!({"revision": record.revision, "file": file})).into_response())
}

/// Replaces a year's policy. The body is a policy file, or the policy object alone.
#[utoipa::path(put, path = "/api/v1/charging-policies/{year}", tag = "billing",
    params(("year" = String, Path, description = "Academic year, like 2026-27")),
    responses((status = 200, description = "{revision}"), (status = 403, description = "Office roles only"),
              (status = 422, description = "{errors: [{field, message}]}, fields named as in the file (policy.standard_fee, instalments.due_day)")))]
async fn put_policy(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    ApiPath(year): ApiPath<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult {
    office(&user)?;
    let year = year_of(&year)?;
    let policy = if body.get("format").is_some() {
        import_policy(&body.to_string(), year)
    } else {
        parse_policy_value(body).and_then(|p| {
            let errors = validate_policy(&p);
            if errors.is_empty() { Ok(p) } else { Err(errors) }
        })
    };
    let policy = match policy {
        Ok(p) => p,
        Err(errors) => return Ok(field_errors(&errors)),
    };
    let revision = state
        .store
        .save_charging_policy(&Actor::user(&user, &visitor.ip), year, &policy)
        .await?;
    Ok(Json(json!({ "revision": revision })).into_response())
}

#[derive(Deserialize)]
struct RunBody {
    term: String,
    #[serde(default)]
    dry_run: bool,
}

/// Runs billing for a term (or previews it with dry_run): every invoice with its payer,
/// lines (pupil_ref, null on a school's programme line; charge; description, rule,
/// amount_pence), instalments and total_pence.
#[utoipa::path(post, path = "/api/v1/billing-runs", tag = "billing",
    request_body(content = String, description = "{term: \"2026-autumn\", dry_run: false}", content_type = "application/json"),
    responses((status = 200, description = "{term, dry_run, run_id, invoice_count, line_count, total_pence, invoices: [...], skipped: [...]}"),
              (status = 403, description = "Office roles only"), (status = 422, description = "{errors: [{field, message}]}")))]
async fn post_run(
    State(state): State<AppState>,
    visitor: Visitor,
    SignedIn(user, _): SignedIn,
    body: axum::body::Bytes,
) -> ApiResult {
    // The role is checked before the body is read: a caller who may not run billing learns
    // nothing from how their body was read.
    office(&user)?;
    let body: RunBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(_) => {
            return Ok(field_errors(&[FieldError {
                field: "term".into(),
                message: "Send a JSON body like {\"term\": \"2026-autumn\", \"dry_run\": true}".into(),
            }]));
        }
    };
    let Ok(term) = TermId::parse(&body.term) else {
        return Ok(field_errors(&[FieldError {
            field: "term".into(),
            message: "Enter a term like 2026-autumn".into(),
        }]));
    };
    let report = state
        .store
        .run_billing(&Actor::user(&user, &visitor.ip), term, body.dry_run, &|_| {})
        .await?;
    Ok(Json(report.to_json()).into_response())
}

#[derive(Deserialize)]
struct InvoiceParams {
    #[serde(default)]
    q: String,
    term: Option<String>,
    page: Option<u64>,
    per_page: Option<u64>,
}

/// Invoices: all of them for the office (searchable), a parent's own, a school's own.
#[utoipa::path(get, path = "/api/v1/invoices", tag = "billing",
    params(("q" = Option<String>, Query, description = "Invoice number or payer's name (office only)"),
           ("term" = Option<String>, Query, description = "Only this term's, like 2026-autumn"),
           ("page" = Option<u64>, Query, description = "Page, from 1"), ("per_page" = Option<u64>, Query, description = "Up to 200")),
    responses((status = 200, description = "{invoices: [{id, number, payer_kind, payer_id, payer_name, term, kind, issued_on, total_pence, status}], total, page, per_page}")))]
async fn list_invoices(
    State(state): State<AppState>,
    SignedIn(user, _): SignedIn,
    ApiQuery(p): ApiQuery<InvoiceParams>,
) -> ApiResult {
    let mut filter = match user.role {
        Role::Admin | Role::Manager => InvoiceFilter::default(),
        Role::Parent => InvoiceFilter {
            guardians: Some(if user.email_verified {
                state.store.guardian_ids_for_email(&user.email).await?
            } else {
                Vec::new()
            }),
            ..InvoiceFilter::default()
        },
        Role::School => InvoiceFilter {
            payer: Some(PayerKey::School(user.school_id.ok_or(ApiError::Forbidden)?)),
            ..InvoiceFilter::default()
        },
        _ => return Err(ApiError::Forbidden),
    };
    filter.term = p.term.filter(|t| !t.trim().is_empty());
    let list = ListQuery {
        q: if matches!(user.role, Role::Admin | Role::Manager) {
            p.q
        } else {
            String::new()
        },
        page: p.page.unwrap_or(1),
        per_page: p.per_page.unwrap_or(50),
        ..ListQuery::default()
    };
    let page = state.store.invoices(&filter, &list).await?;
    Ok(
        Json(json!({"invoices": page.rows, "total": page.total, "page": page.page, "per_page": page.per_page}))
            .into_response(),
    )
}

/// One invoice with its lines and instalments; someone else's is 404.
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "billing",
    params(("id" = i64, Path, description = "Invoice id")),
    responses((status = 200, description = "{id, number, payer_kind, payer_id, payer_name, payer_address, term, kind, issued_on, total_pence, status, lines: [{pupil_ref, pupil_name, charge_kind, description, rule, amount_pence}], instalments: [{number, due_on, amount_pence, status}]}"),
              (status = 404, description = "No such invoice, or not yours")))]
async fn get_invoice(
    State(state): State<AppState>,
    SignedIn(user, _): SignedIn,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult {
    let invoice = state.store.invoice(id).await?;
    let allowed = crate::routes::money::billing::invoices::may_see_invoice(&state, &user, &invoice.summary)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    if !allowed {
        return Err(ApiError::NotFound);
    }
    Ok(Json(invoice).into_response())
}
