//! The API for the hub's identity: `GET /api/v1/hub` for anyone signed in (every page and
//! letter names the hub; a script does too), `PUT /api/v1/hub` for admins, with the settings
//! page's rules. A value not of its documented shape is 422 naming the field; a list naming
//! one local authority twice (the same but for case) is 409. The logo is uploaded on the
//! settings page; its address is given here.
use axum::http::StatusCode;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use tutti_domain::identity::{
    ADDRESS_MAX, AUTHORITIES_MAX, AUTHORITY_MAX, HEADING_MAX, HubIdentity, INTRO_MAX, IdentityProblem, NAME_MAX,
    SHORT_NAME_MAX, validate,
};
use tutti_store::platform::accounts::Role;
use tutti_store::platform::identity::HubRecord;
use utoipa::ToSchema;

use crate::access::{Access, Audience, Routes};
use crate::api_extract::{ApiJson, read_json};
use crate::forms::FormErrors;
use crate::routes::api::caller::Caller;
use crate::routes::api::{ApiError, ApiResult, ok};
use crate::state::AppState;

/// Signed in by token or session; writing is checked in the handler, so the answer is JSON.
pub fn audience() -> Audience {
    Audience::new(
        Access::SignedIn,
        Routes::new().route("/api/v1/hub", get(get_hub).put(put_hub)),
    )
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(get_hub, put_hub))]
pub struct IdentityDoc;

/// Who the hub is. Empty text is a detail the hub does not publish.
#[derive(Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Hub {
    pub name: String,
    /// For tight places; the name when the hub gave none.
    pub short_name: String,
    pub contact_email: String,
    pub phone: String,
    /// Lines separated by newlines.
    pub postal_address: String,
    pub charity_number: String,
    pub local_authorities: Vec<String>,
    /// The home page's heading; empty for one made from the name.
    pub home_heading: String,
    /// The home page's first paragraph; empty for general words.
    pub home_intro: String,
    /// Where the logo is served (versioned), or null without one.
    pub logo_url: Option<String>,
}

impl Hub {
    fn of(identity: &HubIdentity, logo_url: Option<String>) -> Hub {
        Hub {
            name: identity.name.clone(),
            short_name: identity.short().to_owned(),
            contact_email: identity.contact_email.clone(),
            phone: identity.phone.clone(),
            postal_address: identity.postal_address.clone(),
            charity_number: identity.charity_number.clone(),
            local_authorities: identity.local_authorities.clone(),
            home_heading: identity.home_heading.clone(),
            home_intro: identity.home_intro.clone(),
            logo_url,
        }
    }
}

const EMAIL: &str = r"^$|^[A-Za-z0-9_%+-]{1,20}(\.[A-Za-z0-9_%+-]{1,20}){0,2}@([A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?\.){1,3}[A-Za-z]{2,12}$";
const PHONE: &str = "^$|^0(1[0-9]{8,9}|[23][0-9]{9}|7[1-57-9][0-9]{8}|8[0-9]{8,9})$";
const CHARITY: &str = "^$|^(SC|NIC)?[0-9]{5,7}(-[0-9]{1,2})?$";

fn authorities_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
    let item = ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(AUTHORITY_MAX));
    Schema::Array(
        ArrayBuilder::new()
            .items(item)
            .max_items(Some(AUTHORITIES_MAX))
            .description(Some(
                "The local authorities whose schools the hub serves, each once; empty names are left out.",
            ))
            .build(),
    )
}

/// The hub's identity as sent: every field but `name` may be left out, which clears it.
#[derive(Deserialize, ToSchema)]
pub struct HubBody {
    #[schema(pattern = r"\S", max_length = 100)]
    name: String,
    #[serde(default)]
    #[schema(max_length = 40)]
    short_name: String,
    #[serde(default)]
    #[schema(
        pattern = r"^$|^[A-Za-z0-9_%+-]{1,20}(\.[A-Za-z0-9_%+-]{1,20}){0,2}@([A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?\.){1,3}[A-Za-z]{2,12}$"
    )]
    contact_email: String,
    /// A UK number, its digits only: "01632960000".
    #[serde(default)]
    #[schema(pattern = "^$|^0(1[0-9]{8,9}|[23][0-9]{9}|7[1-57-9][0-9]{8}|8[0-9]{8,9})$")]
    phone: String,
    #[serde(default)]
    #[schema(max_length = 300)]
    postal_address: String,
    /// As registered: "1234567", "SC012345".
    #[serde(default)]
    #[schema(pattern = "^$|^(SC|NIC)?[0-9]{5,7}(-[0-9]{1,2})?$")]
    charity_number: String,
    #[serde(default)]
    #[schema(schema_with = authorities_schema)]
    local_authorities: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 120)]
    home_heading: String,
    #[serde(default)]
    #[schema(max_length = 1000)]
    home_intro: String,
}

/// Whether `text` is exactly of `pattern`'s shape, for the three patterns above (which the
/// web checks without a regular expression engine: each is a small fixed grammar).
fn matches(pattern: &str, text: &str) -> bool {
    if text.is_empty() {
        return true;
    }
    match pattern {
        PHONE => {
            let b = text.as_bytes();
            b.iter().all(u8::is_ascii_digit)
                && b.first() == Some(&b'0')
                && match b.get(1) {
                    Some(b'1') | Some(b'8') => b.len() == 10 || b.len() == 11,
                    Some(b'2') | Some(b'3') => b.len() == 11,
                    Some(b'7') => b.len() == 11 && b[2] != b'0' && b[2] != b'6',
                    _ => false,
                }
        }
        CHARITY => {
            let digits = text
                .strip_prefix("SC")
                .or_else(|| text.strip_prefix("NIC"))
                .unwrap_or(text);
            let (main, sub) = match digits.split_once('-') {
                Some((m, s)) => (m, Some(s)),
                None => (digits, None),
            };
            (5..=7).contains(&main.len())
                && main.bytes().all(|b| b.is_ascii_digit())
                && sub.is_none_or(|s| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
        }
        _ => email_shape(text),
    }
}

/// The documented email shape: up to three dot-separated local words of 1 to 20 characters,
/// then 1 to 3 domain labels and a top-level domain of 2 to 12 letters.
fn email_shape(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let local_ok = {
        let words: Vec<&str> = local.split('.').collect();
        words.len() <= 3
            && words.iter().all(|w| {
                (1..=20).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_alphanumeric() || b"_%+-".contains(&b))
            })
    };
    let labels: Vec<&str> = domain.split('.').collect();
    let Some((top, rest)) = labels.split_last() else {
        return false;
    };
    let domain_ok = (1..=3).contains(&rest.len())
        && (2..=12).contains(&top.len())
        && top.bytes().all(|b| b.is_ascii_alphabetic())
        && rest.iter().all(|l| {
            (1..=32).contains(&l.len())
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    local_ok && domain_ok
}

impl HubBody {
    /// 422 naming every field not of its documented shape, in the domain's words.
    fn shape(&self) -> Result<HubIdentity, ApiError> {
        let mut errors = FormErrors::default();
        let mut problem = |p: IdentityProblem| errors.add(p.field(), p.to_string());
        let long = |t: &str, max: usize| t.chars().count() > max;
        if !self.name.chars().any(|c| !c.is_whitespace()) {
            problem(IdentityProblem::NoName);
        } else if long(&self.name, NAME_MAX) {
            problem(IdentityProblem::NameTooLong);
        }
        if long(&self.short_name, SHORT_NAME_MAX) {
            problem(IdentityProblem::ShortNameTooLong);
        }
        if !matches(EMAIL, &self.contact_email) {
            problem(IdentityProblem::ContactEmail);
        }
        if !matches(PHONE, &self.phone) {
            problem(IdentityProblem::Phone);
        }
        if long(&self.postal_address, ADDRESS_MAX) {
            problem(IdentityProblem::AddressTooLong);
        }
        if !matches(CHARITY, &self.charity_number) {
            problem(IdentityProblem::CharityNumber);
        }
        if self.local_authorities.len() > AUTHORITIES_MAX {
            problem(IdentityProblem::TooManyAuthorities);
        } else if self.local_authorities.iter().any(|a| long(a, AUTHORITY_MAX)) {
            problem(IdentityProblem::AuthorityTooLong);
        }
        if long(&self.home_heading, HEADING_MAX) {
            problem(IdentityProblem::HeadingTooLong);
        }
        if long(&self.home_intro, INTRO_MAX) {
            problem(IdentityProblem::IntroTooLong);
        }
        let identity = HubIdentity {
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            contact_email: self.contact_email.clone(),
            phone: self.phone.clone(),
            postal_address: self.postal_address.clone(),
            charity_number: self.charity_number.clone(),
            local_authorities: self.local_authorities.clone(),
            home_heading: self.home_heading.clone(),
            home_intro: self.home_intro.clone(),
        };
        // Anything else of the domain's that is not a clash (the shapes above are stricter).
        for p in validate(&identity) {
            if p != IdentityProblem::AuthorityTwice {
                problem(p);
            }
        }
        if errors.is_empty() {
            Ok(identity)
        } else {
            Err(ApiError::Invalid(errors))
        }
    }
}

fn answer(state: &AppState, record: Option<&HubRecord>) -> Hub {
    match record {
        Some(r) => Hub::of(&r.identity, crate::hub::frame_of(Some(r), "").logo_url),
        None => Hub::of(&HubIdentity::named(&state.hub_name()), None),
    }
}

/// The hub's identity: its name and short name, how to reach it, its charity number, the
/// local authorities it serves, its home page's words and its logo's address.
#[utoipa::path(get, path = "/api/v1/hub", tag = "hub",
    responses((status = 200, description = "The hub's identity", body = Hub)))]
async fn get_hub(Caller { state, .. }: Caller) -> ApiResult {
    let record = state.store.hub_identity().await?;
    ok(StatusCode::OK, answer(&state, record.as_ref()))
}

/// Replaces the hub's identity (its logo stays). Every page, letter and invoice names the
/// hub as saved here at once.
#[utoipa::path(put, path = "/api/v1/hub", tag = "hub", request_body = HubBody,
    responses((status = 200, description = "Saved; the hub's identity", body = Hub),
              (status = 403, description = "Admins only"),
              (status = 409, description = "A local authority listed twice")))]
async fn put_hub(Caller { state, user, actor }: Caller, ApiJson(body): ApiJson<serde_json::Value>) -> ApiResult {
    if user.role != Role::Admin {
        return Err(ApiError::Forbidden);
    }
    // Read as the operation's body only now: a caller who may not write learns nothing of it.
    let body: HubBody = read_json(body.to_string().as_bytes())?;
    let identity = body.shape()?;
    let record = state.store.save_hub_identity(&actor, &identity).await?;
    state.hub.saved(&record, &state.pages);
    state.menu.clear();
    ok(StatusCode::OK, answer(&state, Some(&record)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_exactly_their_patterns() {
        for ok in [
            "",
            "01913834000",
            "0191383400",
            "07700900123",
            "02079460000",
            "03001234567",
            "0800123456",
        ] {
            assert!(matches(PHONE, ok), "{ok}");
        }
        for bad in [
            "0191 383 4000",
            "07000000000",
            "07600000000",
            "0400000000",
            "+441913834000",
            "1913834000",
        ] {
            assert!(!matches(PHONE, bad), "{bad}");
        }
        for ok in ["1234567", "12345-1", "SC012345", "NIC100001"] {
            assert!(matches(CHARITY, ok), "{ok}");
        }
        for bad in ["sc012345", "1234", "12345678", "123456-", "SC"] {
            assert!(!matches(CHARITY, bad), "{bad}");
        }
        for ok in ["office@hub.example", "a.b.c@x.y.z.org", "a+b@x-y.co"] {
            assert!(matches(EMAIL, ok), "{ok}");
        }
        for bad in [
            "a.b.c.d@x.org",
            "a@x",
            "a@-x.org",
            "a@x.o",
            "a b@x.org",
            "a@x.y.z.w.org",
        ] {
            assert!(!matches(EMAIL, bad), "{bad}");
        }
    }
}
