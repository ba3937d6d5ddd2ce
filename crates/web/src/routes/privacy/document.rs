//! A subject access export as the person receives it: one ZIP holding `export.json` (every
//! row, machine-readable) and `export.html` (the same, readable, with who viewed or changed
//! their records and when), written by the domain's small stored-ZIP writer.
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tutti_store::privacy::export::SubjectExport;

use crate::format::{long_date, when};

/// One table as the document shows it.
struct Section {
    title: String,
    how: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

struct Line {
    when: String,
    who: String,
    action: String,
    record: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "privacy/document.html")]
struct Document {
    hub: String,
    name: String,
    generated: String,
    sections: Vec<Section>,
    history: Vec<Line>,
}

/// "exam_entries" → "Exam entries".
fn title(table: &str) -> String {
    let words = table.replace('_', " ");
    let mut c = words.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => words,
    }
}

fn cell(v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The readable document.
pub fn html(export: &SubjectExport, hub: &str) -> Result<String, askama::Error> {
    let sections = export
        .tables
        .iter()
        .map(|t| Section {
            title: title(&t.table),
            how: t.how.clone(),
            columns: t.columns.clone(),
            rows: t
                .rows
                .iter()
                .map(|r| t.columns.iter().map(|c| cell(r.get(c))).collect())
                .collect(),
        })
        .collect();
    let history = export
        .history
        .iter()
        .map(|h| Line {
            when: when(h.at),
            who: h.who.clone(),
            action: h.action.clone(),
            record: h.record.clone(),
            summary: h.summary.clone(),
        })
        .collect();
    Document {
        hub: hub.to_owned(),
        name: if export.name.is_empty() {
            format!("{} {}", export.subject.kind.as_str(), export.subject.id)
        } else {
            export.name.clone()
        },
        generated: long_date(export.generated_at),
        sections,
        history,
    }
    .render()
}

/// The ZIP's bytes: `export.json` and `export.html`.
pub fn zip(export: &SubjectExport, hub: &str) -> Result<Vec<u8>, String> {
    let json = serde_json::to_vec_pretty(export).map_err(|e| e.to_string())?;
    let html = html(export, hub).map_err(|e| e.to_string())?;
    Ok(tutti_domain::zip::stored_zip(&[
        ("export.json", &json),
        ("export.html", html.as_bytes()),
    ]))
}

/// The file's name: the person by kind and id, never by name.
pub fn file_name(export: &SubjectExport) -> String {
    format!(
        "subject-access-{}-{}.zip",
        export.subject.kind.as_str(),
        export.subject.id
    )
}

/// The ZIP as a download.
pub fn download(export: &SubjectExport, hub: &str) -> Response {
    match zip(export, hub) {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/zip".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", file_name(export)),
                ),
                (header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a subject access export could not be written");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
