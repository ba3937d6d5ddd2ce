//! The shapes every part of the API shares: one page of a list (the one pagination shape),
//! a reference to another record, and the finishing of the document: the bearer scheme and
//! the refusals every operation of its kind can give before its handler runs, each an RFC
//! 9457 problem. Every body's own schema is derived from its Rust type (`utoipa::ToSchema`)
//! beside its handler, so the document cannot drift from what the server sends.
use serde::Serialize;
use serde_json::{Value, json};
use tutti_store::listing;
use utoipa::ToSchema;

use crate::routes::api::ApiError;

/// The last page anyone may ask for (as the store's lists cap it).
pub const MAX_PAGE: u64 = listing::MAX_PAGE;
/// Rows a page unless `per_page` says otherwise.
pub const DEFAULT_PER_PAGE: u64 = 50;
/// The most rows a page holds.
pub const MAX_PER_PAGE: u64 = 200;

/// One page of a list, the same shape for every list of the API: its rows, how many match in
/// all, and which page of how many rows this is. `total` stops counting at 1,000 on the
/// record lists, where `capped` says so.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Page<T> {
    /// The rows of this page, at most `per_page` of them.
    pub rows: Vec<T>,
    /// How many rows match in all (at most 1,000 when `capped`).
    pub total: u64,
    /// True when there are more matches than `total` counts.
    pub capped: bool,
    /// This page, from 1.
    #[schema(minimum = 1)]
    pub page: u64,
    /// The most rows a page holds.
    #[schema(minimum = 1, maximum = 200)]
    pub per_page: u64,
}

impl<T> Page<T> {
    /// A page of the store's, each row made into the API's shape.
    pub fn from_store<S>(page: listing::Page<S>, f: impl FnMut(S) -> T) -> Page<T> {
        Page {
            rows: page.rows.into_iter().map(f).collect(),
            total: page.total,
            capped: page.capped,
            page: page.page,
            per_page: page.per_page,
        }
    }

    /// Page `page` of a whole list held in memory.
    pub fn of_all(all: Vec<T>, (page, per_page): (u64, u64)) -> Page<T> {
        let total = all.len() as u64;
        let skip = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
        Page {
            rows: all.into_iter().skip(skip).take(per_page as usize).collect(),
            total,
            capped: false,
            page,
            per_page,
        }
    }
}

/// The page and its size a list asks for: `page` from 1 to 1,000,000 (1), `per_page` from 1
/// to 200 (50). Outside those, 422 naming the parameter, as the document says.
pub fn paging(page: Option<u64>, per_page: Option<u64>) -> Result<(u64, u64), ApiError> {
    let mut errors = crate::forms::FormErrors::default();
    let page = page.unwrap_or(1);
    if !(1..=MAX_PAGE).contains(&page) {
        errors.add("page", format!("Pages are numbered from 1 to {MAX_PAGE}."));
    }
    let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        errors.add("per_page", format!("A page holds from 1 to {MAX_PER_PAGE} rows."));
    }
    if errors.is_empty() {
        Ok((page, per_page))
    } else {
        Err(ApiError::Invalid(errors))
    }
}

/// Another record, by its id and its name.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

/// A time of day exactly as the document's pattern `^([01][0-9]|2[0-3]):[0-5][0-9]$` has
/// it, in minutes after midnight.
pub fn clock(text: &str) -> Option<u16> {
    let b = text.as_bytes();
    if b.len() != 5 || b[2] != b':' || !b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit()) {
        return None;
    }
    let number = |i: usize| u16::from(b[i] - b'0') * 10 + u16::from(b[i + 1] - b'0');
    let (h, m) = (number(0), number(3));
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// A date exactly as `format: date` has it, `YYYY-MM-DD`.
pub fn date(text: &str) -> Option<time::Date> {
    time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// The words a school day may be sent as, besides its number.
const DAY_WORDS: [&str; 15] = [
    "1",
    "2",
    "3",
    "4",
    "5",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
];

/// A school day: 1 (Monday) to 5 (Friday), as a number or as text, or its name.
pub fn school_day() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let day = OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .maximum(Some(5)),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(DAY_WORDS)),
        )
        .description(Some("A school day: 1 (Monday) to 5 (Friday), or its name"))
        .build();
    utoipa::openapi::schema::Schema::OneOf(day)
}

/// A school day exactly as [`school_day`] documents it, 1 to 5.
pub fn school_weekday(value: &Value) -> Option<u8> {
    match value {
        Value::Number(n) => n.as_u64().filter(|d| (1..=5).contains(d)).map(|d| d as u8),
        Value::String(s) => DAY_WORDS.iter().position(|w| w == s).map(|i| (i % 5) as u8 + 1),
        _ => None,
    }
}

/// For an optional field that may be left out but, when sent, may not be null (a field that
/// needs another, or that another needs): `#[serde(default, deserialize_with = "not_null")]`.
pub fn not_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// A date as `YYYY-MM-DD`.
pub fn iso_date(d: time::Date) -> String {
    tutti_domain::validate::format_date_iso(d)
}

/// Rules about fields together that JSON Schema states but the derive cannot: a field that
/// needs another (`dependentRequired`), by schema name.
const DEPENDENT_REQUIRED: &[(&str, &str, &[&str])] = &[
    ("StaffBody", "dbs_number", &["dbs_issued"]),
    ("PupilBody", "guardian_email", &["guardian_name"]),
    ("PupilBody", "guardian_phone", &["guardian_name"]),
    ("EnrolmentBody", "weekday", &["start_time"]),
    ("EnrolmentBody", "start_time", &["weekday"]),
];

/// Bodies that name exactly one of some fields (`oneOf` of each field required), by schema
/// name.
const EXACTLY_ONE_OF: &[(&str, &[&str])] = &[("InvitationBody", &["staff_id", "school_id", "pupil_id"])];

/// The document as served: every operation's derived paths and bodies, the bearer scheme,
/// and for every operation the answers it can give before its handler runs (see
/// `api_extract`): 401 without a live token or session; for a write, 403 for a read-only
/// token, 400 for a body that is not JSON, 413 for one too large, 415 for one not sent as JSON
/// and 422 for one not of its shape; 422 for a query not of its shape; 404 for an id that names nothing; 408, with
/// no body, for any request the server stops after 30 seconds. Every other 4xx is a `Problem`
/// as `application/problem+json`.
pub fn finish(doc: utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(doc).expect("the OpenAPI document is JSON");
    doc["components"]["securitySchemes"] = json!({"bearer": {"type": "http", "scheme": "bearer"}});
    doc["security"] = json!([{"bearer": []}]);
    for (schema, field, needs) in DEPENDENT_REQUIRED {
        if let Some(s) = doc.pointer_mut(&format!("/components/schemas/{schema}")) {
            s["dependentRequired"][*field] = json!(needs);
        }
    }
    for (schema, fields) in EXACTLY_ONE_OF {
        if let Some(s) = doc.pointer_mut(&format!("/components/schemas/{schema}")) {
            s["oneOf"] = json!(fields.iter().map(|f| json!({"required": [f]})).collect::<Vec<_>>());
        }
    }
    let problem = json!({crate::problem::CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}});
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for (method, operation) in item.iter_mut() {
                document_refusals(path, method, operation);
                let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else {
                    continue;
                };
                for (status, response) in responses.iter_mut() {
                    if status.starts_with('4') && status != "408" {
                        response["content"] = problem.clone();
                    }
                }
            }
        }
    }
    doc
}

fn document_refusals(path: &str, method: &str, operation: &mut Value) {
    let writes = matches!(method, "post" | "put" | "patch" | "delete");
    let takes_body = operation.get("requestBody").is_some();
    let has_query = operation["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
    let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    let mut add = |status: &str, description: &str| {
        responses
            .entry(status)
            .or_insert_with(|| json!({ "description": description }));
    };
    add("401", "No token or session, or one that is not live");
    add(
        "408",
        "The request took more than the server's 30 seconds and was stopped; nothing was saved",
    );
    if writes {
        add("403", "The token may only read, or the role may not do this");
    }
    if takes_body {
        add("400", "The body is not JSON");
        add("413", "The body is larger than the 4 MB a signed-in caller may send");
        add("415", "The body was not sent as application/json");
    }
    if takes_body || has_query {
        add("422", "Fields that are not of their documented shape, each named");
    }
    if path.contains('{') {
        add("404", "No such record, or not one the caller may see");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_is_the_documented_pattern() {
        assert_eq!(clock("09:05"), Some(545));
        assert_eq!(clock("23:59"), Some(1439));
        for wrong in ["9:05", "24:00", "12:60", "12-00", " 12:00", "12:00\n", "１２:00"] {
            assert_eq!(clock(wrong), None, "{wrong:?}");
        }
    }

    #[test]
    fn a_page_of_a_list_in_memory() {
        let p = Page::of_all((1..=7).collect::<Vec<i32>>(), (2, 3));
        assert_eq!((p.rows, p.total, p.page, p.per_page), (vec![4, 5, 6], 7, 2, 3));
        let p = Page::of_all((1..=7).collect::<Vec<i32>>(), (1_000_000, 200));
        assert!(p.rows.is_empty());
    }
}
