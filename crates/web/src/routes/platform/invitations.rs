//! Invitations to a login, on screens: the office's list (pending, expired, accepted,
//! withdrawn) with resend and withdraw, inviting a member of staff or a school's contact from
//! their record, "invite everyone without a login", a parent making a login for their own
//! child, and the page where the invited person chooses a password and is signed in.
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use time::OffsetDateTime;
use tutti_domain::invitations::{InvitationLink, InvitationStatus};
use tutti_store::StoreError;
use tutti_store::platform::accounts::Role;
use tutti_store::platform::invitations::{Invitation, InvitationFilter, InvitationMail, LoginState, NewInvitation};
use tutti_store::records::pupils::PupilScope;
use tutti_store::records::summaries::PupilSummary;

use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::{AppError, AppResult, refusal_text};
use crate::forms::{FormErrors, email_field, new_password_field};
use crate::pages::{MessagePage, render, render_clearing_flash};
use crate::routes::page_number;
use crate::routes::platform::form_page::{form_page, with_cookie};
use crate::session::{Visitor, session_cookie};
use crate::shell::Shell;
use crate::state::AppState;

const PER_PAGE: u64 = 25;

/// The link in the email: anyone holding it may open it.
pub fn public_audience() -> Audience {
    Audience::new(
        Access::Public,
        Routes::new().route("/invitations/accept", get(accept_form).post(accept)),
    )
}

/// The office invites staff and schools' contacts, and sees who has not answered.
pub fn office_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin, Role::Manager]),
        Routes::new()
            .route("/admin/invitations", get(list))
            .route("/admin/invitations/everyone", post(everyone))
            .route("/admin/invitations/{id}/resend", post(resend))
            .route("/admin/invitations/{id}/withdraw", post(withdraw))
            .route("/admin/staff/{id}/invite", post(invite_staff))
            .route("/admin/schools/{id}/contacts/{contact}/invite", post(invite_contact)),
    )
}

/// A parent makes a login for their own child.
pub fn parent_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Parent]),
        Routes::new().route("/parent/logins", get(children).post(invite_child)),
    )
}

/// Where each role starts with logins on their account page.
pub fn dashboard_links(role: Role) -> Vec<(&'static str, &'static str, &'static str)> {
    match role {
        Role::Admin | Role::Manager => vec![(
            "/admin/invitations",
            "Invitations",
            "Invite staff and schools' contacts to a login, and see who has not accepted.",
        )],
        Role::Parent => vec![(
            "/parent/logins",
            "Your children's logins",
            "Make a login for your child to see their lessons.",
        )],
        _ => Vec::new(),
    }
}

/// The hub's name and address for the email's words and link.
pub(crate) fn mail(state: &AppState) -> InvitationMail {
    InvitationMail {
        hub: state.hub_name(),
        public_url: state.config.public_url.clone(),
    }
}

/// Where each role starts once signed in: a teacher's day, a school's timetable.
fn home(role: Role) -> &'static str {
    match role {
        Role::Teacher => "/teacher/day",
        Role::School => "/school/timetable",
        _ => "/account",
    }
}

/// A record's screen in the office.
pub(crate) fn record_href(link: InvitationLink) -> String {
    match link {
        InvitationLink::Staff(id) => format!("/admin/staff/{id}"),
        InvitationLink::School(id) => format!("/admin/schools/{id}"),
        InvitationLink::Pupil(id) => format!("/admin/pupils/{id}"),
    }
}

/// A login state in words, for a record's screen.
pub(crate) fn state_words(state: &LoginState) -> String {
    match state {
        LoginState::HasLogin { disabled: false, .. } => "Has a login".into(),
        LoginState::HasLogin { disabled: true, .. } => "Has a login, disabled".into(),
        LoginState::Invited {
            expired: false,
            expires_at,
            ..
        } => format!("Invited; the link works until {}", crate::format::when(*expires_at)),
        LoginState::Invited { expired: true, .. } => "Invited, but the invitation has expired".into(),
        LoginState::NoLogin => "No login".into(),
    }
}

/// Only somewhere in the office's own screens, so that a form cannot send a person away.
fn back_to(back: &Option<String>, default: &str) -> String {
    back.as_deref()
        .filter(|b| b.starts_with("/admin/") && !b.contains("//") && !b.contains('\\'))
        .unwrap_or(default)
        .to_owned()
}

// ---- Accepting

#[derive(Template)]
#[template(path = "invitations/accept.html")]
struct AcceptPage {
    shell: Shell,
    errors: FormErrors,
    csrf: String,
    token: String,
    name: String,
    email: String,
    role: &'static str,
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// The page for a link that does not work (any more), in the words its reason has.
fn dead_link(state: &AppState, visitor: &Visitor, words: String) -> AppResult<Response> {
    let page = MessagePage {
        shell: Shell::new(state, visitor, "This invitation link does not work", ""),
        heading: "This invitation link does not work".into(),
        paragraphs: vec![words],
        link: Some(("/login".into(), "Log in".into())),
    };
    Ok((StatusCode::BAD_REQUEST, render(&page)?).into_response())
}

const UNKNOWN_LINK: &str = "We do not recognise this link. Check that you opened the whole link from the email, or ask \
                            the hub office to send the invitation again.";

async fn accept_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    let Some(inv) = state.store.invitation_by_token(&q.token).await? else {
        return dead_link(&state, &visitor, UNKNOWN_LINK.into());
    };
    if let Err(refusal) = inv.status.check_accept() {
        return dead_link(&state, &visitor, refusal.to_string());
    }
    accept_page(&state, &visitor, StatusCode::OK, FormErrors::default(), q.token, inv).await
}

/// The form accepting an invitation, blank or sent back with its errors.
async fn accept_page(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    errors: FormErrors,
    token: String,
    inv: Invitation,
) -> AppResult<Response> {
    form_page(state, visitor, status, |csrf| AcceptPage {
        shell: Shell::new(state, visitor, "Accept your invitation", "/invitations/accept"),
        errors,
        csrf,
        token,
        name: inv.name,
        email: inv.email,
        role: inv.role.label(),
    })
    .await
}

#[derive(Deserialize)]
struct AcceptForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

async fn accept(State(state): State<AppState>, visitor: Visitor, Form(form): Form<AcceptForm>) -> AppResult<Response> {
    let Some(inv) = state.store.invitation_by_token(&form.token).await? else {
        return dead_link(&state, &visitor, UNKNOWN_LINK.into());
    };
    let mut errors = FormErrors::default();
    new_password_field(&mut errors, "password", &form.password);
    if !errors.is_empty() {
        return accept_page(
            &state,
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            form.token,
            inv,
        )
        .await;
    }
    let user = match state
        .store
        .accept_invitation(&form.token, &form.password, &visitor.ip)
        .await
    {
        Ok(user) => user,
        Err(StoreError::NotFound) => return dead_link(&state, &visitor, UNKNOWN_LINK.into()),
        Err(e) => return dead_link(&state, &visitor, refusal_text(e)?),
    };
    // Signed in at once, in a new session: one fixed before is worthless after.
    if let Some(old) = &visitor.session {
        state.store.end_session(&old.id_hash).await?;
    }
    let (token, session) = state.store.create_session(Some(user.id), state.config.sessions).await?;
    state
        .store
        .set_flash(
            &session.id_hash,
            Some("Welcome. Your login is ready; you are signed in."),
        )
        .await?;
    tracing::info!(user = user.id, "invitation accepted");
    Ok(with_cookie(
        Redirect::to(home(user.role)).into_response(),
        Some(session_cookie(&token, visitor.https)),
    ))
}

// ---- The office's list

#[derive(Template)]
#[template(path = "invitations/office.html")]
struct OfficePage {
    shell: Shell,
    csrf: String,
    q: String,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    rows: Vec<OfficeRow>,
    total: u64,
    page: u64,
    pages: u64,
}

struct OfficeRow {
    id: i64,
    name: String,
    email: String,
    role: &'static str,
    record: String,
    status: &'static str,
    open: bool,
    sent: String,
    expires: String,
}

impl OfficeRow {
    fn of(i: Invitation) -> OfficeRow {
        OfficeRow {
            id: i.id,
            role: i.role.label(),
            record: record_href(i.link),
            status: i.status.label(),
            open: matches!(i.status, InvitationStatus::Pending | InvitationStatus::Expired),
            sent: crate::format::when(i.sent_at),
            expires: expiry(i.expires_at, i.status),
            name: i.name,
            email: i.email,
        }
    }
}

fn expiry(at: OffsetDateTime, status: InvitationStatus) -> String {
    match status {
        InvitationStatus::Pending | InvitationStatus::Expired => crate::format::when(at),
        _ => String::new(),
    }
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    page: Option<String>,
}

async fn list(a: Acting, Query(query): Query<ListQuery>) -> AppResult<Response> {
    let status = InvitationStatus::parse(query.status.trim());
    let page = a
        .state
        .store
        .list_invitations(&InvitationFilter {
            status,
            q: query.q.clone(),
            page: page_number(query.page.as_deref()),
            per_page: PER_PAGE,
        })
        .await?;
    let pages = page.pages();
    let view = OfficePage {
        shell: Shell::new(&a.state, &a.visitor, "Invitations", "/admin/invitations"),
        csrf: a.csrf(),
        q: query.q,
        status: status.map(|s| s.as_str()).unwrap_or_default().to_owned(),
        statuses: InvitationStatus::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        total: page.total,
        page: page.page,
        pages,
        rows: page.rows.into_iter().map(OfficeRow::of).collect(),
    };
    render_clearing_flash(&a.state, &a.visitor, &view).await
}

async fn everyone(a: Acting) -> AppResult<Response> {
    let done = a.state.store.invite_everyone(&a.actor(), &mail(&a.state)).await?;
    let message = match done.total() {
        0 => "Everyone with an email already has a login or an invitation waiting; nobody new was invited.".to_owned(),
        n => format!(
            "{n} invited: {} member{} of staff and {} school contact{}.",
            done.staff,
            if done.staff == 1 { "" } else { "s" },
            done.contacts,
            if done.contacts == 1 { "" } else { "s" }
        ),
    };
    a.done(&message, "/admin/invitations").await
}

#[derive(Deserialize)]
struct BackForm {
    back: Option<String>,
}

async fn resend(a: Acting, Path(id): Path<i64>, Form(form): Form<BackForm>) -> AppResult<Response> {
    let to = back_to(&form.back, "/admin/invitations");
    let outcome = a.state.store.resend_invitation(&a.actor(), id, &mail(&a.state)).await;
    let outcome = outcome.map(|i| {
        format!(
            "A new invitation has been sent to {}; the old link no longer works.",
            i.email
        )
    });
    a.said(outcome, &to).await
}

async fn withdraw(a: Acting, Path(id): Path<i64>, Form(form): Form<BackForm>) -> AppResult<Response> {
    let to = back_to(&form.back, "/admin/invitations");
    let outcome = a.state.store.withdraw_invitation(&a.actor(), id).await;
    a.said(outcome.map(|()| "Invitation withdrawn; its link no longer works."), &to)
        .await
}

/// Sends an invitation from a record's screen and says how it went there.
async fn invite_from_record(a: &Acting, new: NewInvitation) -> AppResult<Response> {
    let to = record_href(new.link);
    let outcome = a
        .state
        .store
        .invite(&a.actor(), &PupilScope::All, &new, &mail(&a.state))
        .await;
    a.said(
        outcome.map(|i| format!("Invitation sent to {}. The link works for 7 days.", i.email)),
        &to,
    )
    .await
}

#[derive(Deserialize)]
struct StaffInviteForm {
    #[serde(default)]
    role: String,
}

async fn invite_staff(a: Acting, Path(id): Path<i64>, Form(form): Form<StaffInviteForm>) -> AppResult<Response> {
    let staff = a.state.store.staff_member(id).await?.ok_or(AppError::NotFound)?;
    let role = match Role::parse(&form.role) {
        Some(r) => r,
        None => return Err(AppError::BadRequest("Choose teacher or manager for the login.".into())),
    };
    let new = NewInvitation {
        email: staff.email,
        role,
        link: InvitationLink::Staff(id),
        name: None,
    };
    invite_from_record(&a, new).await
}

async fn invite_contact(a: Acting, Path((id, contact)): Path<(i64, i64)>) -> AppResult<Response> {
    let contact = a
        .state
        .store
        .school_contact(id, contact)
        .await?
        .ok_or(AppError::NotFound)?;
    let new = NewInvitation {
        email: contact.email,
        role: Role::School,
        link: InvitationLink::School(id),
        name: Some(contact.name),
    };
    invite_from_record(&a, new).await
}

// ---- A parent's children's logins

#[derive(Template)]
#[template(path = "invitations/children.html")]
struct ChildrenPage {
    shell: Shell,
    csrf: String,
    /// The form in error: the field's id and what is wrong.
    problem: Option<(String, String)>,
    children: Vec<ChildRow>,
    verified: bool,
}

struct ChildRow {
    id: i64,
    name: String,
    state: String,
    /// The child may be invited (no login and no invitation waiting).
    can_invite: bool,
    /// What was typed, kept when the form is shown again.
    email: String,
    error: Option<String>,
}

async fn child_rows(state: &AppState, children: Vec<PupilSummary>) -> AppResult<Vec<ChildRow>> {
    let mut rows = Vec::with_capacity(children.len());
    for c in children {
        let login = state.store.login_state_of(InvitationLink::Pupil(c.id)).await?;
        rows.push(ChildRow {
            id: c.id,
            name: format!("{} {}", c.first_name, c.last_name),
            state: state_words(&login),
            can_invite: matches!(login, LoginState::NoLogin | LoginState::Invited { expired: true, .. }),
            email: String::new(),
            error: None,
        });
    }
    Ok(rows)
}

async fn children_page(a: &Acting, failed: Option<(i64, String, String)>) -> AppResult<Response> {
    let (state, visitor, user) = (&a.state, &a.visitor, &a.user);
    let children = if user.email_verified {
        state.store.children_of_guardian(&user.email).await?
    } else {
        Vec::new()
    };
    let mut rows = child_rows(state, children).await?;
    let mut problem = None;
    if let Some((pupil, typed, words)) = failed
        && let Some(row) = rows.iter_mut().find(|r| r.id == pupil)
    {
        row.email = typed;
        row.error = Some(words.clone());
        problem = Some((format!("email-{pupil}"), words));
    }
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ChildrenPage {
        shell: Shell::new(state, visitor, "Your children's logins", "/parent/logins"),
        csrf: a.csrf(),
        problem,
        children: rows,
        verified: user.email_verified,
    };
    Ok((status, render_clearing_flash(state, visitor, &page).await?).into_response())
}

async fn children(a: Acting) -> AppResult<Response> {
    children_page(&a, None).await
}

#[derive(Deserialize)]
struct ChildInviteForm {
    #[serde(default)]
    pupil_id: String,
    #[serde(default)]
    email: String,
}

async fn invite_child(a: Acting, Form(form): Form<ChildInviteForm>) -> AppResult<Response> {
    let pupil_id: i64 = form.pupil_id.trim().parse().map_err(|_| AppError::NotFound)?;
    let mut errors = FormErrors::default();
    let Some(email) = email_field(&mut errors, "email", &form.email) else {
        let words = errors.get("email").unwrap_or_default().to_owned();
        return children_page(&a, Some((pupil_id, form.email, words))).await;
    };
    let new = NewInvitation {
        email,
        role: Role::Pupil,
        link: InvitationLink::Pupil(pupil_id),
        name: None,
    };
    let scope = PupilScope::for_user(&a.user);
    match a.state.store.invite(&a.actor(), &scope, &new, &mail(&a.state)).await {
        Ok(i) => {
            let message = format!(
                "We have sent an invitation to {}. Open the link in it to choose your child's password; it works for 7 days.",
                i.email
            );
            a.done(&message, "/parent/logins").await
        }
        Err(StoreError::NotFound) => Err(AppError::NotFound),
        Err(e) => {
            let words = refusal_text(e)?;
            children_page(&a, Some((pupil_id, form.email, words))).await
        }
    }
}
