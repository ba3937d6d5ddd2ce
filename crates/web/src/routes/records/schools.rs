//! Admin screens for schools.
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use tutti_domain::csv::SchoolRow;
use tutti_domain::schools::{BillingMethod, SchoolPhase, SchoolType};
use tutti_store::records::schools::SchoolInput;

use super::*;
use crate::access::Routes;
use crate::error::AppError;

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/schools", get(list))
        .route("/admin/schools/new", get(new_form).post(create))
        .route("/admin/schools/{id}", get(view))
        .route("/admin/schools/{id}/edit", get(edit_form).post(update))
        .route("/admin/schools/{id}/archive", post(archive))
}

async fn list(State(state): State<AppState>, visitor: Visitor, Query(p): Query<ListParams>) -> AppResult<Response> {
    let page = state.store.list_schools(&p.query()).await?;
    let empty = empty_text("schools", &p.q, "schools");
    list_page(
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
                link(s.name, format!("/admin/schools/{}", s.id)),
                cell(s.urn.to_string()),
                cell(s.phase),
                cell(s.school_type),
                cell(s.area),
                cell(s.postcode),
            ]
        },
        empty,
    )
    .await
}

async fn view(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let s = state.store.school(id).await?.ok_or(AppError::NotFound)?;
    let hours = state.store.school_hours(id).await?.ok_or(AppError::NotFound)?;
    let page = ViewPage {
        shell: Shell::new(&state, &visitor, s.name.clone(), "/admin/schools"),
        heading: s.name.clone(),
        back: ("/admin/schools".into(), "Back to schools".into()),
        href: format!("/admin/schools/{id}"),
        csrf: csrf_of(&visitor),
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
            ("Lesson hours".into(), super::hours::hours_text(&hours)),
        ],
        links: vec![(
            format!("/admin/schools/{id}/hours"),
            "Change rooms and lesson hours".into(),
        )],
        guardians: None,
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
    ]
}

fn values_of(i: &SchoolInput) -> Values {
    let mut v: Values = SchoolRow::COLUMNS
        .iter()
        .map(|c| c.name.to_owned())
        .zip(i.row.to_fields())
        .collect();
    v.insert("billing".into(), i.billing.as_str().to_owned());
    v
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
    Some(SchoolInput {
        row: row?,
        billing: billing?,
    })
}

fn form(state: &AppState, visitor: &Visitor, id: Option<i64>, v: &Values, errors: FormErrors) -> FormPage {
    let (heading, action, back) = match id {
        Some(id) => (
            "Edit school".to_owned(),
            format!("/admin/schools/{id}/edit"),
            (format!("/admin/schools/{id}"), "Back to the school".to_owned()),
        ),
        None => (
            "Add a school".to_owned(),
            "/admin/schools/new".to_owned(),
            ("/admin/schools".to_owned(), "Back to schools".to_owned()),
        ),
    };
    FormPage {
        shell: Shell::new(state, visitor, heading.clone(), "/admin/schools"),
        heading,
        back,
        action,
        csrf: csrf_of(visitor),
        errors,
        fields: fields(v),
        submit: "Save school",
    }
}

async fn new_form(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let mut v = Values::new();
    v.insert("billing".into(), "invoice".into());
    render(&form(&state, &visitor, None, &v, FormErrors::default()))
}

async fn create(
    State(state): State<AppState>,
    visitor: Visitor,
    signed: SignedIn,
    Form(v): Form<Values>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if let Some(input) = parse(&v, &mut errors) {
        match state.store.create_school(&actor(&signed.0, &visitor), &input).await {
            Ok(s) => return done(&state, &signed, "School added.", &format!("/admin/schools/{}", s.id)).await,
            Err(e) => store_error_on(e, "urn", &mut errors)?,
        }
    }
    form_again(form(&state, &visitor, None, &v, errors))
}

async fn edit_form(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let input = state.store.school_input(id).await?.ok_or(AppError::NotFound)?;
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
        match state.store.update_school(&actor(&signed.0, &visitor), id, &input).await {
            Ok(_) => return done(&state, &signed, "School saved.", &format!("/admin/schools/{id}")).await,
            Err(e) => store_error_on(e, "urn", &mut errors)?,
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
    state.store.archive_school(&actor(&signed.0, &visitor), id).await?;
    done(&state, &signed, "School archived.", "/admin/schools").await
}
