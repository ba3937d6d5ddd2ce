//! Schema migrations, written once with sea-query's builder for both backends.
use sea_orm::sea_query::{ForeignKey, ForeignKeyAction, ForeignKeyCreateStatement, Index, IndexCreateStatement};
use sea_orm::{DatabaseConnection, DbErr};

mod columns;
mod runner;

pub(crate) use runner::current;

mod m0001_platform;
mod m0002_records;
mod m0003_core_records;
mod m0004_content;
mod m0005_search_order;
mod m0006_lessons;
mod m0007_billing;
mod m0008_payments;
mod m0009_admissions;
mod m0010_allocation;
mod m0011_pupil_covering_order;
mod m0012_content_menu;
mod m0014_agreement_invoice_lines;
mod m0015_billing_references_per_statement;
mod m0016_unused_billing_indexes;
mod m0017_trust;
mod m0019_invitations;
mod m0021_loans;
mod m0022_search;
mod m0024_jobs;
mod m0025_ensembles;
mod m0026_events;
mod m0027_privacy;
mod m0028_search_folds_accents;
mod m0029_data_return;
mod m0030_search_ensembles_events;
mod m0031_event_refunds_and_holds;
mod m0032_programmes_to_place;
mod m0033_dashboard_indexes;
mod m0034_ensemble_fees;
mod m0035_audition_places;
mod m0036_dashboard_tallies_map_fte;
mod m0037_online_lessons;

/// What the migrations use: sea-query's builders, the column helpers and the runner's types.
mod prelude {
    pub(crate) use sea_orm::sea_query::*;
    pub(crate) use sea_orm::{ConnectionTrait, DbErr};

    pub(crate) use super::columns::*;
    pub(crate) use super::runner::{MigrationTrait, SchemaManager};
}

/// Applies every pending migration.
pub(crate) async fn up(db: &DatabaseConnection) -> Result<(), DbErr> {
    run(db, false).await.map(|_| ())
}

/// The migrations `up` would apply, applying none (`tutti migrate --check`).
pub(crate) async fn pending(db: &DatabaseConnection) -> Result<Vec<&'static str>, DbErr> {
    run(db, true).await
}

/// Applies (or, on a dry run, only lists) every pending migration, in this order (the order
/// they were written in, which is not always their numbers').
async fn run(db: &DatabaseConnection, dry_run: bool) -> Result<Vec<&'static str>, DbErr> {
    runner::up(
        db,
        dry_run,
        vec![
            ("m0001_platform", Box::new(m0001_platform::Migration)),
            ("m0002_records", Box::new(m0002_records::Migration)),
            ("m0003_core_records", Box::new(m0003_core_records::Migration)),
            ("m0004_content", Box::new(m0004_content::Migration)),
            ("m0006_lessons", Box::new(m0006_lessons::Migration)),
            ("m0005_search_order", Box::new(m0005_search_order::Migration)),
            ("m0012_content_menu", Box::new(m0012_content_menu::Migration)),
            ("m0007_billing", Box::new(m0007_billing::Migration)),
            ("m0008_payments", Box::new(m0008_payments::Migration)),
            ("m0009_admissions", Box::new(m0009_admissions::Migration)),
            ("m0010_allocation", Box::new(m0010_allocation::Migration)),
            (
                "m0011_pupil_covering_order",
                Box::new(m0011_pupil_covering_order::Migration),
            ),
            (
                "m0014_agreement_invoice_lines",
                Box::new(m0014_agreement_invoice_lines::Migration),
            ),
            (
                "m0015_billing_references_per_statement",
                Box::new(m0015_billing_references_per_statement::Migration),
            ),
            (
                "m0016_unused_billing_indexes",
                Box::new(m0016_unused_billing_indexes::Migration),
            ),
            ("m0017_trust", Box::new(m0017_trust::Migration)),
            ("m0019_invitations", Box::new(m0019_invitations::Migration)),
            ("m0021_loans", Box::new(m0021_loans::Migration)),
            ("m0022_search", Box::new(m0022_search::Migration)),
            ("m0024_jobs", Box::new(m0024_jobs::Migration)),
            ("m0025_ensembles", Box::new(m0025_ensembles::Migration)),
            ("m0026_events", Box::new(m0026_events::Migration)),
            ("m0027_privacy", Box::new(m0027_privacy::Migration)),
            (
                "m0028_search_folds_accents",
                Box::new(m0028_search_folds_accents::Migration),
            ),
            ("m0029_data_return", Box::new(m0029_data_return::Migration)),
            (
                "m0030_search_ensembles_events",
                Box::new(m0030_search_ensembles_events::Migration),
            ),
            (
                "m0031_event_refunds_and_holds",
                Box::new(m0031_event_refunds_and_holds::Migration),
            ),
            (
                "m0032_programmes_to_place",
                Box::new(m0032_programmes_to_place::Migration),
            ),
            ("m0033_dashboard_indexes", Box::new(m0033_dashboard_indexes::Migration)),
            ("m0034_ensemble_fees", Box::new(m0034_ensemble_fees::Migration)),
            ("m0035_audition_places", Box::new(m0035_audition_places::Migration)),
            (
                "m0036_dashboard_tallies_map_fte",
                Box::new(m0036_dashboard_tallies_map_fte::Migration),
            ),
            ("m0037_online_lessons", Box::new(m0037_online_lessons::Migration)),
        ],
    )
    .await
}

/// A foreign key from `table.column` to `target.id`.
pub(crate) fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(on_delete)
        .to_owned()
}

/// An index on `columns` of `table`, named after them.
pub(crate) fn index(table: &'static str, columns: &[&'static str], unique: bool) -> IndexCreateStatement {
    let mut stmt = Index::create();
    stmt.name(format!("ix_{table}_{}", columns.join("_"))).table(table);
    for c in columns {
        stmt.col(*c);
    }
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}
