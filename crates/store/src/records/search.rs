//! Searching records: the office's record search over the one search index (decision 0078), and
//! case-insensitive text filters over columns, safe against LIKE wildcards in user input.
use sea_orm::Condition;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, LikeExpr};

/// A condition matching rows where any of `columns` contains `term` (case-insensitive),
/// or `None` when the term is blank. Column names are ours, never user input.
pub(crate) fn text_search(columns: &[&'static str], term: &str) -> Option<Condition> {
    let term = term.trim().to_lowercase();
    if term.is_empty() {
        return None;
    }
    let pattern = format!("%{}%", escape_like(&term));
    let mut any = Condition::any();
    for column in columns {
        let lowered = Expr::expr(Func::lower(Expr::col(Alias::new(*column))));
        any = any.add(lowered.like(LikeExpr::new(pattern.clone()).escape('\\')));
    }
    Some(any)
}

/// Escapes LIKE wildcards so that a search for "50%" finds "50%".
pub(crate) fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A kind of record the office's search finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Found {
    Pupil,
    School,
    Staff,
    Guardian,
}

impl Found {
    pub const ALL: [Found; 4] = [Found::Pupil, Found::School, Found::Staff, Found::Guardian];

    /// The entry's source in the search index (migration m0022).
    pub fn as_str(self) -> &'static str {
        match self {
            Found::Pupil => "pupil",
            Found::School => "school",
            Found::Staff => "staff",
            Found::Guardian => "guardian",
        }
    }

    pub fn parse(s: &str) -> Option<Found> {
        Found::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What the office asks its record search.
#[derive(Debug, Clone, Default)]
pub struct RecordSearch {
    /// Typed words: every one must start a word of the record's name or details.
    pub q: String,
    /// The kinds to look through; none means every kind.
    pub kinds: Vec<Found>,
    pub include_archived: bool,
    pub page: u64,
    pub per_page: u64,
}

/// One record found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecordHit {
    pub kind: Found,
    pub id: i64,
    /// The record's name.
    pub title: String,
    /// Its other words (a pupil's reference and school, a school's URN and town, an email),
    /// with matched words marked (`search::MARK_START`, `MARK_END`).
    pub detail: String,
    pub archived: bool,
    /// A guardian's first pupil, whose record shows the family.
    pub pupil_id: Option<i64>,
}

#[tutti_boxed::boxed]
impl crate::Store {
    /// One page of the office's record search over pupils, schools, staff and guardians, from
    /// the one search index (decision 0078): every word the start of a word, best first.
    /// Archived records only when asked. For the office only: the web offers it to no one else.
    pub async fn search_records(&self, s: &RecordSearch) -> crate::error::Result<crate::listing::Page<RecordHit>> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

        let kinds: Vec<Found> = if s.kinds.is_empty() {
            Found::ALL.to_vec()
        } else {
            s.kinds.clone()
        };
        let sources: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        let q = crate::listing::ListQuery {
            page: s.page,
            per_page: if s.per_page == 0 { 25 } else { s.per_page },
            ..Default::default()
        };
        let scope = crate::search::Scope {
            sources: &sources,
            include_archived: s.include_archived,
            join: "",
            condition: String::new(),
            values: Vec::new(),
        };
        let (found, n) = crate::search::find(
            self.conn(),
            &s.q,
            crate::search::Mode::Prefix,
            &scope,
            q.per_page(),
            q.offset(),
        )
        .await?;
        let guardians: Vec<i64> = found
            .iter()
            .filter(|f| f.source == "guardian")
            .map(|f| f.ref_id)
            .collect();
        let links = if guardians.is_empty() {
            Vec::new()
        } else {
            crate::entities::pupil_guardian::Entity::find()
                .filter(crate::entities::pupil_guardian::Column::GuardianId.is_in(guardians))
                .order_by_asc(crate::entities::pupil_guardian::Column::PupilId)
                .all(self.conn())
                .await?
        };
        let rows = found
            .into_iter()
            .filter_map(|f| {
                let kind = Found::parse(&f.source)?;
                let pupil_id = match kind {
                    Found::Guardian => links.iter().find(|l| l.guardian_id == f.ref_id).map(|l| l.pupil_id),
                    _ => None,
                };
                Some(RecordHit {
                    kind,
                    id: f.ref_id,
                    title: f.title,
                    detail: f.snippet,
                    archived: f.archived,
                    pupil_id,
                })
            })
            .collect();
        Ok(crate::listing::Page {
            rows,
            total: Ord::min(n, crate::listing::COUNT_CAP),
            capped: n > crate::listing::COUNT_CAP,
            page: q.page(),
            per_page: q.per_page(),
        })
    }
}
