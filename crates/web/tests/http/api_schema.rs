//! The OpenAPI document matches what the server does: real responses of every kind (lists,
//! records, creates, updates, errors) are checked against the schema the document declares
//! for that path, method and status, field by field, with no undeclared field allowed; every
//! list answers with the one `Page` shape.
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tutti_store::platform::audit::Actor;

use crate::on_both_backends;
use crate::support::{Backend, PASSWORD, TestApp};
use tutti_store::testing::world::{a_family, a_school, a_teacher, an_admin, an_enrolment};

on_both_backends!(responses_match_their_documented_schemas);

/// Checks `value` against a JSON Schema as the document writes them (type, enum, pattern,
/// properties, required, additionalProperties, items, anyOf, $ref). Returns what is wrong.
fn violations(doc: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let target = doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{r} is not in the document"));
        return violations(doc, target, value, at, out);
    }
    if let Some(one) = schema.get("oneOf").and_then(Value::as_array) {
        let fits = one
            .iter()
            .filter(|s| {
                let mut inner = Vec::new();
                violations(doc, s, value, at, &mut inner);
                inner.is_empty()
            })
            .count();
        if fits != 1 {
            out.push(format!("{at}: {value} fits {fits} of {schema}, not exactly one"));
        }
        return;
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        let fits = any.iter().any(|s| {
            let mut inner = Vec::new();
            violations(doc, s, value, at, &mut inner);
            inner.is_empty()
        });
        if !fits {
            out.push(format!("{at}: {value} fits none of {schema}"));
        }
        return;
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let fits = types.iter().any(|t| match *t {
            "null" => value.is_null(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            _ => false,
        });
        if !fits {
            out.push(format!("{at}: {value} is not {types:?}"));
            return;
        }
    }
    if let (Some(allowed), false) = (schema.get("enum").and_then(Value::as_array), value.is_null())
        && !allowed.contains(value)
    {
        out.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let (Some(format), Some(text)) = (schema.get("format").and_then(Value::as_str), value.as_str()) {
        let ok = match format {
            "date" => text.len() == 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-',
            "date-time" => text.len() >= 20 && text.as_bytes()[10] == b'T',
            _ => true,
        };
        if !ok {
            out.push(format!("{at}: {text:?} is not a {format}"));
        }
    }
    if let (Some(pattern), Some(text)) = (schema.get("pattern").and_then(Value::as_str), value.as_str())
        && !matches_pattern(pattern, text)
    {
        out.push(format!("{at}: {text:?} does not match {pattern}"));
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let name = name.as_str().unwrap();
            if !object.contains_key(name) {
                out.push(format!("{at}: the required field {name} is missing"));
            }
        }
        for (name, field) in object {
            match properties.and_then(|p| p.get(name)) {
                Some(s) => violations(doc, s, field, &format!("{at}.{name}"), out),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    out.push(format!("{at}: the field {name} is not in the document"))
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            violations(doc, items, item, &format!("{at}[{i}]"), out);
        }
    }
}

/// The patterns response schemas use, each checked as its regular expression says.
fn matches_pattern(pattern: &str, text: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    match pattern {
        "^([01][0-9]|2[0-3]):[0-5][0-9]$" => {
            let b = text.as_bytes();
            b.len() == 5
                && b[2] == b':'
                && digits(&text[..2])
                && digits(&text[3..])
                && text[..2].parse::<u8>().unwrap() < 24
                && text[3..].parse::<u8>().unwrap() < 60
        }
        "^[0-9]{4}-[0-9]{2}$" => text.len() == 7 && digits(&text[..4]) && &text[4..5] == "-" && digits(&text[5..]),
        r"\S" => text.chars().any(|c| !c.is_whitespace()),
        r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)%$" => {
            let Some(number) = text.strip_suffix('%') else {
                return false;
            };
            let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
            digits(whole)
                && whole.len() <= 3
                && digits(fraction)
                && fraction.len() <= 2
                && (whole.parse::<u32>().unwrap() < 100 || (whole == "100" && fraction.bytes().all(|b| b == b'0')))
        }
        other => panic!("a pattern this checker does not know: {other}"),
    }
}

struct Checker {
    app: TestApp,
    doc: Value,
    client: reqwest::Client,
    checked: Vec<(String, String, u16)>,
}

impl Checker {
    /// Sends a request and checks its body against the document's schema for `template`,
    /// `method` and the status it answered; returns the status and the body.
    async fn call(
        &mut self,
        method: Method,
        template: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method.clone(), format!("{}{path}", self.app.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let media = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_owned())
            .unwrap_or_default();
        let text = r.text().await.unwrap();
        let m = method.as_str().to_lowercase();
        let pointer = format!(
            "/paths/{}/{m}/responses/{}",
            template.replace('~', "~0").replace('/', "~1"),
            status.as_u16()
        );
        let response = self
            .doc
            .pointer(&pointer)
            .unwrap_or_else(|| panic!("{m} {template} answered {status}, which the document does not list"));
        // The body is checked against the schema of the media type it came as, so an answer
        // in a type the document does not list for it fails too.
        let schema = response.pointer(&format!(
            "/content/{}/schema",
            media.replace('~', "~0").replace('/', "~1")
        ));
        if !text.is_empty() {
            assert!(
                schema.is_some(),
                "{m} {path} ({status}) answered {media}, which the document does not list for it"
            );
        }
        let value: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        match schema {
            Some(schema) => {
                let mut out = Vec::new();
                violations(&self.doc, schema, &value, "body", &mut out);
                assert!(
                    out.is_empty(),
                    "{m} {path} ({status}) does not match its schema:\n{}",
                    out.join("\n")
                );
            }
            None => assert!(
                text.is_empty(),
                "{m} {path} ({status}) sent a body the document does not describe"
            ),
        }
        self.checked.push((template.to_owned(), m, status.as_u16()));
        (status, value)
    }
}

/// A Wednesday early in the autumn term, with weeks of teaching to come.
const IN_TERM: time::Date = time::macros::date!(2026 - 09 - 16);

async fn responses_match_their_documented_schemas(backend: Backend) {
    // A billing run answers 202 with its job at once (`job_answer_wait` zero), so that the
    // job's answers are checked as well as the run's.
    let config = tutti_web::WebConfig {
        job_answer_wait: std::time::Duration::ZERO,
        ..tutti_web::WebConfig::default()
    };
    let Some(app) = TestApp::spawn_empty_with(backend, config, IN_TERM).await else {
        return;
    };
    // The world every operation below reads: an office login, a school with a teacher who
    // teaches one child of a family with a login, from the first week of term.
    let store = &app.store;
    let office = an_admin().create(store).await;
    let home_school = a_school().create(store).await;
    let teacher = a_teacher().with_login(PASSWORD).create(store).await;
    let family = a_family(&home_school).with_login(PASSWORD).create(store).await;
    an_enrolment(family.children[0])
        .starting(time::macros::date!(2026 - 09 - 07))
        .taught_by(teacher.staff.id, 2, 540)
        .create(store)
        .await;
    let ensemble_id = tutti_store::testing::world::an_ensemble("Schema Band")
        .wanting(&[("Violin", 2)])
        .by_audition()
        .create(store)
        .await
        .id;
    let token_for = |user_id: i64| {
        let store = app.store.clone();
        async move {
            store
                .create_api_token(&Actor::cli(), user_id, "schema test")
                .await
                .unwrap()
        }
    };
    let admin = token_for(office.id).await;
    let parent = token_for(family.user.as_ref().expect("the family has a login").id).await;
    let teacher_staff_id = teacher.staff.id;
    let client = reqwest::Client::new();
    let doc: Value = client
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut c = Checker {
        app,
        doc,
        client,
        checked: vec![],
    };
    let a = Some(admin.as_str());

    // Creates and updates.
    let school = json!({"urn": "199003", "name": "Schema Primary", "phase": "primary", "type": "academy", "postcode": "DL1 5QE"});
    let (status, created) = c
        .call(
            Method::POST,
            "/api/v1/schools",
            "/api/v1/schools",
            a,
            Some(school.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let school_id = created["id"].as_i64().unwrap();
    let (status, _) = c
        .call(
            Method::PUT,
            "/api/v1/schools/{id}",
            &format!("/api/v1/schools/{school_id}"),
            a,
            Some(school),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = c
        .call(
            Method::POST,
            "/api/v1/schools",
            "/api/v1/schools",
            a,
            Some(json!({"urn": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let staff = json!({"email": "schema.teacher@example.com", "first_name": "Sam", "last_name": "Schema", "role": "teacher", "instruments": "violin;viola", "employment": "employed", "dbs_number": "001234567890", "dbs_issued": "2025-09-01"});
    let (status, created) = c
        .call(Method::POST, "/api/v1/staff", "/api/v1/staff", a, Some(staff.clone()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let staff_id = created["id"].as_i64().unwrap();
    let (status, _) = c
        .call(
            Method::PUT,
            "/api/v1/staff/{id}",
            &format!("/api/v1/staff/{staff_id}"),
            a,
            Some(staff),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for (email, issued) in [("no.dbs@example.com", ""), ("old.dbs@example.com", "2019-09-01")] {
        let mut other = json!({"email": email, "first_name": "Ola", "last_name": "Other", "role": "teacher", "instruments": "flute", "employment": "sessional"});
        if !issued.is_empty() {
            other["dbs_number"] = json!("001234567891");
            other["dbs_issued"] = json!(issued);
        }
        let (status, body) = c
            .call(Method::POST, "/api/v1/staff", "/api/v1/staff", a, Some(other))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let instrument = json!({"serial": "SCHEMA-1", "type": "violin", "make": "Stentor", "model": "Student I", "condition": "good", "value": "149.99", "location": "Store"});
    let (status, created) = c
        .call(
            Method::POST,
            "/api/v1/instruments",
            "/api/v1/instruments",
            a,
            Some(instrument.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let instrument_id = created["id"].as_i64().unwrap();
    let (status, _) = c
        .call(
            Method::PUT,
            "/api/v1/instruments/{id}",
            &format!("/api/v1/instruments/{instrument_id}"),
            a,
            Some(instrument),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let pupil = json!({"pupil_ref": "SCHEMA1", "first_name": "Sal", "last_name": "Schema", "date_of_birth": "2016-03-01", "school_urn": "199003"});
    let (status, created) = c
        .call(Method::POST, "/api/v1/pupils", "/api/v1/pupils", a, Some(pupil))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let pupil_id = created["id"].as_i64().unwrap();

    // People and their logins: a school's contact, an invitation sent and sent again, the lists.
    let contacts = format!("/api/v1/schools/{school_id}/contacts");
    let contact = json!({"name": "Cass Contact", "email": "cass@schema.example", "job_title": "Music lead"});
    let (status, body) = c
        .call(
            Method::POST,
            "/api/v1/schools/{id}/contacts",
            &contacts,
            a,
            Some(contact),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = c
        .call(Method::GET, "/api/v1/schools/{id}/contacts", &contacts, a, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let invitation = json!({"email": "schema.teacher@example.com", "role": "teacher", "staff_id": staff_id});
    let (status, sent) = c
        .call(
            Method::POST,
            "/api/v1/invitations",
            "/api/v1/invitations",
            a,
            Some(invitation),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    let (status, _) = c
        .call(
            Method::POST,
            "/api/v1/invitations/{id}/resend",
            &format!("/api/v1/invitations/{}/resend", sent["id"]),
            a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = c
        .call(
            Method::GET,
            "/api/v1/invitations",
            "/api/v1/invitations?status=pending",
            a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Lists, then each first record, of every kind.
    for (list, item) in [
        ("/api/v1/schools", "/api/v1/schools/{id}"),
        ("/api/v1/pupils", "/api/v1/pupils/{id}"),
        ("/api/v1/staff", "/api/v1/staff/{id}"),
        ("/api/v1/instruments", "/api/v1/instruments/{id}"),
    ] {
        let (status, page) = c
            .call(Method::GET, list, &format!("{list}?per_page=5&q="), a, None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let id = page["rows"][0]["id"]
            .as_i64()
            .expect("every kind has a record made above");
        let (status, _) = c
            .call(Method::GET, item, &item.replace("{id}", &id.to_string()), a, None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = c
            .call(Method::GET, item, &item.replace("{id}", "999999999"), a, None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // Every staff member, with checks missing, current and expired.
    let (_, staff) = c
        .call(Method::GET, "/api/v1/staff", "/api/v1/staff?per_page=200", a, None)
        .await;
    let states: std::collections::HashSet<String> = staff["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["dbs_status"]
                .as_object()
                .map_or("missing".into(), |o| o.keys().next().unwrap().clone())
        })
        .collect();
    assert!(states.len() >= 3, "{states:?}");

    // The audit log, a timetable, and the answers to a stranger and to a wrong role.
    let (status, _) = c
        .call(Method::GET, "/api/v1/audit-events", "/api/v1/audit-events", a, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let today = c.app.store.today();
    let path = format!(
        "/api/v1/timetable?teacher={}&from={}&to={}",
        teacher_staff_id,
        today - time::Duration::days(30),
        today + time::Duration::days(30)
    );
    let (status, lessons) = c.call(Method::GET, "/api/v1/timetable", &path, a, None).await;
    assert_eq!(status, StatusCode::OK);
    let _ = lessons;
    let (status, _) = c
        .call(Method::GET, "/api/v1/pupils", "/api/v1/pupils", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let p = Some(parent.as_str());
    let (status, _) = c.call(Method::GET, "/api/v1/schools", "/api/v1/schools", p, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The allocation facts.
    let week =
        json!({"monday": ["09:00-12:00"], "tuesday": [], "wednesday": "13:00-15:00", "thursday": [], "friday": []});
    let (status, _) = c
        .call(
            Method::PUT,
            "/api/v1/staff/{id}/availability",
            &format!("/api/v1/staff/{staff_id}/availability"),
            a,
            Some(week),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = c
        .call(
            Method::PUT,
            "/api/v1/schools/{id}/hours",
            &format!("/api/v1/schools/{school_id}/hours"),
            a,
            Some(json!({"rooms": 3, "opens": "08:45", "closes": "15:30"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = c
        .call(
            Method::PUT,
            "/api/v1/schools/{id}/hours",
            &format!("/api/v1/schools/{school_id}/hours"),
            a,
            Some(json!({"rooms": 0})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The hub's identity: read by anyone signed in, replaced by an admin.
    let (status, hub) = c.call(Method::GET, "/api/v1/hub", "/api/v1/hub", p, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(hub["name"].as_str().is_some_and(|n| !n.is_empty()), "{hub}");
    let mut body = hub.clone();
    body.as_object_mut().unwrap().remove("logo_url");
    body["phone"] = "01632960123".into();
    let (status, saved) = c
        .call(Method::PUT, "/api/v1/hub", "/api/v1/hub", a, Some(body.clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, _) = c
        .call(Method::PUT, "/api/v1/hub", "/api/v1/hub", a, Some(json!({"name": ""})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    body["local_authorities"] = json!(["Darlington", "DARLINGTON"]);
    let (status, _) = c.call(Method::PUT, "/api/v1/hub", "/api/v1/hub", a, Some(body)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = c
        .call(Method::PUT, "/api/v1/hub", "/api/v1/hub", p, Some(json!({"name": "x"})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The year: an authority's term and closure, made, read, listed and changed.
    let term = json!({"authority": "Schemashire", "academic_year": "2027-28", "term": "autumn",
        "first_day": "2027-09-02", "last_day": "2027-12-17",
        "half_term_first_day": "2027-10-25", "half_term_last_day": "2027-10-29"});
    let (status, created) = c
        .call(Method::POST, "/api/v1/terms", "/api/v1/terms", a, Some(term.clone()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let term_path = format!("/api/v1/terms/{}", created["id"]);
    let (status, _) = c.call(Method::GET, "/api/v1/terms/{id}", &term_path, a, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = c
        .call(Method::PUT, "/api/v1/terms/{id}", &term_path, a, Some(term.clone()))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = c
        .call(Method::POST, "/api/v1/terms", "/api/v1/terms", a, Some(term))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, page) = c
        .call(
            Method::GET,
            "/api/v1/terms",
            "/api/v1/terms?authority=Schemashire",
            a,
            None,
        )
        .await;
    assert_eq!((status, page["total"].as_u64()), (StatusCode::OK, Some(1)));
    let closure = json!({"authority": "Schemashire", "date": "2027-10-04", "kind": "inset", "reason": "Training"});
    let (status, created) = c
        .call(Method::POST, "/api/v1/closures", "/api/v1/closures", a, Some(closure))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let closure_path = format!("/api/v1/closures/{}", created["id"]);
    let (status, _) = c
        .call(Method::GET, "/api/v1/closures/{id}", &closure_path, a, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = c
        .call(
            Method::GET,
            "/api/v1/closures",
            "/api/v1/closures?academic_year=2027-28",
            a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = c
        .call(Method::DELETE, "/api/v1/closures/{id}", &closure_path, a, None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Admissions: enrolments and applications, listed, read and made.
    let (status, page) = c
        .call(
            Method::GET,
            "/api/v1/enrolments",
            "/api/v1/enrolments?per_page=5",
            a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let id = page["rows"][0]["id"]
        .as_i64()
        .expect("the family's enrolment is listed");
    let (status, _) = c
        .call(
            Method::GET,
            "/api/v1/enrolments/{id}",
            &format!("/api/v1/enrolments/{id}"),
            a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let enrol = json!({"pupil_id": pupil_id, "instrument": "Violin", "lesson_type": "group", "minutes": 30, "start_date": "2026-09-21"});
    let mut awaiting = Vec::new();
    for _ in 0..2 {
        let (status, e) = c
            .call(
                Method::POST,
                "/api/v1/enrolments",
                "/api/v1/enrolments",
                a,
                Some(enrol.clone()),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{e}");
        assert_eq!(e["status"], "awaiting");
        awaiting.push(e["id"].as_i64().unwrap());
    }
    let (status, _) = c
        .call(
            Method::GET,
            "/api/v1/applications",
            "/api/v1/applications?status=waiting",
            a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Loans: the instrument lent to the new pupil, listed, and taken back.
    let (status, loan) = c
        .call(
            Method::POST,
            "/api/v1/loans",
            "/api/v1/loans",
            a,
            Some(json!({"instrument_id": instrument_id, "pupil_id": pupil_id, "from": "2026-09-21", "agreement_on_paper": true})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{loan}");
    let loan_id = loan["id"].as_i64().unwrap();
    let (status, page) = c
        .call(
            Method::GET,
            "/api/v1/loans",
            "/api/v1/loans?filter=current&per_page=5",
            a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page["total"].as_u64().unwrap() >= 1);
    let (status, back) = c
        .call(
            Method::POST,
            "/api/v1/loans/{id}/return",
            &format!("/api/v1/loans/{loan_id}/return"),
            a,
            Some(json!({"date": "2026-10-01", "condition": "good"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{back}");

    // Ensembles: listed and read; the new pupil applies, is declined, applies again, is
    // accepted and leaves.
    let (status, _) = c
        .call(
            Method::GET,
            "/api/v1/ensembles",
            "/api/v1/ensembles?level=intermediate&day=saturday",
            a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = c
        .call(
            Method::GET,
            "/api/v1/ensembles/{id}",
            &format!("/api/v1/ensembles/{ensemble_id}"),
            a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let applications = format!("/api/v1/ensembles/{ensemble_id}/applications");
    let mut decided = Vec::new();
    for step in ["decline", "accept", "leave"] {
        let application = match decided.last() {
            Some(id) if step == "leave" => *id,
            _ => {
                let (status, made) = c
                    .call(
                        Method::POST,
                        "/api/v1/ensembles/{id}/applications",
                        &applications,
                        a,
                        Some(json!({"pupil_id": pupil_id, "instrument": "Violin", "grade": 3})),
                    )
                    .await;
                assert_eq!(status, StatusCode::CREATED, "{made}");
                made["id"].as_i64().unwrap()
            }
        };
        let (status, body) = c
            .call(
                Method::POST,
                &format!("/api/v1/ensembles/{{id}}/applications/{{application_id}}/{step}"),
                &format!("{applications}/{application}/{step}"),
                a,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{step}: {body}");
        decided.push(application);
    }

    // Billing: the policy read, replaced and listed; a run previewed and made; invoices.
    let (status, policy) = c
        .call(
            Method::GET,
            "/api/v1/charging-policies/{year}",
            "/api/v1/charging-policies/2026-27",
            a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, saved) = c
        .call(
            Method::PUT,
            "/api/v1/charging-policies/{year}",
            "/api/v1/charging-policies/2026-27",
            a,
            Some(policy["file"].clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(saved["revision"].as_i64().unwrap() > policy["revision"].as_i64().unwrap());
    let mut twice = policy["file"]["policy"].clone();
    let first = twice["prices"][0].clone();
    twice["prices"].as_array_mut().unwrap().push(first);
    let (status, refused) = c
        .call(
            Method::PUT,
            "/api/v1/charging-policies/{year}",
            "/api/v1/charging-policies/2026-27",
            a,
            Some(twice),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "two prices for one lesson: {refused}");
    let (status, _) = c
        .call(
            Method::PUT,
            "/api/v1/charging-policies/{year}",
            "/api/v1/charging-policies/2027-28",
            a,
            Some(policy["file"].clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a file for another year");
    let (status, list) = c
        .call(
            Method::GET,
            "/api/v1/charging-policies",
            "/api/v1/charging-policies",
            a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        list["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["academic_year"] == "2026-27")
    );
    // A dry run is worked out in the request (200); a run is a job to follow (202), read
    // until it is done.
    for dry_run in [true, false] {
        let (status, report) = c
            .call(
                Method::POST,
                "/api/v1/billing-runs",
                "/api/v1/billing-runs",
                a,
                Some(json!({"term": "2026-autumn", "dry_run": dry_run})),
            )
            .await;
        if dry_run {
            assert_eq!(status, StatusCode::OK, "{report}");
            continue;
        }
        assert_eq!(status, StatusCode::ACCEPTED, "{report}");
        let job = report["id"].as_i64().expect("the job's id");
        let mut done = false;
        for _ in 0..300 {
            let (status, state) = c
                .call(
                    Method::GET,
                    "/api/v1/jobs/{id}",
                    &format!("/api/v1/jobs/{job}"),
                    a,
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{state}");
            assert_ne!(state["status"], "failed", "{state}");
            if state["status"] == "done" {
                done = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(done, "the run ends within 30 seconds");
    }
    let (status, invoices) = c
        .call(Method::GET, "/api/v1/invoices", "/api/v1/invoices?per_page=2", a, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let invoice = invoices["rows"][0]["id"].as_i64().expect("the run issued invoices");
    let (status, _) = c
        .call(
            Method::GET,
            "/api/v1/invoices/{id}",
            &format!("/api/v1/invoices/{invoice}"),
            a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Allocation: the new teacher (free on Monday mornings) takes the new school's pupil
    // (the school open 08:45 to 15:30) in a new group, then a second pupil joins it.
    let (status, placed) = c
        .call(
            Method::POST,
            "/api/v1/placements",
            "/api/v1/placements",
            a,
            Some(
                json!({"enrolments": [awaiting[0]], "teacher": staff_id, "school": school_id, "weekday": "Monday",
                        "start": "09:00", "minutes": 30, "lesson_type": "group", "instrument": "Violin"}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    let group = placed["group"].as_i64().unwrap();
    let (status, joined) = c
        .call(
            Method::POST,
            "/api/v1/placements",
            "/api/v1/placements",
            a,
            Some(json!({"group": group, "enrolments": [awaiting[1]]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    // Their first Monday is cancelled, then made up on the Wednesday after, at 13:00.
    let monday = time::macros::date!(2026 - 09 - 21);
    let (status, cancelled) = c
        .call(
            Method::POST,
            "/api/v1/cancellations",
            "/api/v1/cancellations",
            a,
            Some(json!({"teacher": staff_id, "date": monday.to_string(), "reason": "ill"})),
        )
        .await;
    assert_eq!(
        (status, cancelled["cancelled"].as_u64()),
        (StatusCode::OK, Some(1)),
        "{cancelled}"
    );
    let (_, lessons) = c
        .call(
            Method::GET,
            "/api/v1/timetable",
            &format!("/api/v1/timetable?teacher={staff_id}&from={monday}&to={monday}"),
            a,
            None,
        )
        .await;
    let owed = lessons["rows"][0]["id"]
        .as_i64()
        .expect("the cancelled lesson is listed");
    assert_eq!(lessons["rows"][0]["owed_by_hub"], true);
    let (status, made) = c
        .call(
            Method::POST,
            "/api/v1/make-ups",
            "/api/v1/make-ups",
            a,
            Some(json!({"lesson": owed, "date": (monday + time::Duration::days(2)).to_string(), "start": "13:00"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    // A proposed timetable for the term, once ready, accepted.
    let (status, started) = c
        .call(
            Method::POST,
            "/api/v1/timetable/proposals",
            "/api/v1/timetable/proposals",
            a,
            Some(json!({"term": "2026-autumn", "seconds": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let proposal = started["id"].as_i64().unwrap();
    let path = format!("/api/v1/timetable/proposals/{proposal}");
    let mut ready = false;
    for _ in 0..300 {
        let (status, p) = c
            .call(Method::GET, "/api/v1/timetable/proposals/{id}", &path, a, None)
            .await;
        assert_eq!(status, StatusCode::OK);
        if p["status"] != "running" {
            assert_eq!(p["status"], "ready", "{p}");
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "the proposal finished");
    let (status, accepted) = c
        .call(
            Method::POST,
            "/api/v1/timetable/proposals/{id}/accept",
            &format!("{path}/accept"),
            a,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");

    // Events: the office adds one, anyone signed in lists them, the office books a place.
    let (status, event) = c
        .call(
            Method::POST,
            "/api/v1/events",
            "/api/v1/events",
            a,
            Some(json!({
                "title": "Schema holiday course",
                "kind": "holiday-course",
                "audience": "pupils",
                "venue": "Music Centre",
                "capacity": 10,
                "sessions": [{"date": "2026-10-26", "start": "10:00", "end": "15:00"}],
                "ticket_types": [{"name": "Pupil", "price_pence": 6000}]
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let event_id = event["id"].as_i64().expect("the event's id");
    let (status, events) = c
        .call(
            Method::GET,
            "/api/v1/events",
            "/api/v1/events",
            Some(parent.as_str()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{events}");
    let (status, booked) = c
        .call(
            Method::POST,
            "/api/v1/events/{id}/bookings",
            &format!("/api/v1/events/{event_id}/bookings"),
            a,
            Some(json!({"name": "Phone Booker", "email": "phone@test.example",
                        "tickets": [{"type": "Pupil", "quantity": 2}]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{booked}");

    // Privacy: each kind of person's export is a ZIP (not JSON: checked by its type and its
    // signature), and erasure's dry run answers its report.
    let guardian_id = c.app.store.guardian_ids_for_email(&family.email).await.unwrap()[0];
    let people = [
        ("/api/v1/pupils/{id}", family.children[0]),
        ("/api/v1/guardians/{id}", guardian_id),
        ("/api/v1/staff/{id}", teacher_staff_id),
        ("/api/v1/users/{id}", office.id),
    ];
    for (template, id) in people {
        let path = template.replace("{id}", &id.to_string());
        let r = c
            .client
            .get(format!("{}{path}/export", c.app.base))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/zip");
        assert_eq!(&r.bytes().await.unwrap()[..4], b"PK\x03\x04");
        c.checked.push((format!("{template}/export"), "get".into(), 200));
        if template != "/api/v1/users/{id}" {
            let (status, plan) = c
                .call(
                    Method::POST,
                    &format!("{template}/erasure"),
                    &format!("{path}/erasure"),
                    a,
                    Some(json!({"dry_run": true})),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{plan}");
        }
    }

    // Every success the document gives a body for was seen above.
    let doc = c.doc.clone();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.starts_with('2') && response.get("content").is_some() {
                    let seen = c
                        .checked
                        .iter()
                        .any(|(p, m, s)| p == path && m == method && s.to_string() == *status);
                    assert!(
                        seen,
                        "{method} {path} {status} is documented with a body but was never checked"
                    );
                }
            }
        }
    }
}
