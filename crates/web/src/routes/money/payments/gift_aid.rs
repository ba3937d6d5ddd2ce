//! The office's Gift Aid screen: a preview of the claim schedule for paid donations between two
//! days not yet claimed, and the schedule as CSV in HMRC's Charities Online layout, which marks
//! its donations claimed so the next never repeats one (as `tutti payments gift-aid` does).
use askama::Template;
use axum::extract::{Form, Query};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use time::Date;
use tutti_domain::gift_aid::{schedule_csv, schedule_date};

use crate::acting::Acting;
use crate::error::AppResult;
use crate::format;
use crate::forms::FormErrors;
use crate::pages::render;
use crate::routes::records::Values;
use crate::shell::Shell;

pub(super) struct LineRow {
    name: String,
    house: String,
    postcode: String,
    aggregated: String,
    date: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "payments/gift_aid.html")]
pub(super) struct GiftAidPage {
    shell: Shell,
    errors: FormErrors,
    from: String,
    to: String,
    lines: Vec<LineRow>,
    donations: usize,
    total: String,
    previewed: bool,
}

#[derive(Deserialize, Default)]
pub(super) struct Params {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

fn read(from: &str, to: &str, errors: &mut FormErrors) -> Option<(Date, Date)> {
    let from_d = tutti_domain::validate::parse_date(from).ok();
    let to_d = tutti_domain::validate::parse_date(to).ok();
    if from_d.is_none() {
        errors.add("from", "Enter the first day, like 06/04/2026");
    }
    if to_d.is_none() {
        errors.add("to", "Enter the last day, like 05/04/2027");
    }
    match (from_d, to_d) {
        (Some(f), Some(t)) if f <= t => Some((f, t)),
        (Some(_), Some(_)) => {
            errors.add("to", "The last day must be on or after the first");
            None
        }
        _ => None,
    }
}

pub(super) async fn gift_aid(a: Acting, Query(p): Query<Params>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let mut page = GiftAidPage {
        shell: Shell::new(&a.state, &a.visitor, "Gift Aid claim", "/admin/donations"),
        errors: FormErrors::default(),
        from: p.from.clone(),
        to: p.to.clone(),
        lines: Vec::new(),
        donations: 0,
        total: String::new(),
        previewed: false,
    };
    if p.from.is_empty() && p.to.is_empty() {
        return render(&page);
    }
    if let Some((from, to)) = read(&p.from, &p.to, &mut errors) {
        let claim = a.state.store.gift_aid_claim(&a.actor(), from, to, true).await?;
        page.lines = claim
            .lines
            .iter()
            .map(|l| LineRow {
                name: [l.title.as_str(), l.first_name.as_str(), l.last_name.as_str()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" "),
                house: l.house.clone(),
                postcode: l.postcode.clone(),
                aggregated: l.aggregated.clone(),
                date: schedule_date(l.date),
                amount: format::money(l.amount),
            })
            .collect();
        page.donations = claim.donations;
        page.total = format::money(claim.total);
        page.previewed = true;
    }
    page.errors = errors;
    let status = page.errors.status();
    Ok((status, render(&page)?).into_response())
}

/// Makes the claim: the schedule as a CSV download, its donations marked claimed.
pub(super) async fn make_claim(a: Acting, Form(v): Form<Values>) -> AppResult<Response> {
    let get = |k: &str| v.get(k).cloned().unwrap_or_default();
    let mut errors = FormErrors::default();
    let Some((from, to)) = read(&get("from"), &get("to"), &mut errors) else {
        return Err(crate::error::AppError::BadRequest(
            "Enter the first and last days of the claim.".into(),
        ));
    };
    let claim = a.state.store.gift_aid_claim(&a.actor(), from, to, false).await?;
    let name = format!(
        "gift-aid-{}-to-{}.csv",
        format::input_date(from),
        format::input_date(to)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        schedule_csv(&claim.lines),
    )
        .into_response())
}
