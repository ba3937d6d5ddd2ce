//! Private iCalendar feeds (RFC 5545) at an unguessable per-user address: each person's
//! dated lessons at their real rotated times, for a phone calendar to subscribe to.
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use time::{Duration, OffsetDateTime};
use tutti_store::platform::accounts::Role;
use tutti_store::teaching::lessons::{NoteReader, TimetableLesson, TimetableOf};

use crate::access::{Access, Audience, Routes};
use crate::error::AppResult;
use crate::ical::{Calendar, Entry};
use crate::state::AppState;

/// Public: the secret in the address is the credential (calendar apps send no cookies).
pub fn audience() -> Audience {
    Audience::new(Access::Public, Routes::new().route("/calendar/{file}", get(feed)))
}

/// How far back and ahead a feed reaches.
const BEHIND: Duration = Duration::days(35);
const AHEAD: Duration = Duration::days(120);

async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> AppResult<Response> {
    let not_found = || Ok((StatusCode::NOT_FOUND, "No such calendar.").into_response());
    let Some(token) = file.strip_suffix(".ics") else {
        return not_found();
    };
    let Some(user) = state.store.user_for_calendar_feed(token).await? else {
        return not_found();
    };
    let today = state.store.today();
    let (from, to) = (today - BEHIND, today + AHEAD);
    let mut lessons = Vec::new();
    match user.role {
        Role::Teacher => {
            if let Some(id) = user.staff_id {
                lessons = state
                    .store
                    .timetable(TimetableOf::Teacher(id), from, to, NoteReader::Staff)
                    .await?;
            }
        }
        Role::School => {
            if let Some(id) = user.school_id {
                lessons = state
                    .store
                    .timetable(TimetableOf::School(id), from, to, NoteReader::Family)
                    .await?;
            }
        }
        Role::Parent if user.email_verified => {
            for child in state.store.children_of_guardian(&user.email).await? {
                lessons.extend(
                    state
                        .store
                        .timetable(TimetableOf::Pupil(child.id), from, to, NoteReader::Family)
                        .await?,
                );
            }
        }
        Role::Pupil => {
            if let Some(id) = user.pupil_id {
                lessons = state
                    .store
                    .timetable(TimetableOf::Pupil(id), from, to, NoteReader::Family)
                    .await?;
            }
        }
        _ => {}
    }
    let host = crate::ical::host_of(&state.config.public_url);
    // Ensembles' rehearsals: a family's children's, a pupil's own, a leader's (decision 0084).
    let rehearsals = crate::routes::teaching::ensembles::feed_rehearsals(&state, &user, from, to).await?;
    let body = calendar(
        &state.hub_name(),
        &host,
        &lessons,
        &rehearsals,
        OffsetDateTime::now_utc(),
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=900"),
        ],
        body,
    )
        .into_response())
}

/// The whole calendar of lessons and rehearsals.
pub fn calendar(
    hub: &str,
    host: &str,
    lessons: &[TimetableLesson],
    rehearsals: &[tutti_store::teaching::ensembles::rehearsals::Rehearsal],
    now: OffsetDateTime,
) -> String {
    let mut cal = Calendar::new("Lessons", Some(&format!("Lessons – {hub}")), host, now);
    for lesson in lessons {
        let pupils: Vec<&str> = lesson.pupils.iter().map(|p| p.name.as_str()).collect();
        cal.entry(&Entry {
            uid: format!("lesson-{}", lesson.id),
            date: lesson.date,
            start_minute: lesson.start_minute,
            end_minute: lesson.end_minute,
            summary: &format!("{} lesson ({})", lesson.instrument, lesson.lesson_type),
            location: if lesson.online { "Online" } else { &lesson.school_name },
            description: &format!("Teacher: {}\nPupils: {}", lesson.teacher_name, pupils.join(", ")),
            cancelled: lesson.owed_by_hub || lesson.status == tutti_domain::lessons::LessonStatus::Cancelled,
        });
    }
    for r in rehearsals {
        cal.entry(&Entry {
            uid: format!("rehearsal-{}", r.id),
            date: r.date,
            start_minute: i32::from(r.start_minute),
            end_minute: i32::from(r.end_minute),
            summary: &format!("{} rehearsal", r.ensemble_name),
            location: if r.online { "Online" } else { &r.venue },
            description: &r.note,
            cancelled: r.status == tutti_domain::ensembles::RehearsalStatus::Cancelled,
        });
    }
    cal.finish()
}
