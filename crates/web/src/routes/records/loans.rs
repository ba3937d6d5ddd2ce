//! Instrument loans on the screens: on an instrument's page the office lends it, takes it
//! back (with its condition), moves it to another pupil, reports it lost or damaged, and reads
//! its history; `/admin/loans` lists loans still out, due back and overdue; a parent sees their
//! children's loans and accepts the loan agreement online (`/parent/loans`).
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use serde::Deserialize;
use time::Date;
use tutti_domain::instruments::{InstrumentCondition, InstrumentStatus};
use tutti_domain::loans::{LoanStatus, agreement_text};
use tutti_domain::validate::parse_date;
use tutti_store::StoreError;
use tutti_store::platform::accounts::Role;
use tutti_store::records::instruments::Instrument;
use tutti_store::records::loans::{Loan, LoanFilter, LoanQuery, NewLoan};
use tutti_store::records::pupils::PupilScope;

use super::{PER_PAGE, Values};
use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::{AppError, AppResult, message};
use crate::forms::FormErrors;
use crate::pages::render_clearing_flash;
use crate::routes::page_number;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

/// The office's loan screens, merged into the records audience (admins and managers).
pub fn office_routes() -> Routes {
    Routes::new()
        .route("/admin/loans", get(office_list))
        .route("/admin/instruments/{id}/lend", post(lend))
        .route("/admin/loans/{id}/return", ending(LoanStatus::Returned, "return_date"))
        .route("/admin/loans/{id}/move", post(move_loan))
        .route("/admin/loans/{id}/lost", ending(LoanStatus::Lost, "lost_date"))
        .route("/admin/loans/{id}/damaged", ending(LoanStatus::Damaged, "damaged_date"))
}

/// A parent's view of their children's loans and the agreement to accept.
pub fn parent_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Parent]),
        Routes::new()
            .route("/parent/loans", get(parent_list))
            .route("/parent/loans/{id}", get(agreement))
            .route("/parent/loans/{id}/accept", post(accept)),
    )
}

/// Links the dashboard adds for each role.
pub fn dashboard_links(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Parent => vec![(
            "/parent/loans",
            "Instruments on loan",
            "The instruments your children borrow from us, and the loan agreement.",
        )],
        Role::Admin | Role::Manager => vec![(
            "/admin/loans",
            "Instrument loans",
            "Instruments out on loan, due back and overdue.",
        )],
        _ => Vec::new(),
    }
}

/// A loan as a table row shows it.
pub struct LoanLine {
    pub loan: Loan,
    pub from: String,
    pub due: String,
    pub ended: String,
    pub status: String,
    pub condition: String,
    pub agreement: String,
}

impl LoanLine {
    pub fn new(loan: Loan) -> LoanLine {
        let day = |d: Option<Date>| d.map(crate::format::short_day).unwrap_or_default();
        LoanLine {
            from: crate::format::short_day(loan.start_date),
            due: day(loan.due_date),
            ended: day(loan.end_date),
            status: if loan.overdue {
                "Overdue".into()
            } else {
                loan.status.label().into()
            },
            condition: loan.return_condition.map(|c| c.to_string()).unwrap_or_default(),
            agreement: match (&loan.agreement_accepted_at, loan.agreement_on_paper) {
                (Some(at), true) => format!("Signed on paper (recorded {})", crate::format::when(*at)),
                (Some(at), false) => format!(
                    "Accepted online by {} on {}",
                    loan.agreement_accepted_name.clone().unwrap_or_default(),
                    crate::format::when(*at)
                ),
                (None, _) => "Not accepted yet".into(),
            },
            loan,
        }
    }
}

/// What was typed into the instrument page's forms.
#[derive(Default)]
pub struct Typed {
    pub values: Values,
    pub errors: FormErrors,
}

impl Typed {
    fn value(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }

    fn value_or(&self, name: &str, default: &str) -> String {
        self.values
            .get(name)
            .filter(|v| !v.trim().is_empty())
            .cloned()
            .unwrap_or_else(|| default.to_owned())
    }
}

#[derive(Template)]
#[template(path = "loans/instrument.html")]
struct InstrumentPage {
    shell: Shell,
    csrf: String,
    instrument: Instrument,
    facts: Vec<(String, String)>,
    open: Option<LoanLine>,
    lendable: bool,
    not_lendable: String,
    hire: String,
    history: Vec<LoanLine>,
    today: String,
    typed: Typed,
    /// Each condition's word, and whether it was chosen.
    conditions: Vec<(&'static str, bool)>,
    errors: FormErrors,
}

/// An instrument's page: its record, the loan it is on (with return, move, lost and damaged)
/// or the form to lend it, and its loan history.
pub async fn instrument_page(state: &AppState, visitor: &Visitor, id: i64, typed: Typed) -> AppResult<Response> {
    let i = state.store.instrument(id).await?.ok_or(AppError::NotFound)?;
    let today = state.store.today();
    let history: Vec<LoanLine> = state
        .store
        .loans_of_instrument(id)
        .await?
        .into_iter()
        .map(LoanLine::new)
        .collect();
    let open = history
        .iter()
        .position(|l| l.loan.status.is_open())
        .map(|at| LoanLine::new(history[at].loan.clone()));
    let status = i.status.parse::<InstrumentStatus>().ok();
    let lendable = open.is_none() && !i.archived && status == Some(InstrumentStatus::Available);
    let not_lendable = match (i.archived, status) {
        (true, _) => "It is archived, so it cannot be lent.",
        (_, Some(InstrumentStatus::Lost)) => "It is recorded as lost. If it turns up, edit its status to available.",
        (_, Some(InstrumentStatus::InRepair)) => "It is being repaired. Edit its status to available when it is back.",
        (_, Some(InstrumentStatus::Retired)) => "It is retired.",
        _ => "",
    };
    let hire = state.store.hire_charge(&i.instrument_type, today).await?;
    let heading = format!("{} {}", i.instrument_type, i.serial);
    let page = InstrumentPage {
        shell: Shell::new(state, visitor, heading, "/admin/instruments"),
        csrf: visitor.csrf(),
        facts: vec![
            ("Serial".into(), i.serial.clone()),
            ("Type".into(), i.instrument_type.clone()),
            ("Make".into(), i.make.clone()),
            ("Model".into(), i.model.clone()),
            ("Condition".into(), i.condition.clone().unwrap_or_default()),
            ("Value".into(), i.value_text()),
            ("Location".into(), i.location.clone()),
            ("Status".into(), i.status.clone()),
        ],
        instrument: i,
        open,
        lendable,
        not_lendable: not_lendable.into(),
        hire: format!("{hire} a term"),
        history,
        today: crate::format::input_date(today),
        errors: typed.errors.clone(),
        conditions: InstrumentCondition::WORDS
            .iter()
            .map(|w| (*w, typed.values.get("condition").is_some_and(|c| c == w)))
            .collect(),
        typed,
    };
    let status = page.errors.status();
    let html = page.render()?;
    if status == StatusCode::OK
        && let Some(s) = visitor.session.as_ref().filter(|s| s.flash.is_some())
    {
        state.store.set_flash(&s.id_hash, None).await?;
    }
    Ok((status, axum::response::Html(html)).into_response())
}

/// Reads a required date field, noting an error beside it.
fn date_field(v: &Values, field: &'static str, what: &str, errors: &mut FormErrors) -> Option<Date> {
    let text = v.get(field).map(|s| s.trim()).unwrap_or_default();
    if text.is_empty() {
        errors.add(field, format!("Enter {what}"));
        return None;
    }
    match parse_date(text) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.add(field, e.to_string());
            None
        }
    }
}

/// Finds a pupil on the roll by reference, noting an error beside `field`.
async fn pupil_field(
    state: &AppState,
    v: &Values,
    field: &'static str,
    errors: &mut FormErrors,
) -> AppResult<Option<i64>> {
    use crate::pickers::{Picked, pick, resolve};
    use tutti_store::records::lookup::LookupKind;
    // A picker: the pupil's reference, a suggestion, or part of their name (decision 0074).
    let text = v.get(field).map(|s| s.trim()).unwrap_or_default();
    if text.is_empty() {
        errors.add(field, "Enter the pupil's name or reference, like P100123");
        return Ok(None);
    }
    Ok(match resolve(&state.store, LookupKind::Pupil, text).await? {
        Picked::One(found) => Some(found.id),
        // One word matching nobody was meant as a reference.
        Picked::NotFound if !text.contains(char::is_whitespace) => {
            errors.add(field, format!("No pupil on the roll has the reference {text}"));
            None
        }
        _ => pick(&state.store, errors, field, LookupKind::Pupil, text, "pupil", true)
            .await?
            .map(|f| f.id),
    })
}

/// A refusal goes beside the form's field for the domain's field; anything else is the page's.
fn beside(
    e: StoreError,
    fields: &[(&str, &'static str)],
    fallback: &'static str,
    errors: &mut FormErrors,
) -> AppResult<()> {
    match e {
        StoreError::Refused(r) => {
            let field = r
                .field()
                .and_then(|f| fields.iter().find(|(domain, _)| *domain == f))
                .map_or(fallback, |(_, form)| *form);
            errors.add(field, message(&r));
            Ok(())
        }
        other => Err(other.into()),
    }
}

async fn lend(a: Acting, Path(id): Path<i64>, Form(v): Form<Values>) -> AppResult<Response> {
    a.state.store.instrument(id).await?.ok_or(AppError::NotFound)?;
    let mut errors = FormErrors::default();
    let pupil = pupil_field(&a.state, &v, "pupil_ref", &mut errors).await?;
    let from = date_field(&v, "from", "the day the loan starts", &mut errors);
    let due = match v.get("due").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => match parse_date(text) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.add("due", e.to_string());
                None
            }
        },
    };
    if let (Some(pupil_id), Some(from), true) = (pupil, from, errors.is_empty()) {
        let loan = NewLoan {
            instrument_id: id,
            pupil_id,
            from,
            due,
            agreement_on_paper: v.get("agreement_on_paper").is_some_and(|x| x == "yes"),
        };
        match a.state.store.lend_instrument(&a.actor(), &loan).await {
            Ok(_) => return a.done("Instrument lent.", &format!("/admin/instruments/{id}")).await,
            Err(e) => beside(
                e,
                // The instrument's own state is said at the page's Loan heading.
                &[
                    ("pupil_id", "pupil_ref"),
                    ("due", "due"),
                    ("date", "from"),
                    ("instrument_id", "loan"),
                ],
                "pupil_ref",
                &mut errors,
            )?,
        }
    }
    instrument_page(&a.state, &a.visitor, id, Typed { values: v, errors }).await
}

/// The loan a form acts on, as the office sees it.
async fn loan_of(state: &AppState, id: i64) -> AppResult<Loan> {
    state.store.loan(&PupilScope::All, id).await?.ok_or(AppError::NotFound)
}

/// Ends a loan as `how`, from a form with a date field and perhaps a condition.
async fn end(a: Acting, id: i64, v: Values, how: LoanStatus, date_name: &'static str) -> AppResult<Response> {
    let loan = loan_of(&a.state, id).await?;
    let mut errors = FormErrors::default();
    let on = date_field(&v, date_name, "the date", &mut errors);
    let condition = match v.get("condition").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        Some(text) if how == LoanStatus::Returned => match text.parse::<InstrumentCondition>() {
            Ok(c) => Some(c),
            Err(e) => {
                errors.add("condition", e.to_string());
                None
            }
        },
        _ => None,
    };
    if let (Some(on), true) = (on, errors.is_empty()) {
        match a.state.store.end_loan(&a.actor(), id, how, on, condition).await {
            Ok(()) => {
                let said = match how {
                    LoanStatus::Lost => "The instrument is recorded as lost.",
                    LoanStatus::Damaged => "The instrument is recorded as damaged and sent for repair.",
                    _ => "The instrument is back.",
                };
                return a
                    .done(said, &format!("/admin/instruments/{}", loan.instrument_id))
                    .await;
            }
            Err(e) => beside(e, &[("date", date_name)], date_name, &mut errors)?,
        }
    }
    instrument_page(&a.state, &a.visitor, loan.instrument_id, Typed { values: v, errors }).await
}

/// The form that ends a loan one way (returned, lost, damaged), its date field named for it.
fn ending(how: LoanStatus, date_name: &'static str) -> MethodRouter<AppState> {
    post(move |a: Acting, Path(id): Path<i64>, Form(v): Form<Values>| end(a, id, v, how, date_name))
}

async fn move_loan(a: Acting, Path(id): Path<i64>, Form(v): Form<Values>) -> AppResult<Response> {
    let loan = loan_of(&a.state, id).await?;
    let mut errors = FormErrors::default();
    let pupil = pupil_field(&a.state, &v, "move_pupil_ref", &mut errors).await?;
    let on = date_field(&v, "move_date", "the day it moves", &mut errors);
    if let (Some(pupil), Some(on), true) = (pupil, on, errors.is_empty()) {
        match a.state.store.move_loan(&a.actor(), id, pupil, on).await {
            Ok(_) => {
                return a
                    .done(
                        "The instrument has moved to the other pupil.",
                        &format!("/admin/instruments/{}", loan.instrument_id),
                    )
                    .await;
            }
            Err(e) => beside(
                e,
                &[("pupil_id", "move_pupil_ref"), ("date", "move_date")],
                "move_pupil_ref",
                &mut errors,
            )?,
        }
    }
    instrument_page(&a.state, &a.visitor, loan.instrument_id, Typed { values: v, errors }).await
}

#[derive(Deserialize, Default)]
struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    filter: String,
    pupil: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "loans/list.html")]
struct ListPage {
    shell: Shell,
    filters: Vec<(&'static str, &'static str, bool)>,
    filter: &'static str,
    q: String,
    pupil: String,
    rows: Vec<LoanLine>,
    total: u64,
    page: u64,
    pages: u64,
    empty: &'static str,
}

async fn office_list(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(p): Query<ListParams>,
) -> AppResult<Response> {
    let filter = LoanFilter::parse(&p.filter).unwrap_or_default();
    let pupil = p.pupil.as_deref().and_then(|x| x.parse::<i64>().ok());
    let found = state
        .store
        .loans(
            &PupilScope::All,
            &LoanQuery {
                filter,
                q: p.q.clone(),
                pupil_id: pupil,
                instrument_id: None,
                page: page_number(p.page.as_deref()),
                per_page: PER_PAGE,
            },
        )
        .await?;
    let pages = found.pages();
    let page = ListPage {
        shell: Shell::new(&state, &visitor, "Instrument loans", "/admin/loans"),
        filters: [
            ("current", "On loan"),
            ("due", "Due back in four weeks"),
            ("overdue", "Overdue"),
            ("all", "All loans"),
        ]
        .into_iter()
        .map(|(word, label)| (word, label, word == filter.as_str()))
        .collect(),
        filter: filter.as_str(),
        q: p.q.trim().to_owned(),
        pupil: pupil.map(|x| x.to_string()).unwrap_or_default(),
        total: found.total,
        page: found.page,
        pages,
        rows: found.rows.into_iter().map(LoanLine::new).collect(),
        empty: match filter {
            LoanFilter::Overdue => "No loans are overdue.",
            LoanFilter::DueBack => "No loans are due back in the next four weeks.",
            _ if !p.q.trim().is_empty() => "No loans match. Try fewer letters or another spelling.",
            _ => "No loans yet. Lend an instrument from its page under Instruments.",
        },
    };
    render_clearing_flash(&state, &visitor, &page).await
}

#[derive(Template)]
#[template(path = "loans/parent.html")]
struct ParentPage {
    shell: Shell,
    loans: Vec<LoanLine>,
}

async fn parent_list(a: Acting) -> AppResult<Response> {
    let loans = a
        .state
        .store
        .loans_of_pupils(&PupilScope::for_user(&a.user), None)
        .await?
        .into_iter()
        .map(LoanLine::new)
        .collect();
    let page = ParentPage {
        shell: Shell::new(&a.state, &a.visitor, "Instruments on loan", "/parent/loans"),
        loans,
    };
    render_clearing_flash(&a.state, &a.visitor, &page).await
}

#[derive(Template)]
#[template(path = "loans/agreement.html")]
struct AgreementPage {
    shell: Shell,
    csrf: String,
    line: LoanLine,
    terms: Vec<String>,
}

async fn agreement(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    let loan = a
        .state
        .store
        .loan(&PupilScope::for_user(&a.user), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let hire = a
        .state
        .store
        .hire_charge(&loan.instrument_type, loan.start_date)
        .await?;
    let shell = Shell::new(&a.state, &a.visitor, "Instrument loan agreement", "/parent/loans");
    let terms = agreement_text(&shell.hub.name, &loan.instrument_type, &loan.serial, hire);
    let page = AgreementPage {
        shell,
        csrf: a.csrf(),
        line: LoanLine::new(loan),
        terms,
    };
    render_clearing_flash(&a.state, &a.visitor, &page).await
}

async fn accept(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    a.state
        .store
        .accept_loan_agreement(&a.actor(), &PupilScope::for_user(&a.user), id)
        .await?;
    a.done(
        "Thank you: you have accepted the loan agreement.",
        &format!("/parent/loans/{id}"),
    )
    .await
}
