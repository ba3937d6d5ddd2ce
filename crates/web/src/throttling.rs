//! Limits on password guesses and on account mail, as the pages apply them: a guess is
//! reserved before the password is checked, browsers an account knows are counted on their
//! own, and a refusal says when to try again (docs/decisions/0064-login-throttling-and-lockout.md).
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;
use tutti_store::platform::throttle::{Limit, Reservation, Scope};

use crate::error::AppResult;
use crate::session::{Visitor, cookie_value};
use crate::state::AppState;

/// The cookie naming a browser that has logged in to an account before.
pub const DEVICE_COOKIE: &str = "tutti_device";

/// Whether a password guess may be checked.
pub enum Guess {
    /// Check it; give these reservations back if it is right.
    Go(Vec<i64>),
    /// Refused until this instant.
    Wait(OffsetDateTime),
}

/// Reserves one guess at `email`'s password: against the browser when the account knows it,
/// else against the account and the client's address.
pub async fn reserve_guess(state: &AppState, headers: &HeaderMap, visitor: &Visitor, email: &str) -> AppResult<Guess> {
    let c = &state.config;
    let device = match cookie_value(headers, DEVICE_COOKIE) {
        Some(secret) => state.store.known_device_key(email, &secret).await?,
        None => None,
    };
    let limit = |scope, max| Limit {
        scope,
        max,
        window: c.login_window,
    };
    let pairs: Vec<(Limit, &str)> = match &device {
        Some(key) => vec![(limit(Scope::Device, c.login_failures_per_account), key.as_str())],
        None => vec![
            (limit(Scope::Account, c.login_failures_per_account), email),
            (limit(Scope::Address, c.login_failures_per_address), visitor.ip.as_str()),
        ],
    };
    Ok(match state.store.reserve_attempt(&pairs).await? {
        Reservation::Granted(ids) => Guess::Go(ids),
        Reservation::Refused { until } => Guess::Wait(until),
    })
}

/// After a right password: its reservations are given back, the account's count of wrong
/// guesses is forgotten, and a browser new to the account is remembered. Returns the cookie
/// to set for a new browser.
pub async fn right_password(
    state: &AppState,
    headers: &HeaderMap,
    visitor: &Visitor,
    user_id: i64,
    email: &str,
    reserved: &[i64],
) -> AppResult<Option<HeaderValue>> {
    state.store.release_attempts(reserved).await?;
    state.store.clear_attempts(Scope::Account, email).await?;
    let known = match cookie_value(headers, DEVICE_COOKIE) {
        Some(secret) => state.store.known_device_key(email, &secret).await?,
        None => None,
    };
    if let Some(key) = known {
        state.store.clear_attempts(Scope::Device, &key).await?;
        return Ok(None);
    }
    let secret = state.store.remember_device(user_id).await?;
    Ok(Some(device_cookie(&secret, visitor.https)))
}

/// A year-long, HttpOnly cookie: it proves nothing by itself (a password is still needed),
/// it only keeps the browser's guesses apart from strangers'.
fn device_cookie(secret: &str, secure: bool) -> HeaderValue {
    let mut c = format!("{DEVICE_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000");
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("a token is plain ASCII")
}

/// Reserves one account mail (reset or confirmation) to `recipient` asked for from the
/// visitor's address. `Some(until)` when either limit is reached.
pub async fn reserve_mail(state: &AppState, visitor: &Visitor, recipient: &str) -> AppResult<Option<OffsetDateTime>> {
    let c = &state.config;
    let limit = |scope, max| Limit {
        scope,
        max,
        window: c.mail_window,
    };
    let pairs = [
        (limit(Scope::MailRecipient, c.mail_per_recipient), recipient),
        (limit(Scope::MailAddress, c.mail_per_address), visitor.ip.as_str()),
    ];
    Ok(match state.store.reserve_attempt(&pairs).await? {
        Reservation::Granted(_) => None,
        Reservation::Refused { until } => Some(until),
    })
}

/// "Try again after 14:05 (in 12 minutes)." in London's time.
pub fn try_again(until: OffsetDateTime, now: OffsetDateTime) -> String {
    let minutes = ((until - now).whole_seconds().max(0) + 59) / 60;
    let at = tutti_domain::clock::in_london(until);
    let plural = if minutes == 1 { "" } else { "s" };
    format!(
        "Try again after {:02}:{:02} (in {} minute{plural}).",
        at.hour(),
        at.minute(),
        minutes.max(1)
    )
}

/// A response turned into `429 Too Many Requests` with `Retry-After` in seconds.
pub fn too_many(response: Response, until: OffsetDateTime, now: OffsetDateTime) -> Response {
    let seconds = (until - now).whole_seconds().max(1);
    let mut r = (StatusCode::TOO_MANY_REQUESTS, response).into_response();
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_wait_is_said_in_london_time_and_rounded_up() {
        let now = datetime!(2026-07-01 09:00:00 UTC);
        assert_eq!(
            try_again(datetime!(2026-07-01 09:12:30 UTC), now),
            "Try again after 10:12 (in 13 minutes)."
        );
        assert_eq!(
            try_again(datetime!(2026-12-01 09:00:20 UTC), datetime!(2026-12-01 09:00:00 UTC)),
            "Try again after 09:00 (in 1 minute)."
        );
    }
}
