//! Gift Aid claims: the schedule HMRC's Charities Online takes (title, first name, last name,
//! house name or number, postcode, aggregated donations, sponsored event, donation date as
//! DD/MM/YY, amount), with donations of £20 or less aggregated into lines of up to £1,000, and
//! the donor's name and address split as HMRC asks.
use time::Date;

use crate::Pence;

/// The columns of the schedule, in HMRC's order.
pub const HEADER: [&str; 9] = [
    "Title",
    "First name or initial",
    "Last name",
    "House name or number",
    "Postcode",
    "Aggregated donations",
    "Sponsored event",
    "Donation date",
    "Amount",
];

/// A donation of £20 or less may be aggregated with others.
pub const AGGREGATE_AT_MOST: Pence = Pence(2000);
/// An aggregated line may total no more than £1,000.
pub const AGGREGATE_LINE_MAX: Pence = Pence(100_000);

/// Titles HMRC's schedule takes in its own column.
const TITLES: &[&str] = &[
    "Mr", "Mrs", "Miss", "Ms", "Mx", "Dr", "Prof", "Rev", "Sir", "Dame", "Lady", "Lord",
];

/// A paid donation with a Gift Aid declaration, as the claim reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    pub id: i64,
    pub donor_name: String,
    pub home_address: String,
    pub postcode: String,
    pub date: Date,
    pub amount: Pence,
}

/// One line of the schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleLine {
    pub title: String,
    pub first_name: String,
    pub last_name: String,
    pub house: String,
    pub postcode: String,
    /// For an aggregated line, what it aggregates; empty otherwise.
    pub aggregated: String,
    pub date: Date,
    pub amount: Pence,
    /// The donations on this line.
    pub donations: Vec<i64>,
}

/// A full name split into title, first name and last name: "Dr Jane Q Smith" is Dr, Jane Q,
/// Smith.
pub fn split_name(full: &str) -> (String, String, String) {
    let mut words: Vec<&str> = full.split_whitespace().collect();
    let title = match words.first() {
        Some(w) if TITLES.iter().any(|t| t.eq_ignore_ascii_case(w.trim_end_matches('.'))) => {
            words.remove(0).trim_end_matches('.').to_owned()
        }
        _ => String::new(),
    };
    let last = words.pop().unwrap_or_default().to_owned();
    (title, words.join(" "), last)
}

/// The house name or number from a home address: the number that starts it ("12 High
/// Street" is 12, "Flat 3, 12 High Street" is Flat 3), else its first part ("Rose Cottage,
/// Mill Lane" is Rose Cottage).
pub fn house(address: &str) -> String {
    let first = address.split([',', '\n']).next().unwrap_or("").trim();
    match first.split_whitespace().next() {
        Some(w) if w.chars().next().is_some_and(|c| c.is_ascii_digit()) => w.to_owned(),
        _ => first.to_owned(),
    }
}

/// "25/12/26": the schedule's date.
pub fn schedule_date(d: Date) -> String {
    format!("{:02}/{:02}/{:02}", d.day(), d.month() as u8, d.year() % 100)
}

/// The schedule's lines: donations over £20 one a line with the donor's details; those of
/// £20 or less aggregated, in date order, into lines of at most £1,000 dated by their last
/// donation.
pub fn schedule(donations: &[Declared]) -> Vec<ScheduleLine> {
    let mut sorted: Vec<&Declared> = donations.iter().collect();
    sorted.sort_by_key(|d| (d.date, d.id));
    let mut lines = Vec::new();
    let mut small: Vec<&Declared> = Vec::new();
    let flush = |small: &mut Vec<&Declared>, lines: &mut Vec<ScheduleLine>| {
        if let Some(last) = small.last() {
            lines.push(ScheduleLine {
                title: String::new(),
                first_name: String::new(),
                last_name: String::new(),
                house: String::new(),
                postcode: String::new(),
                aggregated: match small.len() {
                    1 => "1 donation of £20 or less".to_owned(),
                    n => format!("{n} donations of £20 or less"),
                },
                date: last.date,
                amount: small.iter().map(|d| d.amount).sum(),
                donations: small.iter().map(|d| d.id).collect(),
            });
        }
        small.clear();
    };
    for d in sorted {
        if d.amount <= AGGREGATE_AT_MOST {
            let so_far: Pence = small.iter().map(|x| x.amount).sum();
            if Pence(so_far.0 + d.amount.0) > AGGREGATE_LINE_MAX {
                flush(&mut small, &mut lines);
            }
            small.push(d);
            continue;
        }
        let (title, first_name, last_name) = split_name(&d.donor_name);
        lines.push(ScheduleLine {
            title,
            first_name,
            last_name,
            house: house(&d.home_address),
            postcode: d.postcode.clone(),
            aggregated: String::new(),
            date: d.date,
            amount: d.amount,
            donations: vec![d.id],
        });
    }
    flush(&mut small, &mut lines);
    lines
}

/// The schedule as CSV, its header first.
pub fn schedule_csv(lines: &[ScheduleLine]) -> String {
    let header = std::iter::once(HEADER.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>());
    let rows = lines.iter().map(|l| {
        vec![
            l.title.clone(),
            l.first_name.clone(),
            l.last_name.clone(),
            l.house.clone(),
            l.postcode.clone(),
            l.aggregated.clone(),
            String::new(),
            schedule_date(l.date),
            format!("{}.{:02}", l.amount.0 / 100, l.amount.0 % 100),
        ]
    });
    crate::csv::write(header.chain(rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn gift(id: i64, name: &str, pence: i64, day: Date) -> Declared {
        Declared {
            id,
            donor_name: name.into(),
            home_address: "12 High Street, Durham".into(),
            postcode: "DH1 3LE".into(),
            date: day,
            amount: Pence(pence),
        }
    }

    #[test]
    fn names_and_houses_are_split_as_hmrc_asks() {
        assert_eq!(
            split_name("Dr Jane Q Smith"),
            ("Dr".into(), "Jane Q".into(), "Smith".into())
        );
        assert_eq!(split_name("Sam Jones"), (String::new(), "Sam".into(), "Jones".into()));
        assert_eq!(house("12 High Street, Durham"), "12");
        assert_eq!(house("Rose Cottage, Mill Lane"), "Rose Cottage");
        assert_eq!(schedule_date(date!(2026 - 04 - 06)), "06/04/26");
    }

    #[test]
    fn small_gifts_are_aggregated_up_to_a_thousand_pounds_a_line() {
        let mut gifts = vec![gift(1, "Mrs Ann Lee", 5000, date!(2026 - 05 - 01))];
        for i in 0..60 {
            gifts.push(gift(100 + i, "Small Giver", 2000, date!(2026 - 05 - 02)));
        }
        let lines = schedule(&gifts);
        assert_eq!(lines.len(), 3);
        assert_eq!((lines[0].title.as_str(), lines[0].last_name.as_str()), ("Mrs", "Lee"));
        assert_eq!(lines[1].amount, Pence(100_000));
        assert_eq!(lines[1].donations.len(), 50);
        assert_eq!(lines[2].amount, Pence(20_000));
        let csv = schedule_csv(&lines);
        assert!(csv.starts_with("Title,First name or initial,Last name,House name or number,Postcode,"));
        assert!(csv.contains("Mrs,Ann,Lee,12,DH1 3LE,,,01/05/26,50.00\r\n"), "{csv}");
        assert!(
            csv.contains(",,,,,50 donations of £20 or less,,02/05/26,1000.00\r\n"),
            "{csv}"
        );
    }
}
