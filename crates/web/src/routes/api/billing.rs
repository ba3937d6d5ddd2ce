//! The billing API: charging policies by academic year (read, replace; the body is the
//! policy file or the policy alone), billing runs, and invoices with the screens' role rules
//! (a parent their own, a school its own; anyone else's is 404).
//!
//! The policy's shape is written here as the API's own types, which say every check a
//! policy's fields must pass; they carry the JSON to the domain's one reader and checker
//! (`tutti_domain::billing`), and a test reads Durham's policy through them unchanged, so the
//! two cannot drift apart.
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tutti_domain::billing::{
    FieldError, PayerKey, charge_kind_str, export_policy, parse_policy_value, validate_policy,
};
use tutti_domain::calendar::{AcademicYear, TermId};
use tutti_domain::charging::ChargeKind;
use tutti_store::listing::ListQuery;
use tutti_store::money::billing::invoices::InvoiceFilter;
use tutti_store::money::billing::runs::RunReport;
use tutti_store::platform::accounts::{Role, User};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, ApiPath, ApiQuery, read_json};
use crate::problem::Problem;
use crate::routes::api::caller::Caller;
use crate::routes::api::schemas::{Page, iso_date, paging};
use crate::routes::api::{ApiError, invalid, office, ok};

pub fn audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/api/v1/charging-policies", get(list_policies))
            .route("/api/v1/charging-policies/{year}", get(get_policy).put(put_policy))
            .route("/api/v1/billing-runs", post(post_run))
            .route("/api/v1/invoices", get(list_invoices))
            .route("/api/v1/invoices/{id}", get(get_invoice)),
    )
}

#[derive(OpenApi)]
#[openapi(paths(list_policies, get_policy, put_policy, post_run, list_invoices, get_invoice))]
pub struct BillingDoc;

/// 422 with every problem by field, as the file names the fields.
fn field_errors(status: StatusCode, errors: &[FieldError]) -> ApiError {
    ApiError::Problem(Problem::fields(
        status,
        errors.iter().map(|e| (e.field.as_str(), e.message.as_str())),
    ))
}

fn year_of(text: &str) -> Result<AcademicYear, ApiError> {
    AcademicYear::parse(text).map_err(|_| ApiError::NotFound)
}

// ---- The policy's shape ----

/// The most any amount in a policy may be, in pence (£100,000.00).
const MAX_AMOUNT: i64 = tutti_domain::billing::MAX_POLICY_AMOUNT.0;

/// A percentage of at most 100: text like "15%" or "12.5%", or whole basis points (1500).
fn percent() -> OneOfBuilder {
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)%$")),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(10_000)),
        )
}

fn percent_schema() -> utoipa::openapi::schema::Schema {
    utoipa::openapi::schema::Schema::OneOf(percent().build())
}

fn percents() -> utoipa::openapi::schema::Array {
    ArrayBuilder::new().items(percent()).build()
}

/// A percentage as sent: text, or basis points.
#[derive(Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Percent {
    Text(String),
    BasisPoints(u32),
}

/// Who a remission or fixed fee is for.
#[derive(Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    FreeSchoolMeals,
    PupilPremium,
    Send,
    PupilPremiumOrSend,
}

/// One step of the tuition calculation, in the order the steps apply.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ChargeStep {
    /// Eligible pupils pay this fixed fee instead, and the calculation stops.
    FixedFee {
        who: Eligibility,
        #[schema(minimum = 0, maximum = 10_000_000)]
        fee: i64,
    },
    /// Eligible pupils pay nothing.
    FullRemission { who: Eligibility },
    /// Adds the school's chosen uplift.
    SchoolUplift,
    /// Eligible pupils pay this percentage less.
    PercentRemission {
        who: Eligibility,
        #[schema(schema_with = percent_schema)]
        percent: Percent,
    },
    /// Second and later children of one payer pay this percentage less.
    SiblingDiscount {
        #[schema(schema_with = percent_schema)]
        percent: Percent,
    },
    /// A pupil's second and later instruments cost this percentage less.
    SecondInstrumentDiscount {
        #[schema(schema_with = percent_schema)]
        percent: Percent,
    },
}

/// A lesson type parents pay for (whole-class teaching is free to them).
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PricedLesson {
    Individual,
    Paired,
    Group,
}

fn lesson_minutes() -> utoipa::openapi::schema::Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .enum_values(Some(tutti_domain::lessons::LESSON_MINUTES.iter().copied()))
        .build()
}

/// The termly price of one lesson type and length; one price for each.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct LessonPrice {
    pub lesson_type: PricedLesson,
    #[schema(schema_with = lesson_minutes)]
    pub minutes: u16,
    /// Pence a term.
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub per_term: i64,
}

/// How fractions of a penny are rounded.
#[derive(Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    HalfUp,
    HalfEven,
    Down,
    Up,
}

fn instrument_price() -> ArrayBuilder {
    ArrayBuilder::new()
        .prefix_items([
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"\S"))
                .build(),
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(MAX_AMOUNT))
                .build(),
        ])
        .min_items(Some(2))
        .max_items(Some(2))
}

fn instrument_prices() -> utoipa::openapi::schema::Array {
    ArrayBuilder::new().items(instrument_price()).build()
}

/// Instrument hire charges.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct HirePolicy {
    /// Pence a term per instrument, unless `by_instrument` names it.
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub per_term: i64,
    /// Pairs of an instrument's name and its pence a term: ["cello", 2000].
    #[schema(schema_with = instrument_prices)]
    pub by_instrument: Vec<(String, i64)>,
    /// Pupils who hire free.
    pub free_for: Vec<Eligibility>,
}

/// A month, by its lower-case name.
#[derive(Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Month {
    January,
    February,
    March,
    April,
    May,
    June,
    July,
    August,
    September,
    October,
    November,
    December,
}

/// The months each term's invoices are issued in.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct InvoiceMonths {
    pub autumn: Month,
    pub spring: Month,
    pub summer: Month,
}

/// Who is charged for a term they start part-way through.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum StarterRule {
    HalfTermBoundary,
    LessonsRemaining {
        #[schema(minimum = 0, maximum = 20)]
        min_lessons: u32,
    },
}

/// Paying a term's invoice in instalments.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct InstalmentPolicy {
    pub offered: bool,
    #[schema(minimum = 1, maximum = 12)]
    pub count: u8,
    /// The day of the month each is due by.
    #[schema(minimum = 1, maximum = 28)]
    pub due_day: u8,
}

/// When notice to stop must arrive.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum NoticeRule {
    EndOfMonthBeforeInvoice,
    DaysBeforeTermStart {
        #[schema(minimum = 0, maximum = 65535)]
        days: u16,
    },
}

/// How a charge is treated for VAT.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "treatment", rename_all = "snake_case")]
pub enum VatTreatment {
    Exempt,
    OutsideScope,
    Standard {
        #[schema(schema_with = percent_schema)]
        rate: Percent,
    },
}

/// What free-school-meals pupils pay for an ensemble instead of its fee.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum EnsembleReduction {
    /// This fee in pence a term for each ensemble (never more than the ensemble's own).
    FixedFee {
        #[schema(minimum = 0, maximum = 10_000_000)]
        fee: i64,
    },
    /// This percentage less than the ensemble's fee.
    PercentOff {
        #[schema(schema_with = percent_schema)]
        percent: Percent,
    },
}

/// The ensembles' fee rules (decision 0085). Left out, the default: the full fee for everyone
/// but looked-after children, and no family cap.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct EnsembleFees {
    /// What free-school-meals pupils pay; null: the ensemble's fee.
    pub free_school_meals: Option<EnsembleReduction>,
    /// Looked-after children play in ensembles free.
    pub looked_after_free: bool,
    /// The most one family pays for ensembles in a term, in pence; null: no cap.
    #[schema(minimum = 1, maximum = 10_000_000)]
    pub family_cap: Option<i64>,
}

impl Default for EnsembleFees {
    fn default() -> Self {
        EnsembleFees {
            free_school_meals: None,
            looked_after_free: true,
            family_cap: None,
        }
    }
}

/// Everything a hub decides about charging for one academic year. Amounts are pence.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct ChargingPolicy {
    #[schema(pattern = r"\S")]
    pub name: String,
    /// The standard tuition fee for a term, the base of school uplifts.
    #[schema(minimum = 1, maximum = 10_000_000)]
    pub standard_fee: i64,
    /// One price for each lesson type and length parents pay for.
    #[schema(min_items = 1)]
    pub prices: Vec<LessonPrice>,
    /// The uplifts a school may choose, as percentages of the standard fee.
    #[schema(schema_with = percents)]
    pub uplift_options: Vec<Percent>,
    pub uplift_applies_to_free_school_meals: bool,
    pub steps: Vec<ChargeStep>,
    pub rounding: Rounding,
    pub hire: HirePolicy,
    pub invoice_months: InvoiceMonths,
    pub starter_rule: StarterRule,
    pub instalments: InstalmentPolicy,
    pub notice: NoticeRule,
    pub tuition_vat: VatTreatment,
    pub hire_vat: VatTreatment,
    /// The ensembles' fee rules.
    #[serde(default)]
    pub ensembles: EnsembleFees,
}

/// What a policy file says it is.
#[derive(Clone, Copy, Serialize, Deserialize, ToSchema)]
pub enum PolicyFormat {
    #[serde(rename = "tutti-charging-policy")]
    TuttiChargingPolicy,
}

/// A policy as its file: what it is, its layout's version, its year, and the policy.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct PolicyFile {
    pub format: PolicyFormat,
    #[schema(minimum = 1, maximum = 1)]
    pub format_version: u32,
    /// The academic year, like 2026-27: the one the address names.
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}$", example = "2026-27")]
    pub academic_year: String,
    pub policy: ChargingPolicy,
}

/// A year's policy replaced: its file, or the policy alone.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum PolicyBody {
    File(PolicyFile),
    Policy(ChargingPolicy),
}

/// The domain's policy as the API's file.
fn api_file(year: AcademicYear, policy: &tutti_domain::charging::ChargingPolicy) -> Result<PolicyFile, ApiError> {
    serde_json::from_str(&export_policy(year, policy)).map_err(|e| ApiError::Internal(e.to_string()))
}

/// Two prices for one lesson type and length contradict each other: 409 naming the second.
fn duplicate_prices(policy: &ChargingPolicy) -> Result<(), ApiError> {
    let mut seen = Vec::new();
    for (i, p) in policy.prices.iter().enumerate() {
        if seen.contains(&(p.lesson_type, p.minutes)) {
            return Err(field_errors(
                StatusCode::CONFLICT,
                &[FieldError {
                    field: format!("prices[{i}]"),
                    message: format!(
                        "There is already a price for a {}-minute lesson of this type.",
                        p.minutes
                    ),
                }],
            ));
        }
        seen.push((p.lesson_type, p.minutes));
    }
    Ok(())
}

/// The API's policy read by the domain and checked.
fn domain_policy(policy: &ChargingPolicy) -> Result<tutti_domain::charging::ChargingPolicy, ApiError> {
    duplicate_prices(policy)?;
    let value = serde_json::to_value(policy).map_err(|e| ApiError::Internal(e.to_string()))?;
    let read = parse_policy_value(value).map_err(|e| field_errors(StatusCode::UNPROCESSABLE_ENTITY, &e))?;
    let errors = validate_policy(&read);
    if errors.is_empty() {
        Ok(read)
    } else {
        Err(field_errors(StatusCode::UNPROCESSABLE_ENTITY, &errors))
    }
}

// ---- Policies ----

/// A year's saved policy, as the list shows it.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicySummary {
    #[schema(example = "2026-27")]
    pub academic_year: String,
    pub name: String,
    pub revision: i32,
    #[schema(format = DateTime)]
    pub updated_at: Option<String>,
}

/// A page of a list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u64>,
    /// Rows a page, 1 to 200 (50).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u64>,
}

/// Every academic year with a saved policy, newest first.
#[utoipa::path(get, path = "/api/v1/charging-policies", tag = "billing", params(PageParams),
    responses((status = 200, description = "A page of the saved policies", body = Page<PolicySummary>),
              (status = 403, description = "Office roles only")))]
async fn list_policies(
    Caller { state, user, .. }: Caller,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let paged = paging(p.page, p.per_page)?;
    let years = state.store.charging_policy_years().await?;
    let rows = years
        .into_iter()
        .map(|p| PolicySummary {
            academic_year: p.academic_year,
            name: p.policy.name,
            revision: p.revision,
            updated_at: p.updated_at.map(crate::format::iso),
        })
        .collect();
    ok(StatusCode::OK, Page::of_all(rows, paged))
}

/// A year's policy and its revision.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyRecord {
    /// 0 while the year has no saved policy and the built-in starting policy applies.
    pub revision: i32,
    pub file: PolicyFile,
}

/// A year's policy as its file (the built-in starting policy, revision 0, until one is saved).
#[utoipa::path(get, path = "/api/v1/charging-policies/{year}", tag = "billing",
    params(("year" = String, Path, description = "Academic year, like 2026-27", pattern = "^[0-9]{4}-[0-9]{2}$")),
    responses((status = 200, description = "The policy", body = PolicyRecord),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "Not an academic year")))]
async fn get_policy(Caller { state, user, .. }: Caller, ApiPath(year): ApiPath<String>) -> Result<Response, ApiError> {
    office(&user)?;
    let year = year_of(&year)?;
    let record = state.store.charging_policy(year).await?;
    ok(
        StatusCode::OK,
        PolicyRecord {
            revision: record.revision,
            file: api_file(year, &record.policy)?,
        },
    )
}

/// The revision saved.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    pub revision: i32,
}

/// Replaces a year's policy. The body is a policy file, or the policy object alone.
#[utoipa::path(put, path = "/api/v1/charging-policies/{year}", tag = "billing",
    params(("year" = String, Path, description = "Academic year, like 2026-27", pattern = "^[0-9]{4}-[0-9]{2}$")),
    request_body = PolicyBody,
    responses((status = 200, description = "Saved; the new revision", body = Revision),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "Not an academic year"),
              (status = 409, description = "Two prices for one lesson, or a file for another year than the address's")))]
async fn put_policy(
    Caller { state, user, actor }: Caller,
    ApiPath(year): ApiPath<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    office(&user)?;
    let year = year_of(&year)?;
    let bytes = body.to_string();
    let policy = if body.get("format").is_some() {
        let file: PolicyFile = read_json(bytes.as_bytes())?;
        if AcademicYear::parse(&file.academic_year).ok() != Some(year) {
            return Err(field_errors(
                StatusCode::CONFLICT,
                &[FieldError {
                    field: "academic_year".into(),
                    message: format!("The file is the policy for {}, not {year}.", file.academic_year),
                }],
            ));
        }
        file.policy
    } else {
        read_json::<ChargingPolicy>(bytes.as_bytes())?
    };
    let policy = domain_policy(&policy)?;
    let revision = state.store.save_charging_policy(&actor, year, &policy).await?;
    // Public pages show the prices: the shared copies go, so the new figures show at once.
    state.pages.clear();
    ok(StatusCode::OK, Revision { revision })
}

// ---- Billing runs ----

/// A billing run asked for.
#[derive(Deserialize, ToSchema)]
pub struct RunBody {
    /// The term, like 2026-autumn.
    #[schema(value_type = String, required = true, pattern = "^[0-9]{4}-(autumn|spring|summer)$", example = "2026-autumn")]
    term: Option<String>,
    /// Preview only: nothing is saved.
    dry_run: Option<bool>,
}

/// Who pays an invoice.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Payer {
    /// parent or school.
    pub kind: String,
    pub id: i64,
    pub name: String,
}

/// One line of a planned invoice.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedLine {
    /// Null on a school's programme line, which is for no one pupil.
    pub pupil_ref: Option<String>,
    /// tuition, instrument_hire, wcet or ensemble (a termly ensemble fee).
    pub charge: String,
    pub description: String,
    /// How the amount was worked out.
    pub rule: String,
    pub amount_pence: i64,
}

/// One instalment of a planned invoice.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedInstalment {
    pub number: u8,
    #[schema(format = Date)]
    pub due: String,
    pub amount_pence: i64,
}

/// One invoice a run issues (or would).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedInvoice {
    /// Its number; null on a dry run.
    pub number: Option<String>,
    pub payer: Payer,
    /// original or supplementary.
    pub kind: String,
    pub lines: Vec<PlannedLine>,
    pub instalments: Vec<PlannedInstalment>,
    pub total_pence: i64,
}

/// A charge a run could not make, and why.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Skipped {
    pub pupil_ref: String,
    pub reason: String,
}

/// A billing run's report.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingRun {
    pub term: String,
    pub dry_run: bool,
    /// Null for a dry run, or a run that found nothing to bill.
    pub run_id: Option<i64>,
    pub invoice_count: u64,
    pub line_count: u64,
    pub total_pence: i64,
    pub invoices: Vec<PlannedInvoice>,
    pub skipped: Vec<Skipped>,
}

impl From<&RunReport> for BillingRun {
    fn from(r: &RunReport) -> BillingRun {
        BillingRun {
            term: r.term.clone(),
            dry_run: r.dry_run,
            run_id: r.run_id,
            invoice_count: r.invoice_count as u64,
            line_count: r.line_count as u64,
            total_pence: r.total_pence,
            invoices: r
                .plan
                .invoices
                .iter()
                .enumerate()
                .map(|(i, inv)| PlannedInvoice {
                    number: r.numbers.get(i).cloned(),
                    payer: Payer {
                        kind: inv.payer.kind().to_owned(),
                        id: inv.payer.id(),
                        name: inv.payer_name.clone(),
                    },
                    kind: inv.kind.as_str().to_owned(),
                    lines: inv
                        .lines
                        .iter()
                        .map(|l| PlannedLine {
                            pupil_ref: (l.kind != ChargeKind::Wcet).then(|| l.pupil_ref.clone()),
                            charge: charge_kind_str(l.kind).to_owned(),
                            description: l.description.clone(),
                            rule: l.rule.clone(),
                            amount_pence: l.amount_pence.0,
                        })
                        .collect(),
                    instalments: inv
                        .instalments
                        .iter()
                        .map(|n| PlannedInstalment {
                            number: n.number,
                            due: iso_date(n.due),
                            amount_pence: n.amount.0,
                        })
                        .collect(),
                    total_pence: inv.total_pence.0,
                })
                .collect(),
            skipped: r
                .plan
                .skipped
                .iter()
                .map(|s| Skipped {
                    pupil_ref: s.pupil_ref.clone(),
                    reason: s.reason.clone(),
                })
                .collect(),
        }
    }
}

/// Runs billing for a term (or previews it with `dry_run`).
#[utoipa::path(post, path = "/api/v1/billing-runs", tag = "billing", request_body = RunBody,
    responses((status = 200, description = "The run's report: the run finished within the request (a dry run always does)", body = BillingRun),
              (status = 202, description = "The run goes on in the background: follow its job (also in `Location`)", body = crate::routes::api::jobs::JobState),
              (status = 403, description = "Office roles only"),
              (status = 409, description = "The term cannot be billed: no dates for it, or a run under way on any app server")))]
async fn post_run(Caller { state, user, actor }: Caller, body: axum::body::Bytes) -> Result<Response, ApiError> {
    // The role is checked before the body is read: a caller who may not run billing learns
    // nothing from how their body was read.
    office(&user)?;
    let body: RunBody = read_json(&body)?;
    let term = body.term.as_deref().unwrap_or("");
    let shaped = term.len() == 11
        && term.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && term
            .get(4..)
            .is_some_and(|t| ["-autumn", "-spring", "-summer"].contains(&t));
    let Some(term) = TermId::parse(term).ok().filter(|_| shaped) else {
        return Err(invalid("term", "Enter a term like 2026-autumn."));
    };
    if body.dry_run.unwrap_or(false) {
        // A dry run writes nothing, so it is no job: it answers when it is worked out.
        let report = state.store.run_billing(&actor, term, true, &|_| {}).await?;
        return ok(StatusCode::OK, BillingRun::from(&report));
    }
    // A job any app server can see, and refuse a second of (409).
    let job = state.store.start_billing_job(&actor, term).await?;
    let id = job.id;
    let task = crate::jobs::run_billing(&state, job);
    match crate::jobs::within_wait(&state, task).await {
        Some(Ok(Ok(report))) => return ok(StatusCode::OK, BillingRun::from(&report)),
        Some(Ok(Err(e))) => return Err(e.into()),
        Some(Err(e)) => return Err(ApiError::Internal(e.to_string())),
        // Still going (in the background): follow its job.
        None => {}
    }
    let job = state.store.job(id).await?;
    let mut response = ok(StatusCode::ACCEPTED, crate::routes::api::jobs::JobState::from(&job))?;
    if let Ok(href) = axum::http::HeaderValue::from_str(&format!("/api/v1/jobs/{id}")) {
        response.headers_mut().insert(axum::http::header::LOCATION, href);
    }
    Ok(response)
}

// ---- Invoices ----

/// Which invoices.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoiceParams {
    /// An invoice's number or its payer's name (the office only).
    q: Option<String>,
    /// Only this term's, like 2026-autumn.
    term: Option<String>,
    /// Page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u64>,
    /// Rows a page, 1 to 200 (50).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u64>,
}

/// An invoice in a list.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceSummary {
    pub id: i64,
    pub number: String,
    /// parent or school.
    pub payer_kind: String,
    pub payer_id: i64,
    pub payer_name: String,
    pub term: String,
    /// original or supplementary.
    pub kind: String,
    #[schema(format = Date)]
    pub issued_on: String,
    pub total_pence: i64,
    pub status: String,
}

impl From<&tutti_store::money::billing::invoices::InvoiceSummary> for InvoiceSummary {
    fn from(s: &tutti_store::money::billing::invoices::InvoiceSummary) -> InvoiceSummary {
        InvoiceSummary {
            id: s.id,
            number: s.number.clone(),
            payer_kind: s.payer_kind.clone(),
            payer_id: s.payer_id,
            payer_name: s.payer_name.clone(),
            term: s.term.clone(),
            kind: s.kind.clone(),
            issued_on: iso_date(s.issued_on),
            total_pence: s.total_pence,
            status: s.status.clone(),
        }
    }
}

fn may_search(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::Manager)
}

/// Invoices: all of them for the office (searchable), a parent's own, a school's own.
#[utoipa::path(get, path = "/api/v1/invoices", tag = "billing", params(InvoiceParams),
    responses((status = 200, description = "A page of invoices", body = Page<InvoiceSummary>),
              (status = 403, description = "Teachers and pupils have no invoices")))]
async fn list_invoices(
    Caller { state, user, .. }: Caller,
    ApiQuery(p): ApiQuery<InvoiceParams>,
) -> Result<Response, ApiError> {
    let (page, per_page) = paging(p.page, p.per_page)?;
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
        q: if may_search(&user) {
            p.q.unwrap_or_default()
        } else {
            String::new()
        },
        page,
        per_page,
        ..ListQuery::default()
    };
    let found = state.store.invoices(&filter, &list).await?;
    ok(StatusCode::OK, Page::from_store(found, |s| InvoiceSummary::from(&s)))
}

/// One line of an invoice.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceLine {
    pub pupil_ref: String,
    pub pupil_name: String,
    /// tuition, instrument_hire, wcet or ensemble (a termly ensemble fee).
    pub charge_kind: String,
    pub description: String,
    pub rule: String,
    pub amount_pence: i64,
}

/// One instalment of an invoice.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceInstalment {
    pub number: i32,
    #[schema(format = Date)]
    pub due_on: String,
    pub amount_pence: i64,
    pub status: String,
}

/// An invoice with everything printed on it.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Invoice {
    pub id: i64,
    pub number: String,
    pub payer_kind: String,
    pub payer_id: i64,
    pub payer_name: String,
    /// The payer's postal address as held today.
    pub payer_address: String,
    pub term: String,
    pub kind: String,
    #[schema(format = Date)]
    pub issued_on: String,
    pub total_pence: i64,
    pub status: String,
    pub lines: Vec<InvoiceLine>,
    pub instalments: Vec<InvoiceInstalment>,
}

/// One invoice with its lines and instalments; someone else's is 404.
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "billing",
    params(("id" = i64, Path, description = "Invoice id")),
    responses((status = 200, description = "The invoice", body = Invoice),
              (status = 404, description = "No such invoice, or not yours")))]
async fn get_invoice(Caller { state, user, .. }: Caller, ApiPath(id): ApiPath<i64>) -> Result<Response, ApiError> {
    let invoice = state.store.invoice(id).await?;
    let allowed = crate::routes::money::billing::invoices::may_see_invoice(&state, &user, &invoice.summary)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    if !allowed {
        return Err(ApiError::NotFound);
    }
    let s = InvoiceSummary::from(&invoice.summary);
    ok(
        StatusCode::OK,
        Invoice {
            id: s.id,
            number: s.number,
            payer_kind: s.payer_kind,
            payer_id: s.payer_id,
            payer_name: s.payer_name,
            payer_address: invoice.payer_address,
            term: s.term,
            kind: s.kind,
            issued_on: s.issued_on,
            total_pence: s.total_pence,
            status: s.status,
            lines: invoice
                .lines
                .into_iter()
                .map(|l| InvoiceLine {
                    pupil_ref: l.pupil_ref,
                    pupil_name: l.pupil_name,
                    charge_kind: l.charge_kind,
                    description: l.description,
                    rule: l.rule,
                    amount_pence: l.amount_pence,
                })
                .collect(),
            instalments: invoice
                .instalments
                .into_iter()
                .map(|n| InvoiceInstalment {
                    number: n.number,
                    due_on: iso_date(n.due_on),
                    amount_pence: n.amount_pence,
                    status: n.status,
                })
                .collect(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durhams_policy_reads_through_the_api_shape_unchanged() {
        let year = AcademicYear::parse("2026-27").unwrap();
        let durham = tutti_domain::charging::ChargingPolicy::durham();
        let file = api_file(year, &durham).unwrap();
        let written: Value = serde_json::from_str(&export_policy(year, &durham)).unwrap();
        assert_eq!(serde_json::to_value(&file).unwrap(), written);
        assert!(domain_policy(&file.policy).unwrap() == durham);
    }

    #[test]
    fn two_prices_for_one_lesson_conflict() {
        let year = AcademicYear::parse("2026-27").unwrap();
        let mut policy = api_file(year, &tutti_domain::charging::ChargingPolicy::durham())
            .unwrap()
            .policy;
        policy.prices.push(policy.prices[0].clone());
        assert!(
            matches!(domain_policy(&policy), Err(ApiError::Problem(p)) if serde_json::to_value(&p).unwrap()["status"] == 409)
        );
    }
}
