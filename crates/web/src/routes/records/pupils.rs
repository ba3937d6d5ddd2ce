//! Admin screens for pupils and their guardians. Every view of a record is audited.
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use tutti_domain::characteristics::{Ethnicity, Gender};
use tutti_domain::csv::PupilRow;
use tutti_domain::validate::{EmailAddress, PhoneNumber};
use tutti_store::records::guardians::GuardianInput;
use tutti_store::records::lookup::LookupKind;
use tutti_store::records::pupils::{PupilInput, PupilScope};

use tutti_store::platform::audit::Actor;
use tutti_store::{Store, StoreError};

use super::editing::{self, EditableRecord};
use super::*;
use crate::access::Routes;
use crate::error::AppError;

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/pupils", get(list))
        .route("/admin/pupils/{id}", get(view))
        .merge(editing::routes::<Pupils>())
        .route(
            "/admin/pupils/{id}/guardians/new",
            get(guardian_form).post(add_guardian),
        )
        .route("/admin/pupils/{id}/guardians/{gid}/remove", post(remove_guardian))
}

/// Pupils in the shared add, edit and archive screens.
pub(crate) struct Pupils;

impl EditableRecord for Pupils {
    type Input = PupilInput;
    const BASE: &'static str = "/admin/pupils";
    const ADD_HEADING: &'static str = "Add a pupil";
    const EDIT_HEADING: &'static str = "Edit pupil";
    const BACK_TO_ONE: &'static str = "Back to the pupil";
    const BACK_TO_ALL: &'static str = "Back to pupils";
    const SUBMIT: &'static str = "Save pupil";
    const ADDED: &'static str = "Pupil added.";
    const SAVED: &'static str = "Pupil saved.";
    const ARCHIVED: &'static str = "Pupil archived.";
    const KIND: tutti_store::records::archive::Archivable = tutti_store::records::archive::Archivable::Pupil;
    const CONFLICT_FIELD: &'static str = "pupil_ref";
    const PICKERS: &'static [(&'static str, LookupKind, &'static str)] =
        &[("school_urn", LookupKind::School, "school")];

    fn fields(values: &Values, new: bool) -> Vec<FormField> {
        fields(values, new)
    }
    fn parse(values: &Values, errors: &mut FormErrors) -> Option<PupilInput> {
        parse(values, errors)
    }
    fn values_of(input: &PupilInput) -> Values {
        values_of(input)
    }
    async fn load(store: &Store, id: i64) -> Result<Option<PupilInput>, StoreError> {
        store.pupil_input(id).await
    }
    async fn create(store: &Store, who: &Actor, input: &PupilInput) -> Result<i64, StoreError> {
        store.create_pupil(who, input).await
    }
    async fn update(store: &Store, who: &Actor, id: i64, input: &PupilInput) -> Result<(), StoreError> {
        store.update_pupil(who, id, input).await
    }
    async fn archive(store: &Store, who: &Actor, id: i64) -> Result<(), StoreError> {
        store.archive_pupil(who, id).await
    }
}

async fn list(a: Acting, Query(p): Query<ListParams>, Query(sel): Query<SelectAll>) -> AppResult<Response> {
    let scope = PupilScope::for_user(&a.user);
    let page = a.state.store.list_pupils(&scope, &p.query()).await?;
    let ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
    let today = a.state.store.today();
    let empty = empty_text("pupils", &p.q, "pupils");
    let mut list = list_of(
        &a.state,
        &a.visitor,
        "Pupils",
        "/admin/pupils",
        "Search by name or pupil reference",
        &p,
        vec![
            col("Name", "name"),
            col("First name", "first_name"),
            col("Reference", "ref"),
            col("Date of birth", "dob"),
            col("Year group", ""),
            col("School", "school"),
        ],
        page,
        |r| {
            let year = r.year_group(today);
            vec![
                link(
                    named(r.last_name.clone(), r.archived),
                    format!("/admin/pupils/{}", r.id),
                ),
                cell(r.first_name),
                cell(r.pupil_ref),
                cell(crate::format::short_day(r.date_of_birth)),
                cell(year),
                cell(r.school_name),
            ]
        },
        empty,
    );
    list.select = Some(Select {
        action: "/admin/pupils/bulk",
        csrf: a.csrf(),
        ids,
        actions: super::bulk::ACTIONS.to_vec(),
        all: !sel.all.is_empty(),
    });
    crate::pages::render_clearing_flash(&a.state, &a.visitor, &list).await
}

/// "Select all on this page" without JavaScript: the page again, every box ticked.
#[derive(serde::Deserialize, Default)]
struct SelectAll {
    #[serde(default)]
    all: String,
}

async fn view(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    let scope = PupilScope::for_user(&a.user);
    let p = a
        .state
        .store
        .view_pupil(&a.actor(), &scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let name = format!("{} {}", p.first_name, p.last_name);
    let mut facts = vec![
        ("Pupil reference".to_owned(), p.pupil_ref.clone()),
        ("Date of birth".to_owned(), crate::format::short_day(p.date_of_birth)),
        (
            "Year group".to_owned(),
            if p.year_group_overridden {
                format!("{} (set by hand)", p.year_group)
            } else {
                p.year_group.clone()
            },
        ),
        ("School".to_owned(), format!("{} (URN {})", p.school_name, p.school_urn)),
        ("Free school meals".to_owned(), yes_no(p.fsm)),
        ("Pupil premium".to_owned(), yes_no(p.pupil_premium)),
        ("Looked after".to_owned(), yes_no(p.looked_after)),
        (
            "Gender".to_owned(),
            p.gender.map(|g| g.words()).unwrap_or("Not recorded").to_owned(),
        ),
        (
            "Ethnic group".to_owned(),
            p.ethnicity.map(|e| e.words()).unwrap_or("Not recorded").to_owned(),
        ),
        ("Photo and video consent".to_owned(), yes_no(p.photo_consent)),
    ];
    if !p.redacted {
        facts.push(("SEND".to_owned(), p.send.map(yes_no).unwrap_or_default()));
        facts.push((
            "Medical notes".to_owned(),
            p.medical_notes.clone().unwrap_or_else(|| "None recorded".into()),
        ));
    }
    // Their loans: what they have now, and a link to every loan they have had.
    let loans = a.state.store.loans_of_pupils(&PupilScope::All, Some(id)).await?;
    let out: Vec<String> = loans
        .iter()
        .filter(|l| l.status.is_open())
        .map(|l| {
            format!(
                "{} {} since {}{}",
                l.instrument_type,
                l.serial,
                crate::format::short_day(l.start_date),
                l.due_date
                    .map(|d| format!(", due back {}", crate::format::short_day(d)))
                    .unwrap_or_default()
            )
        })
        .collect();
    facts.push((
        "Instruments on loan".to_owned(),
        if out.is_empty() {
            "None".to_owned()
        } else {
            out.join("; ")
        },
    ));
    let page = ViewPage {
        shell: Shell::new(&a.state, &a.visitor, name.clone(), "/admin/pupils"),
        heading: name,
        back: ("/admin/pupils".into(), "Back to pupils".into()),
        href: format!("/admin/pupils/{id}"),
        csrf: a.csrf(),
        archived: p.archived,
        warnings: Vec::new(),
        facts,
        links: vec![(
            format!("/admin/loans?filter=all&pupil={id}"),
            format!("Instrument loans ({})", loans.len()),
        )],
        guardians: Some(p.guardians),
        login: None,
        contacts: None,
        sections: super::profile::pupil_sections(&a.state, id, &loans).await?,
    };
    crate::pages::render_clearing_flash(&a.state, &a.visitor, &page).await
}

fn fields(v: &Values, new: bool) -> Vec<FormField> {
    let mut f = vec![
        input(
            "pupil_ref",
            "Pupil reference",
            "text",
            "The hub's reference, like P100123",
            v,
        ),
        input("first_name", "First name", "text", "", v),
        input("last_name", "Last name", "text", "", v),
        input("date_of_birth", "Date of birth", "text", "For example 31/08/2016", v),
        input(
            "school_urn",
            "School",
            "pick:schools",
            "Type part of the school's name, its town or its 6-digit URN, and choose it",
            v,
        ),
        input(
            "year_group",
            "Year group",
            "text",
            "Leave blank to work it out from the date of birth; or enter Reception, Year 3 and so on",
            v,
        ),
        checkbox("fsm", "Eligible for free school meals", v),
        checkbox("pupil_premium", "Eligible for pupil premium", v),
        checkbox("send", "Has special educational needs or disabilities (SEND)", v),
        checkbox("looked_after", "Looked after by the local authority", v),
        characteristic(
            "gender",
            "Gender",
            Gender::ALL.iter().map(|g| (g.as_str(), g.words())),
            v,
        ),
        characteristic(
            "ethnicity",
            "Ethnic group",
            Ethnicity::ALL.iter().map(|e| (e.as_str(), e.words())),
            v,
        ),
        input("medical_notes", "Medical notes", "textarea", "", v),
        checkbox("photo_consent", "Photo and video consent given", v),
    ];
    if new {
        f.push(input(
            "guardian_name",
            "Guardian's name",
            "text",
            "Optional: more guardians can be added later",
            v,
        ));
        f.push(input(
            "guardian_email",
            "Guardian's email",
            "email",
            "Links their parent account",
            v,
        ));
        f.push(input("guardian_phone", "Guardian's phone", "tel", "", v));
    }
    f
}

/// An optional characteristic the data return counts (decision 0090): "Not recorded" first,
/// then each word with its words.
fn characteristic<'a>(
    name: &'static str,
    label: &'static str,
    choices: impl Iterator<Item = (&'a str, &'a str)>,
    v: &Values,
) -> FormField {
    let mut options = vec![(String::new(), "Not recorded".to_owned())];
    options.extend(choices.map(|(word, words)| (word.to_owned(), words.to_owned())));
    FormField {
        options,
        ..input(
            name,
            label,
            "select",
            "Optional: the data return counts records without it",
            v,
        )
    }
}

fn values_of(i: &PupilInput) -> Values {
    let mut v: Values = PupilRow::COLUMNS
        .iter()
        .map(|c| c.name.to_owned())
        .zip(i.row.to_fields())
        .collect();
    // The form shows dates as people write them.
    v.insert("date_of_birth".into(), crate::format::short_day(i.row.date_of_birth));
    for flag in ["fsm", "pupil_premium", "send", "looked_after"] {
        if v.get(flag).is_some_and(|x| x != "yes") {
            v.remove(flag);
        }
    }
    v.insert("medical_notes".into(), i.medical_notes.clone().unwrap_or_default());
    if i.photo_consent {
        v.insert("photo_consent".into(), "yes".into());
    }
    v
}

pub(crate) fn parse(v: &Values, errors: &mut FormErrors) -> Option<PupilInput> {
    let row = read_row::<PupilRow>(v, errors)?;
    let notes = v.get("medical_notes").map(|s| s.trim().to_owned()).unwrap_or_default();
    if notes.chars().count() > 2000 {
        errors.add("medical_notes", "Medical notes must be 2,000 characters or fewer");
        return None;
    }
    Some(PupilInput {
        row,
        medical_notes: (!notes.is_empty()).then_some(notes),
        photo_consent: v.contains_key("photo_consent"),
    })
}

fn guardian_page(state: &AppState, visitor: &Visitor, id: i64, v: &Values, errors: FormErrors) -> FormPage {
    FormPage {
        shell: Shell::new(state, visitor, "Add a guardian", "/admin/pupils"),
        heading: "Add a guardian".into(),
        back: (format!("/admin/pupils/{id}"), "Back to the pupil".into()),
        action: format!("/admin/pupils/{id}/guardians/new"),
        csrf: visitor.csrf(),
        errors,
        fields: vec![
            input("name", "Name", "text", "", v),
            input(
                "email",
                "Email",
                "email",
                "Their parent account is linked by this email",
                v,
            ),
            input("phone", "Phone", "tel", "", v),
            input("address", "Address", "textarea", "", v),
        ],
        submit: "Add guardian",
    }
}

async fn guardian_form(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    render(&guardian_page(
        &state,
        &visitor,
        id,
        &Values::new(),
        FormErrors::default(),
    ))
}

/// Reads a guardian from form or API values, with errors by field.
pub fn parse_guardian(v: &Values, errors: &mut FormErrors) -> Option<GuardianInput> {
    let get = |k: &str| v.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let name = get("name");
    if name.is_empty() {
        errors.add("name", "Enter the guardian's name");
    } else if name.chars().count() > 100 {
        errors.add("name", "The name must be 100 characters or fewer");
    }
    let email = match get("email") {
        e if e.is_empty() => None,
        e => match EmailAddress::parse(&e) {
            Ok(e) => Some(e),
            Err(err) => {
                errors.add("email", err.to_string());
                None
            }
        },
    };
    let phone = match get("phone") {
        p if p.is_empty() => None,
        p => match PhoneNumber::parse(&p) {
            Ok(p) => Some(p),
            Err(err) => {
                errors.add("phone", err.to_string());
                None
            }
        },
    };
    errors.is_empty().then(|| GuardianInput {
        name,
        email,
        phone,
        address: get("address"),
    })
}

async fn add_guardian(a: Acting, Path(id): Path<i64>, Form(v): Form<Values>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if let Some(g) = parse_guardian(&v, &mut errors) {
        a.state.store.add_guardian(&a.actor(), id, &g).await?;
        return a.done("Guardian added.", &format!("/admin/pupils/{id}")).await;
    }
    form_again(guardian_page(&a.state, &a.visitor, id, &v, errors))
}

async fn remove_guardian(a: Acting, Path((id, gid)): Path<(i64, i64)>) -> AppResult<Response> {
    a.state.store.remove_guardian(&a.actor(), id, gid).await?;
    a.done("Guardian removed from this pupil.", &format!("/admin/pupils/{id}"))
        .await
}
