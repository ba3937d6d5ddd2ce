//! Errors of the JSON API as problem details (RFC 9457, `application/problem+json`): the
//! status, its title, a sentence saying what went wrong, and for a refused body every field
//! at fault with its message. One shape for every API error, whoever raises it.
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tutti_domain::Refusal;

/// The media type of a problem.
pub const CONTENT_TYPE: &str = "application/problem+json";

/// A field at fault, named as the request named it.
#[derive(Debug, Clone, Serialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// A problem: `type` is `about:blank` (RFC 9457 §4.2.1), so `title` is the status's own.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldProblem>,
}

impl Problem {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// 422: the body was read, and these fields are not right.
    pub fn invalid<F: Into<String>, M: Into<String>>(fields: impl IntoIterator<Item = (F, M)>) -> Problem {
        let errors: Vec<FieldProblem> = fields
            .into_iter()
            .map(|(f, m)| FieldProblem {
                field: f.into(),
                message: m.into(),
            })
            .collect();
        let detail = match errors.len() {
            1 => format!("{}: {}", errors[0].field, errors[0].message),
            n => format!("{n} fields are not right; each is named in errors."),
        };
        Problem {
            errors,
            ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, detail)
        }
    }
}

impl Problem {
    /// 409: a rule of the hub refused the request. The detail is the domain's words, the same
    /// a page shows; the field at fault is named when the domain names one.
    pub fn refused(r: &Refusal) -> Problem {
        let detail = crate::error::message(r);
        Problem {
            errors: r
                .field()
                .map(|field| FieldProblem {
                    field: field.to_owned(),
                    message: detail.clone(),
                })
                .into_iter()
                .collect(),
            ..Problem::new(StatusCode::CONFLICT, detail)
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut r = (status, Json(self)).into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_names_its_status_and_its_fields() {
        let p = serde_json::to_value(Problem::new(StatusCode::NOT_FOUND, "No such pupil.")).unwrap();
        assert_eq!(
            p,
            serde_json::json!({"type": "about:blank", "title": "Not Found", "status": 404, "detail": "No such pupil."})
        );
        let p = serde_json::to_value(Problem::invalid([("postcode", "Enter a UK postcode")])).unwrap();
        assert_eq!(p["status"], 422);
        assert_eq!(p["detail"], "postcode: Enter a UK postcode");
        assert_eq!(p["errors"][0]["field"], "postcode");
        let refused: Refusal = tutti_domain::progress::ProgressRefusal::Board.into();
        let p = serde_json::to_value(Problem::refused(&refused)).unwrap();
        assert_eq!(p["status"], 409);
        assert_eq!(p["detail"], "Give the exam board, such as ABRSM.");
        assert_eq!(p["errors"][0]["field"], "board");
        let p = serde_json::to_value(Problem::refused(&tutti_domain::lessons::LessonRefusal::NotOwed.into())).unwrap();
        assert_eq!(p.get("errors"), None);
        let r = Problem::invalid([("a", "x"), ("b", "y")]).into_response();
        assert_eq!(r.headers()["content-type"], CONTENT_TYPE);
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
}
