//! On PostgreSQL, the references from a billing run's rows (invoices to their run, invoice
//! lines to their invoice and pupil, instalments to their invoice) are checked once per
//! statement instead of once per row. See docs/decisions/0061-billing-references-per-statement.md.
//!
//! A foreign key runs a query for every row inserted: for a run of a million enrolments that
//! was 3.5 million queries, half of PostgreSQL's work in the run. The triggers here check a
//! whole statement's new rows in one anti-join, and refuse a DELETE of a row still referred
//! to in the same way, so the database still holds every reference. SQLite keeps its foreign
//! keys, which cost it little.
use super::prelude::*;
use sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

/// (child table, column, parent table): each was a foreign key from m0007.
const REFERENCES: [(&str, &str, &str); 4] = [
    ("invoices", "billing_run_id", "billing_runs"),
    ("invoice_lines", "invoice_id", "invoices"),
    ("invoice_lines", "pupil_id", "pupils"),
    ("instalments", "invoice_id", "invoices"),
];

/// The two checks, written once for every reference; table and column names come from the
/// trigger's arguments, never from users. Each parent is looked up once per statement however
/// many rows name it (an invoice's three instalments, a run's invoices). The messages and
/// error code are PostgreSQL's own for a foreign key, so a violation reads and is handled as
/// one.
const FUNCTIONS: &str = r#"
CREATE FUNCTION tutti_check_reference() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE missing bigint;
BEGIN
  EXECUTE format(
    'SELECT n.r FROM (SELECT DISTINCT %1$I AS r FROM new_rows) n WHERE n.r IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM %2$I p WHERE p.id = n.r) LIMIT 1',
    TG_ARGV[0], TG_ARGV[1]) INTO missing;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "fk_%_%"',
        TG_TABLE_NAME, TG_TABLE_NAME, TG_ARGV[0]
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = format('Key (%s)=(%s) is not present in table "%s".', TG_ARGV[0], missing, TG_ARGV[1]);
  END IF;
  RETURN NULL;
END $f$;

CREATE FUNCTION tutti_restrict_reference() RETURNS trigger LANGUAGE plpgsql AS $f$
DECLARE held bigint;
BEGIN
  EXECUTE format(
    'SELECT o.id FROM old_rows o WHERE EXISTS (SELECT 1 FROM %1$I c WHERE c.%2$I = o.id) LIMIT 1',
    TG_ARGV[0], TG_ARGV[1]) INTO held;
  IF held IS NOT NULL THEN
    RAISE EXCEPTION 'update or delete on table "%" violates foreign key constraint "fk_%_%" on table "%"',
        TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[1], TG_ARGV[0]
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = format('Key (id)=(%s) is still referenced from table "%s".', held, TG_ARGV[0]);
  END IF;
  RETURN NULL;
END $f$;
"#;

fn triggers(child: &str, column: &str, parent: &str) -> String {
    // A trigger with a transition table takes one event, so inserts and updates of the
    // child have one each. Ids are never changed, so an UPDATE of the parent needs none.
    let name = format!("fk_{child}_{column}");
    format!(
        "ALTER TABLE {child} DROP CONSTRAINT {name};
         CREATE TRIGGER {name}_insert AFTER INSERT ON {child} REFERENCING NEW TABLE AS new_rows
           FOR EACH STATEMENT EXECUTE FUNCTION tutti_check_reference('{column}', '{parent}');
         CREATE TRIGGER {name}_update AFTER UPDATE ON {child} REFERENCING NEW TABLE AS new_rows
           FOR EACH STATEMENT EXECUTE FUNCTION tutti_check_reference('{column}', '{parent}');
         CREATE TRIGGER {name}_delete AFTER DELETE ON {parent} REFERENCING OLD TABLE AS old_rows
           FOR EACH STATEMENT EXECUTE FUNCTION tutti_restrict_reference('{child}', '{column}');"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let mut sql = FUNCTIONS.to_owned();
        for (child, column, parent) in REFERENCES {
            sql.push_str(&triggers(child, column, parent));
        }
        m.get_connection().execute_unprepared(&sql).await?;
        Ok(())
    }
}
