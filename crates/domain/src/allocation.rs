//! Allocation's defaults: the hub's estimate of travel between two schools, a teacher's
//! availability when none is recorded, the names of weekdays in TIMETABLING.md, and how
//! the office writes a day's teaching times.
//!
//! Why estimates: the hub does not yet record a travel matrix or every teacher's hours;
//! the rule checks and the solver need both (docs/decisions/0036-allocation-data.md).
//!
//! Also what a placement breaks, in words (`placement`), what allocation refuses (`refusal`)
//! and a proposed timetable's lifecycle.

use crate::rotation::ClockTime;

mod placement;
mod refusal;

pub use placement::{
    GroupOutside, OutsideOf, PlacementProblem, PupilClash, SLOT_MINUTES, Span, Unnamed, When, lesson_label,
    problems_text,
};
pub use refusal::{
    AllocationRefusal, Week, check_group_room, check_proposal_seconds, check_school_hours, check_week, refuse_problems,
};

text_enum! {
    /// Where a proposed timetable is (the `timetable_proposals.status` column).
    pub enum ProposalStatus {
        /// The solver is searching.
        Running = "running",
        /// Found, and not yet accepted.
        Ready = "ready",
        /// The search failed; the proposal's error says why.
        Failed = "failed",
        /// Accepted: its moves were made.
        Accepted = "accepted",
    }
}

stored_status!(ProposalStatus);

/// Minutes to drive between two schools in one area (a town), and between areas.
pub const TRAVEL_SAME_AREA: i64 = 15;
pub const TRAVEL_OTHER_AREA: i64 = 20;

/// A teacher with no recorded availability can teach every school day in these hours.
pub const DEFAULT_AVAILABLE_FROM: i64 = 8 * 60 + 30;
pub const DEFAULT_AVAILABLE_TO: i64 = 17 * 60;

/// The travel estimate between two schools, by id and area.
pub fn travel_minutes(a: (i64, &str), b: (i64, &str)) -> i64 {
    if a.0 == b.0 {
        0
    } else if a.1.trim().eq_ignore_ascii_case(b.1.trim()) {
        TRAVEL_SAME_AREA
    } else {
        TRAVEL_OTHER_AREA
    }
}

/// TIMETABLING.md's name of a stored weekday (1 Monday to 5 Friday).
pub fn day_code(weekday: u8) -> Option<&'static str> {
    ["mon", "tue", "wed", "thu", "fri"]
        .get((weekday as usize).checked_sub(1)?)
        .copied()
}

/// The weekday's name in words, plural, for messages ("on Mondays").
pub fn day_plural(weekday: u8) -> &'static str {
    match weekday {
        1 => "Mondays",
        2 => "Tuesdays",
        3 => "Wednesdays",
        4 => "Thursdays",
        5 => "Fridays",
        _ => "that day",
    }
}

/// The weekday's name in words.
pub fn day_name(weekday: u8) -> &'static str {
    match weekday {
        1 => "Monday",
        2 => "Tuesday",
        3 => "Wednesday",
        4 => "Thursday",
        5 => "Friday",
        _ => "that day",
    }
}

/// The most rooms for visiting teachers a school record may claim: more is a typing mistake.
pub const MAX_ROOMS: u16 = 20;

/// A day's teaching times written as the office types them: "08:30–12:00, 13:00–17:00".
pub fn day_times_text(intervals: &[(u16, u16)]) -> String {
    intervals
        .iter()
        .map(|&(a, b)| format!("{}–{}", ClockTime(a), ClockTime(b)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a day's teaching times: intervals like "08:30-12:00" (a hyphen or an en dash),
/// separated by commas or semicolons; empty for a day with none. Sorted on the way out. An
/// interval that is not HH:MM to HH:MM, ends before it starts, or overlaps another is
/// refused with a message naming it; two that touch (12:00 and 12:00) are two intervals.
pub fn parse_day_times(text: &str) -> Result<Vec<(u16, u16)>, String> {
    let mut list = Vec::new();
    for piece in text.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let (from, to) = piece
            .split_once(['-', '–'])
            .map(|(a, b)| (a.parse::<ClockTime>(), b.parse::<ClockTime>()))
            .ok_or(())
            .and_then(|(a, b)| Ok((a.map_err(|_| ())?, b.map_err(|_| ())?)))
            .map_err(|()| format!("Write each time as HH:MM, like 08:30–12:00; \"{piece}\" is not."))?;
        if from >= to {
            return Err(format!("{from}–{to} ends before it starts."));
        }
        list.push((from.0, to.0));
    }
    list.sort_unstable();
    if let Some(w) = list.windows(2).find(|w| w[1].0 < w[0].1) {
        return Err(format!(
            "{} and {} overlap; write them as one time.",
            day_times_text(&w[..1]),
            day_times_text(&w[1..])
        ));
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn travel_is_symmetric_zero_at_one_school_and_less_within_a_town() {
        assert_eq!(travel_minutes((1, "Durham"), (1, "Durham")), 0);
        assert_eq!(travel_minutes((1, "Durham"), (2, "durham ")), TRAVEL_SAME_AREA);
        assert_eq!(travel_minutes((1, "Durham"), (2, "Consett")), TRAVEL_OTHER_AREA);
        assert_eq!(
            travel_minutes((2, "Consett"), (1, "Durham")),
            travel_minutes((1, "Durham"), (2, "Consett"))
        );
        assert_eq!(day_code(1), Some("mon"));
        assert_eq!(day_code(5), Some("fri"));
        assert_eq!(day_code(0), None);
        assert_eq!(day_code(6), None);
    }

    #[test]
    fn day_times_are_read_sorted_and_refused_with_the_interval_named() {
        assert_eq!(parse_day_times(""), Ok(vec![]));
        assert_eq!(parse_day_times(" , "), Ok(vec![]));
        assert_eq!(
            parse_day_times("13:00–17:00; 8:30-12:00"),
            Ok(vec![(510, 720), (780, 1020)])
        );
        assert_eq!(parse_day_times("09:00-12:00, 12:00-13:00").unwrap().len(), 2);
        let bad = parse_day_times("9am-12:00").unwrap_err();
        assert!(bad.contains("HH:MM") && bad.contains("9am-12:00"), "{bad}");
        assert!(parse_day_times("09:00").unwrap_err().contains("HH:MM"));
        assert!(parse_day_times("09:00-25:00").unwrap_err().contains("HH:MM"));
        assert_eq!(
            parse_day_times("12:00-09:00"),
            Err("12:00–09:00 ends before it starts.".into())
        );
        assert_eq!(
            parse_day_times("09:00-12:00, 11:00-13:00"),
            Err("09:00–12:00 and 11:00–13:00 overlap; write them as one time.".into())
        );
        assert_eq!(day_times_text(&[(510, 720), (780, 1020)]), "08:30–12:00, 13:00–17:00");
    }
}
