//! Read models of the core records that dashboards need: whose pupils are whose.
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter};
use serde::Serialize;

use crate::Store;
use crate::entities::{guardian, pupil, school, staff};
use crate::error::Result;
use crate::query::stmt;

/// A pupil as listed on a dashboard.
#[derive(Debug, Clone, Serialize, FromQueryResult, PartialEq, Eq)]
pub struct PupilSummary {
    pub id: i64,
    pub pupil_ref: String,
    pub first_name: String,
    pub last_name: String,
    pub school_name: String,
}

/// A school as a school contact sees it.
#[derive(Debug, Clone, Serialize)]
pub struct SchoolSummary {
    pub id: i64,
    pub urn: i32,
    pub name: String,
    pub phase: String,
}

/// A teacher's own staff record, in brief.
#[derive(Debug, Clone, Serialize)]
pub struct StaffSummary {
    pub id: i64,
    pub name: String,
    pub instruments: String,
}

/// How much the hub holds, for the admin dashboard.
#[derive(Debug, Clone, Serialize, Default)]
pub struct HubCounts {
    pub schools: u64,
    pub pupils: u64,
    pub guardians: u64,
    pub staff: u64,
    pub users: u64,
}

const PUPIL_COLUMNS: &str = "p.id, p.pupil_ref, p.first_name, p.last_name, s.name AS school_name";

#[tutti_boxed::boxed]
impl Store {
    /// The children whose guardian record carries this email: a parent's own children.
    pub async fn children_of_guardian(&self, email: &str) -> Result<Vec<PupilSummary>> {
        let sql = format!(
            "SELECT {PUPIL_COLUMNS} FROM pupils p JOIN schools s ON s.id = p.school_id \
             JOIN pupil_guardians pg ON pg.pupil_id = p.id JOIN guardians g ON g.id = pg.guardian_id \
             WHERE g.email = ? AND p.archived_at IS NULL ORDER BY p.first_name, p.id"
        );
        let st = stmt(self.conn().get_database_backend(), &sql, [email.to_lowercase().into()]);
        Ok(PupilSummary::find_by_statement(st).all(self.conn()).await?)
    }

    /// The pupils a teacher teaches, through their current enrolments.
    pub async fn pupils_taught_by(&self, staff_id: i64) -> Result<Vec<PupilSummary>> {
        let sql = format!(
            "SELECT DISTINCT {PUPIL_COLUMNS} FROM pupils p JOIN schools s ON s.id = p.school_id \
             JOIN enrolments e ON e.pupil_id = p.id \
             WHERE e.teacher_id = ? AND e.status IN ('active', 'leaving') AND p.archived_at IS NULL \
             ORDER BY p.last_name, p.first_name, p.id"
        );
        let st = stmt(self.conn().get_database_backend(), &sql, [staff_id.into()]);
        Ok(PupilSummary::find_by_statement(st).all(self.conn()).await?)
    }

    /// One page of the pupils on a school's roll, with the total.
    pub async fn pupils_at_school(&self, school_id: i64, page: u64, per_page: u64) -> Result<(Vec<PupilSummary>, u64)> {
        let backend = self.conn().get_database_backend();
        let sql = format!(
            "SELECT {PUPIL_COLUMNS} FROM pupils p JOIN schools s ON s.id = p.school_id \
             WHERE p.school_id = ? AND p.archived_at IS NULL ORDER BY p.last_name, p.first_name, p.id LIMIT ? OFFSET ?"
        );
        let offset = crate::listing::offset(page, per_page);
        let st = stmt(
            backend,
            &sql,
            [school_id.into(), (per_page as i64).into(), (offset as i64).into()],
        );
        let rows = PupilSummary::find_by_statement(st).all(self.conn()).await?;
        let total = pupil::Entity::find()
            .filter(pupil::Column::SchoolId.eq(school_id))
            .count(self.conn())
            .await?;
        Ok((rows, total))
    }

    pub async fn school_summary(&self, id: i64) -> Result<Option<SchoolSummary>> {
        Ok(school::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(|s| SchoolSummary {
                id: s.id,
                urn: s.urn,
                name: s.name,
                phase: s.phase,
            }))
    }

    pub async fn staff_summary(&self, id: i64) -> Result<Option<StaffSummary>> {
        Ok(staff::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(|s| StaffSummary {
                id: s.id,
                name: format!("{} {}", s.first_name, s.last_name),
                instruments: s.instruments,
            }))
    }

    pub async fn hub_counts(&self) -> Result<HubCounts> {
        let c = self.conn();
        Ok(HubCounts {
            schools: school::Entity::find().count(c).await?,
            pupils: pupil::Entity::find().count(c).await?,
            guardians: guardian::Entity::find().count(c).await?,
            staff: staff::Entity::find().count(c).await?,
            users: crate::entities::user::Entity::find().count(c).await?,
        })
    }
}
