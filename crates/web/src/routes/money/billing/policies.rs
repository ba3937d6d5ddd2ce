//! Charging policies by academic year: the form, and the policy as a file to export and import.
use crate::acting::Acting;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::pages::{render, render_clearing_flash};
use crate::routes::records::Values;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, FromRequest, Multipart, Path, Request, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use tutti_domain::Pence;
use tutti_domain::billing::{FieldError, export_policy, import_policy, validate_policy};
use tutti_domain::calendar::AcademicYear;
use tutti_domain::charging::{ChargeStep, ChargingPolicy};
use tutti_domain::lessons::LessonType;
use tutti_domain::money::Percent;

/// The form's name for each price, by lesson type and length.
pub(super) const PRICE_FIELDS: [(LessonType, u16, &str); 15] = [
    (LessonType::Group, 15, "price_group_15"),
    (LessonType::Group, 20, "price_group_20"),
    (LessonType::Group, 30, "price_group_30"),
    (LessonType::Group, 45, "price_group_45"),
    (LessonType::Group, 60, "price_group_60"),
    (LessonType::Paired, 15, "price_paired_15"),
    (LessonType::Paired, 20, "price_paired_20"),
    (LessonType::Paired, 30, "price_paired_30"),
    (LessonType::Paired, 45, "price_paired_45"),
    (LessonType::Paired, 60, "price_paired_60"),
    (LessonType::Individual, 15, "price_individual_15"),
    (LessonType::Individual, 20, "price_individual_20"),
    (LessonType::Individual, 30, "price_individual_30"),
    (LessonType::Individual, 45, "price_individual_45"),
    (LessonType::Individual, 60, "price_individual_60"),
];

/// One input of the policy form.
pub(super) struct PolicyField {
    name: &'static str,
    label: String,
    value: String,
    hint: &'static str,
}

#[derive(Template)]
#[template(path = "billing/policy.html")]
pub(super) struct PolicyPage {
    shell: Shell,
    csrf: String,
    errors: FormErrors,
    year: String,
    revision: i32,
    fields: Vec<PolicyField>,
    prices: Vec<PolicyField>,
    instalments_offered: bool,
    uplift_for_fsm: bool,
    steps: Vec<String>,
    other_rules: Vec<(String, String)>,
    document: String,
    problems: Vec<FieldError>,
}

pub(super) fn step_text(step: &ChargeStep) -> String {
    step.words()
}

pub(super) fn policy_view(
    state: &AppState,
    visitor: &Visitor,
    year: AcademicYear,
    revision: i32,
    policy: &ChargingPolicy,
    values: Option<&Values>,
    errors: FormErrors,
) -> PolicyPage {
    let value =
        |name: &str, default: String| -> String { values.and_then(|v| v.get(name).cloned()).unwrap_or(default) };
    let field = |name: &'static str, label: &str, default: String, hint: &'static str| PolicyField {
        name,
        label: label.into(),
        value: value(name, default),
        hint,
    };
    let months = policy.invoice_months;
    let fields = vec![
        field("name", "Name of the policy", policy.name.clone(), ""),
        field(
            "standard_fee",
            "Standard fee for a term (£)",
            policy.standard_fee.to_pounds_string(),
            "The base of the school uplifts, in pounds, for example 53.50.",
        ),
        field(
            "uplift_options",
            "School uplifts offered (%)",
            policy
                .uplift_options
                .iter()
                .map(|p| p.to_string().trim_end_matches('%').to_owned())
                .collect::<Vec<_>>()
                .join(", "),
            "Percentages of the standard fee a school may add, separated by commas, like 0, 15, 50, 100.",
        ),
        field(
            "hire_per_term",
            "Instrument hire for a term (£)",
            policy.hire.per_term.to_pounds_string(),
            "One charge per instrument per term.",
        ),
        field(
            "instalment_count",
            "Number of instalments",
            policy.instalments.count.to_string(),
            "From 1 to 12.",
        ),
        field(
            "due_day",
            "Instalments are due on this day of the month",
            policy.instalments.due_day.to_string(),
            "From 1 to 28.",
        ),
        field(
            "invoice_month_autumn",
            "Autumn invoices are issued in (month number)",
            (months.autumn as u8).to_string(),
            "1 is January, 9 is September.",
        ),
        field(
            "invoice_month_spring",
            "Spring invoices are issued in (month number)",
            (months.spring as u8).to_string(),
            "",
        ),
        field(
            "invoice_month_summer",
            "Summer invoices are issued in (month number)",
            (months.summer as u8).to_string(),
            "",
        ),
    ];
    let prices = PRICE_FIELDS
        .iter()
        .map(|(lesson_type, minutes, name)| {
            let current = policy
                .prices
                .iter()
                .find(|p| p.lesson_type == *lesson_type && p.minutes == *minutes)
                .map(|p| p.per_term.to_pounds_string())
                .unwrap_or_default();
            PolicyField {
                name,
                label: format!(
                    "{} {minutes} minutes (£)",
                    tutti_domain::charging::capitalised(lesson_type.as_str())
                ),
                value: value(name, current),
                hint: "",
            }
        })
        .collect();
    PolicyPage {
        shell: Shell::new(state, visitor, format!("Charging policy {year}"), "/admin/billing"),
        csrf: visitor.csrf(),
        errors,
        year: year.to_string(),
        revision,
        fields,
        prices,
        instalments_offered: values.map_or(policy.instalments.offered, |v| v.contains_key("instalments_offered")),
        uplift_for_fsm: values.map_or(policy.uplift_applies_to_free_school_meals, |v| {
            v.contains_key("uplift_for_fsm")
        }),
        steps: policy.steps.iter().map(step_text).collect(),
        other_rules: vec![
            ("Rounding".into(), policy.rounding.label().to_owned()),
            ("Starting part-way through a term".into(), policy.starter_rule.label()),
            ("Notice".into(), policy.notice.label()),
            ("VAT on tuition".into(), policy.tuition_vat.label()),
            ("VAT on hire".into(), policy.hire_vat.label()),
            // Edited in the policy's file, as the remission steps are (decision 0085).
            ("Ensemble fees".into(), policy.ensembles.sentences().join(" ")),
        ],
        document: String::new(),
        problems: Vec::new(),
    }
}

pub(super) fn year_of(text: &str) -> AppResult<AcademicYear> {
    AcademicYear::parse(text).map_err(|_| AppError::NotFound)
}

pub(super) async fn policy_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(year): Path<String>,
) -> AppResult<Response> {
    let year = year_of(&year)?;
    let record = state.store.charging_policy(year).await?;
    let page = policy_view(
        &state,
        &visitor,
        year,
        record.revision,
        &record.policy,
        None,
        FormErrors::default(),
    );
    render_clearing_flash(&state, &visitor, &page).await
}

/// The form's field for a problem the domain found, by the file's field name.
pub(super) fn form_field_of(field: &str) -> &'static str {
    let head = field.split(['[', '.']).next().unwrap_or("");
    match (head, field) {
        (_, "instalments.count") => "instalment_count",
        (_, "instalments.due_day") => "due_day",
        (_, "hire.per_term") => "hire_per_term",
        ("name", _) => "name",
        ("standard_fee", _) => "standard_fee",
        ("uplift_options", _) => "uplift_options",
        ("prices", _) => "prices",
        _ => "document",
    }
}

/// Applies the form to the policy, noting each field's problem.
pub(super) fn policy_from_form(mut policy: ChargingPolicy, v: &Values, errors: &mut FormErrors) -> ChargingPolicy {
    let text = |name: &str| v.get(name).map(|s| s.trim().to_owned()).unwrap_or_default();
    let money = |name: &'static str, label: &str, errors: &mut FormErrors| -> Option<Pence> {
        match Pence::parse_pounds(&text(name)) {
            Ok(p) if p >= Pence::ZERO => Some(p),
            Ok(_) => {
                errors.add(name, format!("{label} cannot be negative"));
                None
            }
            Err(e) => {
                errors.add(name, format!("{label}: {e}"));
                None
            }
        }
    };
    let number =
        |name: &'static str, range: std::ops::RangeInclusive<u8>, message: &str, errors: &mut FormErrors| match text(
            name,
        )
        .parse::<u8>()
        {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                errors.add(name, message.to_owned());
                None
            }
        };
    policy.name = text("name");
    if let Some(p) = money("standard_fee", "The standard fee", errors) {
        policy.standard_fee = p;
    }
    if let Some(p) = money("hire_per_term", "The hire charge", errors) {
        policy.hire.per_term = p;
    }
    let mut uplifts = Vec::new();
    for part in text("uplift_options")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match part.parse::<Percent>() {
            Ok(p) => uplifts.push(p),
            Err(_) => errors.add(
                "uplift_options",
                format!("\"{part}\" is not a percentage; write them like 0, 15, 50, 100"),
            ),
        }
    }
    policy.uplift_options = uplifts;
    policy.uplift_applies_to_free_school_meals = v.contains_key("uplift_for_fsm");
    policy.instalments.offered = v.contains_key("instalments_offered");
    if let Some(n) = number(
        "instalment_count",
        1..=12,
        "Enter a number of instalments from 1 to 12",
        errors,
    ) {
        policy.instalments.count = n;
    }
    if let Some(n) = number("due_day", 1..=28, "Enter a due day from 1 to 28", errors) {
        policy.instalments.due_day = n;
    }
    for (name, slot) in [
        ("invoice_month_autumn", &mut policy.invoice_months.autumn),
        ("invoice_month_spring", &mut policy.invoice_months.spring),
        ("invoice_month_summer", &mut policy.invoice_months.summer),
    ] {
        match number(name, 1..=12, "Enter a month number from 1 to 12", errors).map(time::Month::try_from) {
            Some(Ok(m)) => *slot = m,
            _ => errors.add(name, "Enter a month number from 1 to 12"),
        }
    }
    let mut prices = Vec::new();
    for (lesson_type, minutes, name) in PRICE_FIELDS {
        if text(name).is_empty() {
            continue; // no price: that lesson is not offered
        }
        if let Some(p) = money(name, "A price", errors) {
            prices.push(tutti_domain::charging::LessonPrice {
                lesson_type,
                minutes,
                per_term: p,
            });
        }
    }
    policy.prices = prices;
    policy
}

pub(super) async fn save_policy(a: Acting, Path(year): Path<String>, Form(v): Form<Values>) -> AppResult<Response> {
    let year = year_of(&year)?;
    let record = a.state.store.charging_policy(year).await?;
    let mut errors = FormErrors::default();
    let policy = policy_from_form(record.policy.clone(), &v, &mut errors);
    if errors.is_empty() {
        for e in validate_policy(&policy) {
            let field = form_field_of(&e.field);
            let field = if field == "prices" { "price_group_15" } else { field };
            errors.add(field, e.message);
        }
    }
    if !errors.is_empty() {
        let page = policy_view(
            &a.state,
            &a.visitor,
            year,
            record.revision,
            &record.policy,
            Some(&v),
            errors,
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
    }
    let revision = a.state.store.save_charging_policy(&a.actor(), year, &policy).await?;
    // Public pages show the prices: the shared copies go, so the new figures show at once.
    a.state.pages.clear();
    a.done(
        &format!("Saved the {year} charging policy (revision {revision})."),
        &format!("/admin/billing/policies/{year}"),
    )
    .await
}

pub(super) async fn export_policy_file(State(state): State<AppState>, Path(year): Path<String>) -> AppResult<Response> {
    let year = year_of(&year)?;
    let record = state.store.charging_policy(year).await?;
    let body = export_policy(year, &record.policy);
    let disposition = format!("attachment; filename=\"charging-policy-{year}.json\"");
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).map_err(|e| AppError::Internal(e.to_string()))?,
            ),
        ],
        body,
    )
        .into_response())
}

/// The policy file from the paste box or an upload.
pub(super) async fn policy_file_text(state: &AppState, request: Request) -> AppResult<String> {
    let multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let interrupted = || AppError::BadRequest("The upload was interrupted. Try again.".into());
    let mut values: Values = HashMap::new();
    if multipart {
        let mut form = Multipart::from_request(request, state)
            .await
            .map_err(|_| interrupted())?;
        while let Some(field) = form.next_field().await.map_err(|_| interrupted())? {
            let name = field.name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(|_| interrupted())?;
            values.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    } else {
        let Form(v) = Form::<Values>::from_request(request, state)
            .await
            .map_err(|_| AppError::BadRequest("The form could not be read. Go back and try again.".into()))?;
        values = v;
    }
    let file = values.remove("file").unwrap_or_default();
    let pasted = values.remove("document").unwrap_or_default();
    Ok(if file.trim().is_empty() { pasted } else { file })
}

pub(super) async fn import_policy_file(a: Acting, Path(year): Path<String>, request: Request) -> AppResult<Response> {
    let year = year_of(&year)?;
    let text = policy_file_text(&a.state, request).await?;
    let record = a.state.store.charging_policy(year).await?;
    let mut errors = FormErrors::default();
    if text.trim().is_empty() {
        errors.add("document", "Paste the policy file here, or choose a file to upload");
    }
    let result = if errors.is_empty() {
        import_policy(text.trim_start_matches('\u{feff}'), year)
    } else {
        Err(Vec::new())
    };
    match result {
        Ok(policy) => {
            let revision = a.state.store.save_charging_policy(&a.actor(), year, &policy).await?;
            a.state.pages.clear();
            a.done(
                &format!(
                    "Imported \"{}\" as the {year} charging policy (revision {revision}).",
                    policy.name
                ),
                &format!("/admin/billing/policies/{year}"),
            )
            .await
        }
        Err(problems) => {
            if errors.is_empty() {
                errors.add(
                    "document",
                    format!(
                        "The file was not imported: {} problem{} found (listed below). Nothing was changed.",
                        problems.len(),
                        if problems.len() == 1 { "" } else { "s" }
                    ),
                );
            }
            let mut page = policy_view(
                &a.state,
                &a.visitor,
                year,
                record.revision,
                &record.policy,
                None,
                errors,
            );
            page.document = text;
            page.problems = problems;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}
