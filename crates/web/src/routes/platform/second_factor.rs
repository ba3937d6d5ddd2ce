//! Second factors: enrolling an authenticator app, passkeys and recovery codes on
//! `/account/security`, and giving one after the password at `/login/second-factor`. Admins
//! and managers must enrol before any office page (access.rs); anyone may.
use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use tutti_auth::{qr, totp, webauthn};
use tutti_store::StoreError;
use tutti_store::platform::accounts::User;
use tutti_store::platform::second_factors::{PasskeySummary, SecondFactors};
use tutti_store::platform::sessions::Session;

use crate::access::{Access, Audience, Routes, safe_next};
use crate::acting::Acting;
use crate::error::{AppError, AppResult, refusal_text};
use crate::format::when;
use crate::forms::FormErrors;
use crate::pages::{render, render_clearing_flash};
use crate::session::Visitor;
use crate::shell::Shell;
use crate::state::AppState;
use crate::throttling::{Guess, reserve_guess, too_many, try_again};

/// Enrolment, for anyone signed in (reachable before a required factor is enrolled).
pub fn account_audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/account/security", get(security))
            .route("/account/security/totp", post(confirm_totp))
            .route("/account/security/totp/remove", post(remove_totp))
            .route("/account/security/recovery-codes", post(new_codes))
            .route("/account/security/passkeys/options", post(passkey_creation_options))
            .route("/account/security/passkeys", post(add_passkey))
            .route("/account/security/passkeys/{id}/remove", post(remove_passkey)),
    )
}

/// The step after the password. Public, because a session that owes its second factor is
/// kept away from every other page; the handlers check the session themselves.
pub fn login_audience() -> Audience {
    Audience::new(
        Access::Public,
        Routes::new()
            .route("/login/second-factor", get(challenge_form).post(check_code))
            .route("/login/second-factor/passkey/options", post(passkey_request_options))
            .route("/login/second-factor/passkey", post(check_passkey)),
    )
}

/// What the session's challenge column holds while a factor is being set up or given.
const TOTP_PENDING: &str = "totp:";
const PASSKEY_PENDING: &str = "passkey:";

/// The relying party: the host people reach the hub at, and its origin.
fn relying_party(state: &AppState) -> (String, String) {
    relying_party_of(&state.config.public_url)
}

/// The host (the WebAuthn "RP ID") and the origin of a public address.
fn relying_party_of(public_url: &str) -> (String, String) {
    let url = public_url.trim_end_matches('/');
    let origin = match url.find("://").and_then(|i| url[i + 3..].find('/').map(|j| i + 3 + j)) {
        Some(end) => &url[..end],
        None => url,
    };
    let host_port = origin.split("://").nth(1).unwrap_or(origin);
    let host = match host_port.rsplit_once(':') {
        Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host_port,
    };
    (host.to_owned(), origin.to_owned())
}

// ---- /account/security

#[derive(Template)]
#[template(path = "account/security.html")]
struct SecurityPage {
    shell: Shell,
    csrf: String,
    errors: FormErrors,
    must_enrol: bool,
    next: String,
    factors: SecondFactors,
    passkeys: Vec<PasskeyRow>,
    /// While no app is set up: the secret to type in, and its QR code.
    totp_secret: String,
    totp_qr: String,
    /// Recovery codes just made: shown on this response only.
    new_codes: Vec<String>,
}

struct PasskeyRow {
    id: i64,
    name: String,
    created: String,
    last_used: String,
}

impl From<PasskeySummary> for PasskeyRow {
    fn from(p: PasskeySummary) -> Self {
        PasskeyRow {
            id: p.id,
            name: p.name,
            created: when(p.created_at),
            last_used: p.last_used_at.map(when).unwrap_or_else(|| "Never".into()),
        }
    }
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

/// The page, with a pending authenticator secret kept in the session (made when absent).
async fn security_page(a: &Acting, next: Option<&str>, errors: FormErrors) -> AppResult<SecurityPage> {
    let Acting {
        state,
        visitor,
        user,
        session,
    } = a;
    let factors = state.store.second_factors(user.id).await?;
    let (mut totp_secret, mut totp_qr) = (String::new(), String::new());
    if !factors.totp {
        let pending = session
            .challenge
            .as_deref()
            .and_then(|c| c.strip_prefix(TOTP_PENDING))
            .map(str::to_owned);
        let secret = match pending {
            Some(s) => s,
            None => {
                let s = totp::base32_encode(&totp::generate_secret());
                state
                    .store
                    .set_session_challenge(&session.id_hash, Some(&format!("{TOTP_PENDING}{s}")))
                    .await?;
                s
            }
        };
        let bytes = totp::base32_decode(&secret).unwrap_or_default();
        let uri = totp::otpauth_uri(&bytes, &state.hub_name(), &user.email);
        totp_qr = qr::svg(&uri, "QR code for your authenticator app").unwrap_or_default();
        totp_secret = secret;
    }
    Ok(SecurityPage {
        shell: Shell::new(state, visitor, "Security: second factors", "/account/security"),
        csrf: session.csrf_token.clone(),
        errors,
        must_enrol: user.must_enrol_second_factor(),
        next: next.map(|n| safe_next(Some(n))).unwrap_or_default(),
        passkeys: factors.passkeys.iter().cloned().map(PasskeyRow::from).collect(),
        factors,
        totp_secret,
        totp_qr,
        new_codes: Vec::new(),
    })
}

async fn security(a: Acting, Query(q): Query<NextQuery>) -> AppResult<Response> {
    let page = security_page(&a, q.next.as_deref(), FormErrors::default()).await?;
    render_clearing_flash(&a.state, &a.visitor, &page).await
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
    next: Option<String>,
}

async fn confirm_totp(mut a: Acting, Form(form): Form<CodeForm>) -> AppResult<Response> {
    let pending = a
        .session
        .challenge
        .as_deref()
        .and_then(|c| c.strip_prefix(TOTP_PENDING))
        .and_then(totp::base32_decode);
    let mut errors = FormErrors::default();
    let outcome = match pending {
        None => Err("The set-up has expired. Scan the new QR code below and type the code your app shows.".to_owned()),
        Some(secret) => match a
            .state
            .store
            .confirm_totp(&a.actor(), a.user.id, &secret, &form.code)
            .await
        {
            Ok(()) => Ok(()),
            Err(e) => Err(refusal_text(e)?),
        },
    };
    match outcome {
        Ok(()) => {
            // Typing the code proved the factor: this session has given it.
            a.state.store.mark_second_factor_done(&a.session.id_hash).await?;
            // The set-up's secret is spent: the page is drawn from the session without it.
            a.session.challenge = None;
            let mut page = security_page(&a, form.next.as_deref(), FormErrors::default()).await?;
            if page.factors.recovery_codes_left == 0 {
                page.new_codes = a.state.store.new_recovery_codes(&a.actor(), a.user.id).await?;
                page.factors.recovery_codes_left = page.new_codes.len() as i64;
            }
            page.must_enrol = false;
            page.shell.flash = Some("Your authenticator app is set up.".into());
            no_store(render(&page)?)
        }
        Err(m) => {
            errors.add("code", m);
            let page = security_page(&a, form.next.as_deref(), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

/// A page with secrets on it (recovery codes) must not be kept by any cache.
fn no_store(mut response: Response) -> AppResult<Response> {
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// What is being removed: the authenticator app, or one passkey.
#[derive(Clone, Copy)]
enum Removing {
    App,
    Passkey(i64),
}

/// Whether removing one factor would leave a user who must have one with none.
fn would_leave_none(user: &User, factors: &SecondFactors, removing: Removing) -> bool {
    let needs = matches!(
        user.role,
        tutti_store::platform::accounts::Role::Admin | tutti_store::platform::accounts::Role::Manager
    ) && !user.is_demo;
    let (apps, passkeys) = (usize::from(factors.totp), factors.passkeys.len());
    let left = match removing {
        Removing::App => passkeys,
        Removing::Passkey(_) => apps + passkeys.saturating_sub(1),
    };
    needs && left == 0
}

async fn refuse_removal(a: &Acting) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    errors.add(
        "factors",
        "Your role must keep a second factor. Add another (an app or a passkey) before removing this one.",
    );
    let page = security_page(a, None, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

async fn remove_totp(a: Acting) -> AppResult<Response> {
    remove_factor(&a, Removing::App).await
}

async fn remove_passkey(a: Acting, Path(id): Path<i64>) -> AppResult<Response> {
    remove_factor(&a, Removing::Passkey(id)).await
}

/// Removes the app or a passkey of the user's own (another's passkey is 404), unless it is
/// the last second factor of someone who must keep one.
async fn remove_factor(a: &Acting, removing: Removing) -> AppResult<Response> {
    let factors = a.state.store.second_factors(a.user.id).await?;
    if let Removing::Passkey(id) = removing
        && !factors.passkeys.iter().any(|p| p.id == id)
    {
        return Err(AppError::NotFound);
    }
    if would_leave_none(&a.user, &factors, removing) {
        return refuse_removal(a).await;
    }
    let message = match removing {
        Removing::App => {
            a.state.store.remove_totp(&a.actor(), a.user.id).await?;
            "Your authenticator app was removed."
        }
        Removing::Passkey(id) => {
            a.state.store.remove_passkey(&a.actor(), a.user.id, id).await?;
            "The passkey was removed."
        }
    };
    a.done(message, "/account/security").await
}

async fn new_codes(a: Acting) -> AppResult<Response> {
    let codes = a.state.store.new_recovery_codes(&a.actor(), a.user.id).await?;
    let mut page = security_page(&a, None, FormErrors::default()).await?;
    page.new_codes = codes;
    page.shell.flash = Some("New recovery codes made; the old ones no longer work.".into());
    no_store(render(&page)?)
}

/// A refusal for the passkey script to show (its `detail`).
fn json_error(status: StatusCode, message: impl Into<String>) -> Response {
    crate::problem::Problem::new(status, message).into_response()
}

/// Starts a passkey ceremony: a fresh challenge kept with the session until it comes back
/// signed, and the IDs of the user's passkeys (to exclude when adding, to allow when signing
/// in). Returns the relying party's ID, the challenge and those IDs.
async fn begin_passkey(state: &AppState, user: &User, session: &Session) -> AppResult<(String, String, Vec<Vec<u8>>)> {
    let (rp_id, _) = relying_party(state);
    let challenge = webauthn::challenge();
    let ids: Vec<Vec<u8>> = state
        .store
        .stored_passkeys(user.id)
        .await?
        .iter()
        .filter_map(|p| webauthn::base64url_decode(&p.credential_id).ok())
        .collect();
    state
        .store
        .set_session_challenge(&session.id_hash, Some(&format!("{PASSKEY_PENDING}{challenge}")))
        .await?;
    Ok((rp_id, challenge, ids))
}

async fn passkey_creation_options(a: Acting) -> AppResult<Response> {
    let Acting {
        state, user, session, ..
    } = a;
    let (rp_id, challenge, existing) = begin_passkey(&state, &user, &session).await?;
    let options = webauthn::creation_options(
        &rp_id,
        &state.hub_name(),
        &user.id.to_be_bytes(),
        &user.email,
        &user.name,
        &challenge,
        &existing,
    );
    Ok(Json(json!({ "publicKey": options })).into_response())
}

#[derive(Deserialize)]
struct Registration {
    #[serde(default)]
    name: String,
    #[serde(rename = "clientDataJSON", default)]
    client_data_json: String,
    #[serde(rename = "attestationObject", default)]
    attestation_object: String,
}

/// The passkey challenge the session waits on, if it has not expired.
fn passkey_challenge(session: &Session) -> Option<&str> {
    session
        .challenge
        .as_deref()
        .and_then(|c| c.strip_prefix(PASSKEY_PENDING))
}

/// The 409 telling the browser to start again: the passkey challenge has expired.
fn passkey_expired() -> Response {
    json_error(
        StatusCode::CONFLICT,
        "Start again: the request for a passkey has expired.",
    )
}

async fn add_passkey(a: Acting, Json(r): Json<Registration>) -> AppResult<Response> {
    let Some(challenge) = passkey_challenge(&a.session) else {
        return Ok(passkey_expired());
    };
    let (rp_id, origin) = relying_party(&a.state);
    let decoded = (
        webauthn::base64url_decode(&r.client_data_json),
        webauthn::base64url_decode(&r.attestation_object),
    );
    let (Ok(client_data), Ok(attestation)) = decoded else {
        return Ok(json_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The passkey's answer could not be read.",
        ));
    };
    let new = match webauthn::verify_registration(&rp_id, &origin, challenge, &client_data, &attestation) {
        Ok(n) => n,
        Err(e) => return Ok(json_error(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())),
    };
    let name = match r.name.trim() {
        "" => "Passkey".to_owned(),
        n => n.chars().take(100).collect(),
    };
    match a
        .state
        .store
        .add_passkey(
            &a.actor(),
            a.user.id,
            &name,
            &webauthn::base64url_encode(&new.credential_id),
            &webauthn::base64url_encode(&new.public_key),
            new.sign_count,
        )
        .await
    {
        Ok(_) => {}
        Err(StoreError::Refused(r)) if r.is_conflict() => {
            return Ok(crate::problem::Problem::refused(&r).into_response());
        }
        Err(e) => return Err(e.into()),
    }
    a.state.store.mark_second_factor_done(&a.session.id_hash).await?;
    a.state
        .store
        .set_flash(&a.session.id_hash, Some("Your passkey is set up."))
        .await?;
    Ok(Json(json!({ "location": "/account/security" })).into_response())
}

// ---- /login/second-factor

#[derive(Template)]
#[template(path = "account/second_factor.html")]
struct ChallengePage {
    shell: Shell,
    csrf: String,
    errors: FormErrors,
    next: String,
    passkeys: bool,
    totp: bool,
}

/// The session of someone who has given their password and owes a second factor.
fn owing(visitor: &Visitor) -> Option<(&Session, &User)> {
    let session = visitor.session.as_ref()?;
    let user = session.user.as_ref()?;
    session.awaits_second_factor().then_some((session, user))
}

async fn challenge_page(
    state: &AppState,
    visitor: &Visitor,
    session: &Session,
    user: &User,
    next: &str,
    errors: FormErrors,
) -> AppResult<ChallengePage> {
    let factors = state.store.second_factors(user.id).await?;
    Ok(ChallengePage {
        shell: Shell::new(state, visitor, "Confirm it is you", "/login/second-factor"),
        csrf: session.csrf_token.clone(),
        errors,
        next: next.to_owned(),
        passkeys: !factors.passkeys.is_empty(),
        totp: factors.totp,
    })
}

async fn challenge_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    let next = safe_next(q.next.as_deref());
    let Some((session, user)) = owing(&visitor) else {
        return Ok(Redirect::to(&next).into_response());
    };
    render(&challenge_page(&state, &visitor, session, user, &next, FormErrors::default()).await?)
}

async fn check_code(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let next = safe_next(form.next.as_deref());
    let Some((session, user)) = owing(&visitor) else {
        return Ok(Redirect::to(&next).into_response());
    };
    let mut errors = FormErrors::default();
    let code = form.code.trim();
    if code.is_empty() {
        errors.add("code", "Enter the code from your app, or one of your recovery codes");
    } else {
        // A code is a guess like a password: the same limit holds, whichever is guessed.
        match reserve_guess(&state, &headers, &visitor, &user.email).await? {
            Guess::Wait(until) => {
                let now = state.store.now();
                errors.add("code", format!("Too many wrong codes. {}", try_again(until, now)));
                let page = challenge_page(&state, &visitor, session, user, &next, errors).await?;
                let response = (StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response();
                return Ok(too_many(response, until, now));
            }
            Guess::Go(reserved) => {
                let right = state.store.check_totp(user.id, code).await?
                    || state.store.use_recovery_code(user.id, code).await?;
                if right {
                    state.store.release_attempts(&reserved).await?;
                    state.store.mark_second_factor_done(&session.id_hash).await?;
                    tracing::info!(user = user.id, "second factor given");
                    return Ok(Redirect::to(&next).into_response());
                }
                errors.add(
                    "code",
                    "That code is not right. Type the newest code your app shows, or an unused recovery code.",
                );
            }
        }
    }
    let page = challenge_page(&state, &visitor, session, user, &next, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
}

async fn passkey_request_options(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    let Some((session, user)) = owing(&visitor) else {
        return Ok(json_error(
            StatusCode::CONFLICT,
            "There is no sign-in waiting for a passkey.",
        ));
    };
    let (rp_id, challenge, allow) = begin_passkey(&state, user, session).await?;
    Ok(Json(json!({ "publicKey": webauthn::request_options(&rp_id, &challenge, &allow) })).into_response())
}

#[derive(Deserialize)]
struct Assertion {
    #[serde(default)]
    id: String,
    #[serde(rename = "clientDataJSON", default)]
    client_data_json: String,
    #[serde(rename = "authenticatorData", default)]
    authenticator_data: String,
    #[serde(default)]
    signature: String,
    next: Option<String>,
}

async fn check_passkey(
    State(state): State<AppState>,
    visitor: Visitor,
    Json(a): Json<Assertion>,
) -> AppResult<Response> {
    let Some((session, user)) = owing(&visitor) else {
        return Ok(json_error(
            StatusCode::CONFLICT,
            "There is no sign-in waiting for a passkey.",
        ));
    };
    let Some(challenge) = passkey_challenge(session) else {
        return Ok(passkey_expired());
    };
    let stored = state.store.stored_passkeys(user.id).await?;
    let Some(key) = stored.iter().find(|p| p.credential_id == a.id) else {
        return Ok(json_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "That passkey is not one of this account's.",
        ));
    };
    let parts = (
        webauthn::base64url_decode(&key.public_key),
        webauthn::base64url_decode(&a.client_data_json),
        webauthn::base64url_decode(&a.authenticator_data),
        webauthn::base64url_decode(&a.signature),
    );
    let (Ok(public_key), Ok(client_data), Ok(auth_data), Ok(signature)) = parts else {
        return Ok(json_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The passkey's answer could not be read.",
        ));
    };
    let (rp_id, origin) = relying_party(&state);
    let stored_count = u32::try_from(key.sign_count).unwrap_or(0);
    match webauthn::verify_assertion(
        &rp_id,
        &origin,
        challenge,
        &public_key,
        stored_count,
        &client_data,
        &auth_data,
        &signature,
    ) {
        Ok(count) => {
            state.store.passkey_used(key.id, count).await?;
            state.store.mark_second_factor_done(&session.id_hash).await?;
            tracing::info!(user = user.id, "second factor given by passkey");
            let next = safe_next(a.next.as_deref());
            Ok(Json(json!({ "location": next })).into_response())
        }
        Err(e) => Ok(json_error(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relying_party_is_the_public_address_host_and_origin() {
        assert_eq!(
            relying_party_of("https://hub.example.org/"),
            ("hub.example.org".to_owned(), "https://hub.example.org".to_owned())
        );
        assert_eq!(
            relying_party_of("http://localhost:8080/sub/path"),
            ("localhost".to_owned(), "http://localhost:8080".to_owned())
        );
        assert_eq!(
            relying_party_of("https://hub.example.org:8443"),
            ("hub.example.org".to_owned(), "https://hub.example.org:8443".to_owned())
        );
    }
}
