//! The import page: choose the kind, paste or upload a CSV file, see what it would do, then
//! confirm. Nothing is written before the confirmation, which checks the file again.
use std::collections::HashMap;

use axum::extract::{Form, FromRequest, Multipart, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use axum::routing::{get, post};
use tutti_domain::csv::{CsvRow, ImportIssue, InstrumentRow, PupilRow, SchoolRow, StaffRow, import};
use tutti_store::records::imports::{Change, CsvImport, RecordKind};

use super::*;
use crate::access::Routes;
use crate::error::AppError;

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/imports", get(start))
        .route("/admin/imports/preview", post(preview))
        .route("/admin/imports/commit", post(commit))
}

/// Rows listed per outcome in a preview; the counts cover the rest.
const LISTED: usize = 500;

/// One row of a preview: its line, the record's key and name, and what would happen to it.
pub struct PreviewRow {
    pub line: usize,
    pub key: String,
    pub name: String,
}

pub struct PreviewGroup {
    pub heading: String,
    pub rows: Vec<PreviewRow>,
    pub more: usize,
}

#[derive(Template)]
#[template(path = "records/imports.html")]
pub struct ImportPage {
    pub shell: Shell,
    pub csrf: String,
    pub errors: FormErrors,
    pub kinds: Vec<(&'static str, &'static str)>,
    /// Each kind's label and its columns, in export order.
    pub columns: Vec<(&'static str, String)>,
    pub kind: String,
    pub csv: String,
    /// Set once a file has been checked.
    pub checked: bool,
    pub problems: Vec<ImportIssue>,
    pub warnings: Vec<ImportIssue>,
    pub summary: String,
    pub groups: Vec<PreviewGroup>,
    pub writes: usize,
}

const KINDS: [(&str, &str); 4] = [
    ("schools", "Schools"),
    ("pupils", "Pupils and their first guardian"),
    ("staff", "Staff"),
    ("instruments", "Instruments"),
];

fn page(state: &AppState, visitor: &Visitor, kind: &str, csv: String, errors: FormErrors) -> ImportPage {
    ImportPage {
        shell: Shell::new(state, visitor, "Import a file", "/admin/imports"),
        csrf: visitor.csrf(),
        errors,
        kinds: KINDS.to_vec(),
        columns: KINDS
            .iter()
            .filter_map(|(k, label)| RecordKind::parse(k).map(|kind| (*label, kind.columns().join(", "))))
            .collect(),
        kind: kind.to_owned(),
        csv,
        checked: false,
        problems: Vec::new(),
        warnings: Vec::new(),
        summary: String::new(),
        groups: Vec::new(),
        writes: 0,
    }
}

async fn start(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    render(&page(&state, &visitor, "pupils", String::new(), FormErrors::default()))
}

/// What the person sent: the kind and the file's text, from the paste box or an upload.
struct Submission {
    kind: String,
    csv: String,
}

/// Reads a urlencoded form (the paste box, the confirmation) or a multipart one (an upload;
/// the CSRF check has already found its token). A file that is not UTF-8 text is an error
/// on the file field.
async fn submission(state: &AppState, request: Request, errors: &mut FormErrors) -> AppResult<Submission> {
    let multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let mut values: Values = HashMap::new();
    if multipart {
        let interrupted = || AppError::BadRequest("The upload was interrupted. Try again.".into());
        let mut form = Multipart::from_request(request, state)
            .await
            .map_err(|_| interrupted())?;
        while let Some(field) = form.next_field().await.map_err(|_| interrupted())? {
            let name = field.name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(|_| interrupted())?;
            match String::from_utf8(bytes.to_vec()) {
                Ok(text) => {
                    values.insert(name, text);
                }
                Err(_) => errors.add(
                    "file",
                    "The file is not plain text. Save it from your spreadsheet as \"CSV UTF-8\" and upload that.",
                ),
            }
        }
    } else {
        let Form(v) = Form::<Values>::from_request(request, state)
            .await
            .map_err(|_| AppError::BadRequest("The form could not be read. Go back and try again.".into()))?;
        values = v;
    }
    // An uploaded file wins over the paste box; a spreadsheet's byte-order mark is dropped.
    let file = values.remove("file").unwrap_or_default();
    let pasted = values.remove("csv").unwrap_or_default();
    let csv = if file.trim().is_empty() { pasted } else { file };
    Ok(Submission {
        kind: values.remove("kind").unwrap_or_default(),
        csv: csv.trim_start_matches('\u{feff}').to_owned(),
    })
}

/// Checks the submission's kind and text, noting what is missing.
fn checked(s: &Submission, errors: &mut FormErrors) -> Option<RecordKind> {
    let kind = RecordKind::parse(&s.kind);
    if kind.is_none() {
        errors.add("kind", "Choose what the file holds");
    }
    if s.csv.trim().is_empty() && errors.get("file").is_none() {
        errors.add("csv", "Paste the file here, or choose a file to upload");
    }
    kind.filter(|_| errors.is_empty())
}

async fn preview(a: Acting, request: Request) -> AppResult<Response> {
    let (form, kind, outcome) = match run_import(&a, request, true).await? {
        Ok(imported) => imported,
        Err(again) => return Ok(again),
    };
    let status = if outcome.report.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let checked = checked_page(form, kind, outcome);
    Ok((status, render(&checked)?).into_response())
}

async fn commit(a: Acting, request: Request) -> AppResult<Response> {
    // The file is checked again: the database may have changed since the preview.
    let (form, kind, outcome) = match run_import(&a, request, false).await? {
        Ok(imported) => imported,
        Err(again) => return Ok(again),
    };
    if !outcome.report.is_ok() {
        let checked = checked_page(form, kind, outcome);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&checked)?).into_response());
    }
    let message = format!(
        "Imported {} {}: {}.",
        outcome.rows,
        kind.as_str(),
        outcome.report.summary()
    );
    a.done(&message, &format!("/admin/{}", kind.as_str())).await
}

/// Reads the submission and imports its file (`dry_run`: only checks it): the form as sent,
/// the kind of record and what the import found; or the form sent back (422) when the kind
/// or the file is missing.
async fn run_import(
    a: &Acting,
    request: Request,
    dry_run: bool,
) -> AppResult<Result<(ImportPage, RecordKind, CsvImport), Response>> {
    let (state, visitor) = (&a.state, &a.visitor);
    let mut errors = FormErrors::default();
    let s = submission(state, request, &mut errors).await?;
    let Some(kind) = checked(&s, &mut errors) else {
        return again(page(state, visitor, &s.kind, s.csv, errors)).map(Err);
    };
    let outcome = state.store.import_csv(&a.actor(), kind, &s.csv, dry_run).await?;
    Ok(Ok((page(state, visitor, &s.kind, s.csv, errors), kind, outcome)))
}

fn again(page: ImportPage) -> AppResult<Response> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

/// The page after a check: every problem by line and column, or the rows grouped by what
/// would happen to them.
fn checked_page(mut page: ImportPage, kind: RecordKind, outcome: CsvImport) -> ImportPage {
    page.checked = true;
    page.warnings = outcome.warnings;
    let report = outcome.report;
    if !report.is_ok() {
        page.problems = report.errors;
        return page;
    }
    page.summary = report.summary();
    page.writes = report.created + report.updated;
    let names = match kind {
        RecordKind::Schools => names::<SchoolRow>(&page.csv, 1),
        RecordKind::Pupils => names::<PupilRow>(&page.csv, 2),
        RecordKind::Staff => names::<StaffRow>(&page.csv, 2),
        RecordKind::Instruments => names::<InstrumentRow>(&page.csv, 2),
    };
    for (change, heading) in [
        (Change::Created, "To be created"),
        (Change::Updated, "To be updated"),
        (Change::Unchanged, "Unchanged"),
    ] {
        let lines: Vec<usize> = report
            .changes
            .iter()
            .filter(|(_, c)| *c == change)
            .map(|(line, _)| *line)
            .collect();
        if lines.is_empty() {
            continue;
        }
        page.groups.push(PreviewGroup {
            heading: format!("{heading} ({})", lines.len()),
            more: lines.len().saturating_sub(LISTED),
            rows: lines
                .into_iter()
                .take(LISTED)
                .map(|line| {
                    let (key, name) = names.get(&line).cloned().unwrap_or_default();
                    PreviewRow { line, key, name }
                })
                .collect(),
        });
    }
    page
}

/// Each row's key (its first column) and the `words` columns after it, by line.
fn names<T: CsvRow>(text: &str, words: usize) -> HashMap<usize, (String, String)> {
    import::<T>(text)
        .rows
        .into_iter()
        .map(|r| {
            let fields = r.row.to_fields();
            let key = fields.first().cloned().unwrap_or_default();
            let name = fields.iter().skip(1).take(words).cloned().collect::<Vec<_>>().join(" ");
            (r.line, (key, name))
        })
        .collect()
}
