//! Invitations through the API: invite someone to a login linked to a record (a member of
//! staff, a school, a pupil) and list the invitations sent, with resend and withdraw. The
//! office invites anyone; a parent invites only their own child, as a pupil.
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use tutti_domain::invitations::{InvitationLink, InvitationStatus};
use tutti_domain::validate::EmailAddress;
use tutti_store::platform::accounts::Role;
use tutti_store::platform::invitations::{InvitationFilter, NewInvitation};
use tutti_store::records::pupils::PupilScope;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::{IntoParams, ToSchema};

use crate::api_extract::{ApiJson, ApiPath, ApiQuery};
use crate::forms::FormErrors;
use crate::routes::api::caller::Caller;
use crate::routes::api::schemas::{Page, not_null, paging};
use crate::routes::api::{ApiError, ApiResult, invalid, office, ok};

/// The roles an invitation may give (admins are made by admins, not invited).
const ROLES: &[&str] = &["teacher", "manager", "school", "pupil"];

fn role_words() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(ROLES.to_vec()))
        .build()
}

fn status_words() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(InvitationStatus::WORDS.to_vec()))
        .build()
}

/// An invitation to a login.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Invitation {
    pub id: i64,
    pub email: String,
    /// The name it greets the person by.
    pub name: String,
    #[schema(schema_with = role_words)]
    pub role: String,
    /// The record the login is linked to: exactly one of these three.
    pub staff_id: Option<i64>,
    pub school_id: Option<i64>,
    pub pupil_id: Option<i64>,
    /// pending (waiting for an answer), expired, accepted or withdrawn.
    #[schema(schema_with = status_words)]
    pub status: String,
    /// Who sent it.
    pub invited_by: String,
    #[schema(format = DateTime)]
    pub sent_at: String,
    /// When its link stops working.
    #[schema(format = DateTime)]
    pub expires_at: String,
    #[schema(format = DateTime)]
    pub accepted_at: Option<String>,
    /// The login made when it was accepted.
    pub user_id: Option<i64>,
}

impl From<tutti_store::platform::invitations::Invitation> for Invitation {
    fn from(i: tutti_store::platform::invitations::Invitation) -> Invitation {
        let (staff_id, school_id, pupil_id) = match i.link {
            InvitationLink::Staff(id) => (Some(id), None, None),
            InvitationLink::School(id) => (None, Some(id), None),
            InvitationLink::Pupil(id) => (None, None, Some(id)),
        };
        Invitation {
            id: i.id,
            email: i.email,
            name: i.name,
            role: i.role.as_str().to_owned(),
            staff_id,
            school_id,
            pupil_id,
            status: i.status.as_str().to_owned(),
            invited_by: i.invited_by,
            sent_at: crate::format::iso(i.sent_at),
            expires_at: crate::format::iso(i.expires_at),
            accepted_at: i.accepted_at.map(crate::format::iso),
            user_id: i.user_id,
        }
    }
}

/// An invitation to send: the address, the login's role, and exactly one record to link it
/// to. A member of staff gets a teacher's or a manager's login, a school a school's, a pupil
/// a pupil's.
#[derive(Deserialize, ToSchema)]
pub struct InvitationBody {
    #[schema(value_type = String, required = true, pattern = r"^[A-Za-z0-9_%+-]{1,20}(\.[A-Za-z0-9_%+-]{1,20}){0,2}@([A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?\.){1,3}[A-Za-z]{2,12}$")]
    email: Option<String>,
    #[schema(required = true, schema_with = role_words)]
    role: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = i64, minimum = 1)]
    staff_id: Option<i64>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = i64, minimum = 1)]
    school_id: Option<i64>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = i64, minimum = 1)]
    pupil_id: Option<i64>,
    /// The name to greet them by, for a school invited by address (a member of staff, a
    /// school's recorded contact and a pupil are greeted by their record's name).
    #[schema(max_length = 100)]
    name: Option<String>,
}

/// Reads a body into an invitation: 422 naming each field not of its shape.
fn read(body: InvitationBody) -> Result<NewInvitation, ApiError> {
    let mut errors = FormErrors::default();
    let email = match body.email.as_deref().map(EmailAddress::parse) {
        Some(Ok(e)) => Some(e.to_string()),
        Some(Err(e)) => {
            errors.add("email", e.to_string());
            None
        }
        None => {
            errors.add("email", "Give the email address to invite.");
            None
        }
    };
    let role = match body.role.as_deref() {
        Some(r) if ROLES.contains(&r) => Role::parse(r),
        _ => {
            errors.add("role", "Give the login's role: teacher, manager, school or pupil.");
            None
        }
    };
    let link = match InvitationLink::from_ids(body.staff_id, body.school_id, body.pupil_id) {
        Ok(link) => Some(link),
        Err(field) => {
            errors.add(field, "Give exactly one of staff_id, school_id or pupil_id.");
            None
        }
    };
    match (email, role, link) {
        (Some(email), Some(role), Some(link)) if errors.is_empty() => Ok(NewInvitation {
            email,
            role,
            link,
            name: body.name.filter(|n| !n.trim().is_empty()),
        }),
        _ => Err(ApiError::Invalid(errors)),
    }
}

/// Sends an invitation by email: a link to choose a password that works for 7 days, making
/// a login with the role and link asked for. The office invites anyone; a parent invites only
/// their own child (`role` pupil, `pupil_id`), and anyone else's child is 404.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "invitations", request_body = InvitationBody,
    responses((status = 201, description = "Sent; the invitation", body = Invitation),
              (status = 403, description = "The role may not invite to this kind of record"),
              (status = 404, description = "No such record, or not one the caller may name"),
              (status = 409, description = "The email already has a login, an invitation to it is waiting, the record has a login or is archived, or the role does not fit the record")))]
async fn create(Caller { state, user, actor }: Caller, ApiJson(body): ApiJson<InvitationBody>) -> ApiResult {
    let user = &user;
    let scope = match user.role {
        Role::Admin | Role::Manager => PupilScope::All,
        Role::Parent => PupilScope::for_user(user),
        _ => return Err(ApiError::Forbidden),
    };
    let new = read(body)?;
    if user.role == Role::Parent && !matches!(new.link, InvitationLink::Pupil(_)) {
        return Err(ApiError::Forbidden);
    }
    let sent = state
        .store
        .invite(
            &actor,
            &scope,
            &new,
            &crate::routes::platform::invitations::mail(&state),
        )
        .await?;
    ok(StatusCode::CREATED, Invitation::from(sent))
}

/// The query of the invitations list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvitationParams {
    /// Only those with this status: pending, expired, accepted or withdrawn.
    #[param(schema_with = status_words)]
    status: Option<String>,
    /// Part of a name or an email.
    q: Option<String>,
    /// Page, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u64>,
    /// Rows a page, 1 to 200 (50).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<u64>,
}

/// The invitations sent, newest first: who has not answered, whose invitation expired, who
/// accepted. For the office.
#[utoipa::path(get, path = "/api/v1/invitations", tag = "invitations", params(InvitationParams),
    responses((status = 200, description = "A page of invitations, newest first", body = Page<Invitation>),
              (status = 403, description = "Office roles only")))]
async fn list(Caller { state, user, .. }: Caller, ApiQuery(p): ApiQuery<InvitationParams>) -> ApiResult {
    office(&user)?;
    let (page, per_page) = paging(p.page, p.per_page)?;
    let status = match p.status.as_deref() {
        None => None,
        Some(s) => Some(
            InvitationStatus::parse(s)
                .ok_or_else(|| invalid("status", "Give pending, expired, accepted or withdrawn."))?,
        ),
    };
    let found = state
        .store
        .list_invitations(&InvitationFilter {
            status,
            q: p.q.unwrap_or_default(),
            page,
            per_page,
        })
        .await?;
    ok(StatusCode::OK, Page::from_store(found, Invitation::from))
}

/// Sends a new link for an invitation nobody has answered (pending or expired); the old
/// link stops working. For the office.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/resend", tag = "invitations",
    params(("id" = i64, Path, description = "Invitation id")),
    responses((status = 200, description = "Sent again; the invitation", body = Invitation),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such invitation"),
              (status = 409, description = "It has been accepted or withdrawn, or the email has a login now")))]
async fn resend(Caller { state, user, actor }: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult {
    office(&user)?;
    let sent = state
        .store
        .resend_invitation(&actor, id, &crate::routes::platform::invitations::mail(&state))
        .await?;
    ok(StatusCode::OK, Invitation::from(sent))
}

/// Withdraws an invitation nobody has answered: its link stops working. For the office.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/withdraw", tag = "invitations",
    params(("id" = i64, Path, description = "Invitation id")),
    responses((status = 204, description = "Withdrawn"),
              (status = 403, description = "Office roles only"),
              (status = 404, description = "No such invitation"),
              (status = 409, description = "It has been accepted or withdrawn already")))]
async fn withdraw(Caller { state, user, actor }: Caller, ApiPath(id): ApiPath<i64>) -> ApiResult {
    office(&user)?;
    state.store.withdraw_invitation(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub fn audience() -> crate::access::Audience {
    use axum::routing::{get, post};
    crate::access::Audience::new(
        crate::access::Access::SignedIn,
        crate::access::Routes::new()
            .route("/api/v1/invitations", get(list).post(create))
            .route("/api/v1/invitations/{id}/resend", post(resend))
            .route("/api/v1/invitations/{id}/withdraw", post(withdraw)),
    )
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(create, list, resend, withdraw))]
pub struct InvitationsDoc;
