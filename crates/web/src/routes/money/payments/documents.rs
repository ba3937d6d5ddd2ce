//! Invoices as PDF documents, for the office and for whoever the invoice is addressed to.
use crate::acting::Acting;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

pub(super) async fn invoice_pdf(State(state): State<AppState>, Path(id): Path<i64>) -> AppResult<Response> {
    pdf_response(&state, id).await
}

/// A payer's own invoice: `/account/invoices/{id}.pdf`; anyone else's is not found.
pub(super) async fn own_invoice_pdf(a: Acting, Path(file): Path<String>) -> AppResult<Response> {
    let id = file
        .strip_suffix(".pdf")
        .and_then(|n| n.parse::<i64>().ok())
        .ok_or(AppError::NotFound)?;
    let mine = a.state.store.invoices_of_user(&a.user).await?;
    if !mine.iter().any(|v| v.id == id) {
        return Err(AppError::NotFound);
    }
    pdf_response(&a.state, id).await
}

pub(super) async fn pdf_response(state: &AppState, id: i64) -> AppResult<Response> {
    let document = state.store.invoice_document(id).await?;
    let bytes = crate::payments::pdf::invoice_pdf(&state.hub_name(), &document);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"invoice-{}.pdf\"", document.account.number),
            ),
        ],
        bytes,
    )
        .into_response())
}
