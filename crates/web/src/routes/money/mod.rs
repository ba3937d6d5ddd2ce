//! Money on the screens: billing (runs, invoices, charging policies) and payments (the basket,
//! card checkout, the office's payments, agreements and Direct Debit).
pub(crate) mod billing;
pub(crate) mod payments;
