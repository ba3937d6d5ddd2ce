//! The contact form: messages land in the outbox for the office. Spam is kept out without a
//! third party: a field people never see must stay empty, and a form sent within seconds of
//! being opened is taken for a script.
use axum::extract::Form;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::Ctx;
use super::views::{ContactView, ItemView};
use crate::error::{AppError, AppResult};
use crate::forms::{FormErrors, email_field};
use crate::pages::{MessagePage, render};
use crate::session::form_token;
use crate::shell::Shell;

pub const TOPICS: &[&str] = &[
    "General enquiry",
    "Lessons",
    "Charges and invoices",
    "Ensembles",
    "Schools",
    "Vacancies",
    "Accessibility",
    "Data protection",
];

/// A person takes longer than this to write a message; a script does not.
const MIN_SECONDS: i64 = 3;
/// A form older than this has been left open too long to trust its timestamp.
const MAX_SECONDS: i64 = 24 * 3600;

/// The form's start time with a mark only the session's holder could make.
fn stamp(csrf: &str, at: i64) -> String {
    let mac = Sha256::digest(format!("{csrf}|contact|{at}").as_bytes());
    let hex: String = mac.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("{at}.{hex}")
}

/// Seconds since the form was opened, when the stamp is genuine.
fn age(csrf: &str, stamped: &str, now: i64) -> Option<i64> {
    let (at, _) = stamped.split_once('.')?;
    let at: i64 = at.parse().ok()?;
    (stamp(csrf, at) == stamped).then_some(now - at)
}

#[derive(Deserialize, Default)]
pub struct ContactForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    started: String,
}

async fn page(ctx: &Ctx, form: ContactForm, errors: FormErrors) -> AppResult<Response> {
    let item = ctx.state.store.content_at("contact").await?.ok_or(AppError::NotFound)?;
    let (csrf, cookie) = form_token(&ctx.state, &ctx.visitor).await?;
    let now = ctx.state.store.now().unix_timestamp();
    let view = ContactView {
        shell: Shell::new(&ctx.state, &ctx.visitor, &item.title, "/contact"),
        item: ItemView::new(&item),
        started: stamp(&csrf, now),
        csrf,
        name: form.name,
        email: form.email,
        topic: if form.topic.is_empty() {
            TOPICS[0].to_owned()
        } else {
            form.topic
        },
        topics: TOPICS,
        message: form.message,
        errors,
    };
    let status = if view.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = (status, render(&view)?).into_response();
    if let Some(c) = cookie {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    // The form carries a session's token, so it is never shared or stored.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

pub async fn form(ctx: Ctx) -> AppResult<Response> {
    page(&ctx, ContactForm::default(), FormErrors::default()).await
}

pub async fn send(ctx: Ctx, Form(form): Form<ContactForm>) -> AppResult<Response> {
    let csrf = ctx.visitor.form_token().unwrap_or_default();
    let now = ctx.state.store.now().unix_timestamp();
    let human = form.website.trim().is_empty()
        && age(csrf, &form.started, now).is_some_and(|a| (MIN_SECONDS..MAX_SECONDS).contains(&a));

    let mut errors = FormErrors::default();
    if form.name.trim().is_empty() {
        errors.add("name", "Enter your name");
    }
    let email = email_field(&mut errors, "email", &form.email);
    if !TOPICS.contains(&form.topic.as_str()) {
        errors.add("topic", "Choose what your message is about");
    }
    if form.message.trim().is_empty() {
        errors.add("message", "Enter your message");
    } else if form.message.len() > 5000 {
        errors.add("message", "Your message must be 5,000 characters or fewer");
    }
    if !errors.is_empty() {
        return page(&ctx, form, errors).await;
    }
    // A suspected script is thanked like a person but its message is dropped, so that it
    // learns nothing about what gave it away.
    if human {
        // To the contact address the hub publishes, else to the office's sending address.
        let published = ctx.state.hub.frame().contact_email.clone();
        let office = if published.is_empty() {
            office_address(&ctx.state.config.mail_from)
        } else {
            published
        };
        let body = format!(
            "A message from the website's contact form.\n\nFrom: {}\nEmail: {}\nAbout: {}\n\n{}\n",
            form.name.trim(),
            email.unwrap_or_default(),
            form.topic,
            form.message.trim()
        );
        ctx.state
            .store
            .send_mail(&office, &format!("Contact form: {}", form.topic), &body)
            .await?;
    } else {
        tracing::info!("contact form rejected as automated");
    }
    render(&MessagePage {
        shell: Shell::new(&ctx.state, &ctx.visitor, "Message sent", "/contact"),
        heading: "Thank you: your message has been sent".into(),
        paragraphs: vec![
            "The hub office will reply by email, usually within 3 working days.".into(),
            "If your message is about a child's safety, please also phone the office.".into(),
        ],
        link: Some(("/".into(), "Back to the home page".into())),
    })
}

/// The address inside "Name <address>", where the office's mail goes.
fn office_address(from: &str) -> String {
    match (from.find('<'), from.rfind('>')) {
        (Some(a), Some(b)) if b > a => from[a + 1..b].trim().to_lowercase(),
        _ => from.trim().to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_cannot_be_forged_or_backdated() {
        let s = stamp("token", 1000);
        assert_eq!(age("token", &s, 1010), Some(10));
        assert_eq!(age("other", &s, 1010), None);
        let forged = s.replacen("1000", "900", 1);
        assert_eq!(age("token", &forged, 1010), None);
    }

    #[test]
    fn the_office_address_comes_from_the_sender() {
        assert_eq!(
            office_address("Tutti Music Hub <office@tutti.invalid>"),
            "office@tutti.invalid"
        );
        assert_eq!(office_address("office@hub.test"), "office@hub.test");
    }
}
