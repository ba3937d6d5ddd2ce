//! The site search finds ensembles and events too (issue 22: "every kind of public content,
//! ensembles and events as they arrive"): two more sources of the one index of migration
//! 0022, kept by triggers like the others. An archived ensemble and a cancelled event are
//! entries marked archived, which the public search leaves out.
use super::m0022_search::{Source, install};
use super::prelude::*;

pub struct Migration;

const ENSEMBLES: Source = Source {
    name: "ensemble",
    from: "ensembles t",
    watched: "name, kind, level, area, venue, description, archived_at",
    kind: "'ensemble'",
    archived: "(t.archived_at IS NOT NULL)",
    title: "t.name",
    body: "t.kind || ' ' || t.level || ' ' || t.area || ' ' || t.venue || ' ' || t.description",
    parent: None,
};

const EVENTS: Source = Source {
    name: "event",
    from: "events t",
    watched: "title, kind, audience_detail, summary, venue, status",
    kind: "'event'",
    archived: "(t.status = 'cancelled')",
    title: "t.title",
    body: "t.kind || ' ' || t.audience_detail || ' ' || t.summary || ' ' || t.venue",
    parent: None,
};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        install(m, &ENSEMBLES).await?;
        install(m, &EVENTS).await
    }
}
