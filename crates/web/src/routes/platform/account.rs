//! Accounts: sign up, email confirmation, log in and out, password reset and change, and the
//! dashboard each person lands on.
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use time::Duration;
use tutti_store::StoreError;
use tutti_store::platform::accounts::{LoginOutcome, NewUser, Role, User, normalise_email};
use tutti_store::platform::throttle::Scope;
use tutti_store::platform::tokens::Purpose;

use crate::throttling::{Guess, reserve_guess, reserve_mail, right_password, too_many, try_again};

use crate::access::{Access, Audience, Routes, safe_next};
use crate::acting::Acting;
use crate::error::AppResult;
use crate::forms::{FormErrors, email_field, new_password_field};
use crate::pages::{
    DashboardPage, ForgotPage, LoginPage, MessagePage, PasswordPage, ResetPage, SignupPage, render,
    render_clearing_flash,
};
use crate::routes::platform::form_page::{form_page, with_cookie};
use crate::session::{Visitor, clear_cookie, form_token, session_cookie};
use crate::shell::Shell;
use crate::state::AppState;

/// Pages for people who are not (yet) signed in.
pub fn public_audience() -> Audience {
    Audience::new(
        Access::Public,
        Routes::new()
            .route("/login", get(login_form).post(login))
            .route("/logout", post(logout))
            .route("/signup", get(signup_form).post(signup))
            .route("/verify-email", get(verify_email))
            .route("/forgot-password", get(forgot_form).post(forgot))
            .route("/reset-password", get(reset_form).post(reset)),
    )
}

/// Pages for anyone signed in, whatever their role.
pub fn signed_in_audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new()
            .route("/account", get(dashboard))
            .route("/account/password", get(password_form).post(change_password))
            .route("/account/resend-verification", post(resend_verification)),
    )
}

const VERIFY_LINK_LIFETIME: Duration = Duration::days(3);
const RESET_LINK_LIFETIME: Duration = Duration::hours(1);

fn message(
    state: &AppState,
    visitor: &Visitor,
    heading: &str,
    paragraphs: &[&str],
    link: Option<(&str, &str)>,
) -> AppResult<Response> {
    render(&MessagePage {
        shell: Shell::new(state, visitor, heading, ""),
        heading: heading.to_owned(),
        paragraphs: paragraphs.iter().map(|p| (*p).to_owned()).collect(),
        link: link.map(|(a, b)| (a.to_owned(), b.to_owned())),
    })
}

fn link(state: &AppState, path: &str, token: &str) -> String {
    format!("{}{path}?token={token}", state.config.public_url.trim_end_matches('/'))
}

/// Mails the user a one-time link for `purpose` (to confirm their address, or to choose a new
/// password): `write` makes the subject and the body from the hub's name and the link.
async fn mail_link(
    state: &AppState,
    user: &User,
    purpose: Purpose,
    write: impl FnOnce(&str, &str) -> (String, String),
) -> AppResult<()> {
    let (path, lifetime) = match purpose {
        Purpose::ResetPassword => ("/reset-password", RESET_LINK_LIFETIME),
        Purpose::VerifyEmail => ("/verify-email", VERIFY_LINK_LIFETIME),
    };
    let token = state.store.issue_token(user.id, purpose, lifetime).await?;
    let (subject, body) = write(&state.hub_name(), &link(state, path, &token));
    state.store.send_secret_mail(&user.email, &subject, &body).await?;
    Ok(())
}

// ---- Log in and out

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if visitor.user().is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    let (csrf, cookie) = form_token(&state, &visitor).await?;
    let page = LoginPage {
        shell: Shell::new(&state, &visitor, "Log in", "/login"),
        errors: FormErrors::default(),
        csrf,
        email: String::new(),
        next: safe_next(q.next.as_deref()),
    };
    Ok(with_cookie(
        render_clearing_flash(&state, &visitor, &page).await?,
        cookie,
    ))
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    if form.email.trim().is_empty() {
        errors.add("email", "Enter your email address");
    }
    if form.password.is_empty() {
        errors.add("password", "Enter your password");
    }
    let email = normalise_email(&form.email);
    let store = &state.store;
    let mut wait = None;
    let mut reserved = Vec::new();
    if errors.is_empty() {
        match reserve_guess(&state, &headers, &visitor, &email).await? {
            Guess::Go(ids) => reserved = ids,
            Guess::Wait(until) => {
                state.metrics.login_failed("throttled");
                errors.add(
                    "email",
                    format!(
                        "Too many attempts to log in. {} Or reset your password by email.",
                        try_again(until, store.now())
                    ),
                );
                wait = Some(until);
            }
        }
    }
    if errors.is_empty() {
        match store.authenticate(&email, &form.password).await? {
            LoginOutcome::Ok(user) => {
                let device = right_password(&state, &headers, &visitor, user.id, &email, &reserved).await?;
                // A new session id at login: a session fixed before login is worthless after.
                if let Some(old) = &visitor.session {
                    store.end_session(&old.id_hash).await?;
                }
                let (token, _) = store.create_session(Some(user.id), state.config.sessions).await?;
                tracing::info!(user = user.id, "login");
                let target = safe_next(form.next.as_deref());
                let target = if user.second_factor {
                    let next: String = form_urlencoded::byte_serialize(target.as_bytes()).collect();
                    format!("/login/second-factor?next={next}")
                } else {
                    target
                };
                let response = with_cookie(
                    Redirect::to(&target).into_response(),
                    Some(session_cookie(&token, visitor.https)),
                );
                return Ok(with_cookie(response, device));
            }
            LoginOutcome::BadCredentials => {
                state.metrics.login_failed("password");
                errors.add(
                    "email",
                    "The email address or password is not right. Check them and try again.",
                );
            }
            LoginOutcome::Disabled => {
                errors.add(
                    "email",
                    "This account has been disabled. Contact the hub office if you think this is a mistake.",
                );
            }
        }
    }
    let (csrf, cookie) = form_token(&state, &visitor).await?;
    let page = LoginPage {
        shell: Shell::new(&state, &visitor, "Log in", "/login"),
        errors,
        csrf,
        email: form.email,
        next: safe_next(form.next.as_deref()),
    };
    let response = (StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response();
    let response = match wait {
        Some(until) => too_many(response, until, store.now()),
        None => response,
    };
    Ok(with_cookie(response, cookie))
}

async fn logout(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    if let Some(s) = &visitor.session {
        state.store.end_session(&s.id_hash).await?;
    }
    Ok(with_cookie(
        Redirect::to("/").into_response(),
        Some(clear_cookie(visitor.https)),
    ))
}

// ---- Sign up and confirm the email address

async fn signup_form(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    signup_page(
        &state,
        &visitor,
        StatusCode::OK,
        FormErrors::default(),
        String::new(),
        String::new(),
    )
    .await
}

/// The sign-up form, blank or sent back with its errors.
async fn signup_page(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    errors: FormErrors,
    full_name: String,
    email: String,
) -> AppResult<Response> {
    form_page(state, visitor, status, |csrf| SignupPage {
        shell: Shell::new(state, visitor, "Create an account", "/signup"),
        errors,
        csrf,
        full_name,
        email,
    })
    .await
}

#[derive(Deserialize)]
struct SignupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn signup(State(state): State<AppState>, visitor: Visitor, Form(form): Form<SignupForm>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let name = form.name.trim();
    if name.is_empty() {
        errors.add("name", "Enter your full name");
    } else if name.chars().count() > 100 {
        errors.add("name", "Your name must be 100 characters or fewer");
    }
    let email = email_field(&mut errors, "email", &form.email);
    new_password_field(&mut errors, "password", &form.password);
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return signup_page(
            &state,
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            form.name,
            form.email,
        )
        .await;
    };
    if let Some(wait) = mail_refused(&state, &visitor, &email).await? {
        return Ok(wait);
    }
    let created = state
        .store
        .create_user(NewUser {
            email: email.clone(),
            name: name.to_owned(),
            password: form.password,
            role: Role::Parent,
            email_verified: false,
            school_id: None,
            staff_id: None,
            pupil_id: None,
            is_demo: false,
        })
        .await;
    let hub = &state.hub_name();
    match created {
        Ok(user) => {
            mail_link(&state, &user, Purpose::VerifyEmail, |hub, link| {
                (
                    format!("Confirm your email address for {hub}"),
                    format!(
                        "Hello {name},\n\nThank you for creating an account with {hub}. Confirm your email address by opening this link:\n\n{link}\n\nThe link works for 3 days. If you did not create this account, you can ignore this email.\n"
                    ),
                )
            })
            .await?;
        }
        // The page must not reveal whether an email has an account, so the owner is told by email instead.
        Err(StoreError::Refused(tutti_domain::Refusal::Accounts(
            tutti_domain::accounts::AccountRefusal::EmailTaken { .. },
        ))) => {
            let body = format!(
                "Hello,\n\nSomeone tried to create an account with {hub} using this email address, but you already have one.\n\nLog in at {}/login, or reset your password at {}/forgot-password.\n",
                state.config.public_url.trim_end_matches('/'),
                state.config.public_url.trim_end_matches('/')
            );
            state
                .store
                .send_mail(&email, &format!("You already have an account with {hub}"), &body)
                .await?;
        }
        Err(e) => return Err(e.into()),
    }
    message(
        &state,
        &visitor,
        "Check your email",
        &[
            &format!("We have sent an email to {email}. Open the link in it to confirm your address."),
            "You can log in now; we link your account to your children's records once your email is confirmed.",
        ],
        Some(("/login", "Log in")),
    )
}

#[derive(Deserialize)]
struct TokenQuery {
    #[serde(default)]
    token: String,
}

async fn verify_email(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    match state.store.consume_token(&q.token, Purpose::VerifyEmail).await? {
        Some(user_id) => {
            state.store.mark_email_verified(user_id).await?;
            let signed_in = visitor.user().is_some();
            message(
                &state,
                &visitor,
                "Email address confirmed",
                &["Thank you. Your email address is confirmed."],
                Some(if signed_in { ("/account", "Go to your account") } else { ("/login", "Log in") }),
            )
        }
        None => Ok((
            StatusCode::BAD_REQUEST,
            message(
                &state,
                &visitor,
                "This link has expired",
                &["The link has already been used or is more than 3 days old. Log in and ask for a new one from your account page."],
                Some(("/login", "Log in")),
            )?,
        )
            .into_response()),
    }
}

async fn resend_verification(a: Acting) -> AppResult<Response> {
    let Acting {
        state, visitor, user, ..
    } = a;
    if !user.email_verified {
        if let Some(wait) = mail_refused(&state, &visitor, &user.email).await? {
            return Ok(wait);
        }
        mail_link(&state, &user, Purpose::VerifyEmail, |hub, link| {
            (
                format!("Confirm your email address for {hub}"),
                format!(
                    "Hello {},\n\nConfirm your email address for {hub} by opening this link:\n\n{link}\n\nThe link works for 3 days.\n",
                    user.name
                ),
            )
        })
        .await?;
    }
    Ok(Redirect::to("/account").into_response())
}

// ---- Forgotten and changed passwords

async fn forgot_form(State(state): State<AppState>, visitor: Visitor) -> AppResult<Response> {
    forgot_page(&state, &visitor, StatusCode::OK, FormErrors::default(), String::new()).await
}

/// The form asking for a password reset link, blank or sent back with its errors.
async fn forgot_page(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    errors: FormErrors,
    email: String,
) -> AppResult<Response> {
    form_page(state, visitor, status, |csrf| ForgotPage {
        shell: Shell::new(state, visitor, "Reset your password", "/forgot-password"),
        errors,
        csrf,
        email,
    })
    .await
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    email: String,
}

async fn forgot(State(state): State<AppState>, visitor: Visitor, Form(form): Form<ForgotForm>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    let Some(email) = email_field(&mut errors, "email", &form.email) else {
        return forgot_page(&state, &visitor, StatusCode::UNPROCESSABLE_ENTITY, errors, form.email).await;
    };
    // Counted against the address typed, account or not, so the limit tells nobody who has one.
    if let Some(wait) = mail_refused(&state, &visitor, &email).await? {
        return Ok(wait);
    }
    if let Some(user) = state.store.user_by_email(&email).await?.filter(|u| !u.disabled) {
        mail_link(&state, &user, Purpose::ResetPassword, |hub, link| {
            (
                format!("Reset your {hub} password"),
                format!(
                    "Hello {},\n\nSomeone asked to reset the password of your {hub} account. To choose a new password, open this link:\n\n{link}\n\nThe link works for 1 hour and only once. If you did not ask for this, you can ignore this email; your password has not changed.\n",
                    user.name
                ),
            )
        })
        .await?;
    }
    message(
        &state,
        &visitor,
        "Check your email",
        &[&format!(
            "If {email} has an account with us, we have sent it a link to reset the password. The link works for 1 hour."
        )],
        Some(("/login", "Back to log in")),
    )
}

/// Reserves one account mail to `recipient`; when a limit is reached, the page asking the
/// visitor to wait instead (and no mail may be sent).
async fn mail_refused(state: &AppState, visitor: &Visitor, recipient: &str) -> AppResult<Option<Response>> {
    let Some(until) = reserve_mail(state, visitor, recipient).await? else {
        return Ok(None);
    };
    let now = state.store.now();
    let page = message(
        state,
        visitor,
        "Please wait before asking again",
        &[
            "We have already sent several emails to this address in the last few minutes. Check your inbox and \
             spam folder for them first.",
            &try_again(until, now),
        ],
        Some(("/login", "Back to log in")),
    )?;
    Ok(Some(too_many(page, until, now)))
}

fn expired_reset(state: &AppState, visitor: &Visitor) -> AppResult<Response> {
    Ok((
        StatusCode::BAD_REQUEST,
        message(
            state,
            visitor,
            "This link has expired",
            &["Password reset links work for 1 hour and only once. Ask for a new one."],
            Some(("/forgot-password", "Reset your password")),
        )?,
    )
        .into_response())
}

async fn reset_form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<TokenQuery>,
) -> AppResult<Response> {
    if !state.store.token_is_live(&q.token, Purpose::ResetPassword).await? {
        return expired_reset(&state, &visitor);
    }
    reset_page(&state, &visitor, StatusCode::OK, FormErrors::default(), q.token).await
}

/// The form choosing a new password, blank or sent back with its errors.
async fn reset_page(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    errors: FormErrors,
    token: String,
) -> AppResult<Response> {
    form_page(state, visitor, status, |csrf| ResetPage {
        shell: Shell::new(state, visitor, "Choose a new password", "/reset-password"),
        errors,
        csrf,
        token,
    })
    .await
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
}

async fn reset(State(state): State<AppState>, visitor: Visitor, Form(form): Form<ResetForm>) -> AppResult<Response> {
    let mut errors = FormErrors::default();
    new_password_field(&mut errors, "password", &form.password);
    if !errors.is_empty() {
        return reset_page(&state, &visitor, StatusCode::UNPROCESSABLE_ENTITY, errors, form.token).await;
    }
    let Some(user_id) = state.store.consume_token(&form.token, Purpose::ResetPassword).await? else {
        return expired_reset(&state, &visitor);
    };
    state.store.set_password(user_id, &form.password).await?;
    if let Some(user) = state.store.user_by_id(user_id).await? {
        // A reset through the emailed link ends any lock on the account (decision 64).
        state.store.clear_attempts(Scope::Account, &user.email).await?;
    }
    message(
        &state,
        &visitor,
        "Your password has been changed",
        &["You have been logged out everywhere. Log in with your new password."],
        Some(("/login", "Log in")),
    )
}

async fn password_form(a: Acting) -> AppResult<Response> {
    let page = PasswordPage {
        shell: Shell::new(&a.state, &a.visitor, "Change your password", "/account/password"),
        errors: FormErrors::default(),
        csrf: a.csrf(),
    };
    render(&page)
}

#[derive(Deserialize)]
struct ChangePasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(a: Acting, headers: HeaderMap, Form(form): Form<ChangePasswordForm>) -> AppResult<Response> {
    let csrf = a.csrf();
    let Acting {
        state, visitor, user, ..
    } = a;
    let mut errors = FormErrors::default();
    let mut wait = None;
    if form.current_password.is_empty() {
        errors.add("current_password", "Enter your current password");
    } else {
        // The current password is a password guess like any other: a stolen session must
        // not become a way to try passwords without limit.
        match reserve_guess(&state, &headers, &visitor, &user.email).await? {
            Guess::Wait(until) => {
                errors.add(
                    "current_password",
                    format!("Too many wrong passwords. {}", try_again(until, state.store.now())),
                );
                wait = Some(until);
            }
            Guess::Go(reserved) => {
                if matches!(
                    state.store.authenticate(&user.email, &form.current_password).await?,
                    LoginOutcome::Ok(_)
                ) {
                    state.store.release_attempts(&reserved).await?;
                } else {
                    errors.add("current_password", "Your current password is not right");
                }
            }
        }
    }
    new_password_field(&mut errors, "new_password", &form.new_password);
    if !errors.is_empty() {
        let page = PasswordPage {
            shell: Shell::new(&state, &visitor, "Change your password", "/account/password"),
            errors,
            csrf,
        };
        let response = (StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response();
        return Ok(match wait {
            Some(until) => too_many(response, until, state.store.now()),
            None => response,
        });
    }
    // Changing the password ends every session, this one included; this device gets a new one.
    state.store.set_password(user.id, &form.new_password).await?;
    let (token, fresh) = state.store.create_session(Some(user.id), state.config.sessions).await?;
    state
        .store
        .set_flash(
            &fresh.id_hash,
            Some("Your password has been changed. You have been logged out on every other device."),
        )
        .await?;
    Ok(with_cookie(
        Redirect::to("/account").into_response(),
        Some(session_cookie(&token, visitor.https)),
    ))
}

// ---- The dashboard

const DASHBOARD_LIST: u64 = 50;

async fn dashboard(a: Acting) -> AppResult<Response> {
    let csrf = a.csrf();
    let Acting {
        state, visitor, user, ..
    } = a;
    let store = &state.store;
    let mut page = DashboardPage {
        shell: Shell::new(&state, &visitor, "Your account", "/account"),
        role_label: user.role.label(),
        csrf: csrf.clone(),
        next_steps: Vec::new(),
        counts: None,
        school: None,
        staff: None,
        pupils_heading: None,
        pupils: Vec::new(),
        pupils_total: 0,
        pupils_empty: String::new(),
        user: user.clone(),
    };
    match user.role {
        Role::Admin => {
            page.counts = Some(store.hub_counts().await?);
            page.next_steps = vec![
                (
                    "/admin/settings",
                    "Settings",
                    "The hub's name, logo, contact details, local authorities and home page words.",
                ),
                (
                    "/admin/users",
                    "Manage users and roles",
                    "Find an account, change its role, or disable it.",
                ),
                (
                    "/admin/outbox",
                    "Read the outbox",
                    "Every email the hub has sent, newest first.",
                ),
                (
                    "/admin/payments",
                    "Payments, agreements and Direct Debit",
                    "Record payments and refunds, schools' agreements, collection files.",
                ),
            ];
        }
        Role::Manager => {
            page.counts = Some(store.hub_counts().await?);
            page.next_steps = vec![
                (
                    "/admin/outbox",
                    "Read the outbox",
                    "Every email the hub has sent, newest first.",
                ),
                (
                    "/admin/payments",
                    "Payments, agreements and Direct Debit",
                    "Record payments and refunds, schools' agreements, collection files.",
                ),
            ];
        }
        Role::Teacher => {
            page.staff = match user.staff_id {
                Some(id) => store.staff_summary(id).await?,
                None => None,
            };
            let pupils = match user.staff_id {
                Some(id) => store.pupils_taught_by(id).await?,
                None => Vec::new(),
            };
            page.pupils_total = pupils.len() as u64;
            page.pupils = pupils.into_iter().take(DASHBOARD_LIST as usize).collect();
            page.pupils_heading = Some("Your pupils".into());
            page.pupils_empty = "You have no pupils yet. The office allocates pupils to you.".into();
            page.next_steps = vec![("#pupils", "See your pupils", "The pupils you teach this year, by name.")];
        }
        Role::Parent => {
            // Children are linked only once the email is confirmed: anyone can type an email.
            let children = if user.email_verified {
                store.children_of_guardian(&user.email).await?
            } else {
                Vec::new()
            };
            page.pupils_total = children.len() as u64;
            page.pupils = children;
            page.pupils_heading = Some("Your children".into());
            page.pupils_empty = "No children are linked to your account yet. When your child's school or the hub office records you as their parent or carer with this email address, they will appear here.".into();
            page.next_steps = vec![
                (
                    "/learning",
                    "Find out about lessons",
                    "How lessons work, what they cost and how to give notice.",
                ),
                (
                    "/basket",
                    "Pay for lessons and events",
                    "Your basket of invoices and bookings.",
                ),
            ];
        }
        Role::School => {
            if let Some(id) = user.school_id {
                page.school = store.school_summary(id).await?;
                let (pupils, total) = store.pupils_at_school(id, 1, DASHBOARD_LIST).await?;
                page.pupils = pupils;
                page.pupils_total = total;
            }
            page.pupils_heading = Some("Your pupils with the hub".into());
            page.pupils_empty = "None of your school's pupils are recorded with the hub yet.".into();
            page.next_steps = vec![
                (
                    "/contact",
                    "Book services for your school",
                    "Whole-class teaching, singing, CPD and more.",
                ),
                ("/basket", "Pay invoices", "Pay your school's invoices by card."),
            ];
        }
        Role::Pupil => {
            page.next_steps = vec![
                (
                    "/remote-learning",
                    "Practise with our online activities",
                    "Songs, rhythm games and 15 minutes of music.",
                ),
                (
                    "/virtual-music-centre",
                    "Play with others online",
                    "Groups for every standard and instrument.",
                ),
            ];
        }
    }
    page.next_steps
        .extend(crate::routes::teaching::lessons::dashboard_links(user.role));
    page.next_steps
        .extend(crate::routes::admissions::dashboard_links(user.role));
    page.next_steps
        .extend(crate::routes::teaching::progress::dashboard_links(user.role));
    page.next_steps
        .extend(crate::routes::records::loans::dashboard_links(user.role));
    page.next_steps
        .extend(crate::routes::teaching::ensembles::dashboard_links(user.role));
    page.next_steps
        .extend(crate::routes::privacy::pupil::dashboard_links(user.role));
    if matches!(user.role, Role::Admin | Role::Manager) {
        page.next_steps
            .extend(crate::routes::teaching::allocation::dashboard_links());
        page.next_steps
            .extend(crate::routes::teaching::terms::dashboard_links());
    }
    page.next_steps
        .extend(crate::routes::money::billing::dashboard_links(user.role));
    page.next_steps
        .extend(crate::routes::reports::dashboard::dashboard_links(user.role));
    page.next_steps.extend(super::invitations::dashboard_links(user.role));
    page.next_steps
        .extend(crate::routes::services::dashboard_links(user.role));
    if user.role == Role::Parent {
        // A parent's home leads with money, lessons and offers (decision 76).
        return super::parent_home::parent_home(&state, &visitor, &user, csrf, page.next_steps).await;
    }
    render_clearing_flash(&state, &visitor, &page).await
}
