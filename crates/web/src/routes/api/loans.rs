//! The loans API: `GET /api/v1/loans` (the loans of the pupils the caller may see, as a
//! `Page`, by filter), `POST /api/v1/loans` (the office lends an instrument) and
//! `POST /api/v1/loans/{id}/return` (the office takes it back, with its condition). The
//! domain's rules refuse with 409 naming the field; a value not of its shape is 422.
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use tutti_domain::instruments::InstrumentCondition;
use tutti_domain::loans::LoanStatus;
use tutti_store::records::loans::{Loan as StoreLoan, LoanFilter, LoanQuery, NewLoan};
use tutti_store::records::pupils::PupilScope;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, ApiPath, ApiQuery};
use crate::forms::FormErrors;
use crate::routes::api::caller::Caller;
use crate::routes::api::schemas::{Page, date, iso_date, not_null, paging};
use crate::routes::api::{ApiError, office, ok};
use crate::state::AppState;

/// Signed in by token or session; lending and returning are the office's, checked in each
/// handler so that the answer is JSON.
pub fn audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/api/v1/loans", get(list_loans).post(lend))
            .route("/api/v1/loans/{id}/return", post(return_loan)),
    )
}

#[derive(OpenApi)]
#[openapi(paths(list_loans, lend, return_loan))]
pub struct LoansDoc;

/// An instrument lent to a pupil.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Loan {
    pub id: i64,
    pub instrument_id: i64,
    pub serial: String,
    pub instrument_type: String,
    pub pupil_id: i64,
    pub pupil_ref: String,
    pub pupil_name: String,
    #[schema(format = Date)]
    pub from: String,
    /// The day it is due back.
    #[schema(format = Date)]
    pub due: Option<String>,
    /// The day it came back, or was lost or damaged.
    #[schema(format = Date)]
    pub ended: Option<String>,
    /// on-loan, returned, lost or damaged.
    #[schema(schema_with = statuses)]
    pub status: String,
    /// The condition it came back in.
    pub return_condition: Option<String>,
    /// When the family accepted the loan agreement (online, or on paper as recorded).
    #[schema(format = DateTime)]
    pub agreement_accepted_at: Option<String>,
    pub agreement_on_paper: bool,
    /// Still out after the day it was due back.
    pub overdue: bool,
}

impl From<StoreLoan> for Loan {
    fn from(l: StoreLoan) -> Loan {
        Loan {
            id: l.id,
            instrument_id: l.instrument_id,
            serial: l.serial,
            instrument_type: l.instrument_type,
            pupil_id: l.pupil_id,
            pupil_ref: l.pupil_ref,
            pupil_name: l.pupil_name,
            from: iso_date(l.start_date),
            due: l.due_date.map(iso_date),
            ended: l.end_date.map(iso_date),
            status: l.status.as_str().to_owned(),
            return_condition: l.return_condition.map(|c| c.as_str().to_owned()),
            agreement_accepted_at: l.agreement_accepted_at.map(crate::format::iso),
            agreement_on_paper: l.agreement_on_paper,
            overdue: l.overdue,
        }
    }
}

fn statuses() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(LoanStatus::WORDS.iter().copied()))
        .build()
}

fn conditions() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(InstrumentCondition::WORDS.iter().copied()))
        .build()
}

/// Which loans.
#[derive(Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Filter {
    /// Still out (the default).
    Current,
    /// Still out and due back within four weeks, overdue ones included.
    Due,
    /// Still out after the day they were due back.
    Overdue,
    /// Every loan, ended or not.
    All,
}

/// Which loans, and which page.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    #[param(inline)]
    filter: Option<Filter>,
    /// Words in the serial, instrument type, pupil's name or reference.
    q: Option<String>,
    /// A pupil's id.
    pupil: Option<i64>,
    /// An instrument's id.
    instrument: Option<i64>,
    /// Page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u64>,
    /// Rows a page, 1 to 200 (50).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u64>,
}

/// The loans of the pupils the caller may see: the office every one, a parent their
/// children's, a teacher their pupils', a school its roll's. Loans still out are listed by the
/// day they are due back; `all` newest first.
#[utoipa::path(get, path = "/api/v1/loans", tag = "loans", params(ListParams),
    responses((status = 200, description = "A page of loans", body = Page<Loan>)))]
async fn list_loans(
    Caller { state, user, .. }: Caller,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let (page, per_page) = paging(p.page, p.per_page)?;
    let filter = match p.filter.unwrap_or(Filter::Current) {
        Filter::Current => LoanFilter::Current,
        Filter::Due => LoanFilter::DueBack,
        Filter::Overdue => LoanFilter::Overdue,
        Filter::All => LoanFilter::All,
    };
    let query = LoanQuery {
        filter,
        q: p.q.unwrap_or_default(),
        pupil_id: p.pupil,
        instrument_id: p.instrument,
        page,
        per_page,
    };
    let found = state.store.loans(&PupilScope::for_user(&user), &query).await?;
    ok(StatusCode::OK, Page::from_store(found, Loan::from))
}

/// A loan to make.
#[derive(Deserialize, ToSchema)]
pub struct LoanBody {
    #[schema(value_type = i64, required = true)]
    instrument_id: Option<i64>,
    #[schema(value_type = i64, required = true)]
    pupil_id: Option<i64>,
    /// The day the pupil has it from.
    #[schema(value_type = String, required = true, format = Date)]
    from: Option<String>,
    /// The day it is due back, after `from`; a year on when left out.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, format = Date)]
    due: Option<String>,
    /// The family signed the loan agreement on paper; otherwise they accept it online.
    agreement_on_paper: Option<bool>,
}

/// Lends an instrument to a pupil (the office only). Refused (409) for an instrument on
/// loan, lost, in repair, retired or archived, or a pupil archived or unknown.
#[utoipa::path(post, path = "/api/v1/loans", tag = "loans", request_body = LoanBody,
    responses((status = 201, description = "The new loan", body = Loan),
              (status = 403, description = "Only the office lends instruments"),
              (status = 409, description = "Refused by a rule, naming the field: the instrument is not in store, the pupil is archived, no such instrument or pupil, or due back before the loan starts")))]
async fn lend(Caller { state, user, actor }: Caller, ApiJson(body): ApiJson<LoanBody>) -> Result<Response, ApiError> {
    office(&user)?;
    let mut errors = FormErrors::default();
    if body.instrument_id.is_none() {
        errors.add("instrument_id", "Give the instrument's id.");
    }
    if body.pupil_id.is_none() {
        errors.add("pupil_id", "Give the pupil's id.");
    }
    let from = body.from.as_deref().and_then(date);
    if from.is_none() {
        errors.add("from", "Enter the day the loan starts, like 2026-09-07.");
    }
    let due = match body.due.as_deref() {
        None => None,
        Some(d) => date(d).or_else(|| {
            errors.add("due", "Enter the day it is due back, like 2027-07-20.");
            None
        }),
    };
    let (Some(instrument_id), Some(pupil_id), Some(from)) = (body.instrument_id, body.pupil_id, from) else {
        return Err(ApiError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let id = state
        .store
        .lend_instrument(
            &actor,
            &NewLoan {
                instrument_id,
                pupil_id,
                from,
                due,
                agreement_on_paper: body.agreement_on_paper.unwrap_or(false),
            },
        )
        .await?;
    answer(&state, StatusCode::CREATED, id).await
}

/// How a loan came back.
#[derive(Deserialize, ToSchema)]
pub struct ReturnBody {
    /// The day it came back, not before the loan started.
    #[schema(value_type = String, required = true, format = Date)]
    date: Option<String>,
    /// The condition it came back in; `needs-repair` sends it for repair.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(schema_with = conditions)]
    condition: Option<String>,
}

/// Takes a loan back (the office only): the instrument is available again, or in repair if
/// it came back needing it. Billing stops after the term it came back in.
#[utoipa::path(post, path = "/api/v1/loans/{id}/return", tag = "loans",
    params(("id" = i64, Path, description = "The loan's id")),
    request_body = ReturnBody,
    responses((status = 200, description = "The loan, returned", body = Loan),
              (status = 403, description = "Only the office takes loans back"),
              (status = 404, description = "No such loan"),
              (status = 409, description = "The loan has already ended, or the date is before it started")))]
async fn return_loan(
    Caller { state, user, actor }: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReturnBody>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let mut errors = FormErrors::default();
    let on = body.date.as_deref().and_then(date);
    if on.is_none() {
        errors.add("date", "Enter the day it came back, like 2027-07-20.");
    }
    let condition = match body.condition.as_deref() {
        None => None,
        Some(c) => c
            .parse::<InstrumentCondition>()
            .ok()
            .filter(|parsed| parsed.as_str() == c)
            .or_else(|| {
                errors.add(
                    "condition",
                    format!("Choose one of: {}.", InstrumentCondition::WORDS.join(", ")),
                );
                None
            }),
    };
    let Some(on) = on else {
        return Err(ApiError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    state
        .store
        .end_loan(&actor, id, LoanStatus::Returned, on, condition)
        .await?;
    answer(&state, StatusCode::OK, id).await
}

/// A loan as it stands, answered with `status`.
async fn answer(state: &AppState, status: StatusCode, id: i64) -> Result<Response, ApiError> {
    let loan = state
        .store
        .loan(&PupilScope::All, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    ok(status, Loan::from(loan))
}
