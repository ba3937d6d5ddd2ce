//! One line per request on standard output: method, path (secrets in its query and in secret
//! path segments masked), status, duration and request id, as plain text or one JSON object
//! a line (`--log-format json`). The request id is the caller's `X-Request-Id` when it is a
//! sane token, else one made here; it is sent back in the same header. The same layer counts
//! the request for `/metrics`.
use std::io::Write as _;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::metrics::RouteTemplate;
use crate::state::AppState;

pub const REQUEST_ID: &str = "x-request-id";

// The format is a setting of the app (`WebConfig::access_log`).
pub use crate::config::LogFormat;

/// Query parameters whose values are secrets (one-time codes, tokens, keys, signatures).
fn secret_parameter(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "token",
        "key",
        "code",
        "secret",
        "password",
        "signature",
        "sig",
        "session",
    ]
    .iter()
    .any(|s| name == *s || name.ends_with(&format!("_{s}")) || name.starts_with(&format!("{s}_")))
}

/// Path segments that carry a secret, by the name the route gives them: a calendar feed's
/// file name holds its key, a test payment page's address its session.
const SECRET_SEGMENTS: &[&str] = &["{file}", "{session}", "{token}", "{code}"];

/// The path and query fit to log: secret query values and secret path segments (as the
/// matched route names them) replaced by `***`.
pub fn masked(path: &str, query: Option<&str>, route: Option<&str>) -> String {
    let mut out = match route {
        Some(route) if SECRET_SEGMENTS.iter().any(|s| route.contains(s)) => route
            .split('/')
            .zip(path.split('/'))
            .map(|(t, p)| if SECRET_SEGMENTS.contains(&t) { "***" } else { p })
            .collect::<Vec<_>>()
            .join("/"),
        _ => path.to_owned(),
    };
    if let Some(query) = query.filter(|q| !q.is_empty()) {
        out.push('?');
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if secret_parameter(name) => format!("{name}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    out
}

/// The caller's request id if it is 1 to 128 characters of letters, digits and `-_.:`.
fn given_id(headers: &HeaderMap) -> Option<String> {
    let id = headers.get(REQUEST_ID)?.to_str().ok()?;
    (!id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b)))
        .then(|| id.to_owned())
}

/// One access line.
pub struct Line<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub route: Option<&'a str>,
    pub status: u16,
    pub millis: f64,
    pub request_id: &'a str,
}

impl Line<'_> {
    pub fn render(&self, format: LogFormat) -> String {
        let time = tutti_store::now()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        match format {
            LogFormat::Json => serde_json::json!({
                "time": time,
                "method": self.method,
                "path": self.path,
                "route": self.route,
                "status": self.status,
                "duration_ms": (self.millis * 1000.0).round() / 1000.0,
                "request_id": self.request_id,
            })
            .to_string(),
            LogFormat::Plain => format!(
                "{time} {} {} {} {:.1}ms id={}",
                self.method, self.path, self.status, self.millis, self.request_id
            ),
        }
    }
}

/// The outermost layer: ids, times, logs and counts every request.
pub async fn log(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = given_id(request.headers())
        .unwrap_or_else(|| format!("{}-{}", state.store.changes().me(), state.metrics.request_number()));
    let header = HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("-"));
    request.headers_mut().insert(REQUEST_ID, header.clone());
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let mut response = next.run(request).await;
    let took = started.elapsed();
    response.headers_mut().insert(REQUEST_ID, header);
    let route = response.extensions().get::<RouteTemplate>().map(|r| r.0.as_str());
    let status = response.status().as_u16();
    state
        .metrics
        .observe_request(route.unwrap_or("unmatched"), &method, status, took);
    if let Some(format) = state.config.access_log {
        let line = Line {
            method: &method,
            path: &masked(&path, query.as_deref(), route),
            route,
            status,
            millis: took.as_secs_f64() * 1000.0,
            request_id: &id,
        }
        .render(format);
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_the_query_are_masked() {
        assert_eq!(
            masked("/setup", Some("code=abc123&next=/admin"), Some("/setup")),
            "/setup?code=***&next=/admin"
        );
        assert_eq!(
            masked("/reset", Some("token=t0k&key=k&api_key=z&page=2"), None),
            "/reset?token=***&key=***&api_key=***&page=2"
        );
        assert_eq!(masked("/admin/pupils", None, None), "/admin/pupils");
        assert_eq!(masked("/news", Some("q=token"), None), "/news?q=token");
    }

    #[test]
    fn secret_path_segments_are_masked_by_their_route() {
        assert_eq!(
            masked("/calendar/s3cr3t.ics", None, Some("/calendar/{file}")),
            "/calendar/***"
        );
        assert_eq!(
            masked("/pay/test/abc/pay", None, Some("/pay/test/{session}/pay")),
            "/pay/test/***/pay"
        );
        assert_eq!(
            masked("/admin/pupils/31", None, Some("/admin/pupils/{id}")),
            "/admin/pupils/31"
        );
    }

    #[test]
    fn a_json_line_is_one_object_with_path_and_status() {
        let line = Line {
            method: "GET",
            path: "/setup?code=***",
            route: Some("/setup"),
            status: 200,
            millis: 1.5,
            request_id: "abc",
        }
        .render(LogFormat::Json);
        assert!(!line.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["path"], "/setup?code=***");
        assert_eq!(v["status"], 200);
        assert_eq!(v["request_id"], "abc");
        let plain = Line {
            method: "GET",
            path: "/",
            route: None,
            status: 404,
            millis: 2.25,
            request_id: "x",
        }
        .render(LogFormat::Plain);
        assert!(plain.ends_with(" GET / 404 2.2ms id=x") || plain.ends_with(" GET / 404 2.3ms id=x"));
    }

    #[test]
    fn only_a_sane_request_id_is_taken() {
        let mut h = HeaderMap::new();
        h.insert(REQUEST_ID, HeaderValue::from_static("abc-123_x.y:z"));
        assert_eq!(given_id(&h).as_deref(), Some("abc-123_x.y:z"));
        h.insert(REQUEST_ID, HeaderValue::from_static("a b"));
        assert_eq!(given_id(&h), None);
        assert_eq!(given_id(&HeaderMap::new()), None);
    }
}
