//! Adding, editing and archiving a record, once for every kind: each kind (school, pupil,
//! staff, instrument) says its words, fields and store calls; the handlers here do the rest
//! the same way for all, restoring an archived record included, so a rule about forms (422 with the input kept, a flash on success,
//! a conflict shown on its field) is written once.
use std::future::Future;

use axum::extract::{Form, Path, State};
use axum::response::Response;
use tutti_store::platform::audit::Actor;
use tutti_store::records::archive::Archivable;
use tutti_store::records::lookup::LookupKind;
use tutti_store::{Store, StoreError};

use super::{FormField, FormPage, Values, form_again};
use crate::acting::Acting;
use crate::error::{AppError, AppResult, refused_on_its_field};
use crate::forms::FormErrors;
use crate::pages::render;
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;

/// What one kind of record brings to the shared form handlers.
pub(crate) trait EditableRecord: Send + Sync + 'static {
    /// What the form reads and the store writes.
    type Input: Send + Sync;
    /// The list's address, like "/admin/schools"; a record is at BASE/{id}.
    const BASE: &'static str;
    const ADD_HEADING: &'static str;
    const EDIT_HEADING: &'static str;
    /// "Back to the school" and "Back to schools".
    const BACK_TO_ONE: &'static str;
    const BACK_TO_ALL: &'static str;
    const SUBMIT: &'static str;
    const ADDED: &'static str;
    const SAVED: &'static str;
    const ARCHIVED: &'static str;
    /// Which kind it is to the store's restore.
    const KIND: Archivable;
    /// The field a refusal is shown on when the domain names none: the record's key.
    const CONFLICT_FIELD: &'static str;

    /// The form's pickers: (field, kind of record, what it is called). What is typed in one
    /// (part of a name, a suggestion, a key) becomes the record's key before `parse` reads it.
    const PICKERS: &'static [(&'static str, LookupKind, &'static str)] = &[];

    fn fields(values: &Values, new: bool) -> Vec<FormField>;
    fn parse(values: &Values, errors: &mut FormErrors) -> Option<Self::Input>;
    fn values_of(input: &Self::Input) -> Values;
    /// What a new record's form starts with.
    fn blank() -> Values {
        Values::new()
    }

    fn load(store: &Store, id: i64) -> impl Future<Output = Result<Option<Self::Input>, StoreError>> + Send;
    fn create(store: &Store, who: &Actor, input: &Self::Input) -> impl Future<Output = Result<i64, StoreError>> + Send;
    fn update(
        store: &Store,
        who: &Actor,
        id: i64,
        input: &Self::Input,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn archive(store: &Store, who: &Actor, id: i64) -> impl Future<Output = Result<(), StoreError>> + Send;
}

fn form<K: EditableRecord>(
    state: &AppState,
    visitor: &Visitor,
    id: Option<i64>,
    values: &Values,
    errors: FormErrors,
) -> FormPage {
    let base = K::BASE;
    let (heading, action, back) = match id {
        Some(id) => (
            K::EDIT_HEADING,
            format!("{base}/{id}/edit"),
            (format!("{base}/{id}"), K::BACK_TO_ONE.to_owned()),
        ),
        None => (
            K::ADD_HEADING,
            format!("{base}/new"),
            (base.to_owned(), K::BACK_TO_ALL.to_owned()),
        ),
    };
    FormPage {
        shell: Shell::new(state, visitor, heading, base),
        heading: heading.to_owned(),
        back,
        action,
        csrf: visitor.csrf(),
        errors,
        fields: K::fields(values, id.is_none()),
        submit: K::SUBMIT,
    }
}

/// A refusal from the store becomes an error on the field the domain names (the forms carry
/// the import's column names, as the domain does); anything else is the page's error.
fn on_field<K: EditableRecord>(e: StoreError, errors: &mut FormErrors) -> AppResult<()> {
    refused_on_its_field(e, K::CONFLICT_FIELD, errors)
}

pub(crate) async fn new_form<K: EditableRecord>(
    State(state): State<AppState>,
    visitor: Visitor,
) -> AppResult<Response> {
    render(&form::<K>(&state, &visitor, None, &K::blank(), FormErrors::default()))
}

pub(crate) async fn create<K: EditableRecord>(a: Acting, Form(values): Form<Values>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let keyed = crate::pickers::keyed(&a.state.store, &values, K::PICKERS, &mut errors).await?;
    if let Some(input) = K::parse(&keyed, &mut errors) {
        match K::create(&a.state.store, &a.actor(), &input).await {
            Ok(id) => return a.done(K::ADDED, &format!("{}/{id}", K::BASE)).await,
            Err(e) => on_field::<K>(e, &mut errors)?,
        }
    }
    form_again(form::<K>(&a.state, &a.visitor, None, &values, errors))
}

pub(crate) async fn edit_form<K: EditableRecord>(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let input = K::load(&state.store, id).await?.ok_or(AppError::NotFound)?;
    render(&form::<K>(
        &state,
        &visitor,
        Some(id),
        &K::values_of(&input),
        FormErrors::default(),
    ))
}

pub(crate) async fn update<K: EditableRecord>(
    a: Acting,
    Path(id): Path<i64>,
    Form(values): Form<Values>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let keyed = crate::pickers::keyed(&a.state.store, &values, K::PICKERS, &mut errors).await?;
    if let Some(input) = K::parse(&keyed, &mut errors) {
        match K::update(&a.state.store, &a.actor(), id, &input).await {
            Ok(()) => return a.done(K::SAVED, &format!("{}/{id}", K::BASE)).await,
            Err(e) => on_field::<K>(e, &mut errors)?,
        }
    }
    form_again(form::<K>(&a.state, &a.visitor, Some(id), &values, errors))
}

pub(crate) async fn archive<K: EditableRecord>(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    K::archive(&a.state.store, &a.actor(), id).await?;
    a.done(K::ARCHIVED, K::BASE).await
}

/// Brings an archived record back. Its logins stay disabled until re-invited (decision 75),
/// and the flash says so when there are any.
pub(crate) async fn restore<K: EditableRecord>(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    let r = a.state.store.restore_record(&a.actor(), K::KIND, id).await?;
    let message = match (r.restored, r.disabled_logins) {
        (false, _) => "This record was not archived; nothing changed.".to_owned(),
        (true, 0) => "Restored: the record is back in lists and searches.".to_owned(),
        (true, 1) => "Restored: the record is back in lists and searches. Its login stays disabled until you invite the person again.".to_owned(),
        (true, n) => format!("Restored: the record is back in lists and searches. Its {n} logins stay disabled until you invite them again."),
    };
    a.done(&message, &format!("{}/{id}", K::BASE)).await
}

/// The routes every kind shares, under its BASE.
pub(crate) fn routes<K: EditableRecord>() -> crate::access::Routes {
    use axum::routing::{get, post};
    let base = K::BASE;
    crate::access::Routes::new()
        .route(&format!("{base}/new"), get(new_form::<K>).post(create::<K>))
        .route(&format!("{base}/{{id}}/edit"), get(edit_form::<K>).post(update::<K>))
        .route(&format!("{base}/{{id}}/archive"), post(archive::<K>))
        .route(&format!("{base}/{{id}}/restore"), post(restore::<K>))
}
