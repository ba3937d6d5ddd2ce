//! The office's screens for the year: each local authority's term dates and half terms for an
//! academic year, with its schools' own dates, its closures and INSET days; adding, changing
//! and deleting them; and copying last year's terms forward. The form readers here are shared
//! with the JSON API (routes/api/terms.rs), so both say the same words.
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use time::Date;
use tutti_domain::calendar::{AcademicYear, DateRange, TermDates, TermId, TermName};
use tutti_domain::records::RecordRefusal;
use tutti_domain::terms::{ClosureKind, check_authority, check_closure, check_term, parse_term_name, term_title};
use tutti_domain::validate::{Urn, parse_date};
use tutti_store::platform::accounts::Role;
use tutti_store::teaching::terms::{Closure, NewClosure, Term, Whose, YearFilter};

use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::{AppError, AppResult, refused_on_its_field};
use crate::forms::FormErrors;
use crate::pages::{render, render_clearing_flash};
use crate::routes::records::{FormField, FormPage, Values, input, select};
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

const OFFICE: &[Role] = &[Role::Admin, Role::Manager];
const BASE: &str = "/admin/terms";

pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(OFFICE),
        Routes::new()
            .route(BASE, get(year_page))
            .route("/admin/terms/new", get(new_term_form).post(create_term))
            .route("/admin/terms/copy", post(copy_last_year))
            .route("/admin/terms/{id}/edit", get(edit_term_form).post(update_term))
            .route("/admin/terms/{id}/delete", post(delete_term))
            .route("/admin/closures/new", get(new_closure_form).post(create_closure))
            .route("/admin/closures/{id}/delete", post(delete_closure)),
    )
}

/// Dashboard links for the office.
pub fn dashboard_links() -> Vec<(&'static str, &'static str, &'static str)> {
    vec![(
        BASE,
        "Term dates and closures",
        "Set each local authority's terms, half terms, closures and INSET days.",
    )]
}

// ---- Reading what the office sends (shared with the API) ----

/// Whose dates a form names: an authority by name, or one school by URN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Owner {
    Authority(String),
    School(Urn),
}

/// The school a screen's form names is a picker: its name, town or URN (decision 0074).
const SCHOOL_PICKER: &[(&str, tutti_store::records::lookup::LookupKind, &str)] =
    &[("school_urn", tutti_store::records::lookup::LookupKind::School, "school")];

/// Reads `authority` and `school_urn`: exactly one of them.
pub(crate) fn read_owner(v: &Values, errors: &mut FormErrors) -> Option<Owner> {
    let text = |k: &str| v.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    match (text("authority"), text("school_urn")) {
        (Some(_), Some(_)) => {
            errors.add(
                "school_urn",
                "Give the local authority or the school's URN, not both: leave one empty.",
            );
            None
        }
        (None, None) => {
            errors.add(
                "authority",
                "Enter the local authority, or the school's URN for one school's own dates.",
            );
            None
        }
        (Some(a), None) => match check_authority(a) {
            Ok(a) => Some(Owner::Authority(a)),
            Err(e) => {
                errors.add("authority", e.to_string());
                None
            }
        },
        (None, Some(u)) => match Urn::parse(u) {
            Ok(urn) => Some(Owner::School(urn)),
            Err(e) => {
                errors.add("school_urn", e.to_string());
                None
            }
        },
    }
}

/// The store's `Whose` for an owner: a URN no school has is an error on `school_urn`.
pub(crate) async fn whose(state: &AppState, owner: Owner, errors: &mut FormErrors) -> AppResult<Option<Whose>> {
    Ok(match owner {
        Owner::Authority(a) => Some(Whose::Authority(a)),
        Owner::School(urn) => match state.store.school_by_urn(urn.get() as i32).await? {
            Some(s) => Some(Whose::School(s.id)),
            None => {
                errors.add("school_urn", RecordRefusal::NoSchool { urn }.to_string());
                None
            }
        },
    })
}

fn date_field(v: &Values, errors: &mut FormErrors, field: &'static str, what: &str) -> Option<Date> {
    match v.get(field).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => {
            errors.add(field, format!("Enter the {what}."));
            None
        }
        Some(text) => match parse_date(text) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.add(field, e.to_string());
                None
            }
        },
    }
}

/// Reads a term: `academic_year`, `term`, `first_day`, `last_day`, `half_term_first_day`,
/// `half_term_last_day`, then the domain's rules for one term, each beside its field.
pub(crate) fn read_term(v: &Values, errors: &mut FormErrors) -> Option<TermDates> {
    let year = match AcademicYear::parse(v.get("academic_year").map(String::as_str).unwrap_or("")) {
        Ok(y) => Some(y),
        Err(e) => {
            errors.add("academic_year", e.to_string());
            None
        }
    };
    let name = match parse_term_name(v.get("term").map(String::as_str).unwrap_or("")) {
        Ok(n) => Some(n),
        Err(e) => {
            errors.add("term", format!("{e}."));
            None
        }
    };
    let first = date_field(v, errors, "first_day", "term's first day");
    let last = date_field(v, errors, "last_day", "term's last day");
    let half_first = date_field(v, errors, "half_term_first_day", "first day of half term");
    let half_last = date_field(v, errors, "half_term_last_day", "last day of half term");
    let dates = TermDates {
        term: TermId::new(year?, name?),
        dates: DateRange {
            first: first?,
            last: last?,
        },
        half_term: DateRange {
            first: half_first?,
            last: half_last?,
        },
    };
    match check_term(&dates) {
        Ok(()) => Some(dates),
        Err(e) => {
            errors.add(e.field().unwrap_or("first_day"), e.to_string());
            None
        }
    }
}

/// Reads a closure's `date`, `kind` (closure unless said) and `reason`.
pub(crate) fn read_closure(v: &Values, errors: &mut FormErrors) -> Option<(Date, ClosureKind, String)> {
    let day = date_field(v, errors, "date", "date");
    let kind = match v.get("kind").map(|k| k.trim()).filter(|k| !k.is_empty()) {
        None => Some(ClosureKind::Closure),
        Some(k) => match k.parse::<ClosureKind>() {
            Ok(kind) => Some(kind),
            Err(e) => {
                errors.add("kind", e.to_string());
                None
            }
        },
    };
    let reason = v.get("reason").cloned().unwrap_or_default();
    let day = day?;
    match check_closure(day, &reason) {
        Ok(reason) => Some((day, kind?, reason)),
        Err(e) => {
            errors.add(e.field().unwrap_or("reason"), e.to_string());
            None
        }
    }
}

// ---- The year's page ----

#[derive(Deserialize, Default)]
struct YearQuery {
    authority: Option<String>,
    year: Option<String>,
}

struct TermLine {
    id: i64,
    term: String,
    whose: String,
    first: String,
    half_term: String,
    last: String,
}

struct ClosureLine {
    id: i64,
    day: String,
    kind: &'static str,
    whose: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "terms/year.html")]
struct YearPage {
    shell: Shell,
    csrf: String,
    authorities: Vec<String>,
    authority: String,
    year: String,
    previous_year: String,
    terms: Vec<TermLine>,
    closures: Vec<ClosureLine>,
}

fn day(d: Date) -> String {
    crate::format::long_day(d)
}

fn term_line(t: Term) -> TermLine {
    TermLine {
        id: t.id,
        term: term_title(t.dates.term.name).to_owned(),
        whose: t
            .school_name
            .map_or_else(|| "The authority".to_owned(), |s| format!("{s} (its own dates)")),
        first: day(t.dates.dates.first),
        half_term: format!("{} to {}", day(t.dates.half_term.first), day(t.dates.half_term.last)),
        last: day(t.dates.dates.last),
    }
}

fn closure_line(c: Closure) -> ClosureLine {
    ClosureLine {
        id: c.id,
        day: day(c.day),
        kind: match c.kind {
            ClosureKind::Closure => "Closure",
            ClosureKind::Inset => "INSET day",
        },
        whose: c.school_name.unwrap_or_else(|| "The authority".to_owned()),
        reason: c.reason,
    }
}

/// The year the office is most likely setting: the one under way, or in August, when the
/// summer holiday is on, the one about to start.
fn year_being_set(today: Date) -> AcademicYear {
    let year = AcademicYear::containing(today);
    if today.month() == time::Month::August {
        year.next()
    } else {
        year
    }
}

async fn year_page(State(state): State<AppState>, visitor: Visitor, Query(q): Query<YearQuery>) -> AppResult<Response> {
    let year = q
        .year
        .as_deref()
        .and_then(|y| AcademicYear::parse(y).ok())
        .unwrap_or_else(|| year_being_set(state.store.today()));
    let authorities = state.store.local_authorities().await?;
    let authority = q
        .authority
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| {
            authorities
                .iter()
                .find(|k| k.eq_ignore_ascii_case(a))
                .cloned()
                .unwrap_or_else(|| a.to_owned())
        })
        .or_else(|| (authorities.len() == 1).then(|| authorities[0].clone()))
        .unwrap_or_default();
    let (terms, closures) = if authority.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let filter = YearFilter {
            authority: Some(authority.clone()),
            year: Some(year),
        };
        (
            state.store.terms(&filter).await?.into_iter().map(term_line).collect(),
            state
                .store
                .closures(&filter)
                .await?
                .into_iter()
                .map(closure_line)
                .collect(),
        )
    };
    let page = YearPage {
        shell: Shell::new(&state, &visitor, "Term dates and closures", BASE),
        csrf: visitor.csrf(),
        authorities,
        authority,
        year: year.to_string(),
        previous_year: year.previous().to_string(),
        terms,
        closures,
    };
    render_clearing_flash(&state, &visitor, &page).await
}

/// The year's page for an authority and year.
fn year_href(authority: &str, year: AcademicYear) -> String {
    let query =
        serde_urlencoded::to_string([("authority", authority), ("year", &year.to_string())]).unwrap_or_default();
    format!("{BASE}?{query}")
}

// ---- A term's form ----

fn term_fields(v: &Values, new: bool) -> Vec<FormField> {
    let mut fields = Vec::new();
    if new {
        fields.push(input(
            "authority",
            "Local authority",
            "text",
            "The authority whose schools follow these dates. Leave empty for one school's own dates.",
            v,
        ));
        fields.push(input(
            "school_urn",
            "Or one school",
            "pick:schools",
            "For an academy with its own dates, which replace its authority's for this term: part of its name, its town or its URN.",
            v,
        ));
    }
    fields.extend([
        input("academic_year", "Academic year", "text", "Like 2026-27", v),
        select("term", "Term", &["Autumn", "Spring", "Summer"], v),
        input("first_day", "First day of term", "date", "", v),
        input("half_term_first_day", "First day of half term", "date", "", v),
        input("half_term_last_day", "Last day of half term", "date", "", v),
        input("last_day", "Last day of term", "date", "", v),
    ]);
    fields
}

fn term_form(
    state: &AppState,
    visitor: &Visitor,
    id: Option<i64>,
    v: &Values,
    errors: FormErrors,
) -> AppResult<Response> {
    let (heading, action) = match id {
        Some(id) => ("Change term dates", format!("{BASE}/{id}/edit")),
        None => ("Add term dates", format!("{BASE}/new")),
    };
    let back = match (
        v.get("authority"),
        v.get("academic_year").and_then(|y| AcademicYear::parse(y).ok()),
    ) {
        (Some(a), Some(y)) if !a.trim().is_empty() => year_href(a, y),
        _ => BASE.to_owned(),
    };
    let page = FormPage {
        shell: Shell::new(state, visitor, heading, BASE),
        heading: heading.to_owned(),
        back: (back, "Back to the year".to_owned()),
        action,
        csrf: visitor.csrf(),
        fields: term_fields(v, id.is_none()),
        submit: "Save term dates",
        errors: errors.clone(),
    };
    Ok((errors.status(), render(&page)?).into_response())
}

fn values_of(t: &Term) -> Values {
    let d = &t.dates;
    [
        ("authority", t.local_authority.clone()),
        ("academic_year", d.term.year.to_string()),
        ("term", term_title(d.term.name).to_owned()),
        ("first_day", crate::format::input_date(d.dates.first)),
        ("last_day", crate::format::input_date(d.dates.last)),
        ("half_term_first_day", crate::format::input_date(d.half_term.first)),
        ("half_term_last_day", crate::format::input_date(d.half_term.last)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

async fn new_term_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let year = q
        .year
        .as_deref()
        .and_then(|y| AcademicYear::parse(y).ok())
        .unwrap_or_else(|| year_being_set(state.store.today()));
    let v: Values = [
        ("authority", q.authority.unwrap_or_default()),
        ("academic_year", year.to_string()),
        ("term", term_title(TermName::Autumn).to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    term_form(&state, &visitor, None, &v, FormErrors::default())
}

async fn create_term(a: Acting, Form(v): Form<Values>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let keyed = crate::pickers::keyed(&a.state.store, &v, SCHOOL_PICKER, &mut errors).await?;
    let owner = read_owner(&keyed, &mut errors);
    let dates = read_term(&v, &mut errors);
    if let (Some(owner), Some(dates)) = (owner, dates)
        && let Some(whose) = whose(&a.state, owner, &mut errors).await?
    {
        match a.state.store.save_term(&a.actor(), None, &whose, &dates).await {
            Ok(id) => {
                let term = a.state.store.term(id).await?.ok_or(AppError::NotFound)?;
                let to = year_href(&term.local_authority, dates.term.year);
                return a.done("Term dates saved.", &to).await;
            }
            Err(e) => refused_on_its_field(e, "first_day", &mut errors)?,
        }
    }
    term_form(&a.state, &a.visitor, None, &v, errors)
}

async fn edit_term_form(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let term = state.store.term(id).await?.ok_or(AppError::NotFound)?;
    term_form(&state, &visitor, Some(id), &values_of(&term), FormErrors::default())
}

async fn update_term(a: Acting, Path(id): Path<i64>, Form(mut v): Form<Values>) -> AppResult<Response> {
    let term = a.state.store.term(id).await?.ok_or(AppError::NotFound)?;
    // Whose dates they are is not changed here: delete and add instead.
    v.insert("authority".into(), term.local_authority.clone());
    let whose = match term.school_id {
        Some(s) => Whose::School(s),
        None => Whose::Authority(term.local_authority.clone()),
    };
    let mut errors = FormErrors::default();
    if let Some(dates) = read_term(&v, &mut errors) {
        match a.state.store.save_term(&a.actor(), Some(id), &whose, &dates).await {
            Ok(_) => {
                let to = year_href(&term.local_authority, dates.term.year);
                return a.done("Term dates saved.", &to).await;
            }
            Err(e) => refused_on_its_field(e, "first_day", &mut errors)?,
        }
    }
    term_form(&a.state, &a.visitor, Some(id), &v, errors)
}

async fn delete_term(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    let term = a.state.store.term(id).await?.ok_or(AppError::NotFound)?;
    a.state.store.delete_term(&a.actor(), id).await?;
    let to = year_href(&term.local_authority, term.dates.term.year);
    a.done("Term dates deleted.", &to).await
}

#[derive(Deserialize)]
struct CopyForm {
    #[serde(default)]
    authority: String,
    #[serde(default)]
    academic_year: String,
}

async fn copy_last_year(a: Acting, Form(f): Form<CopyForm>) -> AppResult<Response> {
    let year = AcademicYear::parse(&f.academic_year).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let authority = check_authority(&f.authority).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let to = year_href(&authority, year);
    let outcome = a
        .state
        .store
        .copy_last_year(&a.actor(), &Whose::Authority(authority), year)
        .await;
    let outcome = outcome.map(|n| {
        format!(
            "{n} term{} copied from {} to {year}, each on the same weekday. Check them against the authority's \
             published dates, Easter especially, and change any that differ.",
            if n == 1 { "" } else { "s" },
            year.previous()
        )
    });
    a.said(outcome, &to).await
}

// ---- A closure's form ----

fn closure_fields(v: &Values) -> Vec<FormField> {
    vec![
        input(
            "authority",
            "Local authority",
            "text",
            "Closes every school of the authority. Leave empty to close one school.",
            v,
        ),
        input(
            "school_urn",
            "Or one school",
            "pick:schools",
            "Closes that school only: part of its name, its town or its URN.",
            v,
        ),
        input("date", "Date", "date", "", v),
        FormField {
            options: vec![
                ("closure".to_owned(), "Closure".to_owned()),
                ("inset".to_owned(), "INSET day".to_owned()),
            ],
            ..input(
                "kind",
                "Kind of day",
                "select",
                "An INSET day is a staff training day: pupils are not in school.",
                v,
            )
        },
        input("reason", "Reason", "text", "Like: polling day, staff training.", v),
    ]
}

fn closure_form(state: &AppState, visitor: &Visitor, v: &Values, errors: FormErrors) -> AppResult<Response> {
    let page = FormPage {
        shell: Shell::new(state, visitor, "Add a closure or INSET day", BASE),
        heading: "Add a closure or INSET day".to_owned(),
        back: (BASE.to_owned(), "Back to the year".to_owned()),
        action: "/admin/closures/new".to_owned(),
        csrf: visitor.csrf(),
        fields: closure_fields(v),
        submit: "Save the day",
        errors: errors.clone(),
    };
    Ok((errors.status(), render(&page)?).into_response())
}

async fn new_closure_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let v: Values = [
        ("authority", q.authority.unwrap_or_default()),
        ("kind", "closure".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    closure_form(&state, &visitor, &v, FormErrors::default())
}

async fn create_closure(a: Acting, Form(v): Form<Values>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let keyed = crate::pickers::keyed(&a.state.store, &v, SCHOOL_PICKER, &mut errors).await?;
    let owner = read_owner(&keyed, &mut errors);
    let day = read_closure(&v, &mut errors);
    if let (Some(owner), Some((day, kind, reason))) = (owner, day)
        && let Some(whose) = whose(&a.state, owner, &mut errors).await?
    {
        let closure = NewClosure {
            whose,
            day,
            kind,
            reason,
        };
        match a.state.store.save_closure(&a.actor(), &closure).await {
            Ok(id) => {
                let saved = a.state.store.closure(id).await?.ok_or(AppError::NotFound)?;
                let to = year_href(&saved.local_authority, AcademicYear::containing(day));
                return a.done("Day without lessons saved.", &to).await;
            }
            Err(e) => refused_on_its_field(e, "date", &mut errors)?,
        }
    }
    closure_form(&a.state, &a.visitor, &v, errors)
}

async fn delete_closure(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    let closure = a.state.store.closure(id).await?.ok_or(AppError::NotFound)?;
    a.state.store.delete_closure(&a.actor(), id).await?;
    let to = year_href(&closure.local_authority, AcademicYear::containing(closure.day));
    a.done("Day without lessons deleted; lessons are taught that day.", &to)
        .await
}
