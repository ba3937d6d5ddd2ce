//! The hub's identity on screen: the admins' settings page (name, short name, contacts,
//! charity number, local authorities, the home page's words) and its logo, uploaded there and
//! served to everyone under a policy that lets it draw and nothing else.
use askama::Template;
use axum::extract::{Form, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tutti_domain::identity::{HubIdentity, LOGO_MAX_BYTES, validate};
use tutti_store::StoreError;
use tutti_store::platform::accounts::Role;
use tutti_store::platform::identity::HubRecord;

use crate::access::{Access, Audience, Routes};
use crate::acting::Acting;
use crate::error::{AppError, AppResult, message};
use crate::forms::FormErrors;
use crate::pages::render_clearing_flash;
use crate::shell::Shell;
use crate::state::AppState;

/// The settings are the admins'.
pub fn admin_audience() -> Audience {
    Audience::new(
        Access::Roles(&[Role::Admin]),
        Routes::new()
            .route("/admin/settings", get(settings).post(save))
            .route("/admin/settings/logo", post(upload_logo))
            .route("/admin/settings/logo/remove", post(remove_logo)),
    )
}

/// The logo heads every page, so anyone may fetch it.
pub fn public_audience() -> Audience {
    Audience::new(Access::Public, Routes::new().route(crate::hub::LOGO_PATH, get(logo)))
}

/// The settings form's fields, as typed.
#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub short_name: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub postal_address: String,
    #[serde(default)]
    pub charity_number: String,
    /// One local authority a line.
    #[serde(default)]
    pub local_authorities: String,
    #[serde(default)]
    pub home_heading: String,
    #[serde(default)]
    pub home_intro: String,
}

impl SettingsForm {
    fn from_identity(id: &HubIdentity) -> SettingsForm {
        SettingsForm {
            name: id.name.clone(),
            short_name: id.short_name.clone(),
            contact_email: id.contact_email.clone(),
            phone: id.phone.clone(),
            postal_address: id.postal_address.clone(),
            charity_number: id.charity_number.clone(),
            local_authorities: id.local_authorities.join("\n"),
            home_heading: id.home_heading.clone(),
            home_intro: id.home_intro.clone(),
        }
    }

    fn identity(&self) -> HubIdentity {
        HubIdentity {
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            contact_email: self.contact_email.clone(),
            phone: self.phone.clone(),
            postal_address: self.postal_address.clone(),
            charity_number: self.charity_number.clone(),
            local_authorities: self.local_authorities.lines().map(str::to_owned).collect(),
            home_heading: self.home_heading.clone(),
            home_intro: self.home_intro.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "identity/settings.html")]
struct SettingsPage {
    shell: Shell,
    errors: FormErrors,
    csrf: String,
    form: SettingsForm,
    logo_url: Option<String>,
    logo_max_kb: usize,
}

/// The identity as saved, or the configured name's before anyone has saved one.
async fn current(state: &AppState) -> AppResult<HubIdentity> {
    Ok(state
        .store
        .hub_identity()
        .await?
        .map(|r| r.identity)
        .unwrap_or_else(|| HubIdentity::named(&state.hub_name())))
}

async fn page(a: &Acting, form: SettingsForm, errors: FormErrors) -> AppResult<Response> {
    let (state, visitor) = (&a.state, &a.visitor);
    let status = errors.status();
    let page = SettingsPage {
        shell: Shell::new(state, visitor, "Settings", "/admin/settings"),
        errors,
        csrf: a.csrf(),
        form,
        logo_url: state.hub.frame().logo_url.clone(),
        logo_max_kb: LOGO_MAX_BYTES / 1024,
    };
    let mut response = render_clearing_flash(state, visitor, &page).await?;
    *response.status_mut() = status;
    Ok(response)
}

async fn settings(a: Acting) -> AppResult<Response> {
    let form = SettingsForm::from_identity(&current(&a.state).await?);
    page(&a, form, FormErrors::default()).await
}

/// Every problem the domain finds, beside its field.
fn problems(identity: &HubIdentity) -> FormErrors {
    let mut errors = FormErrors::default();
    for p in validate(identity) {
        errors.add(p.field(), p.to_string());
    }
    errors
}

async fn save(a: Acting, Form(form): Form<SettingsForm>) -> AppResult<Response> {
    let identity = form.identity();
    let errors = problems(&identity);
    if !errors.is_empty() {
        return page(&a, form, errors).await;
    }
    let record = a.state.store.save_hub_identity(&a.actor(), &identity).await?;
    saved(&a.state, &record);
    a.done("The hub's settings are saved.", "/admin/settings").await
}

fn saved(state: &AppState, record: &HubRecord) {
    state.hub.saved(record, &state.pages);
    // The menu is drawn in the same frame; it is read again with the new name.
    state.menu.clear();
}

async fn upload_logo(a: Acting, mut multipart: Multipart) -> AppResult<Response> {
    let mut bytes: Option<Vec<u8>> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("The upload was interrupted. Try again.".into()))?
    {
        if field.name() == Some("logo") {
            let data = field
                .bytes()
                .await
                .map_err(|_| AppError::BadRequest("The file was too large or the upload was interrupted.".into()))?;
            bytes = Some(data.to_vec());
        }
    }
    let who = a.actor();
    // A hub made at the command line has saved no identity yet: its name is saved first.
    if a.state.store.hub_identity().await?.is_none() {
        a.state.store.save_hub_identity(&who, &current(&a.state).await?).await?;
    }
    match a.state.store.set_hub_logo(&who, &bytes.unwrap_or_default()).await {
        Ok(record) => {
            saved(&a.state, &record);
            a.done("The logo is saved.", "/admin/settings").await
        }
        Err(StoreError::Refused(r)) => {
            let mut errors = FormErrors::default();
            errors.add("logo", message(&r));
            let form = SettingsForm::from_identity(&current(&a.state).await?);
            page(&a, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove_logo(a: Acting) -> AppResult<Response> {
    if a.state.store.hub_identity().await?.is_some() {
        let record = a.state.store.remove_hub_logo(&a.actor()).await?;
        saved(&a.state, &record);
    }
    a.done("The logo is removed.", "/admin/settings").await
}

/// What the logo may do where it is shown as a document of its own: draw, and nothing
/// else (no script, no fetching, not even from this site). An `<img>` never runs an SVG's
/// scripts; this covers someone opening the logo's address itself.
const LOGO_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

async fn logo(State(state): State<AppState>) -> AppResult<Response> {
    let (kind, sha256, data) = state.store.hub_logo().await?.ok_or(AppError::NotFound)?;
    let etag = HeaderValue::from_str(&format!("\"{sha256}\"")).map_err(|_| AppError::NotFound)?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind.content_type())),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(LOGO_CSP)),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400")),
            (header::ETAG, etag),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static(match kind {
                    tutti_domain::identity::LogoType::Png => "inline; filename=\"logo.png\"",
                    tutti_domain::identity::LogoType::Svg => "inline; filename=\"logo.svg\"",
                }),
            ),
        ],
        data,
    )
        .into_response())
}
