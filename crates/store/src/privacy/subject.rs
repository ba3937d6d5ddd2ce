//! Whom a privacy request is about: a pupil, a guardian, a member of staff or an account,
//! each by the table their record lives in.
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubjectKind {
    Pupil,
    Guardian,
    Staff,
    User,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 4] = [
        SubjectKind::Pupil,
        SubjectKind::Guardian,
        SubjectKind::Staff,
        SubjectKind::User,
    ];

    /// The table their record lives in.
    pub fn table(self) -> &'static str {
        match self {
            SubjectKind::Pupil => "pupils",
            SubjectKind::Guardian => "guardians",
            SubjectKind::Staff => "staff",
            SubjectKind::User => "users",
        }
    }

    /// The word the audit log and the requests' log use.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Pupil => "pupil",
            SubjectKind::Guardian => "guardian",
            SubjectKind::Staff => "staff",
            SubjectKind::User => "user",
        }
    }

    pub fn parse(s: &str) -> Option<SubjectKind> {
        SubjectKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind whose records live in `table`.
    pub fn of_table(table: &str) -> Option<SubjectKind> {
        SubjectKind::ALL.into_iter().find(|k| k.table() == table)
    }
}

/// One person, by kind and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Subject {
    pub kind: SubjectKind,
    pub id: i64,
}

impl Subject {
    pub fn new(kind: SubjectKind, id: i64) -> Subject {
        Subject { kind, id }
    }
}
