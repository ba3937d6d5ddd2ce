//! The office's record screens under /admin: schools, pupils, staff, instruments and their
//! loans, imports, the audit log and the pickers' lookup, built from three shared templates (list, view, form);
//! and a parent's view of their children's loans (`loans::parent_audience`).
pub(crate) mod audit;
mod bulk;
mod editing;
pub(crate) mod hours;
mod imports;
pub(crate) mod instruments;
pub(crate) mod loans;
mod lookup;
pub(crate) mod path;
mod profile;
pub(crate) mod pupil_archive;
pub(crate) mod pupils;
pub(crate) mod school_contacts;
pub(crate) mod schools;
mod search;
mod staff;
pub(crate) mod tokens;

use std::collections::HashMap;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tutti_domain::csv::{CsvRow, import, write};
use tutti_store::listing::{ListQuery, Page};
use tutti_store::platform::accounts::Role;
use tutti_store::records::guardians::Guardian;

use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::AppResult;
use crate::forms::FormErrors;
use crate::pages::render;
use crate::routes::page_number;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

const PER_PAGE: u64 = 25;

/// Records are kept by the office (admins) and managers.
pub fn audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new()
            .merge(schools::routes())
            .merge(school_contacts::routes())
            .merge(pupils::routes())
            .merge(pupil_archive::routes())
            .merge(bulk::routes())
            .merge(staff::routes())
            .merge(hours::routes())
            .merge(instruments::routes())
            .merge(loans::office_routes())
            .merge(imports::routes())
            .merge(profile::routes())
            .merge(audit::routes())
            .merge(lookup::routes())
            .merge(search::routes()),
    )
}

/// A list column: its heading and the sort key it offers ("" for none).
pub struct Column {
    pub label: &'static str,
    pub sort: &'static str,
}

pub const fn col(label: &'static str, sort: &'static str) -> Column {
    Column { label, sort }
}

pub struct Cell {
    pub text: String,
    pub href: Option<String>,
}

pub fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        href: None,
    }
}

pub fn link(text: impl Into<String>, href: String) -> Cell {
    Cell {
        text: text.into(),
        href: Some(href),
    }
}

#[derive(Template)]
#[template(path = "records/list.html")]
pub struct ListPage {
    pub shell: Shell,
    pub heading: String,
    pub base: String,
    pub search_label: &'static str,
    pub links: Vec<(String, String)>,
    pub q: String,
    pub sort: String,
    pub desc: bool,
    /// Archived records are listed too (to find one and restore it).
    pub archived: bool,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: String,
    pub total: u64,
    pub capped: bool,
    pub page: u64,
    pub pages: u64,
    /// Rows may be ticked for a bulk action (the pupils list).
    pub select: Option<Select>,
}

/// Ticking rows of a list for a bulk action: where the ticked ids go, each row's id, the
/// actions offered (value, words), and whether "select all on this page" was asked for.
pub struct Select {
    pub action: &'static str,
    pub csrf: String,
    pub ids: Vec<i64>,
    pub actions: Vec<(&'static str, &'static str)>,
    pub all: bool,
}

#[derive(Template)]
#[template(path = "records/view.html")]
pub struct ViewPage {
    pub shell: Shell,
    pub heading: String,
    pub back: (String, String),
    pub href: String,
    pub csrf: String,
    pub archived: bool,
    pub warnings: Vec<String>,
    pub facts: Vec<(String, String)>,
    /// Screens for more of the record, each (href, text).
    pub links: Vec<(String, String)>,
    pub guardians: Option<Vec<Guardian>>,
    /// Whether the record's person can sign in, and the office's buttons for it.
    pub login: Option<LoginBox>,
    /// A school's contacts, each with their login state.
    pub contacts: Option<Vec<ContactLine>>,
    /// The rest of the record (the 360° view): enrolments, attendance, money, and so on.
    pub sections: Vec<Section>,
}

/// One section of a record page: a table with its heading, a few sentences above it, and
/// what it says when there is nothing to show.
pub struct Section {
    /// The section's anchor, like "invoices".
    pub id: &'static str,
    pub heading: String,
    pub notes: Vec<String>,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: String,
}

impl Section {
    pub fn new(
        id: &'static str,
        heading: impl Into<String>,
        columns: Vec<&'static str>,
        empty: impl Into<String>,
    ) -> Section {
        Section {
            id,
            heading: heading.into(),
            notes: Vec::new(),
            columns,
            rows: Vec::new(),
            empty: empty.into(),
        }
    }

    pub fn note(mut self, text: impl Into<String>) -> Section {
        self.notes.push(text.into());
        self
    }

    pub fn rows(mut self, rows: impl IntoIterator<Item = Vec<Cell>>) -> Section {
        self.rows.extend(rows);
        self
    }
}

/// A record's login state on its screen: the words, the invitation waiting (to resend or
/// withdraw), and where an Invite button posts (with the roles to choose from).
pub struct LoginBox {
    pub state: String,
    pub invitation: Option<i64>,
    pub invite: Option<String>,
    pub roles: Vec<(&'static str, &'static str)>,
}

/// One contact of a school on its screen.
pub struct ContactLine {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub job_title: String,
    pub state: String,
    pub invitation: Option<i64>,
    pub can_invite: bool,
}

/// One input of a record form. `kind` is an input type, or select, checkbox or textarea.
pub struct FormField {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: &'static str,
    pub value: String,
    pub hint: &'static str,
    pub options: Vec<(String, String)>,
    pub rows: u8,
}

impl FormField {
    /// The kind of record a picker field finds ("schools"), if this field is one.
    pub fn picker(&self) -> Option<&'static str> {
        self.kind.strip_prefix("pick:")
    }
}

pub fn input(name: &'static str, label: &'static str, kind: &'static str, hint: &'static str, v: &Values) -> FormField {
    FormField {
        name,
        label,
        kind,
        value: v.get(name).cloned().unwrap_or_default(),
        hint,
        options: Vec::new(),
        rows: 4,
    }
}

pub fn select(name: &'static str, label: &'static str, words: &[&str], v: &Values) -> FormField {
    FormField {
        options: words.iter().map(|w| ((*w).to_owned(), (*w).to_owned())).collect(),
        ..input(name, label, "select", "", v)
    }
}

pub fn checkbox(name: &'static str, label: &'static str, v: &Values) -> FormField {
    let on = v
        .get(name)
        .is_some_and(|x| matches!(x.as_str(), "yes" | "true" | "on" | "y" | "1"));
    FormField {
        value: if on { "yes".into() } else { String::new() },
        ..input(name, label, "checkbox", "", v)
    }
}

#[derive(Template)]
#[template(path = "records/form.html")]
pub struct FormPage {
    pub shell: Shell,
    pub heading: String,
    pub back: (String, String),
    pub action: String,
    pub csrf: String,
    pub errors: FormErrors,
    pub fields: Vec<FormField>,
    pub submit: &'static str,
}

/// Submitted form values by field name.
pub type Values = HashMap<String, String>;

/// The query string of a list screen.
#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub desc: String,
    pub page: Option<String>,
    /// Any word but "" lists archived records too.
    #[serde(default)]
    pub archived: String,
}

impl ListParams {
    pub fn query(&self) -> ListQuery {
        ListQuery {
            q: self.q.clone(),
            sort: self.sort.clone(),
            desc: !self.desc.is_empty() && self.desc != "0",
            page: page_number(self.page.as_deref()),
            per_page: PER_PAGE,
            include_archived: self.include_archived(),
        }
    }

    pub fn include_archived(&self) -> bool {
        !self.archived.is_empty() && self.archived != "0"
    }
}

/// A list page from a page of records, to render (`pages::render_clearing_flash`), or to
/// add row selection to first.
#[allow(clippy::too_many_arguments)]
pub fn list_of<T>(
    state: &AppState,
    visitor: &Visitor,
    heading: &str,
    base: &str,
    search_label: &'static str,
    params: &ListParams,
    columns: Vec<Column>,
    page: Page<T>,
    row: impl FnMut(T) -> Vec<Cell>,
    empty: String,
) -> ListPage {
    let pages = page.pages();
    let sort = columns
        .iter()
        .find(|c| c.sort == params.sort)
        .or_else(|| columns.iter().find(|c| !c.sort.is_empty()))
        .map(|c| c.sort.to_owned())
        .unwrap_or_default();
    ListPage {
        shell: Shell::new(state, visitor, heading, base),
        heading: heading.to_owned(),
        base: base.to_owned(),
        search_label,
        links: vec![
            (format!("{base}/new"), "Add a new record".to_owned()),
            ("/admin/records".to_owned(), "All records".to_owned()),
        ],
        q: params.q.clone(),
        sort,
        desc: params.query().desc,
        archived: params.include_archived(),
        columns,
        total: page.total,
        capped: page.capped,
        page: page.page,
        pages,
        rows: page.rows.into_iter().map(row).collect(),
        empty,
        select: None,
    }
}

/// A record's name in a list, marked when it is archived.
pub fn named(name: impl Into<String>, archived: bool) -> String {
    let name = name.into();
    if archived { format!("{name} (archived)") } else { name }
}

/// An empty list says why, and what to do next.
pub fn empty_text(what: &str, q: &str, base: &str) -> String {
    if q.trim().is_empty() {
        format!("There are no {what} yet. Add one with the link above, or import a file at /admin/imports ({base}).")
    } else {
        format!(
            "No {what} match \"{}\". Try fewer letters or another spelling.",
            q.trim()
        )
    }
}

/// Reads form values with a record's CSV reader: the form fields carry the file's column
/// names, so the rules and messages are the import's, word for word.
pub fn read_row<T: CsvRow>(values: &Values, errors: &mut FormErrors) -> Option<T> {
    let header: Vec<&str> = T::COLUMNS.iter().map(|c| c.name).collect();
    let row: Vec<String> = header
        .iter()
        .map(|name| values.get(*name).map(|v| v.trim().to_owned()).unwrap_or_default())
        .collect();
    let text = write([header.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(), row]);
    let outcome = import::<T>(&text);
    for e in &outcome.errors {
        let field = e
            .column
            .as_deref()
            .and_then(|c| T::COLUMNS.iter().find(|col| col.name == c))
            .map(|c| c.name)
            .unwrap_or(T::COLUMNS[0].name);
        errors.add(field, e.message.clone());
    }
    outcome.into_rows().ok()?.into_iter().next().map(|r| r.row)
}

/// Shows a form again with its errors and the input kept.
pub fn form_again(page: FormPage) -> AppResult<Response> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

pub fn yes_no(b: bool) -> String {
    if b { "Yes".into() } else { "No".into() }
}
