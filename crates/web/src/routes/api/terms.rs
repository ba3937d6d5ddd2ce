//! The year through the API: term dates and days without lessons (closures and INSET days)
//! of a local authority or one school, listed, added, changed and deleted by the office. The
//! bodies are read by the same readers as the screens (routes/teaching/terms.rs): a value not
//! of its documented shape is 422 naming the field; values of the right shape that a rule
//! refuses (both or neither of `authority` and `school_urn`, a year like 2026-28, a half term
//! outside its term, a weekend closure, an overlap with the dates saved, a day already
//! closed) are 409 naming it.
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tutti_domain::calendar::AcademicYear;
use tutti_domain::terms::ClosureKind;
use tutti_store::StoreError;
use tutti_store::teaching::terms::{NewClosure, Whose, YearFilter};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::{IntoParams, ToSchema};

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, ApiPath, ApiQuery};
use crate::forms::FormErrors;
use crate::routes::api::caller::Caller;
use crate::routes::api::fields::Fields;
use crate::routes::api::schemas::{Page, date, iso_date, paging};
use crate::routes::api::{ApiError, ApiResult, office, ok};
use crate::routes::teaching::terms::{read_closure, read_owner, read_term, whose};
use crate::state::AppState;

/// Signed in by token or session; the office's roles are checked in each handler so that
/// the answer is JSON.
pub fn audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/api/v1/terms", get(list_terms).post(create_term))
            .route("/api/v1/terms/{id}", get(get_term).put(update_term).delete(delete_term))
            .route("/api/v1/closures", get(list_closures).post(create_closure))
            .route("/api/v1/closures/{id}", get(get_closure).delete(delete_closure)),
    )
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_terms,
    create_term,
    get_term,
    update_term,
    delete_term,
    list_closures,
    create_closure,
    get_closure,
    delete_closure
))]
pub struct TermsDoc;

// ---- Shapes of the answers ----

/// One term's dates: a local authority's, or one school's own (`school_id` set), which
/// replace its authority's for that term.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub id: i64,
    /// The local authority (for a school's own dates, the school's authority).
    pub authority: String,
    pub school_id: Option<i64>,
    pub school_name: Option<String>,
    /// Like "2026-27".
    pub academic_year: String,
    /// autumn, spring or summer.
    pub term: String,
    #[schema(format = Date)]
    pub first_day: String,
    #[schema(format = Date)]
    pub last_day: String,
    #[schema(format = Date)]
    pub half_term_first_day: String,
    #[schema(format = Date)]
    pub half_term_last_day: String,
}

impl From<tutti_store::teaching::terms::Term> for Term {
    fn from(t: tutti_store::teaching::terms::Term) -> Term {
        let d = t.dates;
        Term {
            id: t.id,
            authority: t.local_authority,
            school_id: t.school_id,
            school_name: t.school_name,
            academic_year: d.term.year.to_string(),
            term: d.term.name.to_string(),
            first_day: iso_date(d.dates.first),
            last_day: iso_date(d.dates.last),
            half_term_first_day: iso_date(d.half_term.first),
            half_term_last_day: iso_date(d.half_term.last),
        }
    }
}

/// A day without lessons: a closure, or an INSET day (staff training, pupils not in), for a
/// local authority's schools or for one school (`school_id` set).
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    pub id: i64,
    pub authority: String,
    pub school_id: Option<i64>,
    pub school_name: Option<String>,
    #[schema(format = Date)]
    pub date: String,
    /// closure or inset.
    #[schema(schema_with = kind_words)]
    pub kind: String,
    pub reason: String,
}

impl From<tutti_store::teaching::terms::Closure> for Closure {
    fn from(c: tutti_store::teaching::terms::Closure) -> Closure {
        Closure {
            id: c.id,
            authority: c.local_authority,
            school_id: c.school_id,
            school_name: c.school_name,
            date: iso_date(c.day),
            kind: c.kind.to_string(),
            reason: c.reason,
        }
    }
}

// ---- Shapes of the requests ----

fn words(words: &[&str]) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(words.iter().map(|w| serde_json::Value::from(*w))))
        .build()
}

fn term_words() -> Object {
    words(&["autumn", "spring", "summer", "Autumn", "Spring", "Summer"])
}

fn kind_words() -> Object {
    words(ClosureKind::WORDS)
}

/// Whose dates: exactly one of `authority` and `school_urn`.
#[derive(Deserialize, ToSchema)]
pub struct TermBody {
    /// The local authority whose schools follow these dates. Leave it out for one school's
    /// own dates.
    #[schema(pattern = r"\S", max_length = 200)]
    authority: Option<String>,
    /// Or the URN of one school with its own dates (an academy's).
    #[schema(pattern = "^[1-9][0-9]{5}$", example = "114250")]
    school_urn: Option<String>,
    /// Like "2026-27".
    #[schema(value_type = String, required = true, pattern = "^[0-9]{4}-[0-9]{2}$", example = "2026-27")]
    academic_year: Option<String>,
    #[schema(required = true, schema_with = term_words)]
    term: Option<String>,
    #[schema(value_type = String, required = true, format = Date)]
    first_day: Option<String>,
    #[schema(value_type = String, required = true, format = Date)]
    last_day: Option<String>,
    #[schema(value_type = String, required = true, format = Date)]
    half_term_first_day: Option<String>,
    #[schema(value_type = String, required = true, format = Date)]
    half_term_last_day: Option<String>,
}

/// The dates of a term already saved (whose they are stays).
#[derive(Deserialize, ToSchema)]
pub struct TermDatesBody {
    /// Like "2026-27".
    #[schema(value_type = String, required = true, pattern = "^[0-9]{4}-[0-9]{2}$", example = "2026-27")]
    academic_year: Option<String>,
    #[schema(required = true, schema_with = term_words)]
    term: Option<String>,
    #[schema(value_type = String, required = true, format = Date)]
    first_day: Option<String>,
    #[schema(value_type = String, required = true, format = Date)]
    last_day: Option<String>,
    #[schema(value_type = String, required = true, format = Date)]
    half_term_first_day: Option<String>,
    #[schema(value_type = String, required = true, format = Date)]
    half_term_last_day: Option<String>,
}

/// A day without lessons: exactly one of `authority` and `school_urn`.
#[derive(Deserialize, ToSchema)]
pub struct ClosureBody {
    /// Closes every school of this local authority. Leave it out to close one school.
    #[schema(pattern = r"\S", max_length = 200)]
    authority: Option<String>,
    /// Or the URN of the one school it closes.
    #[schema(pattern = "^[1-9][0-9]{5}$", example = "114250")]
    school_urn: Option<String>,
    /// A school day, Monday to Friday.
    #[schema(value_type = String, required = true, format = Date)]
    date: Option<String>,
    /// closure (unless said) or inset.
    #[schema(schema_with = kind_words)]
    kind: Option<String>,
    #[schema(value_type = String, required = true, pattern = r"\S", max_length = 200)]
    reason: Option<String>,
}

/// A body's fields as the screens' values, with dates that are not `YYYY-MM-DD` and
/// required fields left out as errors.
impl Fields {
    fn required(mut self, name: &'static str, value: &Option<String>) -> Fields {
        match value {
            None => self.errors.add(name, "This must be sent."),
            Some(v) => {
                self.values.insert(name.to_owned(), v.clone());
            }
        }
        self
    }

    fn required_date(mut self, name: &'static str, value: &Option<String>) -> Fields {
        match value.as_deref() {
            None => self.errors.add(name, "This must be sent."),
            Some(v) if date(v).is_none() => self.errors.add(name, "Enter a date like 2026-09-01."),
            Some(v) => {
                self.values.insert(name.to_owned(), v.to_owned());
            }
        }
        self
    }

    /// A value that, when sent, must be of its documented shape (422 otherwise).
    fn shaped(mut self, name: &'static str, value: &Option<String>, ok: fn(&str) -> bool, message: &str) -> Fields {
        if let Some(v) = value
            && !ok(v)
        {
            self.errors.add(name, message);
        }
        self
    }

    /// Whose dates, as documented: `authority` some text of at most 200 characters, and
    /// `school_urn` six digits.
    fn owner(self, authority: &Option<String>, school_urn: &Option<String>) -> Fields {
        self.shaped(
            "authority",
            authority,
            some_text,
            "Enter the local authority, at most 200 characters.",
        )
        .shaped(
            "school_urn",
            school_urn,
            urn_shape,
            "Enter the school's URN: 6 digits, like 114250.",
        )
        .text("authority", authority)
        .text("school_urn", school_urn)
    }

    fn dates(self, d: &TermDatesBody) -> Fields {
        self.shaped(
            "academic_year",
            &d.academic_year,
            year_shape,
            "Enter an academic year like 2026-27.",
        )
        .shaped("term", &d.term, term_shape, "Enter the term: autumn, spring or summer.")
        .required("academic_year", &d.academic_year)
        .required("term", &d.term)
        .required_date("first_day", &d.first_day)
        .required_date("last_day", &d.last_day)
        .required_date("half_term_first_day", &d.half_term_first_day)
        .required_date("half_term_last_day", &d.half_term_last_day)
    }
}

fn some_text(t: &str) -> bool {
    !t.trim().is_empty() && t.chars().count() <= 200
}

fn urn_shape(t: &str) -> bool {
    t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) && !t.starts_with('0')
}

fn year_shape(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 7 && b[4] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit())
}

fn term_shape(t: &str) -> bool {
    ["autumn", "spring", "summer", "Autumn", "Spring", "Summer"].contains(&t)
}

fn kind_shape(t: &str) -> bool {
    ClosureKind::WORDS.contains(&t)
}

/// The query of the year's lists.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParams {
    /// One local authority's (with its schools' own), by name as saved.
    authority: Option<String>,
    /// One academic year's, like 2026-27 (a year there cannot be, like 2026-28, matches nothing).
    #[param(pattern = "^[0-9]{4}-[0-9]{2}$")]
    academic_year: Option<String>,
    /// Page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u64>,
    /// Rows a page, 1 to 200 (50).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u64>,
}

impl YearParams {
    /// The filter, or `None` when it names a year there cannot be (2026-28): nothing matches.
    /// A year not written like 2026-27 is 422.
    fn read(&self) -> Result<(Option<YearFilter>, (u64, u64)), ApiError> {
        let paging = paging(self.page, self.per_page)?;
        let year = match self.academic_year.as_deref() {
            None => None,
            Some(y) if !year_shape(y) => {
                return Err(crate::routes::api::invalid(
                    "academic_year",
                    "Enter an academic year like 2026-27.",
                ));
            }
            Some(y) => match AcademicYear::parse(y) {
                Ok(year) => Some(year),
                Err(_) => return Ok((None, paging)),
            },
        };
        let filter = YearFilter {
            authority: self.authority.clone().filter(|a| !a.trim().is_empty()),
            year,
        };
        Ok((Some(filter), paging))
    }

    /// The page asked for of every record `rows` reads for the filter (none when the query
    /// names a year there cannot be).
    async fn page<R, T: From<R>>(
        &self,
        rows: impl AsyncFnOnce(&YearFilter) -> Result<Vec<R>, StoreError>,
    ) -> Result<Page<T>, ApiError> {
        let (filter, paging) = self.read()?;
        let all = match filter {
            Some(f) => rows(&f).await?.into_iter().map(T::from).collect(),
            None => Vec::new(),
        };
        Ok(Page::of_all(all, paging))
    }
}

/// 409 naming each field: values of their documented shape that a rule refuses.
fn invalid(errors: FormErrors) -> ApiError {
    ApiError::Problem(crate::problem::Problem::fields(
        StatusCode::CONFLICT,
        errors.list().iter().map(|(f, m)| (*f, m.as_str())),
    ))
}

/// One term's dates as saved, answered with `status`.
async fn term_answer(state: &AppState, status: StatusCode, id: i64) -> ApiResult {
    let term = state.store.term(id).await?.ok_or(ApiError::NotFound)?;
    ok(status, Term::from(term))
}

/// One day without lessons as saved, answered with `status`.
async fn closure_answer(state: &AppState, status: StatusCode, id: i64) -> ApiResult {
    let closure = state.store.closure(id).await?.ok_or(ApiError::NotFound)?;
    ok(status, Closure::from(closure))
}

// ---- Terms ----

/// The saved term dates, an authority's own before its schools', each in date order.
#[utoipa::path(get, path = "/api/v1/terms", tag = "terms", params(YearParams),
    responses((status = 200, description = "A page of term dates", body = Page<Term>),
              (status = 403, description = "Office roles only")))]
async fn list_terms(Caller { state, user, .. }: Caller, ApiQuery(p): ApiQuery<YearParams>) -> ApiResult {
    office(&user)?;
    let page: Page<Term> = p.page(async |f| state.store.terms(f).await).await?;
    ok(StatusCode::OK, page)
}

/// Adds one term's dates for a local authority or one school. Lessons from tomorrow follow
/// them.
#[utoipa::path(post, path = "/api/v1/terms", tag = "terms", request_body = TermBody,
    responses((status = 201, description = "Saved; the term", body = Term),
              (status = 403, description = "Office roles only"),
              (status = 409, description = "A rule refuses the values: both or neither of authority and school_urn, \
                 a school no one has, a year like 2026-28, dates out of order or outside the year, an overlap with the \
                 dates saved, terms out of order, a second set for the term")))]
async fn create_term(Caller { state, user, actor }: Caller, ApiJson(body): ApiJson<TermBody>) -> ApiResult {
    office(&user)?;
    let dates_body = TermDatesBody {
        academic_year: body.academic_year.clone(),
        term: body.term.clone(),
        first_day: body.first_day.clone(),
        last_day: body.last_day.clone(),
        half_term_first_day: body.half_term_first_day.clone(),
        half_term_last_day: body.half_term_last_day.clone(),
    };
    let values = Fields::default()
        .owner(&body.authority, &body.school_urn)
        .dates(&dates_body)
        .checked()?;
    let mut errors = FormErrors::default();
    let owner = read_owner(&values, &mut errors);
    let dates = read_term(&values, &mut errors);
    let (Some(owner), Some(dates)) = (owner, dates) else {
        return Err(invalid(errors));
    };
    let whose = whose(&state, owner, &mut errors)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .ok_or_else(|| invalid(errors.clone()))?;
    let id = state.store.save_term(&actor, None, &whose, &dates).await?;
    term_answer(&state, StatusCode::CREATED, id).await
}

/// One term's dates.
#[utoipa::path(get, path = "/api/v1/terms/{id}", tag = "terms", params(("id" = i64, Path, description = "Term id")),
    responses((status = 200, description = "The term", body = Term),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such term")))]
async fn get_term(Caller { state, user, .. }: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult {
    office(&user)?;
    term_answer(&state, StatusCode::OK, id).await
}

/// Changes one term's dates (whose they are stays). Lessons from tomorrow follow them.
#[utoipa::path(put, path = "/api/v1/terms/{id}", tag = "terms", params(("id" = i64, Path, description = "Term id")),
    request_body = TermDatesBody,
    responses((status = 200, description = "Saved; the term", body = Term),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such term"),
              (status = 409, description = "A rule refuses the dates: out of order or outside the year, an overlap \
                 with the dates saved, a second set for the term")))]
async fn update_term(
    Caller { state, user, actor }: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TermDatesBody>,
) -> ApiResult {
    office(&user)?;
    let values = Fields::default().dates(&body).checked()?;
    let mut errors = FormErrors::default();
    let dates = read_term(&values, &mut errors).ok_or_else(|| invalid(errors.clone()))?;
    let term = state.store.term(id).await?.ok_or(ApiError::NotFound)?;
    let whose = match term.school_id {
        Some(s) => Whose::School(s),
        None => Whose::Authority(term.local_authority),
    };
    state.store.save_term(&actor, Some(id), &whose, &dates).await?;
    term_answer(&state, StatusCode::OK, id).await
}

/// Deletes one term's dates: its schools fall back to their authority's, or the default
/// calendar, for that term.
#[utoipa::path(delete, path = "/api/v1/terms/{id}", tag = "terms", params(("id" = i64, Path, description = "Term id")),
    responses((status = 204, description = "Deleted"),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such term")))]
async fn delete_term(Caller { state, user, actor }: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult {
    office(&user)?;
    state.store.delete_term(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- Closures ----

/// The saved closures and INSET days, in date order.
#[utoipa::path(get, path = "/api/v1/closures", tag = "terms", params(YearParams),
    responses((status = 200, description = "A page of days without lessons", body = Page<Closure>),
              (status = 403, description = "Office roles only")))]
async fn list_closures(Caller { state, user, .. }: Caller, ApiQuery(p): ApiQuery<YearParams>) -> ApiResult {
    office(&user)?;
    let page: Page<Closure> = p.page(async |f| state.store.closures(f).await).await?;
    ok(StatusCode::OK, page)
}

/// Adds a day without lessons for a local authority or one school. Lessons from tomorrow
/// skip it.
#[utoipa::path(post, path = "/api/v1/closures", tag = "terms", request_body = ClosureBody,
    responses((status = 201, description = "Saved; the day", body = Closure),
              (status = 403, description = "Office roles only"),
              (status = 409, description = "A rule refuses the values: both or neither of authority and school_urn, \
                 a school no one has, a weekend, a blank reason, a day already closed there")))]
async fn create_closure(Caller { state, user, actor }: Caller, ApiJson(body): ApiJson<ClosureBody>) -> ApiResult {
    office(&user)?;
    let values = Fields::default()
        .owner(&body.authority, &body.school_urn)
        .required_date("date", &body.date)
        .shaped("kind", &body.kind, kind_shape, "Enter closure or inset.")
        .text("kind", &body.kind)
        .shaped(
            "reason",
            &body.reason,
            some_text,
            "Enter the reason, at most 200 characters.",
        )
        .required("reason", &body.reason)
        .checked()?;
    let mut errors = FormErrors::default();
    let owner = read_owner(&values, &mut errors);
    let day = read_closure(&values, &mut errors);
    let (Some(owner), Some((day, kind, reason))) = (owner, day) else {
        return Err(invalid(errors));
    };
    let whose = whose(&state, owner, &mut errors)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .ok_or_else(|| invalid(errors.clone()))?;
    let id = state
        .store
        .save_closure(
            &actor,
            &NewClosure {
                whose,
                day,
                kind,
                reason,
            },
        )
        .await?;
    closure_answer(&state, StatusCode::CREATED, id).await
}

/// One day without lessons.
#[utoipa::path(get, path = "/api/v1/closures/{id}", tag = "terms", params(("id" = i64, Path, description = "Closure id")),
    responses((status = 200, description = "The day", body = Closure),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such closure")))]
async fn get_closure(Caller { state, user, .. }: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult {
    office(&user)?;
    closure_answer(&state, StatusCode::OK, id).await
}

/// Deletes a day without lessons: lessons from tomorrow are taught that day after all.
#[utoipa::path(delete, path = "/api/v1/closures/{id}", tag = "terms", params(("id" = i64, Path, description = "Closure id")),
    responses((status = 204, description = "Deleted"),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such closure")))]
async fn delete_closure(Caller { state, user, actor }: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult {
    office(&user)?;
    state.store.delete_closure(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
