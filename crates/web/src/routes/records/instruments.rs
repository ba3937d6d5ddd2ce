//! Admin screens for the hub's instruments: list, add, edit, archive; the page of one is
//! shown with its loans (`loans.rs`).
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use tutti_domain::csv::InstrumentRow;
use tutti_domain::instruments::{InstrumentCondition, InstrumentStatus};
use tutti_store::records::instruments::InstrumentInput;

use tutti_store::platform::audit::Actor;
use tutti_store::{Store, StoreError};

use super::editing::{self, EditableRecord};
use super::*;
use crate::access::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/instruments", get(list))
        .route("/admin/instruments/{id}", get(view))
        .merge(editing::routes::<Instruments>())
}

/// Instruments in the shared add, edit and archive screens.
pub(crate) struct Instruments;

impl EditableRecord for Instruments {
    type Input = InstrumentInput;
    const BASE: &'static str = "/admin/instruments";
    const ADD_HEADING: &'static str = "Add an instrument";
    const EDIT_HEADING: &'static str = "Edit instrument";
    const BACK_TO_ONE: &'static str = "Back to the instrument";
    const BACK_TO_ALL: &'static str = "Back to instruments";
    const SUBMIT: &'static str = "Save instrument";
    const ADDED: &'static str = "Instrument added.";
    const SAVED: &'static str = "Instrument saved.";
    const ARCHIVED: &'static str = "Instrument archived.";
    const KIND: tutti_store::records::archive::Archivable = tutti_store::records::archive::Archivable::Instrument;
    const CONFLICT_FIELD: &'static str = "serial";

    fn fields(values: &Values, _new: bool) -> Vec<FormField> {
        fields(values)
    }
    fn parse(values: &Values, errors: &mut FormErrors) -> Option<InstrumentInput> {
        parse(values, errors)
    }
    fn values_of(input: &InstrumentInput) -> Values {
        values_of(input)
    }
    async fn load(store: &Store, id: i64) -> Result<Option<InstrumentInput>, StoreError> {
        store.instrument_input(id).await
    }
    async fn create(store: &Store, who: &Actor, input: &InstrumentInput) -> Result<i64, StoreError> {
        Ok(store.create_instrument(who, input).await?.id)
    }
    async fn update(store: &Store, who: &Actor, id: i64, input: &InstrumentInput) -> Result<(), StoreError> {
        store.update_instrument(who, id, input).await.map(drop)
    }
    async fn archive(store: &Store, who: &Actor, id: i64) -> Result<(), StoreError> {
        store.archive_instrument(who, id).await
    }
}

async fn list(State(state): State<AppState>, visitor: Visitor, Query(p): Query<ListParams>) -> AppResult<Response> {
    let page = state.store.list_instruments(&p.query()).await?;
    let empty = empty_text("instruments", &p.q, "instruments");
    let list = list_of(
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
                link(named(i.serial, i.archived), format!("/admin/instruments/{}", i.id)),
                cell(i.instrument_type),
                cell(format!("{} {}", i.make, i.model)),
                cell(i.condition.unwrap_or_default()),
                cell(value),
                cell(i.location),
                cell(i.status),
            ]
        },
        empty,
    );
    crate::pages::render_clearing_flash(&state, &visitor, &list).await
}

/// The instrument's page is its loans' page too (`loans::instrument_page`).
async fn view(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    super::loans::instrument_page(&state, &visitor, id, Default::default()).await
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
