//! Payments: the ways money reaches the hub, Direct Debit bank details, and the Gift Aid
//! declaration a donation carries; what payments refuse and why, an invoice's status, the
//! words of reminders and basket lines, and how old a debt is (`debt`). Pure rules and words; recording a payment is the store's.

use std::fmt;

pub mod debt;
mod letters;
mod refusal;

pub use letters::{
    InstalmentLetter, donation_description, invoice_description, items_description, missed_lesson_credit,
};
pub use refusal::{
    InvoiceStatus, MAX_DONATION, MIN_CARD_PAYMENT, PaymentRefusal, card_minimum, check_agreement, check_amount,
    check_card_payment, check_checkout, check_donation, check_mandate, check_payable, check_payment, check_refund,
};

/// Why bank details typed into a form were not accepted; the text is the field's message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BankDetailsError {
    #[error("Enter a sort code of 6 digits, like 12-34-56")]
    SortCode,
    #[error("Enter an account number of 8 digits")]
    AccountNumber,
    #[error("Enter a mandate reference of 6 to 18 letters, digits, spaces or - . / &")]
    Reference,
}

text_enum! {
    /// How a payment reached the hub (DOMAIN.md: card through a provider's hosted page, Direct
    /// Debit, bank transfer, cheque, cash, internal journal).
    pub enum PaymentMethod {
        /// A card, through the payment provider's hosted page.
        Card = "card",
        /// A Direct Debit collection.
        DirectDebit = "direct-debit" | "dd",
        /// A bank transfer (BACS or Faster Payments).
        BankTransfer = "bank-transfer" | "bacs" | "transfer",
        /// A cheque.
        Cheque = "cheque" | "check",
        /// Cash.
        Cash = "cash",
        /// An internal journal transfer inside the council.
        InternalJournal = "internal-journal" | "journal",
    }
}

impl PaymentMethod {
    /// The method as people read it.
    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Card => "Card",
            PaymentMethod::DirectDebit => "Direct Debit",
            PaymentMethod::BankTransfer => "Bank transfer",
            PaymentMethod::Cheque => "Cheque",
            PaymentMethod::Cash => "Cash",
            PaymentMethod::InternalJournal => "Internal journal",
        }
    }
}

/// The statement a donor makes for Gift Aid, as HMRC's model declaration words it.
pub const GIFT_AID_STATEMENT: &str = "I am a UK taxpayer and understand that if I pay less Income Tax and/or Capital \
     Gains Tax in the current tax year than the amount of Gift Aid claimed on all my donations it is my \
     responsibility to pay any difference.";

/// A UK bank sort code: six digits, written 12-34-56.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortCode(String);

impl SortCode {
    /// Accepts "12-34-56", "12 34 56" or "123456".
    pub fn parse(text: &str) -> Result<SortCode, BankDetailsError> {
        let digits: String = text.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
        if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()) {
            Ok(SortCode(digits))
        } else {
            Err(BankDetailsError::SortCode)
        }
    }

    /// The six digits with no separators, as bank files want them.
    pub fn digits(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SortCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", &self.0[0..2], &self.0[2..4], &self.0[4..6])
    }
}

/// A UK bank account number: eight digits (spaces allowed when typed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountNumber(String);

impl AccountNumber {
    pub fn parse(text: &str) -> Result<AccountNumber, BankDetailsError> {
        let digits: String = text.chars().filter(|c| *c != ' ').collect();
        if digits.len() == 8 && digits.chars().all(|c| c.is_ascii_digit()) {
            Ok(AccountNumber(digits))
        } else {
            Err(BankDetailsError::AccountNumber)
        }
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The last four digits, which is all a screen shows.
    pub fn masked(&self) -> String {
        format!("****{}", &self.0[4..])
    }
}

impl fmt::Display for AccountNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Direct Debit mandate reference: 6 to 18 characters of capital letters, digits, spaces,
/// `-`, `.`, `/` or `&` (the Bacs rules), not all the same character.
pub fn mandate_reference(text: &str) -> Result<String, BankDetailsError> {
    let r = text.trim().to_uppercase();
    let allowed = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '/' | '&');
    let first = r.chars().next();
    if !(6..=18).contains(&r.len()) || !r.chars().all(allowed) || r.chars().all(|c| Some(c) == first) {
        return Err(BankDetailsError::Reference);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_details() {
        assert_eq!(SortCode::parse("12-34-56").unwrap().digits(), "123456");
        assert_eq!(SortCode::parse("12 34 56").unwrap().to_string(), "12-34-56");
        assert!(SortCode::parse("12-34-5").is_err());
        assert!(SortCode::parse("ab-cd-ef").is_err());
        assert_eq!(AccountNumber::parse("1234 5678").unwrap().digits(), "12345678");
        assert_eq!(AccountNumber::parse("12345678").unwrap().masked(), "****5678");
        assert!(AccountNumber::parse("1234567").is_err());
        assert_eq!(mandate_reference(" tut-000123 ").unwrap(), "TUT-000123");
        assert!(mandate_reference("AAAAAAAA").is_err());
        assert!(mandate_reference("AB1").is_err());
        assert!(mandate_reference("ABC_1234").is_err());
    }

    #[test]
    fn methods_read_their_aliases() {
        assert_eq!("DD".parse(), Ok(PaymentMethod::DirectDebit));
        assert_eq!("Bank transfer".parse(), Ok(PaymentMethod::BankTransfer));
        assert_eq!("journal".parse(), Ok(PaymentMethod::InternalJournal));
        assert!("bitcoin".parse::<PaymentMethod>().is_err());
    }
}
