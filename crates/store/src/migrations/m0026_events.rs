//! Events and courses: an event with its dated sessions and ticket types, bookings (a
//! reference, the booker's name and email, a status, tickets by type), the waiting list in the
//! order people joined it, CPD records made by attendance, donations made without an account
//! and their Gift Aid claims. See docs/decisions/0086-events-and-bookings.md.
use super::prelude::*;

use super::{fk, index};

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // status: "published" or "cancelled". capacity: places for the whole event, or for each
        // session when capacity_per_session (none: unlimited).
        m.create_table(
            Table::create()
                .table("events")
                .col(big_pk_auto("id"))
                .col(string_uniq("slug"))
                .col(string("title"))
                .col(string("kind"))
                .col(string("audience"))
                .col(string("audience_detail"))
                .col(text("summary"))
                .col(string("venue"))
                .col(string("postcode"))
                .col(integer_null("capacity"))
                .col(boolean("capacity_per_session").default(false).to_owned())
                .col(date_null("booking_opens"))
                .col(date_null("booking_closes"))
                .col(integer("refund_days"))
                .col(string("status"))
                .col(date("first_date"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("events", &["status", "first_date"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("event_sessions")
                .col(big_pk_auto("id"))
                .col(big_integer("event_id"))
                .col(date("date"))
                .col(integer("start_minute"))
                .col(integer("end_minute"))
                .foreign_key(&mut fk(
                    "event_sessions",
                    "event_id",
                    "events",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("event_sessions", &["event_id", "date"], false))
            .await?;

        m.create_table(
            Table::create()
                .table("ticket_types")
                .col(big_pk_auto("id"))
                .col(big_integer("event_id"))
                .col(string("name"))
                .col(big_integer("price_pence"))
                .col(integer("position"))
                .foreign_key(&mut fk("ticket_types", "event_id", "events", ForeignKeyAction::Cascade))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ticket_types", &["event_id", "name"], true))
            .await?;

        // status: a tutti_domain::events::BookingStatus word. The reference (unguessable) is on
        // the ticket, its QR code and the door's list; site_url is the address the booking was
        // made at, so the confirmation sent when a payment arrives links back to the same site.
        m.create_table(
            Table::create()
                .table("bookings")
                .col(big_pk_auto("id"))
                .col(big_integer("event_id"))
                .col(big_integer_null("session_id"))
                .col(string_uniq("reference"))
                .col(string("site_url"))
                .col(big_integer_null("user_id"))
                .col(string("name"))
                .col(string("email"))
                .col(string("status"))
                .col(integer("places"))
                .col(big_integer("total_pence"))
                .col(big_integer("paid_pence"))
                .col(big_integer("refund_pence"))
                .col(boolean("pay_later"))
                .col(big_integer_null("booked_by"))
                .col(big_integer_null("checkout_id"))
                .col(timestamp_with_time_zone_null("checked_in_at"))
                .col(timestamp_with_time_zone_null("cancelled_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("bookings", "event_id", "events", ForeignKeyAction::Restrict))
                .foreign_key(&mut fk(
                    "bookings",
                    "session_id",
                    "event_sessions",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk("bookings", "user_id", "users", ForeignKeyAction::SetNull))
                .foreign_key(&mut fk("bookings", "booked_by", "users", ForeignKeyAction::SetNull))
                .foreign_key(&mut fk(
                    "bookings",
                    "checkout_id",
                    "payment_checkouts",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("bookings", &["event_id", "status"], false))
            .await?;
        m.create_index(index("bookings", &["email"], false)).await?;
        m.create_index(index("bookings", &["user_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("booking_tickets")
                .col(big_pk_auto("id"))
                .col(big_integer("booking_id"))
                .col(big_integer("ticket_type_id"))
                .col(string("name"))
                .col(integer("quantity"))
                .col(big_integer("price_pence"))
                .foreign_key(&mut fk(
                    "booking_tickets",
                    "booking_id",
                    "bookings",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "booking_tickets",
                    "ticket_type_id",
                    "ticket_types",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("booking_tickets", &["booking_id"], false)).await?;

        // status: "waiting", then "offered" (a place is held for them to book), "booked" or
        // "withdrawn". Offers go in id order, the order people joined.
        m.create_table(
            Table::create()
                .table("event_waiting_list")
                .col(big_pk_auto("id"))
                .col(big_integer("event_id"))
                .col(big_integer_null("session_id"))
                .col(string("name"))
                .col(string("email"))
                .col(integer("places"))
                .col(string("status"))
                .col(string("site_url"))
                .col(timestamp_with_time_zone_null("offered_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "event_waiting_list",
                    "event_id",
                    "events",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("event_waiting_list", &["event_id", "status"], false))
            .await?;

        // A member of staff's CPD: made by attending a CPD event (booking_id), once each.
        m.create_table(
            Table::create()
                .table("cpd_records")
                .col(big_pk_auto("id"))
                .col(big_integer("staff_id"))
                .col(string("title"))
                .col(date("attended_on"))
                .col(integer("minutes"))
                .col(big_integer_null("booking_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk("cpd_records", "staff_id", "staff", ForeignKeyAction::Cascade))
                .foreign_key(&mut fk(
                    "cpd_records",
                    "booking_id",
                    "bookings",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("cpd_records", &["booking_id"], true)).await?;
        m.create_index(index("cpd_records", &["staff_id"], false)).await?;

        // A Gift Aid claim made: the donations it claimed point at it, so none is claimed twice.
        m.create_table(
            Table::create()
                .table("gift_aid_claims")
                .col(big_pk_auto("id"))
                .col(date("from_date"))
                .col(date("to_date"))
                .col(integer("donations"))
                .col(big_integer("total_pence"))
                .col(string("made_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;

        // Services for schools: packages with a price and subsidies by phase or type (a
        // percentage off), and schools' orders, which become services agreements once confirmed.
        m.create_table(
            Table::create()
                .table("service_packages")
                .col(big_pk_auto("id"))
                .col(string("name"))
                .col(string("kind"))
                .col(text("description"))
                .col(big_integer("price_pence"))
                .col(integer("sessions"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("service_package_subsidies")
                .col(big_pk_auto("id"))
                .col(big_integer("package_id"))
                .col(string("applies_to"))
                .col(integer("percent"))
                .foreign_key(&mut fk(
                    "service_package_subsidies",
                    "package_id",
                    "service_packages",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("service_orders")
                .col(big_pk_auto("id"))
                .col(big_integer("school_id"))
                .col(big_integer("package_id"))
                .col(string("academic_year"))
                .col(big_integer("price_pence"))
                .col(string("status"))
                .col(big_integer_null("ordered_by"))
                .col(big_integer_null("agreement_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "service_orders",
                    "school_id",
                    "schools",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "service_orders",
                    "package_id",
                    "service_packages",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "service_orders",
                    "agreement_id",
                    "service_agreements",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("service_orders", &["school_id", "academic_year"], false))
            .await?;

        // A booking in a basket; donations by guests keep the donor's email; claimed donations
        // name their claim. (SQLite cannot add a foreign key to a table, so none here.)
        for (table, column) in [
            ("basket_items", big_integer_null("booking_id")),
            ("donations", string_null("donor_email")),
            ("donations", big_integer_null("gift_aid_claim_id")),
        ] {
            m.alter_table(Table::alter().table(table).add_column(column).to_owned())
                .await?;
        }
        m.create_index(index("basket_items", &["booking_id"], false)).await?;
        m.create_index(index("donations", &["gift_aid_claim_id"], false))
            .await?;
        Ok(())
    }
}
