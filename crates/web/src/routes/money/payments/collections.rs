//! Payment agreements, the journal, Direct Debit mandates and collection files.
use super::office::Q;
use super::office::SmallForm;
use super::office::TablePage;
use super::office::year_or_current;
use crate::acting::Acting;
use crate::error::refused_on;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::pages::{render, render_clearing_flash};
use crate::pickers::pick;
use crate::routes::records::{FormField, FormPage, Values, cell, form_again, input};
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;
use axum::extract::{Form, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tutti_domain::Pence;
use tutti_domain::calendar::{AcademicYear, TermId};
use tutti_domain::payments::{AccountNumber, SortCode, mandate_reference};
use tutti_domain::validate::parse_date;
use tutti_store::Store;
use tutti_store::money::payments::agreements::AgreementInput;
use tutti_store::money::payments::collections::MandateInput;
use tutti_store::records::lookup::LookupKind;

pub(super) async fn agreements(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(p): Query<Q>,
) -> AppResult<Response> {
    let year = year_or_current(&p.year, state.store.today());
    let rows = state
        .store
        .agreements(year)
        .await?
        .into_iter()
        .map(|a| {
            let [autumn, spring, summer] =
                tutti_domain::agreements::term_charges(Pence(a.annual_pence), year).map(|c| c.amount.to_string());
            vec![
                cell(a.school_name),
                cell(a.programme),
                cell(a.sessions.to_string()),
                cell(Pence(a.annual_pence).to_string()),
                cell(autumn),
                cell(spring),
                cell(summer),
                cell(a.billing.replace('-', " ")),
            ]
        })
        .collect();
    let terms = year.terms();
    render_clearing_flash(
        &state,
        &visitor,
        &TablePage {
            shell: Shell::new(&state, &visitor, "Services agreements", "/admin/agreements"),
            back: Some(("/admin/payments".into(), "Back to payments".into())),
            heading: format!("Services agreements {year}"),
            paragraphs: vec![
                "Each programme's annual cost is charged 34% in autumn, 33% in spring and 33% in summer. \
                 Council-maintained schools pay by internal journal; academies and others by invoice."
                    .into(),
            ],
            search: Some((
                "/admin/agreements".into(),
                "Academic year, like 2026-27".into(),
                "year".into(),
                year.to_string(),
            )),
            links: std::iter::once(("/admin/agreements/new".to_owned(), "Add an agreement".to_owned()))
                .chain(terms.iter().map(|t| {
                    (
                        format!("/admin/agreements/journal.csv?term={t}"),
                        format!("Internal journal for {} (CSV)", t.title()),
                    )
                }))
                .collect(),
            headers: vec![
                "School",
                "Programme",
                "Sessions",
                "Annual cost",
                "Autumn",
                "Spring",
                "Summer",
                "Billed by",
            ],
            rows,
            empty: format!("No agreements for {year} yet."),
            forms: vec![],
        },
    )
    .await
}

pub(super) async fn agreement_fields(state: &AppState, v: &Values) -> AppResult<Vec<FormField>> {
    let schools = state
        .store
        .list_schools(&tutti_store::listing::ListQuery {
            per_page: 1000,
            ..Default::default()
        })
        .await?;
    Ok(vec![
        FormField {
            options: schools
                .rows
                .into_iter()
                .map(|s| {
                    (
                        s.id.to_string(),
                        format!("{} ({})", s.name, s.billing.replace('-', " ")),
                    )
                })
                .collect(),
            ..input("school_id", "School", "select", "", v)
        },
        input("year", "Academic year", "text", "Like 2026-27", v),
        input("programme", "Programme", "text", "Like Whole-class ukulele", v),
        input(
            "annual_cost",
            "Annual cost in pounds",
            "text",
            "Split 34/33/33 over the terms",
            v,
        ),
        input("sessions", "Sessions a year", "text", "Between 30 and 36", v),
    ])
}

pub(super) async fn agreement_page(
    state: &AppState,
    visitor: &Visitor,
    v: &Values,
    errors: FormErrors,
) -> AppResult<FormPage> {
    Ok(FormPage {
        shell: Shell::new(state, visitor, "Add an agreement", "/admin/agreements"),
        heading: "Add a services agreement".into(),
        back: ("/admin/agreements".into(), "Back to agreements".into()),
        action: "/admin/agreements/new".into(),
        csrf: visitor.csrf(),
        errors,
        fields: agreement_fields(state, v).await?,
        submit: "Save agreement",
    })
}

pub(super) async fn agreement_form(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let mut v = Values::new();
    v.insert("year".into(), year_or_current("", state.store.today()).to_string());
    v.insert("sessions".into(), "30".into());
    render(&agreement_page(&state, &visitor, &v, FormErrors::default()).await?)
}

pub(super) fn read_agreement(v: &Values, errors: &mut FormErrors) -> Option<AgreementInput> {
    let text = |k: &str| v.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let school_id = text("school_id").parse::<i64>().ok();
    if school_id.is_none() {
        errors.add("school_id", "Choose a school");
    }
    let year = AcademicYear::parse(&text("year"))
        .map_err(|_| errors.add("year", "Enter an academic year like 2026-27"))
        .ok();
    let programme = text("programme");
    if programme.is_empty() {
        errors.add("programme", "Enter the programme's name");
    }
    let annual_cost = match Pence::parse_pounds(&text("annual_cost")) {
        Ok(p) if p > Pence::ZERO => Some(p),
        Ok(_) => {
            errors.add("annual_cost", "Enter an annual cost more than £0.00");
            None
        }
        Err(e) => {
            errors.add("annual_cost", e.to_string());
            None
        }
    };
    let range = tutti_domain::agreements::WCET_SESSIONS;
    let sessions = text("sessions").parse::<u32>().ok().filter(|n| range.contains(n));
    if sessions.is_none() {
        errors.add(
            "sessions",
            format!("Enter the sessions a year, from {} to {}", range.start(), range.end()),
        );
    }
    if programme.is_empty() {
        return None;
    }
    Some(AgreementInput {
        school_id: school_id?,
        year: year?,
        programme,
        annual_cost: annual_cost?,
        sessions: sessions?,
    })
}

pub(super) async fn create_agreement(a: Acting, Form(v): Form<Values>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if let Some(input) = read_agreement(&v, &mut errors) {
        match a.state.store.create_agreement(&a.actor(), &input).await {
            Ok(agreement) => {
                let to = format!("/admin/agreements?year={}", agreement.academic_year);
                return a.done("Agreement saved.", &to).await;
            }
            Err(e) => refused_on(e, "programme", &mut errors)?,
        }
    }
    form_again(agreement_page(&a.state, &a.visitor, &v, errors).await?)
}

pub(super) fn csv_download(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}

pub(super) async fn journal(a: Acting, Query(p): Query<Q>) -> AppResult<Response> {
    let term = TermId::parse(&p.term).map_err(|_| AppError::BadRequest("Give a term like 2026-autumn.".into()))?;
    let csv = a.state.store.journal_export(&a.actor(), term).await?;
    Ok(csv_download(&format!("internal-journal-{term}.csv"), csv))
}

// ---- Direct Debit -----------------------------------------------------------------------

pub(super) async fn direct_debit(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let mandates = state.store.mandates().await?;
    let payer_kind = |kind: &str| {
        if kind == "school" {
            LookupKind::School
        } else {
            LookupKind::Guardian
        }
    };
    let wanted: Vec<(LookupKind, i64)> = mandates
        .iter()
        .map(|m| (payer_kind(&m.payer_kind), m.payer_id))
        .collect();
    let names = state.store.record_names(&wanted).await?;
    let rows = mandates
        .into_iter()
        .map(|m| {
            let payer = names
                .get(&(payer_kind(&m.payer_kind), m.payer_id))
                .map(|f| f.name.clone())
                .unwrap_or_else(|| format!("{} {}", m.payer_kind, m.payer_id));
            vec![
                cell(m.reference),
                cell(payer),
                cell(m.account_name),
                cell(
                    SortCode::parse(&m.sort_code)
                        .map(|s| s.to_string())
                        .unwrap_or(m.sort_code),
                ),
                cell(m.account_number),
            ]
        })
        .collect();
    render_clearing_flash(
        &state,
        &visitor,
        &TablePage {
            shell: Shell::new(&state, &visitor, "Direct Debit", "/admin/direct-debit"),
            back: Some(("/admin/payments".into(), "Back to payments".into())),
            heading: "Direct Debit".into(),
            paragraphs: vec![
                "Mandates in force. The collection file lists, for each payer with a mandate, the instalment due \
                 by the collection date, for upload to the bank."
                    .into(),
            ],
            search: None,
            links: vec![("/admin/direct-debit/new".into(), "Add a mandate".into())],
            headers: vec!["Reference", "Payer", "Account name", "Sort code", "Account"],
            rows,
            empty: "No mandates yet.".into(),
            forms: vec![SmallForm {
                heading: "Collection file".into(),
                method: "get",
                action: "/admin/direct-debit/collection.csv".into(),
                inputs: vec![(
                    "date",
                    "Collection date, like 15/10/2026",
                    crate::format::short_day(state.store.today()),
                )],
                submit: "Download the collection file (CSV)",
            }],
        },
    )
    .await
}

pub(super) fn mandate_page(state: &AppState, visitor: &Visitor, v: &Values, errors: FormErrors) -> FormPage {
    FormPage {
        shell: Shell::new(state, visitor, "Add a mandate", "/admin/direct-debit"),
        heading: "Add a Direct Debit mandate".into(),
        back: ("/admin/direct-debit".into(), "Back to Direct Debit".into()),
        action: "/admin/direct-debit/new".into(),
        csrf: visitor.csrf(),
        errors,
        fields: vec![
            input(
                "parent",
                "Paying parent or carer",
                "pick:guardians",
                "Type part of their name or email and choose them; leave empty when a school pays",
                v,
            ),
            input(
                "school",
                "Paying school",
                "pick:schools",
                "Type part of the school's name and choose it; leave empty when a parent pays",
                v,
            ),
            input("account_name", "Name on the account", "text", "", v),
            input("sort_code", "Sort code", "text", "6 digits, like 12-34-56", v),
            input("account_number", "Account number", "text", "8 digits", v),
            input(
                "reference",
                "Mandate reference",
                "text",
                "6 to 18 characters, like TUTTI-000123",
                v,
            ),
        ],
        submit: "Save mandate",
    }
}

pub(super) async fn mandate_form(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    render(&mandate_page(&state, &visitor, &Values::new(), FormErrors::default()))
}

/// The mandate a form describes, or errors beside its fields. The payer is a parent or a
/// school, each chosen with a picker: exactly one is filled.
pub(super) async fn read_mandate(
    store: &Store,
    v: &Values,
    errors: &mut FormErrors,
) -> AppResult<Option<MandateInput>> {
    let text = |k: &str| v.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let (parent, school) = (text("parent"), text("school"));
    let payer = match (parent.is_empty(), school.is_empty()) {
        (true, true) => {
            errors.add("parent", "Choose the parent or carer who pays, or the school");
            None
        }
        (false, false) => {
            errors.add("school", "Choose a parent or a school, not both");
            None
        }
        (false, true) => pick(
            store,
            errors,
            "parent",
            LookupKind::Guardian,
            &parent,
            "parent or carer",
            true,
        )
        .await?
        .map(|f| ("parent".to_owned(), f.id)),
        (true, false) => pick(store, errors, "school", LookupKind::School, &school, "school", true)
            .await?
            .map(|f| ("school".to_owned(), f.id)),
    };
    let account_name = text("account_name");
    if account_name.is_empty() {
        errors.add("account_name", "Enter the name on the bank account");
    }
    let sort_code = SortCode::parse(&text("sort_code"))
        .map_err(|e| errors.add("sort_code", e.to_string()))
        .ok();
    let account_number = AccountNumber::parse(&text("account_number"))
        .map_err(|e| errors.add("account_number", e.to_string()))
        .ok();
    let reference = mandate_reference(&text("reference"))
        .map_err(|e| errors.add("reference", e.to_string()))
        .ok();
    let (Some((payer_kind, payer_id)), false, Some(sort_code), Some(account_number), Some(reference)) =
        (payer, account_name.is_empty(), sort_code, account_number, reference)
    else {
        return Ok(None);
    };
    Ok(Some(MandateInput {
        payer_kind,
        payer_id,
        account_name,
        sort_code,
        account_number,
        reference,
    }))
}

pub(super) async fn create_mandate(a: Acting, Form(v): Form<Values>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if let Some(input) = read_mandate(&a.state.store, &v, &mut errors).await? {
        match a.state.store.create_mandate(&a.actor(), &input).await {
            Ok(_) => return a.done("Mandate saved.", "/admin/direct-debit").await,
            Err(e) => refused_on(e, "reference", &mut errors)?,
        }
    }
    form_again(mandate_page(&a.state, &a.visitor, &v, errors))
}

pub(super) async fn collection_file(a: Acting, Query(p): Query<Q>) -> AppResult<Response> {
    let date = parse_date(&p.date).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let csv = a.state.store.dd_collection_file(&a.actor(), date).await?;
    Ok(csv_download(&format!("direct-debit-{date}.csv"), csv))
}

// ---- Invoices as PDF --------------------------------------------------------------------
