//! Billing: the charging policy of each academic year, billing runs, invoices with their
//! explained lines, and instalment plans; who pays for an enrolment, and instrument loans
//! (a hire charge per instrument per term). See docs/decisions/0040-billing-tables.md.
use super::prelude::*;

use super::{fk, index};

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One policy per academic year ("2026-27"), stored as the JSON of
        // tutti_domain::charging::ChargingPolicy with a format version, so the file an admin
        // exports is the row itself (docs/decisions/0041-charging-policy-as-json.md).
        m.create_table(
            Table::create()
                .table("charging_policies")
                .col(big_pk_auto("id"))
                .col(string_uniq("academic_year"))
                .col(integer("format_version"))
                .col(integer("revision"))
                .col(text("document"))
                .col(big_integer_null("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "charging_policies",
                    "updated_by",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;

        // Who pays an enrolment's tuition: "parent" (at the parent's request) or "school"
        // (school-paid tuition, invoiced to the school at the lesson price).
        m.alter_table(
            Table::alter()
                .table("enrolments")
                .add_column(string("payer").default("parent"))
                .to_owned(),
        )
        .await?;

        // An instrument lent to a pupil; each term it overlaps is one hire charge.
        m.create_table(
            Table::create()
                .table("instrument_loans")
                .col(big_pk_auto("id"))
                .col(big_integer("instrument_id"))
                .col(big_integer("pupil_id"))
                .col(date("start_date"))
                .col(date_null("end_date"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "instrument_loans",
                    "instrument_id",
                    "instruments",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "instrument_loans",
                    "pupil_id",
                    "pupils",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("instrument_loans", &["pupil_id"], false)).await?;
        m.create_index(index("instrument_loans", &["instrument_id"], false))
            .await?;

        // One committed billing run for a term: what it created, who ran it.
        m.create_table(
            Table::create()
                .table("billing_runs")
                .col(big_pk_auto("id"))
                .col(string("term"))
                .col(big_integer_null("run_by"))
                .col(timestamp_with_time_zone("started_at"))
                .col(timestamp_with_time_zone("finished_at"))
                .col(integer("invoices_created"))
                .col(integer("lines_created"))
                .col(big_integer("total_pence"))
                .foreign_key(&mut fk("billing_runs", "run_by", "users", ForeignKeyAction::SetNull))
                .to_owned(),
        )
        .await?;
        m.create_index(index("billing_runs", &["term"], false)).await?;

        // An invoice to one payer for one term. payer_kind "parent" means payer_id is a
        // guardians.id; "school" means a schools.id. kind is "original" (the first invoice
        // of the term for that payer) or "supplementary" (a later run's new charges).
        // status: "issued", then the payments work moves it ("part_paid", "paid",
        // "cancelled"). total_pence is the sum of the lines and never changes once issued.
        m.create_table(
            Table::create()
                .table("invoices")
                .col(big_pk_auto("id"))
                .col(string_uniq("number"))
                .col(big_integer("billing_run_id"))
                .col(string("payer_kind"))
                .col(big_integer("payer_id"))
                .col(string("payer_name"))
                .col(string("term"))
                .col(string("kind"))
                .col(date("issued_on"))
                .col(big_integer("total_pence"))
                .col(string("status"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "invoices",
                    "billing_run_id",
                    "billing_runs",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("invoices", &["payer_kind", "payer_id"], false))
            .await?;
        m.create_index(index("invoices", &["term"], false)).await?;
        m.create_index(index("invoices", &["billing_run_id"], false)).await?;

        // One charge for one pupil: charge_kind "tuition" (subject_id = enrolments.id) or
        // "instrument_hire" (subject_id = instruments.id). The unique key is what makes a
        // pupil impossible to bill twice for one term and charge.
        m.create_table(
            Table::create()
                .table("invoice_lines")
                .col(big_pk_auto("id"))
                .col(big_integer("invoice_id"))
                .col(big_integer("pupil_id"))
                .col(string("term"))
                .col(string("charge_kind"))
                .col(big_integer("subject_id"))
                .col(string("description"))
                .col(text("rule"))
                .col(big_integer("amount_pence"))
                .foreign_key(&mut fk(
                    "invoice_lines",
                    "invoice_id",
                    "invoices",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "invoice_lines",
                    "pupil_id",
                    "pupils",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "invoice_lines",
            &["term", "pupil_id", "charge_kind", "subject_id"],
            true,
        ))
        .await?;
        m.create_index(index("invoice_lines", &["invoice_id"], false)).await?;
        m.create_index(index("invoice_lines", &["pupil_id"], false)).await?;

        // An invoice's instalment plan (domain instalment_schedule). status: "due", then
        // "paid" or "cancelled" (a missed instalment cancels them all: the payments work).
        m.create_table(
            Table::create()
                .table("instalments")
                .col(big_pk_auto("id"))
                .col(big_integer("invoice_id"))
                .col(integer("number"))
                .col(date("due_on"))
                .col(big_integer("amount_pence"))
                .col(string("status"))
                .foreign_key(&mut fk(
                    "instalments",
                    "invoice_id",
                    "invoices",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("instalments", &["invoice_id", "number"], true))
            .await?;
        m.create_index(index("instalments", &["due_on"], false)).await?;
        Ok(())
    }
}
