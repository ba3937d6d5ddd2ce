//! The API's own extractors: a JSON body, a query string and path parameters, read into the
//! operation's typed request. A request they cannot read is answered as every other API
//! error is, with a problem (RFC 9457) naming the field at fault (`pupil_id`,
//! `instalments.due_day`, `per_page`), instead of axum's plain-text rejection.
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::problem::Problem;

/// A JSON body. Without `Content-Type: application/json` it is 415; a body that is not JSON
/// is 400; JSON that is not of the operation's shape is 422 naming the field.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers().get(header::CONTENT_TYPE)) {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the body as JSON, with `Content-Type: application/json`.",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            let status = e.status();
            Problem::new(
                if status.is_client_error() {
                    status
                } else {
                    StatusCode::BAD_REQUEST
                },
                e.body_text(),
            )
        })?;
        read_json(&bytes).map(ApiJson)
    }
}

/// `application/json`, or any `application/*+json`, with or without parameters.
fn is_json(value: Option<&axum::http::HeaderValue>) -> bool {
    let Some(text) = value.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let media = text.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    media == "application/json" || (media.starts_with("application/") && media.ends_with("+json"))
}

/// Reads a JSON body into `T`, naming the field a wrong value is in. A number written with
/// a fraction of zero (`12.0`) is the integer it equals, as JSON Schema counts it.
pub fn read_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, format!("The body is not JSON: {e}")))?;
    whole_numbers(&mut value);
    serde_path_to_error::deserialize(value)
        .map_err(|e| Problem::invalid([(field_of(e.path(), "body"), plain(&e.inner().to_string()))]))
}

/// Turns every number with no fraction that fits an `i64` into that integer.
fn whole_numbers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && (-9.0e18..=9.0e18).contains(&f)
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// The path of the value at fault, or `whole` when it is the whole body or query.
fn field_of(path: &serde_path_to_error::Path, whole: &str) -> String {
    let text = path.to_string();
    if text.is_empty() || text == "." {
        whole.to_owned()
    } else {
        text
    }
}

/// serde_json's message without its " at line 1 column 9", which names no field.
fn plain(text: &str) -> String {
    match text.find(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text.to_owned(),
    }
}

/// A query string. One that does not read as the operation's parameters is a 422 naming
/// the parameter.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| Problem::invalid([(field_of(e.path(), "query"), e.inner().to_string())]))
    }
}

/// Path parameters. An id that is not a number names no record: 404, as a missing one is.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            Err(_) => Err(Problem::new(StatusCode::NOT_FOUND, "Not found.")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Body {
        lesson: Option<i64>,
        inner: Option<Inner>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        due_day: u8,
    }

    #[test]
    fn a_wrong_value_is_named_by_its_path() {
        let e = read_json::<Body>(br#"{"lesson": "x"}"#).unwrap_err();
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["status"], 422);
        assert_eq!(v["errors"][0]["field"], "lesson");
        let e = serde_json::to_value(read_json::<Body>(br#"{"inner": {"due_day": 300}}"#).unwrap_err()).unwrap();
        assert_eq!(e["errors"][0]["field"], "inner.due_day");
        let e = serde_json::to_value(read_json::<Body>(br#"[1]"#).unwrap_err()).unwrap();
        assert_eq!(e["errors"][0]["field"], "body");
        let e = serde_json::to_value(read_json::<Body>(br#"{"lesson": 1"#).unwrap_err()).unwrap();
        assert_eq!(e["status"], 400);
        let e = serde_json::to_value(read_json::<Body>(br#"{} x"#).unwrap_err()).unwrap();
        assert_eq!(e["status"], 400);
        let b = read_json::<Body>(br#"{"lesson": 12.0, "inner": {"due_day": 3e0}}"#).unwrap();
        assert_eq!(b.lesson, Some(12));
        let e = serde_json::to_value(read_json::<Body>(br#"{"lesson": 12.5}"#).unwrap_err()).unwrap();
        assert_eq!(e["errors"][0]["field"], "lesson");
    }

    #[test]
    fn json_media_types() {
        let h = |s: &'static str| axum::http::HeaderValue::from_static(s);
        assert!(is_json(Some(&h("application/json; charset=utf-8"))));
        assert!(is_json(Some(&h("application/merge-patch+json"))));
        assert!(!is_json(Some(&h("text/plain"))));
        assert!(!is_json(None));
    }
}
