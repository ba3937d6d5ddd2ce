//! Admin screens for schools.
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use tutti_domain::csv::SchoolRow;
use tutti_domain::rotation::ClockTime;
use tutti_domain::schools::{BillingMethod, SchoolPhase, SchoolType};
use tutti_store::records::schools::SchoolInput;

use tutti_store::platform::audit::Actor;
use tutti_store::{Store, StoreError};

use super::editing::{self, EditableRecord};
use super::*;
use crate::access::Routes;
use crate::error::AppError;

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/schools", get(list))
        .route("/admin/schools/{id}", get(view))
        .merge(editing::routes::<Schools>())
}

/// Schools in the shared add, edit and archive screens.
pub(crate) struct Schools;

impl EditableRecord for Schools {
    type Input = SchoolInput;
    const BASE: &'static str = "/admin/schools";
    const ADD_HEADING: &'static str = "Add a school";
    const EDIT_HEADING: &'static str = "Edit school";
    const BACK_TO_ONE: &'static str = "Back to the school";
    const BACK_TO_ALL: &'static str = "Back to schools";
    const SUBMIT: &'static str = "Save school";
    const ADDED: &'static str = "School added.";
    const SAVED: &'static str = "School saved.";
    const ARCHIVED: &'static str = "School archived.";
    const KIND: tutti_store::records::archive::Archivable = tutti_store::records::archive::Archivable::School;
    const CONFLICT_FIELD: &'static str = "urn";

    fn fields(values: &Values, new: bool) -> Vec<FormField> {
        let _ = new;
        fields(values)
    }
    fn parse(values: &Values, errors: &mut FormErrors) -> Option<SchoolInput> {
        // A browser sends a box only when it is ticked: unticked is "no" on this form (the
        // API's body leaves rotation as it is when it says nothing).
        let mut values = values.clone();
        let ticked = values
            .get("rotating")
            .is_some_and(|v| !v.trim().is_empty() && v != "no");
        values.insert("rotating".into(), if ticked { "yes" } else { "no" }.into());
        parse(&values, errors)
    }
    fn values_of(input: &SchoolInput) -> Values {
        values_of(input)
    }
    fn blank() -> Values {
        Values::from([
            ("billing".to_owned(), "invoice".to_owned()),
            ("rooms".to_owned(), "2".to_owned()),
            ("opens".to_owned(), "08:30".to_owned()),
            ("closes".to_owned(), "16:00".to_owned()),
        ])
    }
    async fn load(store: &Store, id: i64) -> Result<Option<SchoolInput>, StoreError> {
        store.school_input(id).await
    }
    async fn create(store: &Store, who: &Actor, input: &SchoolInput) -> Result<i64, StoreError> {
        Ok(store.create_school(who, input).await?.id)
    }
    async fn update(store: &Store, who: &Actor, id: i64, input: &SchoolInput) -> Result<(), StoreError> {
        store.update_school(who, id, input).await.map(drop)
    }
    async fn archive(store: &Store, who: &Actor, id: i64) -> Result<(), StoreError> {
        store.archive_school(who, id).await
    }
}

async fn list(State(state): State<AppState>, visitor: Visitor, Query(p): Query<ListParams>) -> AppResult<Response> {
    let page = state.store.list_schools(&p.query()).await?;
    let empty = empty_text("schools", &p.q, "schools");
    let list = list_of(
        &state,
        &visitor,
        "Schools",
        "/admin/schools",
        "Search by name, URN, area or postcode",
        &p,
        vec![
            col("Name", "name"),
            col("URN", "urn"),
            col("Phase", "phase"),
            col("Type", "type"),
            col("Area", "area"),
            col("Postcode", "postcode"),
        ],
        page,
        |s| {
            vec![
                link(named(s.name, s.archived), format!("/admin/schools/{}", s.id)),
                cell(s.urn.to_string()),
                cell(s.phase),
                cell(s.school_type),
                cell(s.area),
                cell(s.postcode),
            ]
        },
        empty,
    );
    crate::pages::render_clearing_flash(&state, &visitor, &list).await
}

async fn view(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let s = state.store.school(id).await?.ok_or(AppError::NotFound)?;
    let hours = state.store.school_hours(id).await?.ok_or(AppError::NotFound)?;
    let contacts = super::school_contacts::lines(state.store.school_contacts(id).await?);
    let page = ViewPage {
        shell: Shell::new(&state, &visitor, s.name.clone(), "/admin/schools"),
        heading: s.name.clone(),
        back: ("/admin/schools".into(), "Back to schools".into()),
        href: format!("/admin/schools/{id}"),
        csrf: visitor.csrf(),
        archived: s.archived,
        warnings: Vec::new(),
        facts: vec![
            ("URN".into(), s.urn.to_string()),
            ("Phase".into(), s.phase),
            ("Type".into(), s.school_type),
            ("Local authority".into(), s.local_authority),
            ("Area".into(), s.area),
            ("Address".into(), s.address),
            ("Postcode".into(), s.postcode),
            ("Parent charge uplift".into(), format!("{}%", s.parent_charge_uplift)),
            ("Billed by".into(), s.billing.replace('-', " ")),
            ("Rooms for visiting teachers".into(), hours.rooms.to_string()),
            (
                "Lesson times".into(),
                if s.rotating {
                    "Rotate week by week".into()
                } else {
                    "The same every week".into()
                },
            ),
            ("Lesson hours".into(), super::hours::hours_text(&hours)),
            (
                "Location".into(),
                match (&s.latitude, &s.longitude) {
                    (Some(lat), Some(lon)) => format!("{lat}, {lon}"),
                    _ => "Not recorded".into(),
                },
            ),
        ],
        links: vec![
            (
                format!("/admin/schools/{id}/hours"),
                "Change rooms and lesson hours".into(),
            ),
            (
                format!("/admin/schools/{id}/timetable"),
                "The school's timetable, with pupils' names".into(),
            ),
        ],
        guardians: None,
        login: None,
        contacts: Some(contacts),
        sections: super::profile::school_sections(&state, id).await?,
    };
    crate::pages::render_clearing_flash(&state, &visitor, &page).await
}

fn fields(v: &Values) -> Vec<FormField> {
    vec![
        input(
            "urn",
            "URN",
            "text",
            "The school's 6-digit DfE unique reference number",
            v,
        ),
        input("name", "Name", "text", "", v),
        select("phase", "Phase", SchoolPhase::WORDS, v),
        select("type", "Type", SchoolType::WORDS, v),
        input("local_authority", "Local authority", "text", "", v),
        input("area", "Area", "text", "The hub's area the school is in", v),
        input("address", "Address", "text", "Without the postcode", v),
        input("postcode", "Postcode", "text", "", v),
        FormField {
            options: [("0", "None"), ("15", "15%"), ("50", "50%"), ("100", "100%")]
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
            ..input(
                "parent_charge_uplift",
                "Parent charge uplift",
                "select",
                "What the school adds to the standard fee",
                v,
            )
        },
        select("billing", "Billed by", BillingMethod::WORDS, v),
        input(
            "rooms",
            "Rooms for visiting teachers",
            "text",
            "How many visiting teachers the school can hold at once, from 1 to 20",
            v,
        ),
        input(
            "opens",
            "Lessons from",
            "text",
            "HH:MM, like 08:30, the same every school day",
            v,
        ),
        input("closes", "Lessons until", "text", "HH:MM, like 15:30", v),
        checkbox(
            "rotating",
            "Lesson times rotate week by week, so that a pupil does not miss the same class every week",
            v,
        ),
        input(
            "latitude",
            "Latitude",
            "text",
            "Optional, for the take-up map: decimal degrees, like 54.7761",
            v,
        ),
        input(
            "longitude",
            "Longitude",
            "text",
            "Optional, with the latitude: decimal degrees, like -1.5733 (west is negative)",
            v,
        ),
    ]
}

fn values_of(i: &SchoolInput) -> Values {
    let mut v: Values = SchoolRow::COLUMNS
        .iter()
        .map(|c| c.name.to_owned())
        .zip(i.row.to_fields())
        .collect();
    v.insert("billing".into(), i.billing.as_str().to_owned());
    if let Some((opens, closes)) = i.hours {
        v.insert("opens".into(), ClockTime(opens).to_string());
        v.insert("closes".into(), ClockTime(closes).to_string());
    }
    v
}

/// The lesson hours, when the form or body sends them (both, as HH:MM, opening first);
/// `Some(None)` when it sends neither, so the recorded hours stay.
fn read_lesson_hours(v: &Values, errors: &mut FormErrors) -> Option<Option<(u16, u16)>> {
    let (opens, closes) = (v.get("opens"), v.get("closes"));
    if opens.is_none() && closes.is_none() {
        return Some(None);
    }
    let opens = opens.and_then(|t| t.trim().parse::<ClockTime>().ok());
    if opens.is_none() {
        errors.add("opens", "Enter the time lessons can start as HH:MM, like 08:30.");
    }
    let closes = closes.and_then(|t| t.trim().parse::<ClockTime>().ok());
    if closes.is_none() {
        errors.add("closes", "Enter the time lessons must end by as HH:MM, like 15:30.");
    }
    let (opens, closes) = (opens?, closes?);
    if opens >= closes {
        errors.add(
            "closes",
            format!("Lessons must end after they start: {closes} is not after {opens}."),
        );
        return None;
    }
    Some(Some((opens.0, closes.0)))
}

pub(crate) fn parse(v: &Values, errors: &mut FormErrors) -> Option<SchoolInput> {
    let row = read_row::<SchoolRow>(v, errors);
    let billing = match v.get("billing").map(|b| b.parse::<BillingMethod>()) {
        Some(Ok(b)) => Some(b),
        Some(Err(e)) => {
            errors.add("billing", e.to_string());
            None
        }
        None => row.as_ref().map(|r| r.school_type.default_billing()),
    };
    let hours = read_lesson_hours(v, errors);
    Some(SchoolInput {
        row: row?,
        billing: billing?,
        hours: hours?,
    })
}
