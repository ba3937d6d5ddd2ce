//! Admin screens for staff, with warnings before a DBS check or safeguarding training lapses.
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use tutti_domain::csv::StaffRow;
use tutti_domain::staff::{Employment, StaffRole};
use tutti_domain::validate::format_date_uk;

use super::*;
use crate::access::Routes;
use crate::error::AppError;

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/staff", get(list))
        .route("/admin/staff/new", get(new_form).post(create))
        .route("/admin/staff/{id}", get(view))
        .route("/admin/staff/{id}/edit", get(edit_form).post(update))
        .route("/admin/staff/{id}/archive", post(archive))
}

async fn list(State(state): State<AppState>, visitor: Visitor, Query(p): Query<ListParams>) -> AppResult<Response> {
    let page = state.store.list_staff(&p.query()).await?;
    let empty = empty_text("staff", &p.q, "staff");
    list_page(
        &state,
        &visitor,
        "Staff",
        "/admin/staff",
        "Search by name, email or instrument",
        &p,
        vec![
            col("Name", "name"),
            col("Email", "email"),
            col("Role", "role"),
            col("Instruments", ""),
            col("Employment", "employment"),
            col("Checks", "dbs_issued"),
        ],
        page,
        |s| {
            let warnings = s.warnings();
            vec![
                link(
                    format!("{} {}", s.first_name, s.last_name),
                    format!("/admin/staff/{}", s.id),
                ),
                cell(s.email),
                cell(s.role),
                cell(s.instruments.join(", ")),
                cell(s.employment.replace('-', " ")),
                cell(if warnings.is_empty() {
                    "In date".to_owned()
                } else {
                    warnings.join("; ")
                }),
            ]
        },
        empty,
    )
    .await
}

async fn view(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let s = state.store.staff_member(id).await?.ok_or(AppError::NotFound)?;
    let availability = state.store.availability(id).await?.ok_or(AppError::NotFound)?;
    let name = format!("{} {}", s.first_name, s.last_name);
    let date = |d: Option<time::Date>| d.map(format_date_uk).unwrap_or_else(|| "Not recorded".into());
    let page = ViewPage {
        shell: Shell::new(&state, &visitor, name.clone(), "/admin/staff"),
        heading: name,
        back: ("/admin/staff".into(), "Back to staff".into()),
        href: format!("/admin/staff/{id}"),
        csrf: csrf_of(&visitor),
        archived: s.archived,
        warnings: s.warnings(),
        facts: vec![
            ("Email".into(), s.email.clone()),
            ("Role".into(), s.role.clone()),
            ("Instruments taught".into(), s.instruments.join(", ")),
            ("Employment".into(), s.employment.replace('-', " ")),
            (
                "DBS certificate number".into(),
                s.dbs_number.clone().unwrap_or_default(),
            ),
            ("DBS issued".into(), date(s.dbs_issued)),
            ("On the DBS update service".into(), yes_no(s.dbs_update_service)),
            ("Safeguarding training".into(), date(s.safeguarding_trained)),
            ("Available to teach".into(), super::hours::week_lines(&availability)),
        ],
        links: vec![(
            format!("/admin/staff/{id}/availability"),
            "Change when they can teach".into(),
        )],
        guardians: None,
    };
    crate::pages::render_clearing_flash(&state, &visitor, &page).await
}

fn fields(v: &Values) -> Vec<FormField> {
    let mut employment = select("employment", "Employment", Employment::WORDS, v);
    employment.options.insert(0, (String::new(), "Not recorded".into()));
    vec![
        input("email", "Email", "email", "Their work email; also their login", v),
        input("first_name", "First name", "text", "", v),
        input("last_name", "Last name", "text", "", v),
        select("role", "Role", StaffRole::WORDS, v),
        input(
            "instruments",
            "Instruments taught",
            "text",
            "Separate them with semicolons: violin; viola",
            v,
        ),
        employment,
        input("dbs_number", "DBS certificate number", "text", "12 digits", v),
        input("dbs_issued", "DBS issue date", "text", "For example 01/09/2024", v),
        checkbox("dbs_update_service", "Registered with the DBS update service", v),
        input(
            "safeguarding_trained",
            "Last safeguarding training",
            "text",
            "For example 30/06/2025",
            v,
        ),
    ]
}

fn values_of(r: &StaffRow) -> Values {
    let mut v: Values = StaffRow::COLUMNS
        .iter()
        .map(|c| c.name.to_owned())
        .zip(r.to_fields())
        .collect();
    if !r.dbs_update_service {
        v.remove("dbs_update_service");
    }
    v
}

fn form(state: &AppState, visitor: &Visitor, id: Option<i64>, v: &Values, errors: FormErrors) -> FormPage {
    let (heading, action, back) = match id {
        Some(id) => (
            "Edit member of staff".to_owned(),
            format!("/admin/staff/{id}/edit"),
            (format!("/admin/staff/{id}"), "Back to the member of staff".to_owned()),
        ),
        None => (
            "Add a member of staff".to_owned(),
            "/admin/staff/new".to_owned(),
            ("/admin/staff".to_owned(), "Back to staff".to_owned()),
        ),
    };
    FormPage {
        shell: Shell::new(state, visitor, heading.clone(), "/admin/staff"),
        heading,
        back,
        action,
        csrf: csrf_of(visitor),
        errors,
        fields: fields(v),
        submit: "Save",
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
    if let Some(row) = read_row::<StaffRow>(&v, &mut errors) {
        match state.store.create_staff(&actor(&signed.0, &visitor), &row).await {
            Ok(s) => {
                return done(
                    &state,
                    &signed,
                    "Member of staff added.",
                    &format!("/admin/staff/{}", s.id),
                )
                .await;
            }
            Err(e) => store_error_on(e, "email", &mut errors)?,
        }
    }
    form_again(form(&state, &visitor, None, &v, errors))
}

async fn edit_form(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    let row = state.store.staff_row(id).await?.ok_or(AppError::NotFound)?;
    render(&form(
        &state,
        &visitor,
        Some(id),
        &values_of(&row),
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
    if let Some(row) = read_row::<StaffRow>(&v, &mut errors) {
        match state.store.update_staff(&actor(&signed.0, &visitor), id, &row).await {
            Ok(_) => return done(&state, &signed, "Saved.", &format!("/admin/staff/{id}")).await,
            Err(e) => store_error_on(e, "email", &mut errors)?,
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
    state.store.archive_staff(&actor(&signed.0, &visitor), id).await?;
    done(&state, &signed, "Member of staff archived.", "/admin/staff").await
}
