//! People and their logins: a school's contacts (name, email, job title), and invitations that
//! offer a login linked to a record (a member of staff, a school, a pupil), each with the hash
//! of its link's secret, its expiry, and the stamps of its answer. See
//! docs/decisions/0070-invitations.md.
use super::prelude::*;

use super::{fk, index};

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("school_contacts")
                .col(big_pk_auto("id"))
                .col(big_integer("school_id"))
                .col(string("name"))
                .col(string("email"))
                .col(string("job_title"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "school_contacts",
                    "school_id",
                    "schools",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("school_contacts", &["school_id", "email"], true))
            .await?;
        m.create_index(index("school_contacts", &["email"], false)).await?;

        // The link's secret is stored only as a hash, like every emailed token; a resend
        // replaces it, so an older link dies. The login is made when the invitation is
        // accepted (`user_id` then names it), so an unanswered invitation leaves no account.
        m.create_table(
            Table::create()
                .table("invitations")
                .col(big_pk_auto("id"))
                .col(string("email"))
                .col(string("name"))
                .col(string("role"))
                .col(big_integer_null("staff_id"))
                .col(big_integer_null("school_id"))
                .col(big_integer_null("pupil_id"))
                .col(big_integer_null("contact_id"))
                .col(string_uniq("token_hash"))
                .col(big_integer_null("invited_by"))
                .col(string("invited_by_name"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("sent_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("accepted_at"))
                .col(timestamp_with_time_zone_null("withdrawn_at"))
                .col(big_integer_null("user_id"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("invitations", "staff_id", "staff", ForeignKeyAction::Restrict))
                .foreign_key(&mut fk(
                    "invitations",
                    "school_id",
                    "schools",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk("invitations", "pupil_id", "pupils", ForeignKeyAction::Restrict))
                .foreign_key(&mut fk(
                    "invitations",
                    "contact_id",
                    "school_contacts",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk("invitations", "user_id", "users", ForeignKeyAction::SetNull))
                .to_owned(),
        )
        .await?;
        for columns in [
            &["email"][..],
            &["staff_id"],
            &["school_id"],
            &["pupil_id"],
            &["contact_id"],
            &["created_at"],
        ] {
            m.create_index(index("invitations", columns, false)).await?;
        }
        // Archiving a record finds its logins by these.
        for column in ["staff_id", "school_id", "pupil_id"] {
            m.create_index(index("users", &[column], false)).await?;
        }
        Ok(())
    }
}
