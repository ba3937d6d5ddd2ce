//! What payments refuse, and why: recording payments and refunds, the basket and checkout,
//! donations, Direct Debit mandates and schools' services agreements. Also an invoice's
//! status as it follows its balance.
use crate::agreements::WCET_SESSIONS;
use crate::money::Pence;

/// The largest donation taken online.
pub const MAX_DONATION: Pence = Pence(1_000_000);

/// Why payments said no.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PaymentRefusal {
    #[error("Enter an amount more than £0.00")]
    AmountNotPositive,
    #[error("Invoice {number} is cancelled.")]
    InvoiceCancelled { number: String },
    /// Paying more than the balance would leave an overpayment on the account unexplained.
    #[error("That is more than the {balance} left to pay on invoice {number}. Record {balance} or less.")]
    MoreThanOwed { balance: Pence, number: String },
    #[error("Only {paid} has been paid on invoice {number}; a refund cannot be more.")]
    RefundMoreThanPaid { paid: Pence, number: String },
    #[error("Invoice {number} has nothing left to pay.")]
    NothingLeftToPay { number: String },
    #[error("Invoice {number} is already in your basket.")]
    AlreadyInBasket { number: String },
    /// A parent or school paying part of an invoice by card asked for more than is owed.
    #[error("That is more than the {balance} left to pay on invoice {number}. Pay {balance} or less.")]
    PayMoreThanOwed { balance: Pence, number: String },
    /// A card payment smaller than the provider's fee makes sense for (see [`MIN_CARD_PAYMENT`]).
    #[error("Pay at least {minimum}.")]
    PayLessThanMinimum { minimum: Pence },
    #[error("Your basket is empty.")]
    BasketEmpty,
    #[error("There is nothing to pay in your basket.")]
    NothingToPay,
    #[error("Enter an amount between £0.01 and {MAX_DONATION}")]
    DonationAmount,
    #[error("Enter the name on the bank account")]
    AccountName,
    #[error("This payer already has a mandate, or the reference is taken by another mandate.")]
    MandateTaken,
    #[error("Enter the programme's name")]
    ProgrammeName,
    #[error("Enter an annual cost more than £0.00")]
    AnnualCost,
    #[error("A programme has between {} and {} sessions a year", WCET_SESSIONS.start(), WCET_SESSIONS.end())]
    Sessions,
    #[error("Choose a school")]
    ChooseSchool,
    #[error("{school} already has a {programme} agreement for {year}")]
    AgreementExists {
        school: String,
        programme: String,
        year: String,
    },
}

impl PaymentRefusal {
    /// The form field at fault, if one is.
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            PaymentRefusal::AmountNotPositive
            | PaymentRefusal::MoreThanOwed { .. }
            | PaymentRefusal::RefundMoreThanPaid { .. }
            | PaymentRefusal::PayMoreThanOwed { .. }
            | PaymentRefusal::PayLessThanMinimum { .. }
            | PaymentRefusal::DonationAmount => "amount",
            PaymentRefusal::AccountName => "account_name",
            PaymentRefusal::MandateTaken => "reference",
            PaymentRefusal::ProgrammeName | PaymentRefusal::AgreementExists { .. } => "programme",
            PaymentRefusal::AnnualCost => "annual_cost",
            PaymentRefusal::Sessions => "sessions",
            PaymentRefusal::ChooseSchool => "school_id",
            _ => return None,
        })
    }

    /// The change clashes with a record already there.
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            PaymentRefusal::AlreadyInBasket { .. }
                | PaymentRefusal::MandateTaken
                | PaymentRefusal::AgreementExists { .. }
        )
    }
}

text_enum! {
    /// Where an invoice is (the `invoices.status` column).
    pub enum InvoiceStatus {
        /// Issued, nothing paid.
        Issued = "issued",
        /// Some paid, some left.
        PartPaid = "part_paid",
        /// Nothing left to pay.
        Paid = "paid",
        /// Cancelled: nothing is owed on it.
        Cancelled = "cancelled",
    }
}

stored_status!(InvoiceStatus);

impl InvoiceStatus {
    /// The status that follows the invoice's `balance` after `settled` has been paid (net
    /// of refunds). A cancelled invoice stays cancelled.
    pub fn following(self, balance: Pence, settled: Pence) -> InvoiceStatus {
        if self == InvoiceStatus::Cancelled {
            InvoiceStatus::Cancelled
        } else if balance <= Pence::ZERO {
            InvoiceStatus::Paid
        } else if settled > Pence::ZERO {
            InvoiceStatus::PartPaid
        } else {
            InvoiceStatus::Issued
        }
    }
}

/// A payment the office records on invoice `number`: more than nothing, on an invoice not
/// cancelled, and no more than its `balance`.
pub fn check_payment(amount: Pence, cancelled: bool, balance: Pence, number: &str) -> Result<(), PaymentRefusal> {
    check_amount(amount)?;
    if cancelled {
        return Err(PaymentRefusal::InvoiceCancelled { number: number.into() });
    }
    if amount > balance {
        return Err(PaymentRefusal::MoreThanOwed {
            balance: balance.clamp_non_negative(),
            number: number.into(),
        });
    }
    Ok(())
}

/// A refund on invoice `number`: more than nothing, and no more than has been `paid`.
pub fn check_refund(amount: Pence, paid: Pence, number: &str) -> Result<(), PaymentRefusal> {
    check_amount(amount)?;
    if amount > paid {
        return Err(PaymentRefusal::RefundMoreThanPaid {
            paid: paid.clamp_non_negative(),
            number: number.into(),
        });
    }
    Ok(())
}

/// An amount more than £0.00 (checked before anything is read).
pub fn check_amount(amount: Pence) -> Result<(), PaymentRefusal> {
    if amount <= Pence::ZERO {
        Err(PaymentRefusal::AmountNotPositive)
    } else {
        Ok(())
    }
}

/// The smallest part of an invoice paid by card: £1, or the whole balance when less is left.
pub const MIN_CARD_PAYMENT: Pence = Pence(100);

/// The smallest card payment on an invoice with `balance` left to pay.
pub fn card_minimum(balance: Pence) -> Pence {
    MIN_CARD_PAYMENT.min(balance.clamp_non_negative())
}

/// A card payment of `amount` towards invoice `number` (decision 76): something is left to
/// pay, and the amount lies between [`card_minimum`] and the balance, both included.
pub fn check_card_payment(amount: Pence, balance: Pence, cancelled: bool, number: &str) -> Result<(), PaymentRefusal> {
    check_payable(balance, cancelled, number)?;
    if amount > balance {
        return Err(PaymentRefusal::PayMoreThanOwed {
            balance,
            number: number.into(),
        });
    }
    let minimum = card_minimum(balance);
    if amount < minimum {
        return Err(PaymentRefusal::PayLessThanMinimum { minimum });
    }
    Ok(())
}

/// An invoice goes in the basket only with something left to pay on it.
pub fn check_payable(balance: Pence, cancelled: bool, number: &str) -> Result<(), PaymentRefusal> {
    if balance <= Pence::ZERO || cancelled {
        Err(PaymentRefusal::NothingLeftToPay { number: number.into() })
    } else {
        Ok(())
    }
}

/// A checkout is opened for a basket with items, whose total is more than nothing.
pub fn check_checkout(items: usize, total: Pence) -> Result<(), PaymentRefusal> {
    if items == 0 {
        return Err(PaymentRefusal::BasketEmpty);
    }
    if total <= Pence::ZERO {
        return Err(PaymentRefusal::NothingToPay);
    }
    Ok(())
}

/// A donation of £0.01 to [`MAX_DONATION`].
pub fn check_donation(amount: Pence) -> Result<(), PaymentRefusal> {
    if amount <= Pence::ZERO || amount > MAX_DONATION {
        Err(PaymentRefusal::DonationAmount)
    } else {
        Ok(())
    }
}

/// A school's services agreement: a named programme, a cost, and a number of sessions a year
/// in [`WCET_SESSIONS`].
pub fn check_agreement(programme: &str, annual_cost: Pence, sessions: u32) -> Result<(), PaymentRefusal> {
    if programme.trim().is_empty() {
        return Err(PaymentRefusal::ProgrammeName);
    }
    if annual_cost <= Pence::ZERO {
        return Err(PaymentRefusal::AnnualCost);
    }
    if !WCET_SESSIONS.contains(&sessions) {
        return Err(PaymentRefusal::Sessions);
    }
    Ok(())
}

/// A Direct Debit mandate names the bank account's holder.
pub fn check_mandate(account_name: &str) -> Result<(), PaymentRefusal> {
    if account_name.trim().is_empty() {
        Err(PaymentRefusal::AccountName)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_payments_lie_between_one_pound_or_the_balance_and_the_balance() {
        let p = Pence;
        assert_eq!(check_card_payment(p(100), p(24_000), false, "A1"), Ok(()));
        assert_eq!(check_card_payment(p(24_000), p(24_000), false, "A1"), Ok(()));
        assert_eq!(
            check_card_payment(p(99), p(24_000), false, "A1"),
            Err(PaymentRefusal::PayLessThanMinimum { minimum: p(100) })
        );
        assert_eq!(
            check_card_payment(p(24_001), p(24_000), false, "A1"),
            Err(PaymentRefusal::PayMoreThanOwed {
                balance: p(24_000),
                number: "A1".into()
            })
        );
        // Less than £1 left: the remainder is the minimum and the maximum.
        assert_eq!(check_card_payment(p(40), p(40), false, "A1"), Ok(()));
        assert_eq!(
            check_card_payment(p(39), p(40), false, "A1"),
            Err(PaymentRefusal::PayLessThanMinimum { minimum: p(40) })
        );
        assert_eq!(
            check_card_payment(p(100), p(0), false, "A1"),
            Err(PaymentRefusal::NothingLeftToPay { number: "A1".into() })
        );
        assert_eq!(
            check_card_payment(p(100), p(500), true, "A1"),
            Err(PaymentRefusal::NothingLeftToPay { number: "A1".into() })
        );
        assert_eq!(
            PaymentRefusal::PayLessThanMinimum { minimum: p(100) }.field(),
            Some("amount")
        );
        assert_eq!(
            PaymentRefusal::PayLessThanMinimum { minimum: p(100) }.to_string(),
            "Pay at least £1.00."
        );
    }

    #[test]
    fn payments_are_no_more_than_owed_and_refunds_no_more_than_paid() {
        let p = Pence;
        assert_eq!(check_payment(p(1000), false, p(8025), "INV-1"), Ok(()));
        assert_eq!(check_payment(p(8025), false, p(8025), "INV-1"), Ok(()));
        assert_eq!(
            check_payment(p(0), true, p(8025), "INV-1"),
            Err(PaymentRefusal::AmountNotPositive)
        );
        assert_eq!(
            check_payment(p(100), true, p(8025), "INV-1").unwrap_err().to_string(),
            "Invoice INV-1 is cancelled."
        );
        assert_eq!(
            check_payment(p(8026), false, p(8025), "INV-1").unwrap_err().to_string(),
            "That is more than the £80.25 left to pay on invoice INV-1. Record £80.25 or less."
        );
        assert_eq!(
            check_payment(p(1), false, p(-200), "INV-1").unwrap_err().to_string(),
            "That is more than the £0.00 left to pay on invoice INV-1. Record £0.00 or less."
        );
        assert_eq!(check_refund(p(5350), p(5350), "INV-2"), Ok(()));
        assert_eq!(
            check_refund(p(5351), p(5350), "INV-2").unwrap_err().to_string(),
            "Only £53.50 has been paid on invoice INV-2; a refund cannot be more."
        );
        assert_eq!(
            check_refund(p(-1), p(5350), "INV-2"),
            Err(PaymentRefusal::AmountNotPositive)
        );
    }

    #[test]
    fn an_invoice_follows_its_balance_unless_cancelled() {
        use InvoiceStatus::*;
        let p = Pence;
        assert_eq!(Issued.following(p(8025), p(0)), Issued);
        assert_eq!(Issued.following(p(4025), p(4000)), PartPaid);
        assert_eq!(PartPaid.following(p(0), p(8025)), Paid);
        assert_eq!(Paid.following(p(8025), p(0)), Issued);
        assert_eq!(Cancelled.following(p(0), p(8025)), Cancelled);
        for (s, w) in [
            (Issued, "issued"),
            (PartPaid, "part_paid"),
            (Paid, "paid"),
            (Cancelled, "cancelled"),
        ] {
            assert_eq!(s.as_str(), w);
            assert_eq!(InvoiceStatus::parse(w), Some(s));
        }
    }

    #[test]
    fn baskets_donations_agreements_and_mandates() {
        let p = Pence;
        assert_eq!(check_payable(p(100), false, "INV-3"), Ok(()));
        assert_eq!(
            check_payable(p(100), true, "INV-3").unwrap_err().to_string(),
            "Invoice INV-3 has nothing left to pay."
        );
        assert_eq!(check_checkout(0, p(0)), Err(PaymentRefusal::BasketEmpty));
        assert_eq!(check_checkout(2, p(0)), Err(PaymentRefusal::NothingToPay));
        assert_eq!(check_checkout(1, p(1)), Ok(()));
        assert_eq!(check_donation(MAX_DONATION), Ok(()));
        assert_eq!(
            check_donation(p(1_000_001)).unwrap_err().to_string(),
            "Enter an amount between £0.01 and £10,000.00"
        );
        assert_eq!(check_agreement("WCET", p(100), 30), Ok(()));
        assert_eq!(check_agreement(" ", p(100), 30), Err(PaymentRefusal::ProgrammeName));
        assert_eq!(check_agreement("WCET", p(0), 30), Err(PaymentRefusal::AnnualCost));
        assert_eq!(
            check_agreement("WCET", p(100), 37).unwrap_err().to_string(),
            "A programme has between 30 and 36 sessions a year"
        );
        assert_eq!(check_mandate(""), Err(PaymentRefusal::AccountName));
        assert!(PaymentRefusal::MandateTaken.is_conflict());
        assert_eq!(PaymentRefusal::DonationAmount.field(), Some("amount"));
    }
}
