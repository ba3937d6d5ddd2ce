//! One full-text index for the public site's content and the office's records, with the same
//! behaviour on both backends (decision 0078): a table of entries (`search_entries`: what a
//! row is, whether it is archived, its title and its words), searched by SQLite FTS5
//! (`search_fts`, porter stemming over unicode61 without diacritics) or by a PostgreSQL GIN
//! index over `to_tsvector('english', ..)`. Triggers on each source table keep the entries in
//! step inside the writing transaction, whichever code path writes (forms, imports, the API,
//! the demo seed, archive and restore); the migration builds the entries for existing rows.
use sea_orm::ConnectionTrait as _;

use super::index;
use super::prelude::*;

pub struct Migration;

/// A table whose rows are searched: how one row becomes an entry. The expressions read the
/// row as `t` (and whatever `from` joins). Adding a kind of thing to search is one more of
/// these, installed by a migration of its own with [`install`].
pub(crate) struct Source {
    /// The entry's `source`: which table `ref_id` points into.
    pub name: &'static str,
    /// The table, with `t` as its alias and any joins the words need.
    pub from: &'static str,
    /// The columns whose change rewrites the entry (an update of any other column, such as a
    /// page's view count, leaves the index alone).
    pub watched: &'static str,
    /// The entry's `kind` (a content item's own kind; a record's kind).
    pub kind: &'static str,
    pub archived: &'static str,
    pub title: &'static str,
    pub body: &'static str,
    /// A parent table whose change rewrites this source's entries: (table, columns watched,
    /// this table's column naming the parent). A school's new name is in its pupils' words.
    pub parent: Option<(&'static str, &'static str, &'static str)>,
}

/// An email address as words on both backends: PostgreSQL's parser keeps an address whole,
/// SQLite's splits it, so both are given its parts.
macro_rules! email_words {
    ($col:literal) => {
        concat!("replace(replace(replace(", $col, ", '@', ' '), '.', ' '), '_', ' ')")
    };
}

pub(crate) const SOURCES: &[Source] = &[
    Source {
        name: "content",
        from: "content_items t",
        watched: "kind, title, summary, body, topics, author, series, category",
        kind: "t.kind",
        archived: "(1 = 0)",
        title: "t.title",
        body: "t.summary || ' ' || t.topics || ' ' || COALESCE(t.series, '') || ' ' || COALESCE(t.category, '') \
               || ' ' || t.author || ' ' || t.body",
        parent: None,
    },
    Source {
        name: "pupil",
        from: "pupils t JOIN schools s ON s.id = t.school_id",
        watched: "first_name, last_name, pupil_ref, school_id, archived_at",
        kind: "'pupil'",
        archived: "(t.archived_at IS NOT NULL)",
        title: "t.first_name || ' ' || t.last_name",
        body: "t.pupil_ref || ' ' || s.name",
        parent: Some(("schools", "name", "school_id")),
    },
    Source {
        name: "school",
        from: "schools t",
        watched: "name, urn, area, postcode, local_authority, archived_at",
        kind: "'school'",
        archived: "(t.archived_at IS NOT NULL)",
        title: "t.name",
        body: "CAST(t.urn AS TEXT) || ' ' || t.area || ' ' || t.postcode || ' ' || t.local_authority",
        parent: None,
    },
    Source {
        name: "staff",
        from: "staff t",
        watched: "first_name, last_name, email, instruments, archived_at",
        kind: "'staff'",
        archived: "(t.archived_at IS NOT NULL)",
        title: "t.first_name || ' ' || t.last_name",
        body: concat!(email_words!("t.email"), " || ' ' || t.instruments"),
        parent: None,
    },
    Source {
        name: "guardian",
        from: "guardians t",
        watched: "name, email",
        kind: "'guardian'",
        archived: "(1 = 0)",
        title: "t.name",
        body: email_words!("t.email"),
        parent: None,
    },
];

/// The columns an entry is written with, in order.
const COLUMNS: &str = "source, ref_id, kind, archived, title, body";

impl Source {
    /// The entries of the rows `condition` picks (on `t`).
    fn select(&self, condition: &str) -> String {
        format!(
            "SELECT '{name}', t.id, {kind}, {archived}, {title}, {body} FROM {from} WHERE {condition}",
            name = self.name,
            kind = self.kind,
            archived = self.archived,
            title = self.title,
            body = self.body,
            from = self.from,
        )
    }

    fn refill(&self, condition: &str) -> String {
        format!("INSERT INTO search_entries ({COLUMNS}) {}", self.select(condition))
    }

    fn forget(&self, ids: &str) -> String {
        format!(
            "DELETE FROM search_entries WHERE source = '{}' AND ref_id IN ({ids})",
            self.name
        )
    }
}

/// The SQLite triggers for a source: insert, update of a watched column, delete, and the
/// parent's update.
fn sqlite_triggers(s: &Source) -> Vec<String> {
    let table = s.from.split_whitespace().next().unwrap_or_default();
    let n = s.name;
    let mut out = vec![
        format!(
            "CREATE TRIGGER search_{n}_insert AFTER INSERT ON {table} BEGIN {}; END",
            s.refill("t.id = NEW.id")
        ),
        format!(
            "CREATE TRIGGER search_{n}_update AFTER UPDATE OF {} ON {table} BEGIN {}; {}; END",
            s.watched,
            s.forget("OLD.id"),
            s.refill("t.id = NEW.id")
        ),
        format!(
            "CREATE TRIGGER search_{n}_delete AFTER DELETE ON {table} BEGIN {}; END",
            s.forget("OLD.id")
        ),
    ];
    if let Some((parent, watched, column)) = s.parent {
        out.push(format!(
            "CREATE TRIGGER search_{n}_parent AFTER UPDATE OF {watched} ON {parent} BEGIN {}; {}; END",
            s.forget(&format!("SELECT id FROM {table} WHERE {column} = NEW.id")),
            s.refill(&format!("t.{column} = NEW.id"))
        ));
    }
    out
}

/// The PostgreSQL functions and triggers for a source, the same steps as SQLite's.
fn postgres_triggers(s: &Source) -> Vec<String> {
    let table = s.from.split_whitespace().next().unwrap_or_default();
    let n = s.name;
    let mut out = vec![
        format!(
            "CREATE FUNCTION search_{n}_refresh() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF TG_OP <> 'INSERT' THEN {}; END IF; \
             IF TG_OP <> 'DELETE' THEN {}; END IF; \
             RETURN NULL; END $$",
            s.forget("OLD.id"),
            s.refill("t.id = NEW.id")
        ),
        format!(
            "CREATE TRIGGER search_{n}_refresh AFTER INSERT OR DELETE OR UPDATE OF {} ON {table} \
             FOR EACH ROW EXECUTE FUNCTION search_{n}_refresh()",
            s.watched
        ),
    ];
    if let Some((parent, watched, column)) = s.parent {
        out.push(format!(
            "CREATE FUNCTION search_{n}_parent() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             {}; {}; RETURN NULL; END $$",
            s.forget(&format!("SELECT id FROM {table} WHERE {column} = NEW.id")),
            s.refill(&format!("t.{column} = NEW.id"))
        ));
        out.push(format!(
            "CREATE TRIGGER search_{n}_parent AFTER UPDATE OF {watched} ON {parent} \
             FOR EACH ROW EXECUTE FUNCTION search_{n}_parent()"
        ));
    }
    out
}

/// Installs a source: its triggers, and entries for the rows it has now.
pub(crate) async fn install(m: &SchemaManager, s: &Source) -> Result<(), DbErr> {
    let conn = m.get_connection();
    let pg = m.get_database_backend() == sea_orm::DbBackend::Postgres;
    let statements = if pg { postgres_triggers(s) } else { sqlite_triggers(s) };
    for sql in statements {
        conn.execute_unprepared(&sql).await?;
    }
    conn.execute_unprepared(&s.refill("1 = 1")).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("search_entries")
                .col(big_pk_auto("id"))
                .col(string("source"))
                .col(big_integer("ref_id"))
                .col(string("kind"))
                .col(boolean("archived"))
                .col(text("title"))
                .col(text("body"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("search_entries", &["source", "ref_id"], true))
            .await?;
        let conn = m.get_connection();
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            // The same expression as `search::PG_DOCUMENT`, which the queries use so that the
            // planner answers them from this index. The title weighs more than the body.
            conn.execute_unprepared(
                "CREATE INDEX ix_search_entries_document ON search_entries USING GIN \
                 ((setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')))",
            )
            .await?;
        } else {
            // An external-content FTS5 table over the entries, kept in step by the triggers
            // SQLite's documentation gives for one.
            for sql in [
                "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, content='search_entries', \
                 content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
                "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_entries BEGIN \
                 INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
                "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_entries BEGIN \
                 INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END",
                "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_entries BEGIN \
                 INSERT INTO search_fts(search_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); \
                 INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
            ] {
                conn.execute_unprepared(sql).await?;
            }
        }
        for s in SOURCES {
            install(m, s).await?;
        }
        Ok(())
    }
}
