//! Debt: when an invoice's unpaid balance fell due, and the age bands the office reads debt by.
use time::Date;

use crate::Pence;

/// An instalment as the debt rule reads it: the day it is due and its amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Due {
    pub on: Date,
    pub amount: Pence,
}

/// The day an invoice's balance has been overdue since, or `None` if nothing is overdue on
/// `today`. Payments meet instalments in order; the first instalment they do not cover is
/// unpaid from its due day, and once one is missed the whole balance is due (the missed
/// instalment rule). An invoice with no instalments is due on the day it was issued.
pub fn overdue_since(total: Pence, settled: Pence, issued_on: Date, instalments: &[Due], today: Date) -> Option<Date> {
    if settled >= total {
        return None;
    }
    let mut plan: Vec<Due> = instalments.to_vec();
    plan.sort_by_key(|d| d.on);
    let first_unpaid = if plan.is_empty() {
        issued_on
    } else {
        let mut covered = Pence::ZERO;
        let mut day = plan.last().map(|d| d.on).unwrap_or(issued_on);
        for due in &plan {
            covered += due.amount;
            if covered > settled {
                day = due.on;
                break;
            }
        }
        day
    };
    (first_unpaid < today).then_some(first_unpaid)
}

/// The office's age bands for debt, by days overdue.
pub const AGE_BANDS: [&str; 4] = ["0 to 30 days", "31 to 60 days", "61 to 90 days", "Over 90 days"];

/// The band (an index into [`AGE_BANDS`]) of a debt overdue since `since`.
pub fn age_band(since: Date, today: Date) -> usize {
    match (today - since).whole_days() {
        ..=30 => 0,
        31..=60 => 1,
        61..=90 => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn due(on: Date, pence: i64) -> Due {
        Due {
            on,
            amount: Pence(pence),
        }
    }

    #[test]
    fn the_first_instalment_payments_do_not_cover_sets_the_day() {
        let plan = [
            due(date!(2026 - 09 - 15), 2000),
            due(date!(2026 - 10 - 15), 2000),
            due(date!(2026 - 11 - 15), 2000),
        ];
        let issued = date!(2026 - 09 - 01);
        let today = date!(2026 - 11 - 20);
        assert_eq!(
            overdue_since(Pence(6000), Pence(0), issued, &plan, today),
            Some(date!(2026 - 09 - 15))
        );
        assert_eq!(
            overdue_since(Pence(6000), Pence(2000), issued, &plan, today),
            Some(date!(2026 - 10 - 15))
        );
        assert_eq!(
            overdue_since(Pence(6000), Pence(4000), issued, &plan, today),
            Some(date!(2026 - 11 - 15))
        );
        assert_eq!(overdue_since(Pence(6000), Pence(6000), issued, &plan, today), None);
        // Not yet due.
        assert_eq!(
            overdue_since(Pence(6000), Pence(4000), issued, &plan, date!(2026 - 11 - 15)),
            None
        );
        // No plan: due on issue.
        assert_eq!(
            overdue_since(Pence(100), Pence(0), issued, &[], date!(2026 - 09 - 02)),
            Some(issued)
        );
    }

    #[test]
    fn bands_are_0_to_30_31_to_60_61_to_90_and_over() {
        let today = date!(2026 - 12 - 31);
        let ago = |days: i64| today - time::Duration::days(days);
        assert_eq!(age_band(ago(1), today), 0);
        assert_eq!(age_band(ago(30), today), 0);
        assert_eq!(age_band(ago(31), today), 1);
        assert_eq!(age_band(ago(60), today), 1);
        assert_eq!(age_band(ago(61), today), 2);
        assert_eq!(age_band(ago(90), today), 2);
        assert_eq!(age_band(ago(91), today), 3);
    }
}
