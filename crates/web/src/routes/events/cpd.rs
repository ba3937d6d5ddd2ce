//! A member of staff's CPD: the courses their attendance recorded (`/account/cpd`), and a
//! certificate of each as a PDF, for them or the office; anyone else's is 404.
use askama::Template;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tutti_store::platform::accounts::Role;

use crate::acting::Acting;
use crate::error::{AppError, AppResult};
use crate::format;
use crate::pages::render;
use crate::shell::Shell;

pub(super) struct CpdRow {
    id: i64,
    title: String,
    date: String,
    hours: String,
}

#[derive(Template)]
#[template(path = "events/cpd.html")]
struct CpdPage {
    shell: Shell,
    rows: Vec<CpdRow>,
}

pub(super) async fn list(a: Acting) -> AppResult<Response> {
    let records = match a.user.staff_id {
        Some(staff) => a.state.store.cpd_records(staff).await?,
        None => Vec::new(),
    };
    render(&CpdPage {
        shell: Shell::new(&a.state, &a.visitor, "Your CPD", "/account/cpd"),
        rows: records
            .into_iter()
            .map(|r| CpdRow {
                id: r.id,
                title: r.title,
                date: format::short_day(r.attended_on),
                hours: format!("{}h {:02}m", r.minutes / 60, r.minutes % 60),
            })
            .collect(),
    })
}

/// The certificate: the member of staff's own, or any for the office.
pub(super) async fn certificate(a: Acting, Path(file): Path<String>) -> AppResult<Response> {
    let id: i64 = file
        .strip_suffix(".pdf")
        .and_then(|n| n.parse().ok())
        .ok_or(AppError::NotFound)?;
    let record = a.state.store.cpd_record(id).await?.ok_or(AppError::NotFound)?;
    let office = matches!(a.user.role, Role::Admin | Role::Manager);
    if !office && a.user.staff_id != Some(record.staff_id) {
        return Err(AppError::NotFound);
    }
    let staff = a
        .state
        .store
        .staff_member(record.staff_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let pdf = crate::payments::pdf::cpd_certificate_pdf(
        &a.state.hub_name(),
        &format!("{} {}", staff.first_name, staff.last_name),
        &record.title,
        record.attended_on,
        record.minutes,
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"cpd-certificate-{id}.pdf\""),
            ),
        ],
        pdf,
    )
        .into_response())
}
