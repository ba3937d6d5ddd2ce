//! Schema migrations, written once with sea-query's builder for both backends.
use sea_orm_migration::prelude::*;

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

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_platform::Migration),
            Box::new(m0002_records::Migration),
            Box::new(m0003_core_records::Migration),
            Box::new(m0004_content::Migration),
            Box::new(m0006_lessons::Migration),
            Box::new(m0005_search_order::Migration),
            Box::new(m0012_content_menu::Migration),
            Box::new(m0007_billing::Migration),
            Box::new(m0008_payments::Migration),
            Box::new(m0009_admissions::Migration),
            Box::new(m0010_allocation::Migration),
            Box::new(m0011_pupil_covering_order::Migration),
            Box::new(m0014_agreement_invoice_lines::Migration),
            Box::new(m0015_billing_references_per_statement::Migration),
            Box::new(m0016_unused_billing_indexes::Migration),
            Box::new(m0017_trust::Migration),
        ]
    }
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
