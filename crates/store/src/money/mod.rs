//! Money: billing (charging policies, billing runs, the invoices they issue) and payments
//! (baskets, collections, credits, invoice accounts, agreements, the provider).
pub mod billing;
pub mod payments;
