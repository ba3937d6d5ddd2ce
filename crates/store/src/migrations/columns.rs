//! Column definitions as the migrations write them: a type, and whether it may be empty.
use sea_orm::sea_query::ColumnDef;

/// A 64-bit id the database numbers itself.
pub(crate) fn big_pk_auto(name: &'static str) -> ColumnDef {
    ColumnDef::new(name)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .take()
}

fn required(mut column: ColumnDef) -> ColumnDef {
    column.not_null().take()
}

fn optional(mut column: ColumnDef) -> ColumnDef {
    column.null().take()
}

pub(crate) fn string(name: &'static str) -> ColumnDef {
    required(ColumnDef::new(name).string().take())
}
pub(crate) fn string_null(name: &'static str) -> ColumnDef {
    optional(ColumnDef::new(name).string().take())
}
pub(crate) fn string_uniq(name: &'static str) -> ColumnDef {
    string(name).unique_key().take()
}
pub(crate) fn text(name: &'static str) -> ColumnDef {
    required(ColumnDef::new(name).text().take())
}
pub(crate) fn text_null(name: &'static str) -> ColumnDef {
    optional(ColumnDef::new(name).text().take())
}
pub(crate) fn integer(name: &'static str) -> ColumnDef {
    required(ColumnDef::new(name).integer().take())
}
pub(crate) fn integer_null(name: &'static str) -> ColumnDef {
    optional(ColumnDef::new(name).integer().take())
}
pub(crate) fn integer_uniq(name: &'static str) -> ColumnDef {
    integer(name).unique_key().take()
}
pub(crate) fn big_integer(name: &'static str) -> ColumnDef {
    required(ColumnDef::new(name).big_integer().take())
}
pub(crate) fn big_integer_null(name: &'static str) -> ColumnDef {
    optional(ColumnDef::new(name).big_integer().take())
}
pub(crate) fn boolean(name: &'static str) -> ColumnDef {
    required(ColumnDef::new(name).boolean().take())
}
pub(crate) fn date(name: &'static str) -> ColumnDef {
    required(ColumnDef::new(name).date().take())
}
pub(crate) fn date_null(name: &'static str) -> ColumnDef {
    optional(ColumnDef::new(name).date().take())
}
pub(crate) fn timestamp_with_time_zone(name: &'static str) -> ColumnDef {
    required(ColumnDef::new(name).timestamp_with_time_zone().take())
}
pub(crate) fn timestamp_with_time_zone_null(name: &'static str) -> ColumnDef {
    optional(ColumnDef::new(name).timestamp_with_time_zone().take())
}
pub(crate) fn blob(name: &'static str) -> ColumnDef {
    required(ColumnDef::new(name).blob().take())
}
