//! Admin screens for the hub's instruments.
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use tutti_domain::csv::InstrumentRow;
use tutti_domain::instruments::{InstrumentCondition, InstrumentStatus};
use tutti_store::records::instruments::InstrumentInput;

use super::*;
use crate::access::Routes;
use crate::error::AppError;

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/instruments", get(list))
        .route("/admin/instruments/new", get(new_form).post(create))
        .route("/admin/instruments/{id}", get(view))
        .route("/admin/instruments/{id}/edit", get(edit_form).post(update))
        .route("/admin/instruments/{id}/archive", post(archive))
}

async fn list(State(state): State<AppState>, visitor: Visitor, Query(p): Query<ListParams>) -> AppResult<Response> {
    let page = state.store.list_instruments(&p.query()).await?;
    let empty = empty_text("instruments", &p.q, "instruments");
    list_page(
        &state,
        &visitor,
        "Instruments",
        "/admin/instruments",
        "Search by serial, type, make, model or location",
        &p,
        vec![
            col("Serial", "serial"),
            col("Type", "type"),
            col("Make", "make"),
            col("Condition", "condition"),
            col("Value", "value"),
            col("Location", "location"),
            col("Status", "status"),
        ],
        page,
        |i| {
            let value = i.value_text();
            vec![
                link(i.serial, format!("/admin/instruments/{}", i.id)),
                cell(i.instrument_type),
                cell(format!("{} {}", i.make, i.model)),
                cell(i.condition.unwrap_or_default()),
                cell(value),
                cell(i.location),
                cell(i.status),
            ]
        },
        empty,
    )
    .await
}

async fn view(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let i = state.store.instrument(id).await?.ok_or(AppError::NotFound)?;
    let heading = format!("{} {}", i.instrument_type, i.serial);
    let page = ViewPage {
        shell: Shell::new(&state, &visitor, heading.clone(), "/admin/instruments"),
        heading,
        back: ("/admin/instruments".into(), "Back to instruments".into()),
        href: format!("/admin/instruments/{id}"),
        csrf: csrf_of(&visitor),
        archived: i.archived,
        warnings: Vec::new(),
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
        links: Vec::new(),
        guardians: None,
    };
    crate::pages::render_clearing_flash(&state, &visitor, &page).await
}

fn fields(v: &Values) -> Vec<FormField> {
    let mut condition = select("condition", "Condition", InstrumentCondition::WORDS, v);
    condition.options.insert(0, (String::new(), "Not recorded".into()));
    vec![
        input("serial", "Serial number", "text", "", v),
        input("type", "Type", "text", "What it is, like violin or trumpet", v),
        input("make", "Make", "text", "", v),
        input("model", "Model", "text", "", v),
        condition,
        input("value", "Value in pounds", "text", "For example 149.99", v),
        input("location", "Location", "text", "Where it is kept", v),
        select("status", "Status", InstrumentStatus::WORDS, v),
    ]
}

fn values_of(i: &InstrumentInput) -> Values {
    let mut v: Values = InstrumentRow::COLUMNS
        .iter()
        .map(|c| c.name.to_owned())
        .zip(i.row.to_fields())
        .collect();
    v.insert("status".into(), i.status.as_str().to_owned());
    v
}

pub(crate) fn parse(v: &Values, errors: &mut FormErrors) -> Option<InstrumentInput> {
    let row = read_row::<InstrumentRow>(v, errors);
    let status = match v.get("status").map(|s| s.parse::<InstrumentStatus>()) {
        None => Some(InstrumentStatus::Available),
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            errors.add("status", e.to_string());
            None
        }
    };
    Some(InstrumentInput {
        row: row?,
        status: status?,
    })
}

fn form(state: &AppState, visitor: &Visitor, id: Option<i64>, v: &Values, errors: FormErrors) -> FormPage {
    let (heading, action, back) = match id {
        Some(id) => (
            "Edit instrument".to_owned(),
            format!("/admin/instruments/{id}/edit"),
            (format!("/admin/instruments/{id}"), "Back to the instrument".to_owned()),
        ),
        None => (
            "Add an instrument".to_owned(),
            "/admin/instruments/new".to_owned(),
            ("/admin/instruments".to_owned(), "Back to instruments".to_owned()),
        ),
    };
    FormPage {
        shell: Shell::new(state, visitor, heading.clone(), "/admin/instruments"),
        heading,
        back,
        action,
        csrf: csrf_of(visitor),
        errors,
        fields: fields(v),
        submit: "Save instrument",
    }
}

async fn new_form(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    render(&form(&state, &visitor, None, &Values::new(), FormErrors::default()))
}

async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Form(v): Form<Values>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if let Some(input) = parse(&v, &mut errors) {
        match state.store.create_instrument(&actor(&signed.0, &visitor), &input).await {
            Ok(i) => {
                return done(
                    &state,
                    &signed,
                    "Instrument added.",
                    &format!("/admin/instruments/{}", i.id),
                )
                .await;
            }
            Err(e) => store_error_on(e, "serial", &mut errors)?,
        }
    }
    form_again(form(&state, &visitor, None, &v, errors))
}

async fn edit_form(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let input = state.store.instrument_input(id).await?.ok_or(AppError::NotFound)?;
    render(&form(
        &state,
        &visitor,
        Some(id),
        &values_of(&input),
        FormErrors::default(),
    ))
}

async fn update(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(v): Form<Values>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if let Some(input) = parse(&v, &mut errors) {
        match state
            .store
            .update_instrument(&actor(&signed.0, &visitor), id, &input)
            .await
        {
            Ok(_) => {
                return done(
                    &state,
                    &signed,
                    "Instrument saved.",
                    &format!("/admin/instruments/{id}"),
                )
                .await;
            }
            Err(e) => store_error_on(e, "serial", &mut errors)?,
        }
    }
    form_again(form(&state, &visitor, Some(id), &v, errors))
}

async fn archive(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    state.store.archive_instrument(&actor(&signed.0, &visitor), id).await?;
    done(&state, &signed, "Instrument archived.", "/admin/instruments").await
}
