//! Staff records: list, view, create, update, archive, import and export, with the dates
//! their DBS check and safeguarding training fall due.
use sea_orm::sea_query::{Alias, Expr, Order};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use tutti_domain::csv::{ImportedRow, StaffRow};
use tutti_domain::records::RecordRefusal;
use tutti_domain::staff::{CheckStatus, DbsNumber, Employment, Fte, StaffRole, check_status};
use tutti_domain::validate::EmailAddress;

use crate::entities::staff;
use crate::error::Result;
use crate::listing::{ListQuery, Page};
use crate::platform::audit::{self, Action, Actor};
use crate::query::found;
use crate::records::imports::{ImportReport, change_summary, changed_fields};
use crate::records::keyed_import::KeyedImport;
use crate::records::unique::taken;
use crate::{Store, now};

/// How often checks are renewed and how early the screens warn: hub configuration in
/// time; these are the common defaults (see tutti_domain::staff::check_status).
pub const DBS_RENEW_YEARS: u8 = 3;
pub const SAFEGUARDING_RENEW_YEARS: u8 = 3;
pub const WARN_DAYS: u16 = 60;

pub const SORTS: &[(&str, &str)] = &[
    ("name", "last_name"),
    ("first_name", "first_name"),
    ("email", "email"),
    ("role", "role"),
    ("employment", "employment"),
    ("dbs_issued", "dbs_issued"),
];

/// A member of staff as screens and the API show them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Staff {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub instruments: Vec<String>,
    pub employment: String,
    pub dbs_number: Option<String>,
    #[serde(with = "opt_iso_date")]
    pub dbs_issued: Option<Date>,
    pub dbs_update_service: bool,
    #[serde(with = "opt_iso_date")]
    pub safeguarding_trained: Option<Date>,
    pub dbs_status: CheckStatus,
    pub safeguarding_status: CheckStatus,
    /// Their full-time equivalent ("0.6"), if recorded.
    pub fte: Option<String>,
    pub archived: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

mod opt_iso_date {
    use serde::Serializer;
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&tutti_domain::validate::format_date_iso(*d)),
            None => s.serialize_none(),
        }
    }
}

impl Staff {
    fn from_model(m: staff::Model, today: Date) -> Staff {
        // A DBS check on the update service is checked online and does not lapse.
        let dbs_status = if m.dbs_update_service && m.dbs_issued.is_some() {
            CheckStatus::Current {
                due: today.replace_year(today.year() + 100).unwrap_or(today),
            }
        } else {
            check_status(m.dbs_issued, DBS_RENEW_YEARS, WARN_DAYS, today)
        };
        Staff {
            id: m.id,
            instruments: split_instruments(&m.instruments),
            employment: m.employment.replace('_', "-"),
            dbs_status,
            safeguarding_status: check_status(m.safeguarding_trained, SAFEGUARDING_RENEW_YEARS, WARN_DAYS, today),
            email: m.email,
            first_name: m.first_name,
            last_name: m.last_name,
            role: m.role,
            dbs_number: m.dbs_number,
            dbs_issued: m.dbs_issued,
            dbs_update_service: m.dbs_update_service,
            safeguarding_trained: m.safeguarding_trained,
            fte: m
                .fte_hundredths
                .and_then(|h| Fte::from_hundredths(h.into()))
                .map(|f| f.to_string()),
            archived: m.archived_at.is_some(),
            updated_at: m.updated_at,
        }
    }

    /// Plain-words warnings for anything missing, lapsed or due soon.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (what, status) in [
            ("DBS check", self.dbs_status),
            ("Safeguarding training", self.safeguarding_status),
        ] {
            match status {
                CheckStatus::Missing => out.push(format!("{what}: not recorded")),
                CheckStatus::Expired { due } => out.push(format!(
                    "{what}: expired on {}",
                    tutti_domain::validate::format_day_long(due)
                )),
                CheckStatus::DueSoon { due } => out.push(format!(
                    "{what}: due for renewal by {}",
                    tutti_domain::validate::format_day_long(due)
                )),
                CheckStatus::Current { .. } => {}
            }
        }
        out
    }
}

fn split_instruments(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn row_fields(r: &StaffRow) -> Vec<(&'static str, String)> {
    vec![
        ("email", r.email.to_string()),
        ("first_name", r.first_name.clone()),
        ("last_name", r.last_name.clone()),
        ("role", r.role.as_str().to_owned()),
        ("instruments", r.instruments.join(";")),
        (
            "employment",
            r.employment.map(|e| e.as_str().to_owned()).unwrap_or_default(),
        ),
        (
            "dbs_number",
            r.dbs_number.as_ref().map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("dbs_issued", format!("{:?}", r.dbs_issued)),
        ("dbs_update_service", r.dbs_update_service.to_string()),
        ("safeguarding_trained", format!("{:?}", r.safeguarding_trained)),
        ("fte", r.fte.map(|f| f.to_string()).unwrap_or_default()),
    ]
}

/// A stored member of staff as the row that would produce them.
pub fn row_of(m: &staff::Model) -> StaffRow {
    StaffRow {
        email: EmailAddress::parse(&m.email)
            .unwrap_or_else(|_| EmailAddress::parse("unknown@invalid.test").expect("valid")),
        first_name: m.first_name.clone(),
        last_name: m.last_name.clone(),
        role: m.role.parse().unwrap_or(StaffRole::Teacher),
        instruments: split_instruments(&m.instruments),
        employment: m.employment.parse::<Employment>().ok(),
        dbs_number: m.dbs_number.as_deref().and_then(|d| DbsNumber::parse(d).ok()),
        dbs_issued: m.dbs_issued,
        dbs_update_service: m.dbs_update_service,
        safeguarding_trained: m.safeguarding_trained,
        fte: m.fte_hundredths.and_then(|h| Fte::from_hundredths(h.into())),
    }
}

fn apply(a: &mut staff::ActiveModel, r: &StaffRow) {
    a.email = Set(r.email.to_string());
    a.first_name = Set(r.first_name.clone());
    a.last_name = Set(r.last_name.clone());
    a.role = Set(r.role.as_str().to_owned());
    a.instruments = Set(r.instruments.join(";"));
    a.employment = Set(r.employment.map(|e| e.as_str().to_owned()).unwrap_or_default());
    a.dbs_number = Set(r.dbs_number.as_ref().map(|d| d.to_string()));
    a.dbs_issued = Set(r.dbs_issued);
    a.dbs_update_service = Set(r.dbs_update_service);
    a.safeguarding_trained = Set(r.safeguarding_trained);
    a.fte_hundredths = Set(r.fte.map(|f| i32::from(f.hundredths())));
}

#[tutti_boxed::boxed]
impl Store {
    pub async fn list_staff(&self, q: &ListQuery) -> Result<Page<Staff>> {
        let mut find = staff::Entity::find();
        if !q.include_archived {
            find = find.filter(staff::Column::ArchivedAt.is_null());
        }
        if let Some(c) = crate::records::search::text_search(&["first_name", "last_name", "email", "instruments"], &q.q)
        {
            find = find.filter(c);
        }
        let total = find.clone().count(self.conn()).await?;
        let (_, column) = q.sort_column(SORTS);
        let order = if q.desc { Order::Desc } else { Order::Asc };
        let rows = find
            .order_by(Expr::col(Alias::new(column)), order)
            .order_by_asc(staff::Column::Id)
            .offset(q.offset())
            .limit(q.per_page())
            .all(self.conn())
            .await?;
        let t = self.today();
        Ok(Page::counted(
            rows.into_iter().map(|m| Staff::from_model(m, t)).collect(),
            total,
            q.page(),
            q.per_page(),
        ))
    }

    pub async fn staff_member(&self, id: i64) -> Result<Option<Staff>> {
        Ok(staff::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(|m| Staff::from_model(m, self.today())))
    }

    pub async fn staff_row(&self, id: i64) -> Result<Option<StaffRow>> {
        Ok(staff::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(|m| row_of(&m)))
    }

    pub async fn create_staff(&self, actor: &Actor, row: &StaffRow) -> Result<Staff> {
        let txn = self.write().await?;
        if taken::<staff::Entity>(&txn, staff::Column::Email, row.email.to_string(), None).await? {
            return Err(RecordRefusal::StaffEmailTaken {
                email: row.email.to_string(),
            }
            .into());
        }
        let t = now();
        let mut a = staff::ActiveModel {
            archived_at: Set(None),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        };
        apply(&mut a, row);
        let m = a.insert(&txn).await?;
        let what = format!("staff {}", m.id);
        audit::commit(txn, actor, Action::Create, "staff", Some(m.id), what).await?;
        Ok(Staff::from_model(m, self.today()))
    }

    pub async fn update_staff(&self, actor: &Actor, id: i64, row: &StaffRow) -> Result<Staff> {
        let txn = self.write().await?;
        let current = found::<staff::Entity>(&txn, id).await?;
        if taken::<staff::Entity>(&txn, staff::Column::Email, row.email.to_string(), Some(id)).await? {
            return Err(RecordRefusal::StaffEmailTaken {
                email: row.email.to_string(),
            }
            .into());
        }
        let changed = changed_fields(&row_fields(&row_of(&current)), &row_fields(row));
        let mut a: staff::ActiveModel = current.into();
        apply(&mut a, row);
        a.updated_at = Set(now());
        let m = a.update(&txn).await?;
        let summary = change_summary(&format!("staff {}", m.id), &changed);
        audit::commit(txn, actor, Action::Update, "staff", Some(id), summary).await?;
        Ok(Staff::from_model(m, self.today()))
    }

    pub async fn archive_staff(&self, actor: &Actor, id: i64) -> Result<()> {
        self.archive_record::<staff::Entity>(actor, id, ("staff", "staff"), |m| format!("staff {}", m.id))
            .await
    }

    /// Imports staff rows matched by email, all or nothing; `dry_run` rolls back.
    pub async fn import_staff(
        &self,
        actor: &Actor,
        rows: &[ImportedRow<StaffRow>],
        dry_run: bool,
    ) -> Result<ImportReport> {
        self.import_keyed::<staff::Entity>(actor, rows, dry_run).await
    }

    pub async fn export_staff(&self) -> Result<Vec<StaffRow>> {
        self.export_keyed::<staff::Entity>(staff::Column::Email).await
    }
}

impl KeyedImport for staff::Entity {
    type Row = StaffRow;
    type Key = String;
    const KINDS: (&'static str, &'static str) = ("staff", "staff");
    const AUDIT_EACH_CREATE: bool = true;

    fn stored_key(m: &staff::Model) -> String {
        m.email.clone()
    }
    fn row_key(r: &StaffRow) -> String {
        r.email.to_string()
    }
    fn describe(m: &staff::Model) -> String {
        format!("staff {}", m.id)
    }
    fn stored_row(m: &staff::Model) -> StaffRow {
        row_of(m)
    }
    fn fields(r: &StaffRow) -> Vec<(&'static str, String)> {
        row_fields(r)
    }
    fn apply(a: &mut staff::ActiveModel, r: &StaffRow) {
        apply(a, r)
    }
}
