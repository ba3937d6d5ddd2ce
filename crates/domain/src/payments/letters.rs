//! The words payments write for people: instalment reminders, and how a donation and an
//! invoice read in a basket.
use time::Date;

use crate::money::Pence;
use crate::validate::{format_date_uk, format_day_long};

/// An email about one instalment of an invoice, signed by the hub.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstalmentLetter<'a> {
    pub payer_name: &'a str,
    pub invoice_number: &'a str,
    pub instalment: u8,
    pub amount: Pence,
    pub due: Date,
    pub hub_name: &'a str,
}

impl InstalmentLetter<'_> {
    /// An instalment comes due soon: (subject, body).
    pub fn due_soon(&self) -> (String, String) {
        (
            format!(
                "Invoice {}: instalment {} due soon",
                self.invoice_number, self.instalment
            ),
            format!(
                "Dear {},\n\nInstalment {} of invoice {}, {}, is due by {}. If you pay by Direct Debit \
                 there is nothing to do. Otherwise you can pay online from your basket.\n\n{}\n",
                self.payer_name,
                self.instalment,
                self.invoice_number,
                self.amount,
                format_day_long(self.due),
                self.hub_name
            ),
        )
    }

    /// The instalment was missed: the plan is cancelled and `balance_due` is due now.
    pub fn collapsed(&self, balance_due: Pence) -> (String, String) {
        (
            format!("Invoice {}: the whole balance is now due", self.invoice_number),
            format!(
                "Dear {},\n\nInstalment {} of invoice {} ({}) was due by {} and has not been paid. As our \
                 terms say, the instalment plan is now cancelled and the whole balance of {} is due now.\n\n\
                 You can pay online from your basket, or contact the office to talk it through.\n\n{}\n",
                self.payer_name,
                self.instalment,
                self.invoice_number,
                self.amount,
                format_day_long(self.due),
                balance_due,
                self.hub_name
            ),
        )
    }
}

/// A donation as its basket line reads.
pub fn donation_description(amount: Pence, gift_aid: bool) -> String {
    if gift_aid {
        format!("Donation of {amount} with Gift Aid")
    } else {
        format!("Donation of {amount}")
    }
}

/// An invoice as its basket line reads: "Invoice INV-1 (2026-27 autumn)".
pub fn invoice_description(number: &str, term: &str) -> String {
    format!("Invoice {number} ({term})")
}

/// A checkout of several items, as the provider's page names it.
pub fn items_description(count: usize) -> String {
    format!("{count} items")
}

/// A credit for a lesson the hub missed and did not make up: "Lesson on 07/12/2026 not
/// given: 1/10 of the term's fee".
pub fn missed_lesson_credit(day: Date, lessons: i64) -> String {
    format!(
        "Lesson on {} not given: 1/{lessons} of the term's fee",
        format_date_uk(day)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn reminders_name_the_invoice_the_instalment_and_the_hub() {
        let letter = InstalmentLetter {
            payer_name: "Sam Lee",
            invoice_number: "INV-7",
            instalment: 2,
            amount: Pence(2675),
            due: date!(2026 - 11 - 15),
            hub_name: "Durham Music Service",
        };
        let (subject, body) = letter.due_soon();
        assert_eq!(subject, "Invoice INV-7: instalment 2 due soon");
        assert_eq!(
            body,
            "Dear Sam Lee,\n\nInstalment 2 of invoice INV-7, £26.75, is due by Sunday 15 November 2026. If you pay by Direct \
             Debit there is nothing to do. Otherwise you can pay online from your basket.\n\nDurham Music Service\n"
        );
        let (subject, body) = letter.collapsed(Pence(5350));
        assert_eq!(subject, "Invoice INV-7: the whole balance is now due");
        assert!(
            body.starts_with(
                "Dear Sam Lee,\n\nInstalment 2 of invoice INV-7 (£26.75) was due by Sunday 15 November 2026"
            )
        );
        assert!(body.contains("the whole balance of £53.50 is due now."));
        assert_eq!(
            donation_description(Pence(500), true),
            "Donation of £5.00 with Gift Aid"
        );
        assert_eq!(donation_description(Pence(500), false), "Donation of £5.00");
        assert_eq!(
            invoice_description("INV-1", "2026-27 autumn"),
            "Invoice INV-1 (2026-27 autumn)"
        );
        assert_eq!(items_description(3), "3 items");
        assert_eq!(
            missed_lesson_credit(date!(2026 - 12 - 07), 10),
            "Lesson on 07/12/2026 not given: 1/10 of the term's fee"
        );
    }
}
