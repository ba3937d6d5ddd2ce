//! Payments: card checkouts through the provider's hosted page and the provider's events (each
//! stored once), the basket, donations with Gift Aid, schools' annual services agreements,
//! payments, refunds and credits against invoices, Direct Debit mandates, instalment reminders
//! and credits for lessons the hub failed to give. See docs/decisions/0045-payment-provider.md.
use super::prelude::*;

use super::{fk, index};

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One visit to the provider's hosted page. status: "open", "paid", "expired".
        // reference is ours (sent as client_reference_id); provider_session is theirs.
        m.create_table(
            Table::create()
                .table("payment_checkouts")
                .col(big_pk_auto("id"))
                .col(string_uniq("reference"))
                .col(big_integer("user_id"))
                .col(string("provider"))
                .col(string_null("provider_session"))
                .col(big_integer("amount_pence"))
                .col(string("description"))
                .col(string("status"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("completed_at"))
                .foreign_key(&mut fk(
                    "payment_checkouts",
                    "user_id",
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("payment_checkouts", &["provider", "provider_session"], true))
            .await?;
        m.create_index(index("payment_checkouts", &["user_id"], false)).await?;

        // Every verified event from the provider, once: the unique key is what makes a
        // replayed or duplicated notification change nothing.
        m.create_table(
            Table::create()
                .table("payment_events")
                .col(big_pk_auto("id"))
                .col(string("provider"))
                .col(string("event_id"))
                .col(string("kind"))
                .col(big_integer_null("checkout_id"))
                .col(string("outcome"))
                .col(timestamp_with_time_zone("received_at"))
                .foreign_key(&mut fk(
                    "payment_events",
                    "checkout_id",
                    "payment_checkouts",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("payment_events", &["provider", "event_id"], true))
            .await?;

        // A gift to the hub, with the Gift Aid declaration when the donor made one.
        // status: "in_basket", then "paid".
        m.create_table(
            Table::create()
                .table("donations")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(big_integer("amount_pence"))
                .col(boolean("gift_aid"))
                .col(string("donor_name"))
                .col(string("home_address"))
                .col(string("postcode"))
                .col(timestamp_with_time_zone_null("declared_at"))
                .col(string("status"))
                .col(big_integer_null("checkout_id"))
                .col(timestamp_with_time_zone_null("paid_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("donations", "user_id", "users", ForeignKeyAction::Restrict))
                .foreign_key(&mut fk(
                    "donations",
                    "checkout_id",
                    "payment_checkouts",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("donations", &["user_id"], false)).await?;

        // One basket per person: what they have chosen to pay. kind "invoice" (invoice_id)
        // or "donation" (donation_id); events and courses add kinds later.
        m.create_table(
            Table::create()
                .table("basket_items")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string("kind"))
                .col(big_integer_null("invoice_id"))
                .col(big_integer_null("donation_id"))
                .col(string("description"))
                .col(big_integer("amount_pence"))
                .col(big_integer_null("checkout_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("basket_items", "user_id", "users", ForeignKeyAction::Cascade))
                .foreign_key(&mut fk(
                    "basket_items",
                    "invoice_id",
                    "invoices",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "basket_items",
                    "donation_id",
                    "donations",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "basket_items",
                    "checkout_id",
                    "payment_checkouts",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("basket_items", &["user_id"], false)).await?;
        // An invoice sits in a person's basket once.
        m.create_index(index("basket_items", &["user_id", "invoice_id"], true))
            .await?;

        // A school's annual services agreement: one programme for one academic year, split
        // 34/33/33 over the terms; billing is copied from the school when made.
        m.create_table(
            Table::create()
                .table("service_agreements")
                .col(big_pk_auto("id"))
                .col(big_integer("school_id"))
                .col(string("academic_year"))
                .col(string("programme"))
                .col(big_integer("annual_pence"))
                .col(integer("sessions"))
                .col(string("billing"))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "service_agreements",
                    "school_id",
                    "schools",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "service_agreements",
                    "created_by",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "service_agreements",
            &["school_id", "academic_year", "programme"],
            true,
        ))
        .await?;

        // Money against an invoice. kind: "payment" (positive), "refund" (negative) or
        // "credit" (positive: a lesson the hub failed to give, a credit note). method is a
        // tutti_domain::payments::PaymentMethod word ("credit" for credits).
        m.create_table(
            Table::create()
                .table("payments")
                .col(big_pk_auto("id"))
                .col(big_integer("invoice_id"))
                .col(string("kind"))
                .col(string("method"))
                .col(big_integer("amount_pence"))
                .col(string("reference"))
                .col(date("received_on"))
                .col(big_integer_null("checkout_id"))
                .col(big_integer_null("recorded_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "payments",
                    "invoice_id",
                    "invoices",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "payments",
                    "checkout_id",
                    "payment_checkouts",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk("payments", "recorded_by", "users", ForeignKeyAction::SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index("payments", &["invoice_id"], false)).await?;

        // A payer's Direct Debit mandate (payer_kind/payer_id as on invoices), one each.
        m.create_table(
            Table::create()
                .table("dd_mandates")
                .col(big_pk_auto("id"))
                .col(string("payer_kind"))
                .col(big_integer("payer_id"))
                .col(string("account_name"))
                .col(string("sort_code"))
                .col(string("account_number"))
                .col(string_uniq("reference"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("cancelled_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("dd_mandates", &["payer_kind", "payer_id"], true))
            .await?;

        // One reminder of each kind per instalment: "due" before its date, "collapsed" when
        // it was missed and the whole balance fell due. The key makes the job idempotent.
        m.create_table(
            Table::create()
                .table("instalment_reminders")
                .col(big_integer("instalment_id"))
                .col(string("kind"))
                .col(big_integer_null("outbox_id"))
                .col(timestamp_with_time_zone("sent_at"))
                .primary_key(Index::create().col("instalment_id").col("kind"))
                .foreign_key(&mut fk(
                    "instalment_reminders",
                    "instalment_id",
                    "instalments",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        // A lesson the hub failed to give, credited once per pupil, on an invoice.
        m.create_table(
            Table::create()
                .table("lesson_credits")
                .col(big_pk_auto("id"))
                .col(big_integer("dated_lesson_id"))
                .col(big_integer("pupil_id"))
                .col(big_integer("payment_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "lesson_credits",
                    "dated_lesson_id",
                    "dated_lessons",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "lesson_credits",
                    "pupil_id",
                    "pupils",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "lesson_credits",
                    "payment_id",
                    "payments",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("lesson_credits", &["dated_lesson_id", "pupil_id"], true))
            .await?;
        Ok(())
    }
}
