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
    let host = state
        .config
        .public_url
        .split("://")
        .nth(1)
        .unwrap_or("tutti")
        .trim_end_matches('/')
        .to_owned();
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

/// Europe/London's rules, which RFC 5545 requires beside any TZID used.
const LONDON: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/London",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// The whole calendar: CRLF line endings, long lines folded, text escaped.
pub fn calendar(
    hub: &str,
    host: &str,
    lessons: &[TimetableLesson],
    rehearsals: &[tutti_store::teaching::ensembles::rehearsals::Rehearsal],
    now: OffsetDateTime,
) -> String {
    let mut out = String::new();
    let mut line = |text: &str| fold(&mut out, text);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Tutti//Lessons//EN");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", escape(&format!("Lessons – {hub}"))));
    for l in LONDON {
        line(l);
    }
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        now.month() as u8,
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    for lesson in lessons {
        let at = |minute: i32| {
            format!(
                "{:04}{:02}{:02}T{:02}{:02}00",
                lesson.date.year(),
                lesson.date.month() as u8,
                lesson.date.day(),
                minute / 60,
                minute % 60
            )
        };
        let pupils: Vec<&str> = lesson.pupils.iter().map(|p| p.name.as_str()).collect();
        let missed = lesson.owed_by_hub || lesson.status == tutti_domain::lessons::LessonStatus::Cancelled;
        line("BEGIN:VEVENT");
        line(&format!("UID:lesson-{}@{host}", lesson.id));
        line(&format!("DTSTAMP:{stamp}"));
        line(&format!("DTSTART;TZID=Europe/London:{}", at(lesson.start_minute)));
        line(&format!("DTEND;TZID=Europe/London:{}", at(lesson.end_minute)));
        line(&format!(
            "SUMMARY:{}",
            escape(&format!("{} lesson ({})", lesson.instrument, lesson.lesson_type))
        ));
        line(&format!("LOCATION:{}", escape(&lesson.school_name)));
        line(&format!(
            "DESCRIPTION:{}",
            escape(&format!(
                "Teacher: {}\nPupils: {}",
                lesson.teacher_name,
                pupils.join(", ")
            ))
        ));
        line(if missed { "STATUS:CANCELLED" } else { "STATUS:CONFIRMED" });
        line("END:VEVENT");
    }
    for r in rehearsals {
        let at = |minute: u16| {
            format!(
                "{:04}{:02}{:02}T{:02}{:02}00",
                r.date.year(),
                r.date.month() as u8,
                r.date.day(),
                minute / 60,
                minute % 60
            )
        };
        line("BEGIN:VEVENT");
        line(&format!("UID:rehearsal-{}@{host}", r.id));
        line(&format!("DTSTAMP:{stamp}"));
        line(&format!("DTSTART;TZID=Europe/London:{}", at(r.start_minute)));
        line(&format!("DTEND;TZID=Europe/London:{}", at(r.end_minute)));
        line(&format!(
            "SUMMARY:{}",
            escape(&format!("{} rehearsal", r.ensemble_name))
        ));
        line(&format!(
            "LOCATION:{}",
            escape(if r.online { "Online" } else { &r.venue })
        ));
        if !r.note.is_empty() {
            line(&format!("DESCRIPTION:{}", escape(&r.note)));
        }
        line(if r.status == tutti_domain::ensembles::RehearsalStatus::Cancelled {
            "STATUS:CANCELLED"
        } else {
            "STATUS:CONFIRMED"
        });
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

/// RFC 5545 TEXT escaping: backslash, semicolon, comma and newlines.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line, folded so that no line exceeds 75 octets (a continuation starts
/// with a space, which counts), never inside a UTF-8 character, ended by CRLF.
pub(crate) fn fold(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        if used + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let long = format!("DESCRIPTION:{}", "é".repeat(60));
        fold(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
    }

    #[test]
    fn escapes_text() {
        assert_eq!(
            escape("St Mary's, Durham; Hall\\1\nRoom"),
            "St Mary's\\, Durham\\; Hall\\\\1\\nRoom"
        );
    }
}
