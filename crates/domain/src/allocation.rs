//! Allocation's defaults: the hub's estimate of travel between two schools, a teacher's
//! availability when none is recorded, and the names of weekdays in TIMETABLING.md.
//!
//! Why estimates: the hub does not yet record a travel matrix or every teacher's hours;
//! the rule checks and the solver need both (docs/decisions/0036-allocation-data.md).

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
}
