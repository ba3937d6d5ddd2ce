//! Bulk actions on the pupils list: the office ticks pupils, chooses what to do (message
//! their families, or move them to another group and so teacher, day and time), sees whom
//! it will touch and confirms; or offer each the place they wait for. Each is all or none: the pupil that blocks it is named and
//! nothing changes (decision 75).
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tutti_domain::admissions::{offer_answer_by_default, offer_start_default};
use tutti_domain::allocation::day_name;
use tutti_domain::validate::parse_date;
use tutti_store::StoreError;
use tutti_store::records::bulk::{BulkMessage, Chosen};

use super::*;
use crate::error::refusal_text;
use crate::format::clock;

/// The actions the list offers: the word posted and its words.
pub const ACTIONS: [(&str, &str); 3] = [
    ("message", "Message their families"),
    ("offer", "Offer each the place they are waiting for"),
    ("move", "Move them to another group or teacher"),
];

pub fn routes() -> Routes {
    Routes::new()
        .route("/admin/pupils/bulk", post(choose))
        .route("/admin/pupils/bulk/confirm", post(confirm))
}

#[derive(Template)]
#[template(path = "records/bulk.html")]
struct BulkPage {
    shell: Shell,
    heading: String,
    csrf: String,
    action: String,
    intro: String,
    pupils: Vec<Chosen>,
    /// The refusal that stopped it: nothing was changed.
    error: Option<String>,
    subject: String,
    body: String,
    /// Groups to move to: (id, words), and the one chosen.
    groups: Vec<(i64, String)>,
    group: i64,
    /// An offer's dates as typed (defaults: answer in two weeks, start the next teaching day).
    start_date: String,
    expires_on: String,
}

/// The form's fields: many `pupil`s, one of everything else.
struct Posted {
    pupils: Vec<i64>,
    action: String,
    subject: String,
    body: String,
    group: i64,
    start_date: String,
    expires_on: String,
}

fn read(fields: Vec<(String, String)>) -> Posted {
    let mut p = Posted {
        pupils: Vec::new(),
        action: String::new(),
        subject: String::new(),
        body: String::new(),
        group: 0,
        start_date: String::new(),
        expires_on: String::new(),
    };
    for (k, v) in fields {
        match k.as_str() {
            "pupil" => p.pupils.extend(v.trim().parse::<i64>().ok()),
            "action" => p.action = v,
            "subject" => p.subject = v,
            "body" => p.body = v,
            "group" => p.group = v.trim().parse().unwrap_or(0),
            "start_date" => p.start_date = v,
            "expires_on" => p.expires_on = v,
            _ => {}
        }
    }
    p
}

async fn page(state: &AppState, visitor: &Visitor, p: &Posted, error: Option<String>) -> AppResult<Response> {
    let Some((_, words)) = ACTIONS.iter().find(|(a, _)| *a == p.action) else {
        return Err(crate::error::AppError::BadRequest(
            "Choose what to do with the ticked pupils.".into(),
        ));
    };
    let pupils = match state.store.chosen_pupils(&p.pupils).await {
        Ok(list) => list,
        Err(e @ StoreError::Refused(_)) => {
            // Nothing ticked: back to the list, saying so.
            let text = refusal_text(e)?;
            if let Some(s) = &visitor.session {
                state.store.set_flash(&s.id_hash, Some(&text)).await?;
            }
            return Ok(axum::response::Redirect::to("/admin/pupils").into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let n = pupils.len();
    let whom = if n == 1 {
        "1 pupil".to_owned()
    } else {
        format!("{n} pupils")
    };
    let (mut start_date, mut expires_on) = (p.start_date.clone(), p.expires_on.clone());
    if p.action == "offer" && start_date.is_empty() && expires_on.is_empty() {
        let today = state.store.today();
        let answer_by = offer_answer_by_default(today);
        let start = offer_start_default(answer_by, &state.store.hub_calendar(today).await?);
        (start_date, expires_on) = (start.to_string(), answer_by.to_string());
    }
    let (intro, groups) = if p.action == "offer" {
        (
            format!(
                "Each of these {whom} is offered the place they are waiting for, and their family is emailed the offer. Each must be next on their list once those ticked ahead of them are offered; if any cannot be offered, nobody is."
            ),
            Vec::new(),
        )
    } else if p.action == "message" {
        (
            format!(
                "One email goes to each family of these {whom}, through the hub's outbox. If any pupil has no family email, nothing is sent."
            ),
            Vec::new(),
        )
    } else {
        let groups = state
            .store
            .group_summaries(None, None)
            .await?
            .into_iter()
            .map(|g| {
                (
                    g.id,
                    format!(
                        "{} {} with {}, {} {} at {} ({} pupils)",
                        g.instrument,
                        g.lesson_type,
                        g.teacher_name,
                        day_name(g.weekday as u8),
                        clock(g.start_minute),
                        g.school_name,
                        g.pupils
                    ),
                )
            })
            .collect();
        (
            format!(
                "These {whom} leave the groups they are in for the group you choose, and so its teacher, day and time, from today. If any pupil cannot move, nobody moves."
            ),
            groups,
        )
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = BulkPage {
        shell: Shell::new(state, visitor, *words, "/admin/pupils"),
        heading: (*words).to_owned(),
        csrf: visitor.csrf(),
        action: p.action.clone(),
        intro,
        pupils,
        error,
        subject: p.subject.clone(),
        body: p.body.clone(),
        groups,
        group: p.group,
        start_date,
        expires_on,
    };
    Ok((status, render(&page)?).into_response())
}

/// The ticked pupils and the chosen action: what it will do, to whom, and a Confirm button.
async fn choose(
    State(state): State<AppState>,
    visitor: Visitor,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    page(&state, &visitor, &read(fields), None).await
}

/// Does it, all or none; a refusal shows the page again naming the pupil, nothing changed.
async fn confirm(a: Acting, Form(fields): Form<Vec<(String, String)>>) -> AppResult<Response> {
    let p = read(fields);
    let who = a.actor();
    let done_text = match p.action.as_str() {
        "message" => a
            .state
            .store
            .message_families(
                &who,
                &p.pupils,
                &BulkMessage {
                    subject: p.subject.clone(),
                    body: p.body.clone(),
                },
            )
            .await
            .map(|n| format!("{n} emails are in the outbox, one for each family.")),
        "offer" => {
            let (Ok(start), Ok(expires)) = (parse_date(&p.start_date), parse_date(&p.expires_on)) else {
                let text = "Enter the start date and the answer-by date as dates, like 2027-01-04.";
                return page(&a.state, &a.visitor, &p, Some(text.into())).await;
            };
            let answer_url = format!(
                "{}/parent/applications",
                a.state.config.public_url.trim_end_matches('/')
            );
            a.state
                .store
                .offer_places_to_pupils(&who, &p.pupils, start, expires, a.state.store.today(), &answer_url)
                .await
                .map(|n| format!("{n} places offered; each family is emailed the offer."))
        }
        "move" if p.group == 0 => {
            return page(
                &a.state,
                &a.visitor,
                &p,
                Some("Choose the group to move them to.".into()),
            )
            .await;
        }
        "move" => a
            .state
            .store
            .move_pupils_to_group(&who, p.group, &p.pupils)
            .await
            .map(|n| format!("{n} pupils moved to the group.")),
        _ => return page(&a.state, &a.visitor, &p, None).await,
    };
    match done_text {
        Ok(text) => a.done(&text, "/admin/pupils").await,
        Err(e @ StoreError::Refused(_)) => {
            let text = refusal_text(e)?;
            page(&a.state, &a.visitor, &p, Some(text)).await
        }
        Err(e) => Err(e.into()),
    }
}
