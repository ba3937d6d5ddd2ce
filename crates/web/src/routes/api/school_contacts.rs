//! A school's contacts through the API: list, add and remove, each with whether they can
//! sign in. The office reaches every school's; a school's own login reads its own school's
//! contacts, and another school's are 404 to it.
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use tutti_domain::invitations::ContactInput;
use tutti_store::platform::accounts::{Role, User};
use tutti_store::platform::invitations::LoginState;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::{IntoParams, ToSchema};

use crate::api_extract::{ApiJson, ApiPath, ApiQuery};
use crate::forms::FormErrors;
use crate::routes::api::caller::Caller;
use crate::routes::api::schemas::{Page, paging};
use crate::routes::api::{ApiError, ApiResult, office, ok};

fn login_words() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some([
            "has_login",
            "login_disabled",
            "invited",
            "invitation_expired",
            "no_login",
        ]))
        .build()
}

/// A contact at a school.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchoolContact {
    pub id: i64,
    pub school_id: i64,
    pub name: String,
    pub email: String,
    pub job_title: String,
    /// Whether they can sign in: has_login, login_disabled, invited, invitation_expired or
    /// no_login.
    #[schema(schema_with = login_words)]
    pub login: String,
    /// The invitation waiting for their answer, if one is.
    pub invitation_id: Option<i64>,
}

impl From<tutti_store::records::school_contacts::SchoolContact> for SchoolContact {
    fn from(c: tutti_store::records::school_contacts::SchoolContact) -> SchoolContact {
        let (login, invitation_id) = match c.login {
            LoginState::HasLogin { disabled: false, .. } => ("has_login", None),
            LoginState::HasLogin { disabled: true, .. } => ("login_disabled", None),
            LoginState::Invited {
                invitation_id,
                expired: false,
                ..
            } => ("invited", Some(invitation_id)),
            LoginState::Invited {
                invitation_id,
                expired: true,
                ..
            } => ("invitation_expired", Some(invitation_id)),
            LoginState::NoLogin => ("no_login", None),
        };
        SchoolContact {
            id: c.id,
            school_id: c.school_id,
            name: c.name,
            email: c.email,
            job_title: c.job_title,
            login: login.to_owned(),
            invitation_id,
        }
    }
}

/// A contact as sent.
#[derive(Deserialize, ToSchema)]
pub struct SchoolContactBody {
    #[schema(value_type = String, required = true, pattern = r"\S", max_length = 100)]
    name: Option<String>,
    #[schema(value_type = String, required = true, pattern = r"^[A-Za-z0-9_%+-]{1,20}(\.[A-Za-z0-9_%+-]{1,20}){0,2}@([A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?\.){1,3}[A-Za-z]{2,12}$")]
    email: Option<String>,
    /// Head teacher, Music lead, Business manager.
    #[schema(max_length = 100)]
    job_title: Option<String>,
}

/// The page asked for.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactParams {
    /// Page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u64>,
    /// Rows a page, 1 to 200 (50).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u64>,
}

/// The office reads every school's contacts; a school's login its own school's.
fn may_read(user: &User, school_id: i64) -> Result<(), ApiError> {
    match user.role {
        Role::Admin | Role::Manager => Ok(()),
        Role::School if user.school_id == Some(school_id) => Ok(()),
        Role::School => Err(ApiError::NotFound),
        _ => Err(ApiError::Forbidden),
    }
}

/// A school's contacts, by name, with whether each can sign in.
#[utoipa::path(get, path = "/api/v1/schools/{id}/contacts", tag = "schools",
    params(("id" = i64, Path, description = "School id"), ContactParams),
    responses((status = 200, description = "A page of the school's contacts", body = Page<SchoolContact>),
              (status = 403, description = "Office roles and the school's own login only"),
              (status = 404, description = "No such school, or not the caller's")))]
async fn list(
    Caller { state, user, .. }: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<ContactParams>,
) -> ApiResult {
    may_read(&user, id)?;
    let paging = paging(p.page, p.per_page)?;
    state.store.school(id).await?.ok_or(ApiError::NotFound)?;
    let all = state.store.school_contacts(id).await?;
    ok(
        StatusCode::OK,
        Page::of_all(all.into_iter().map(SchoolContact::from).collect(), paging),
    )
}

/// Adds a contact to a school. For the office.
#[utoipa::path(post, path = "/api/v1/schools/{id}/contacts", tag = "schools",
    params(("id" = i64, Path, description = "School id")), request_body = SchoolContactBody,
    responses((status = 201, description = "Added; the contact", body = SchoolContact),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such school"),
              (status = 409, description = "The school has a contact with that email already")))]
async fn create(
    Caller { state, user, actor }: Caller,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<SchoolContactBody>,
) -> ApiResult {
    office(&user)?;
    let input = ContactInput::parse(
        body.name.as_deref().unwrap_or_default(),
        body.email.as_deref().unwrap_or_default(),
        body.job_title.as_deref().unwrap_or_default(),
    )
    .map_err(|problems| {
        let mut errors = FormErrors::default();
        for (field, words) in problems {
            errors.add(field, words);
        }
        ApiError::Invalid(errors)
    })?;
    let added = state.store.add_school_contact(&actor, id, &input).await?;
    ok(StatusCode::CREATED, SchoolContact::from(added))
}

/// Removes a school's contact: their school login, if they have one, is disabled and their
/// invitations withdrawn. For the office.
#[utoipa::path(delete, path = "/api/v1/schools/{id}/contacts/{contact_id}", tag = "schools",
    params(("id" = i64, Path, description = "School id"), ("contact_id" = i64, Path, description = "Contact id")),
    responses((status = 204, description = "Removed"),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such contact at that school")))]
async fn remove(Caller { state, user, actor }: Caller, ApiPath((id, contact_id)): ApiPath<(i64, i64)>) -> ApiResult {
    office(&user)?;
    state.store.remove_school_contact(&actor, id, contact_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub fn audience() -> crate::access::Audience {
    use axum::routing::{delete, get};
    crate::access::Audience::new(
        crate::access::Access::SignedIn,
        crate::access::Routes::new()
            .route("/api/v1/schools/{id}/contacts", get(list).post(create))
            .route("/api/v1/schools/{id}/contacts/{contact_id}", delete(remove)),
    )
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, remove))]
pub struct SchoolContactsDoc;
