//! A school's contacts on the office's screens: add, edit and remove, each shown on the
//! school's record with whether they can sign in (the Invite button is in
//! `platform::invitations`).
use axum::extract::{Form, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use tutti_domain::invitations::ContactInput;
use tutti_store::platform::invitations::LoginState;
use tutti_store::records::school_contacts::SchoolContact;

use super::*;
use crate::access::Routes;
use crate::error::{AppError, refused_on_its_field};

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/schools/{id}/contacts/new", get(new_form).post(create))
        .route(
            "/admin/schools/{id}/contacts/{contact}/edit",
            get(edit_form).post(update),
        )
        .route("/admin/schools/{id}/contacts/{contact}/remove", post(remove))
}

/// The school's contacts as its screen lists them.
pub(crate) fn lines(contacts: Vec<SchoolContact>) -> Vec<ContactLine> {
    contacts
        .into_iter()
        .map(|c| ContactLine {
            state: crate::routes::platform::invitations::state_words(&c.login),
            invitation: match c.login {
                LoginState::Invited { invitation_id, .. } => Some(invitation_id),
                _ => None,
            },
            can_invite: matches!(c.login, LoginState::NoLogin),
            id: c.id,
            name: c.name,
            email: c.email,
            job_title: c.job_title,
        })
        .collect()
}

fn fields(v: &Values) -> Vec<FormField> {
    vec![
        input("name", "Name", "text", "", v),
        input(
            "email",
            "Email",
            "email",
            "Their work email; also their login if you invite them",
            v,
        ),
        input(
            "job_title",
            "Job title",
            "text",
            "For example Head teacher or Music lead",
            v,
        ),
    ]
}

fn form(
    state: &AppState,
    visitor: &Visitor,
    school: i64,
    contact: Option<i64>,
    v: &Values,
    errors: FormErrors,
) -> FormPage {
    let (heading, action) = match contact {
        Some(c) => ("Edit contact", format!("/admin/schools/{school}/contacts/{c}/edit")),
        None => ("Add a contact", format!("/admin/schools/{school}/contacts/new")),
    };
    FormPage {
        shell: Shell::new(state, visitor, heading, "/admin/schools"),
        heading: heading.to_owned(),
        back: (format!("/admin/schools/{school}"), "Back to the school".into()),
        action,
        csrf: visitor.csrf(),
        errors,
        fields: fields(v),
        submit: "Save contact",
    }
}

fn parse(v: &Values, errors: &mut FormErrors) -> Option<ContactInput> {
    let get = |k: &str| v.get(k).map(String::as_str).unwrap_or_default();
    match ContactInput::parse(get("name"), get("email"), get("job_title")) {
        Ok(c) => Some(c),
        Err(problems) => {
            for (field, words) in problems {
                errors.add(field, words);
            }
            None
        }
    }
}

async fn new_form(State(state): State<AppState>, visitor: Visitor, Path(id): Path<i64>) -> AppResult<Response> {
    state.store.school(id).await?.ok_or(AppError::NotFound)?;
    render(&form(&state, &visitor, id, None, &Values::new(), FormErrors::default()))
}

async fn create(a: Acting, Path(id): Path<i64>, Form(values): Form<Values>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if let Some(input) = parse(&values, &mut errors) {
        match a.state.store.add_school_contact(&a.actor(), id, &input).await {
            Ok(c) => {
                return a
                    .done(&format!("{} added.", c.name), &format!("/admin/schools/{id}"))
                    .await;
            }
            Err(e) => refused_on_its_field(e, "email", &mut errors)?,
        }
    }
    form_again(form(&a.state, &a.visitor, id, None, &values, errors))
}

async fn edit_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((id, contact)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let c = state
        .store
        .school_contact(id, contact)
        .await?
        .ok_or(AppError::NotFound)?;
    let values = Values::from([
        ("name".to_owned(), c.name),
        ("email".to_owned(), c.email),
        ("job_title".to_owned(), c.job_title),
    ]);
    render(&form(
        &state,
        &visitor,
        id,
        Some(contact),
        &values,
        FormErrors::default(),
    ))
}

async fn update(a: Acting, Path((id, contact)): Path<(i64, i64)>, Form(values): Form<Values>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if let Some(input) = parse(&values, &mut errors) {
        match a
            .state
            .store
            .update_school_contact(&a.actor(), id, contact, &input)
            .await
        {
            Ok(_) => return a.done("Contact saved.", &format!("/admin/schools/{id}")).await,
            Err(e) => refused_on_its_field(e, "email", &mut errors)?,
        }
    }
    form_again(form(&a.state, &a.visitor, id, Some(contact), &values, errors))
}

async fn remove(a: Acting, Path((id, contact)): Path<(i64, i64)>) -> AppResult<Response> {
    a.state.store.remove_school_contact(&a.actor(), id, contact).await?;
    a.done(
        "Contact removed; their login, if they had one, is disabled.",
        &format!("/admin/schools/{id}"),
    )
    .await
}
