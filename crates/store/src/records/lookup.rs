//! Finding a record by part of its name, for the office's pickers and for showing names
//! where a record was known only by its number (the audit log): schools, pupils, families'
//! guardians, staff and instruments, live records only, a few at a time (decision 0074).
use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;

use crate::Store;
use crate::entities::{guardian, instrument, pupil, school, staff};
use crate::error::Result;
use crate::records::search::{Found as Indexed, RecordSearch, text_search};

/// The most a lookup returns: a picker shows a short list, and a person types more to narrow it.
pub const LIMIT: u64 = 20;

/// The kinds of record a picker can find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LookupKind {
    School,
    Pupil,
    Guardian,
    Staff,
    Instrument,
}

impl LookupKind {
    pub const ALL: [LookupKind; 5] = [
        LookupKind::School,
        LookupKind::Pupil,
        LookupKind::Guardian,
        LookupKind::Staff,
        LookupKind::Instrument,
    ];

    /// The kind as a lookup's address names it (`/admin/lookup/schools`).
    pub fn as_str(self) -> &'static str {
        match self {
            LookupKind::School => "schools",
            LookupKind::Pupil => "pupils",
            LookupKind::Guardian => "guardians",
            LookupKind::Staff => "staff",
            LookupKind::Instrument => "instruments",
        }
    }

    pub fn parse(s: &str) -> Option<LookupKind> {
        LookupKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The word the audit log records for this kind of record.
    pub fn entity(self) -> &'static str {
        match self {
            LookupKind::School => "school",
            LookupKind::Pupil => "pupil",
            LookupKind::Guardian => "guardian",
            LookupKind::Staff => "staff",
            LookupKind::Instrument => "instrument",
        }
    }

    pub fn from_entity(entity: &str) -> Option<LookupKind> {
        LookupKind::ALL.into_iter().find(|k| k.entity() == entity)
    }
}

/// A record found: its number, its name, a detail that tells two of the same name apart (a
/// pupil's school, a school's town, a teacher's instruments, an instrument's make), and the
/// key people know it by (a school's URN, a pupil's reference, a person's email, a serial).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    pub id: i64,
    pub name: String,
    pub detail: String,
    pub key: String,
}

/// The words of a search, each of which must match some column of a record.
fn words(q: &str) -> Vec<&str> {
    q.split_whitespace().take(6).collect()
}

/// Every one of `words` found in one of `columns` (as `text_search` finds a word).
fn every_word(words: &[&str], columns: &[&'static str]) -> Condition {
    let mut all = Condition::all();
    for w in words {
        if let Some(c) = text_search(columns, w) {
            all = all.add(c);
        }
    }
    all
}

/// `column`, lower-cased, equals `value` lower-cased: keys are typed in any case.
fn lower_eq(column: &'static str, value: &str) -> SimpleExpr {
    Expr::expr(Func::lower(Expr::col(Alias::new(column)))).eq(value.to_lowercase())
}

fn full_name(first: &str, last: &str) -> String {
    format!("{first} {last}").trim().to_owned()
}

fn of_school(m: school::Model) -> Found {
    Found {
        id: m.id,
        name: m.name,
        detail: m.area,
        key: m.urn.to_string(),
    }
}

fn of_staff(m: staff::Model) -> Found {
    Found {
        id: m.id,
        name: full_name(&m.first_name, &m.last_name),
        detail: m.instruments.split(';').map(str::trim).collect::<Vec<_>>().join(", "),
        key: m.email,
    }
}

/// A parent or carer, told apart by the first line of their address; their email is the key.
fn of_guardian(m: guardian::Model) -> Found {
    Found {
        id: m.id,
        name: m.name,
        detail: m
            .address
            .split([',', '\n'])
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned(),
        key: m.email,
    }
}

fn of_instrument(m: instrument::Model) -> Found {
    Found {
        id: m.id,
        name: m.instrument_type,
        detail: full_name(&m.make, &m.model),
        key: m.serial,
    }
}

#[tutti_boxed::boxed]
impl Store {
    /// Up to `limit` (at most `LIMIT`) live records of `kind` matching every word of `q`, each
    /// word anywhere in a name (case-insensitive), except pupils, whose every word must start a
    /// word of their name, reference or school's name (from the search index); schools by name, town, postcode, authority or URN, staff by name or email, instruments
    /// by kind, serial, make or model. A blank `q` finds nothing.
    pub async fn lookup(&self, kind: LookupKind, q: &str, limit: u64) -> Result<Vec<Found>> {
        let words = words(q);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let limit = limit.clamp(1, LIMIT);
        match kind {
            LookupKind::School => {
                let mut all = Condition::all();
                for w in &words {
                    let mut any = Condition::any();
                    if let Some(c) = text_search(&["name", "area", "postcode", "local_authority"], w) {
                        any = any.add(c);
                    }
                    if let Ok(urn) = w.parse::<i32>() {
                        any = any.add(school::Column::Urn.eq(urn));
                    }
                    all = all.add(any);
                }
                let rows = school::Entity::find()
                    .filter(school::Column::ArchivedAt.is_null())
                    .filter(all)
                    .order_by_asc(school::Column::Name)
                    .order_by_asc(school::Column::Id)
                    .limit(limit)
                    .all(self.conn())
                    .await?;
                Ok(rows.into_iter().map(of_school).collect())
            }
            LookupKind::Pupil => {
                // Pupils are found as the office's record search finds them, from the one
                // search index (decision 0078): every word the start of a word of their name,
                // reference or school, best first. A county's pupils are too many to read
                // their names and schools' names for a part of a word.
                let hits = self
                    .search_records(&RecordSearch {
                        q: q.to_owned(),
                        kinds: vec![Indexed::Pupil],
                        include_archived: false,
                        page: 1,
                        per_page: limit,
                    })
                    .await?;
                let ids: Vec<i64> = hits.rows.iter().map(|h| h.id).collect();
                let mut found = self.found_by_ids(kind, &ids, true).await?;
                found.sort_by_key(|f| ids.iter().position(|id| *id == f.id));
                Ok(found)
            }
            LookupKind::Guardian => {
                let all = every_word(&words, &["name", "email", "phone"]);
                let rows = guardian::Entity::find()
                    .filter(all)
                    .order_by_asc(guardian::Column::Name)
                    .order_by_asc(guardian::Column::Id)
                    .limit(limit)
                    .all(self.conn())
                    .await?;
                Ok(rows.into_iter().map(of_guardian).collect())
            }
            LookupKind::Staff => {
                let all = every_word(&words, &["first_name", "last_name", "email"]);
                let rows = staff::Entity::find()
                    .filter(staff::Column::ArchivedAt.is_null())
                    .filter(all)
                    .order_by_asc(staff::Column::LastName)
                    .order_by_asc(staff::Column::FirstName)
                    .order_by_asc(staff::Column::Id)
                    .limit(limit)
                    .all(self.conn())
                    .await?;
                Ok(rows.into_iter().map(of_staff).collect())
            }
            LookupKind::Instrument => {
                let all = every_word(&words, &["instrument_type", "serial", "make", "model"]);
                let rows = instrument::Entity::find()
                    .filter(instrument::Column::ArchivedAt.is_null())
                    .filter(all)
                    .order_by_asc(instrument::Column::InstrumentType)
                    .order_by_asc(instrument::Column::Serial)
                    .order_by_asc(instrument::Column::Id)
                    .limit(limit)
                    .all(self.conn())
                    .await?;
                Ok(rows.into_iter().map(of_instrument).collect())
            }
        }
    }

    /// The live record of `kind` whose key (URN, pupil reference, email or serial) is exactly
    /// `key` (letters' case aside), if any.
    pub async fn lookup_key(&self, kind: LookupKind, key: &str) -> Result<Option<Found>> {
        let key = key.trim();
        if key.is_empty() {
            return Ok(None);
        }
        let found = match kind {
            LookupKind::School => match key.parse::<i32>() {
                Ok(urn) => school::Entity::find()
                    .filter(school::Column::ArchivedAt.is_null())
                    .filter(school::Column::Urn.eq(urn))
                    .one(self.conn())
                    .await?
                    .map(of_school),
                Err(_) => None,
            },
            LookupKind::Pupil => {
                let rows = pupil::Entity::find()
                    .filter(pupil::Column::ArchivedAt.is_null())
                    .filter(lower_eq("pupil_ref", key))
                    .limit(1)
                    .all(self.conn())
                    .await?;
                self.pupils_found(rows).await?.into_iter().next()
            }
            LookupKind::Guardian => guardian::Entity::find()
                .filter(lower_eq("email", key))
                .one(self.conn())
                .await?
                .map(of_guardian),
            LookupKind::Staff => staff::Entity::find()
                .filter(staff::Column::ArchivedAt.is_null())
                .filter(lower_eq("email", key))
                .one(self.conn())
                .await?
                .map(of_staff),
            LookupKind::Instrument => instrument::Entity::find()
                .filter(instrument::Column::ArchivedAt.is_null())
                .filter(lower_eq("serial", key))
                .one(self.conn())
                .await?
                .map(of_instrument),
        };
        Ok(found)
    }

    /// The live record of `kind` numbered `id`, if any.
    pub async fn lookup_id(&self, kind: LookupKind, id: i64) -> Result<Option<Found>> {
        Ok(self.found_by_ids(kind, &[id], true).await?.into_iter().next())
    }

    /// The names of records known by their number, archived ones included (the audit log
    /// names what was done to a record since archived), keyed by kind and number.
    pub async fn record_names(&self, wanted: &[(LookupKind, i64)]) -> Result<HashMap<(LookupKind, i64), Found>> {
        let mut names = HashMap::new();
        for kind in LookupKind::ALL {
            let mut ids: Vec<i64> = wanted.iter().filter(|(k, _)| *k == kind).map(|(_, id)| *id).collect();
            ids.sort_unstable();
            ids.dedup();
            if ids.is_empty() {
                continue;
            }
            for found in self.found_by_ids(kind, &ids, false).await? {
                names.insert((kind, found.id), found);
            }
        }
        Ok(names)
    }

    async fn found_by_ids(&self, kind: LookupKind, ids: &[i64], live_only: bool) -> Result<Vec<Found>> {
        let ids = ids.to_vec();
        Ok(match kind {
            LookupKind::School => {
                let mut find = school::Entity::find().filter(school::Column::Id.is_in(ids));
                if live_only {
                    find = find.filter(school::Column::ArchivedAt.is_null());
                }
                find.all(self.conn()).await?.into_iter().map(of_school).collect()
            }
            LookupKind::Pupil => {
                let mut find = pupil::Entity::find().filter(pupil::Column::Id.is_in(ids));
                if live_only {
                    find = find.filter(pupil::Column::ArchivedAt.is_null());
                }
                let rows = find.all(self.conn()).await?;
                self.pupils_found(rows).await?
            }
            // Guardians are never archived: a family leaves with its children.
            LookupKind::Guardian => guardian::Entity::find()
                .filter(guardian::Column::Id.is_in(ids))
                .all(self.conn())
                .await?
                .into_iter()
                .map(of_guardian)
                .collect(),
            LookupKind::Staff => {
                let mut find = staff::Entity::find().filter(staff::Column::Id.is_in(ids));
                if live_only {
                    find = find.filter(staff::Column::ArchivedAt.is_null());
                }
                find.all(self.conn()).await?.into_iter().map(of_staff).collect()
            }
            LookupKind::Instrument => {
                let mut find = instrument::Entity::find().filter(instrument::Column::Id.is_in(ids));
                if live_only {
                    find = find.filter(instrument::Column::ArchivedAt.is_null());
                }
                find.all(self.conn()).await?.into_iter().map(of_instrument).collect()
            }
        })
    }

    /// Pupils as found, each with their school's name as the detail: one more query for the
    /// few schools of a short list.
    async fn pupils_found(&self, rows: Vec<pupil::Model>) -> Result<Vec<Found>> {
        let mut school_ids: Vec<i64> = rows.iter().map(|p| p.school_id).collect();
        school_ids.sort_unstable();
        school_ids.dedup();
        let schools: HashMap<i64, String> = if school_ids.is_empty() {
            HashMap::new()
        } else {
            school::Entity::find()
                .filter(school::Column::Id.is_in(school_ids))
                .all(self.conn())
                .await?
                .into_iter()
                .map(|s| (s.id, s.name))
                .collect()
        };
        Ok(rows
            .into_iter()
            .map(|p| Found {
                id: p.id,
                name: full_name(&p.first_name, &p.last_name),
                detail: schools.get(&p.school_id).cloned().unwrap_or_default(),
                key: p.pupil_ref,
            })
            .collect())
    }
}
