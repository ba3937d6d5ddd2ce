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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldProblem {
    /// The field's path in the request: `urn`, `from`, `instalments.due_day`, `prices[3].minutes`;
    /// `body` or `query` when the whole of it could not be read.
    pub field: String,
    /// What is wrong with it, in plain words.
    pub message: String,
}

/// A problem (RFC 9457, `application/problem+json`): `type` is `about:blank` (§4.2.1), so
/// `title` is the status's own. A refused body or query (422), or a request that breaks a
/// rule about its fields together (409), names each field at fault in `errors`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    #[serde(rename = "type")]
    #[schema(rename = "type", value_type = String, example = "about:blank")]
    kind: &'static str,
    #[schema(value_type = String)]
    title: &'static str,
    /// The HTTP status.
    #[schema(minimum = 400, maximum = 599)]
    status: u16,
    /// What went wrong, in a sentence.
    detail: String,
    /// Every field at fault; left out when the problem is not about fields.
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
        Problem::fields(StatusCode::UNPROCESSABLE_ENTITY, fields)
    }

    /// A problem of `status` naming each field at fault: 422 for fields that are not of
    /// their documented shape, 409 for fields of the right shape that break a rule together
    /// (two prices for one lesson, a file for another year than its address names).
    pub fn fields<F: Into<String>, M: Into<String>>(
        status: StatusCode,
        fields: impl IntoIterator<Item = (F, M)>,
    ) -> Problem {
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
            ..Problem::new(status, detail)
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
