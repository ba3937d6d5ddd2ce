//! The shapes of the API's JSON bodies, written as JSON Schema beside the routes and joined
//! to the generated OpenAPI document: every response body the server sends is described
//! here, and the HTTP tests check real responses against these schemas, fields and all.
use serde_json::{Map, Value, json};

fn string() -> Value {
    json!({"type": "string"})
}
fn integer() -> Value {
    json!({"type": "integer"})
}
fn boolean() -> Value {
    json!({"type": "boolean"})
}
fn date() -> Value {
    json!({"type": "string", "format": "date"})
}
fn date_time() -> Value {
    json!({"type": "string", "format": "date-time"})
}
fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}
fn array(items: Value) -> Value {
    json!({"type": "array", "items": items})
}
/// The value or null (OpenAPI 3.1 writes null as a type).
fn nullable(mut schema: Value) -> Value {
    if let Some(t) = schema.get("type").and_then(Value::as_str).map(str::to_owned) {
        schema["type"] = json!([t, "null"]);
        schema
    } else {
        json!({"anyOf": [schema, {"type": "null"}]})
    }
}

/// An object with exactly these fields, all present (`nullable` ones may be null).
fn object(fields: &[(&str, Value)]) -> Value {
    let properties: Map<String, Value> = fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
    let required: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

/// A page of a list: its rows and the capped total (see `listing::Page`).
fn page(row: &str) -> Value {
    object(&[
        ("rows", array(reference(row))),
        ("total", integer()),
        ("capped", boolean()),
        ("page", integer()),
        ("per_page", integer()),
    ])
}

/// Where a dated check stands: "missing", or one of current, due_soon, expired with its day.
fn check_status() -> Value {
    let dated = |k: &str| object(&[(k, object(&[("due", date())]))]);
    json!({"anyOf": [{"type": "string", "enum": ["missing"]}, dated("current"), dated("due_soon"), dated("expired")]})
}

/// A problem (RFC 9457); a refusal by one of the hub's rules also names the field at fault,
/// when there is one, in `errors`.
fn problem() -> Value {
    let mut p = object(&[
        ("type", string()),
        ("title", string()),
        ("status", integer()),
        ("detail", string()),
        ("errors", array(object(&[("field", string()), ("message", string())]))),
    ]);
    p["required"] = json!(["type", "title", "status", "detail"]);
    p
}

fn schemas() -> Map<String, Value> {
    let named = [
        ("Problem", problem()),
        (
            "ValidationProblem",
            object(&[
                ("type", string()),
                ("title", string()),
                ("status", integer()),
                ("detail", string()),
                ("errors", array(object(&[("field", string()), ("message", string())]))),
            ]),
        ),
        ("Created", object(&[("id", integer())])),
        (
            "Availability",
            object(&[
                ("monday", array(string())),
                ("tuesday", array(string())),
                ("wednesday", array(string())),
                ("thursday", array(string())),
                ("friday", array(string())),
                ("outside", array(string())),
            ]),
        ),
        (
            "SchoolHours",
            object(&[
                ("rooms", integer()),
                ("opens", string()),
                ("closes", string()),
                ("outside", array(string())),
            ]),
        ),
        (
            "School",
            object(&[
                ("id", integer()),
                ("urn", integer()),
                ("name", string()),
                ("phase", string()),
                ("school_type", string()),
                ("local_authority", string()),
                ("area", string()),
                ("address", string()),
                ("postcode", string()),
                ("parent_charge_uplift", integer()),
                ("billing", string()),
                ("archived", boolean()),
                ("updated_at", date_time()),
            ]),
        ),
        ("SchoolPage", page("School")),
        (
            "PupilRow",
            object(&[
                ("id", integer()),
                ("pupil_ref", string()),
                ("first_name", string()),
                ("last_name", string()),
                ("date_of_birth", date()),
                ("school_id", integer()),
                ("school_name", string()),
            ]),
        ),
        ("PupilPage", page("PupilRow")),
        (
            "Guardian",
            object(&[
                ("id", integer()),
                ("name", string()),
                ("email", string()),
                ("phone", string()),
                ("address", string()),
            ]),
        ),
        (
            "Pupil",
            object(&[
                ("id", integer()),
                ("pupil_ref", string()),
                ("first_name", string()),
                ("last_name", string()),
                ("date_of_birth", date()),
                ("school_id", integer()),
                ("school_name", string()),
                ("school_urn", integer()),
                ("year_group", string()),
                ("year_group_overridden", boolean()),
                ("fsm", boolean()),
                ("pupil_premium", boolean()),
                ("looked_after", boolean()),
                ("photo_consent", boolean()),
                ("send", nullable(boolean())),
                ("medical_notes", nullable(string())),
                ("redacted", boolean()),
                ("archived", boolean()),
                ("guardians", array(reference("Guardian"))),
                ("updated_at", date_time()),
            ]),
        ),
        (
            "Staff",
            object(&[
                ("id", integer()),
                ("email", string()),
                ("first_name", string()),
                ("last_name", string()),
                ("role", string()),
                ("instruments", array(string())),
                ("employment", string()),
                ("dbs_number", nullable(string())),
                ("dbs_issued", nullable(date())),
                ("dbs_update_service", boolean()),
                ("safeguarding_trained", nullable(date())),
                ("dbs_status", check_status()),
                ("safeguarding_status", check_status()),
                ("archived", boolean()),
                ("updated_at", date_time()),
            ]),
        ),
        ("StaffPage", page("Staff")),
        (
            "Instrument",
            object(&[
                ("id", integer()),
                ("serial", string()),
                ("instrument_type", string()),
                ("make", string()),
                ("model", string()),
                ("condition", nullable(string())),
                ("value_pence", nullable(integer())),
                ("location", string()),
                ("status", string()),
                ("archived", boolean()),
                ("updated_at", date_time()),
            ]),
        ),
        ("InstrumentPage", page("Instrument")),
        (
            "AuditEvent",
            object(&[
                ("id", integer()),
                ("at", date_time()),
                ("user_id", nullable(integer())),
                ("actor", string()),
                ("action", string()),
                ("entity", string()),
                ("entity_id", nullable(integer())),
                ("summary", string()),
                ("ip", string()),
            ]),
        ),
        ("AuditEventPage", page("AuditEvent")),
        (
            "DatedLesson",
            object(&[
                ("id", integer()),
                ("date", date()),
                ("start", json!({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"})),
                ("end", json!({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"})),
                ("status", string()),
                ("owed_by_hub", boolean()),
                ("instrument", string()),
                ("lesson_type", string()),
                ("school", object(&[("id", integer()), ("name", string())])),
                ("teacher", object(&[("id", integer()), ("name", string())])),
                (
                    "pupils",
                    array(object(&[
                        ("id", integer()),
                        ("name", string()),
                        ("mark", nullable(string())),
                    ])),
                ),
                ("note", string()),
            ]),
        ),
        ("Timetable", object(&[("lessons", array(reference("DatedLesson")))])),
    ];
    named.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// (path, method, status, schema) for every response that has a JSON body.
const BODIES: &[(&str, &str, &str, &str)] = &[
    ("/api/v1/schools", "get", "200", "SchoolPage"),
    ("/api/v1/schools", "post", "201", "School"),
    ("/api/v1/schools/{id}", "get", "200", "School"),
    ("/api/v1/schools/{id}", "put", "200", "School"),
    ("/api/v1/staff", "get", "200", "StaffPage"),
    ("/api/v1/staff", "post", "201", "Staff"),
    ("/api/v1/staff/{id}", "get", "200", "Staff"),
    ("/api/v1/staff/{id}", "put", "200", "Staff"),
    ("/api/v1/instruments", "get", "200", "InstrumentPage"),
    ("/api/v1/instruments", "post", "201", "Instrument"),
    ("/api/v1/instruments/{id}", "get", "200", "Instrument"),
    ("/api/v1/instruments/{id}", "put", "200", "Instrument"),
    ("/api/v1/pupils", "get", "200", "PupilPage"),
    ("/api/v1/pupils", "post", "201", "Created"),
    ("/api/v1/pupils/{id}", "get", "200", "Pupil"),
    ("/api/v1/audit-events", "get", "200", "AuditEventPage"),
    ("/api/v1/timetable", "get", "200", "Timetable"),
    ("/api/v1/staff/{id}/availability", "put", "200", "Availability"),
    ("/api/v1/schools/{id}/hours", "put", "200", "SchoolHours"),
];

/// The document with every body's schema: the named ones as components, each success body
/// by reference, and every 4xx answer as an RFC 9457 `Problem` (`application/problem+json`)
/// or, for 422, a `ValidationProblem` naming each field.
pub fn describe_bodies(doc: utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(doc).expect("the OpenAPI document is JSON");
    doc["components"]["schemas"] = Value::Object(schemas());
    let body = |schema: &str| json!({"application/json": {"schema": reference(schema)}});
    for (path, method, status, schema) in BODIES {
        if let Some(response) = doc.pointer_mut(&format!("/paths/{}/{method}/responses/{status}", escape(path))) {
            response["content"] = body(schema);
        }
    }
    // Every call needs a token or a session; without one the answer is 401.
    doc["components"]["securitySchemes"] = json!({"bearer": {"type": "http", "scheme": "bearer"}});
    doc["security"] = json!([{"bearer": []}]);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for (method, operation) in item.iter_mut() {
                document_refusals(path, method, operation);
            }
        }
        for operation in paths
            .values_mut()
            .filter_map(Value::as_object_mut)
            .flat_map(|p| p.values_mut())
        {
            let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            responses
                .entry("401")
                .or_insert_with(|| json!({"description": "No token or session, or one that is not valid"}));
            for (status, response) in responses.iter_mut() {
                let schema = match status.as_str() {
                    "422" => "ValidationProblem",
                    s if s.starts_with('4') => "Problem",
                    _ => continue,
                };
                response["content"] = json!({crate::problem::CONTENT_TYPE: {"schema": reference(schema)}});
            }
        }
    }
    doc
}

/// The answers every operation of its kind can give before its handler runs (see
/// `api_extract`): a body that is not JSON (400) or not sent as JSON (415), a body or query
/// of the wrong shape (422), an id that names nothing (404).
fn document_refusals(path: &str, method: &str, operation: &mut Value) {
    let takes_body = matches!(method, "post" | "put" | "patch");
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
    if takes_body {
        add("400", "The body is not JSON");
        add("415", "The body was not sent as application/json");
    }
    if takes_body || has_query {
        add("422", "Errors by field");
    }
    if path.contains('{') {
        add("404", "No such record, or not yours to see");
    }
}

/// A path as one JSON pointer segment.
fn escape(path: &str) -> String {
    path.replace('~', "~0").replace('/', "~1")
}
