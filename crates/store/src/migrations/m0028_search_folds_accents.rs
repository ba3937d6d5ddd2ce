//! Searching PostgreSQL ignores accents as SQLite's FTS5 index does (`remove_diacritics`): a
//! function folds the accented letters of `tutti_domain::search::ACCENTED` to their plain
//! letters, and the words' index is rebuilt over the folded text (decision 0079). PostgreSQL's
//! `unaccent` would do the same but is an extension a managed service may not offer; its
//! `translate` is always there. SQLite needs nothing.
use super::prelude::*;

pub struct Migration;

/// The letters folded, as the domain's table held them when this migration was written.
const ACCENTED: &str = "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƠơƯưǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǦǧǨǩǪǫǬǭǰǴǵǸǹǺǻȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȞȟȦȧȨȩȪȫȬȭȮȯȰȱȲȳ";
const UNACCENTED: &str = "AAAAAACEEEEIIIINOOOOOUUUUYaaaaaaceeeeiiiinooooouuuuyyAaAaAaCcCcCcCcDdEeEeEeEeEeGgGgGgGgHhIiIiIiIiIJjKkLlLlLlNnNnNnOoOoOoRrRrRrSsSsSsSsTtTtUuUuUuUuUuUuWwYyYZzZzZzOoUuAaIiOoUuUuUuUuUuAaAaGgKkOoOojGgNnAaAaAaEeEeIiIiOoOoRrRrUuUuSsTtHhAaEeOoOoOoOoYy";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(());
        }
        let conn = m.get_connection();
        // IMMUTABLE, so that an index may be built over it.
        conn.execute_unprepared(&format!(
            "CREATE OR REPLACE FUNCTION tutti_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE \
             AS $$ SELECT translate(t, '{ACCENTED}', '{UNACCENTED}') $$"
        ))
        .await?;
        conn.execute_unprepared("DROP INDEX IF EXISTS ix_search_entries_document")
            .await?;
        // The same expression as `search::PG_DOCUMENT`, which queries use so that the planner
        // answers them from this index.
        conn.execute_unprepared(
            "CREATE INDEX ix_search_entries_document ON search_entries USING GIN \
             ((setweight(to_tsvector('english', tutti_fold(title)), 'A') || \
             setweight(to_tsvector('english', tutti_fold(body)), 'B')))",
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn folds_the_letters_the_domain_folds() {
        assert_eq!(super::ACCENTED, tutti_domain::search::ACCENTED);
        assert_eq!(super::UNACCENTED, tutti_domain::search::UNACCENTED);
    }
}
