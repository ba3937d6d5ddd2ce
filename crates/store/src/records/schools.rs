//! Schools: list, view, create, update, archive, import and export, each write audited; a
//! school that starts or stops rotating has its coming lessons laid out again.
use std::collections::HashMap;

use sea_orm::sea_query::{Expr, Order};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use time::OffsetDateTime;
use tutti_domain::Percent;
use tutti_domain::csv::{ImportedRow, SchoolRow};
use tutti_domain::geo::{Latitude, Longitude};
use tutti_domain::records::RecordRefusal;
use tutti_domain::schools::{BillingMethod, SchoolPhase, SchoolType};
use tutti_domain::validate::{Postcode, Urn};

use crate::entities::school;
use crate::error::{Result, StoreError};
use crate::listing::{ListQuery, Page};
use crate::platform::audit::{self, Action, Actor};
use crate::query::found;
use crate::records::imports::{ImportReport, change_summary, changed_fields};
use crate::records::keyed_import::KeyedImport;
use crate::records::unique::taken;
use crate::teaching::lessons::replan_schools;
use crate::{Store, now};

/// Rooms for visiting teachers a new school has until told (as migration m0010's default).
const DEFAULT_ROOMS: i32 = 2;

/// The columns a school list may be sorted by: (name in the URL, column).
pub const SORTS: &[(&str, &str)] = &[
    ("name", "name"),
    ("urn", "urn"),
    ("phase", "phase"),
    ("type", "school_type"),
    ("area", "area"),
    ("postcode", "postcode"),
];

/// A school as screens and the API show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct School {
    pub id: i64,
    pub urn: i32,
    pub name: String,
    pub phase: String,
    pub school_type: String,
    pub local_authority: String,
    pub area: String,
    pub address: String,
    pub postcode: String,
    /// The uplift on the standard fee, in whole per cent (0, 15, 50 or 100).
    pub parent_charge_uplift: i32,
    pub billing: String,
    /// Rooms for visiting teachers at once.
    pub rooms: i32,
    /// Whether lesson times rotate week by week.
    pub rotating: bool,
    /// Where it is, in decimal degrees ("54.7761"), for the take-up map; both or neither.
    pub latitude: Option<String>,
    pub longitude: Option<String>,
    pub archived: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl From<school::Model> for School {
    fn from(m: school::Model) -> Self {
        School {
            id: m.id,
            urn: m.urn,
            name: m.name,
            phase: m.phase,
            school_type: m.school_type,
            local_authority: m.local_authority,
            area: m.area,
            address: m.address,
            postcode: m.postcode,
            parent_charge_uplift: m.parent_charge_uplift,
            // Older rows wrote underscores; the domain's word has a hyphen.
            billing: m.billing.replace('_', "-"),
            rooms: m.rooms,
            rotating: m.rotating,
            latitude: m.latitude_micro.and_then(Latitude::from_micro).map(|l| l.to_string()),
            longitude: m.longitude_micro.and_then(Longitude::from_micro).map(|l| l.to_string()),
            archived: m.archived_at.is_some(),
            updated_at: m.updated_at,
        }
    }
}

/// What a school form or API call supplies: the import row's fields and how it is billed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolInput {
    pub row: SchoolRow,
    pub billing: BillingMethod,
    /// The minutes after midnight lessons may start from and must end by, the same every
    /// school day (the form has them; the file does not); `None` keeps what is recorded.
    pub hours: Option<(u16, u16)>,
}

impl SchoolInput {
    /// A row with the billing its type implies.
    pub fn from_row(row: SchoolRow) -> SchoolInput {
        let billing = row.school_type.default_billing();
        SchoolInput {
            row,
            billing,
            hours: None,
        }
    }

    /// With what the input leaves unsaid (rooms, rotation: columns an older file lacks)
    /// taken from the school as recorded.
    pub fn keeping(mut self, current: &SchoolInput) -> SchoolInput {
        self.row.rooms = self.row.rooms.or(current.row.rooms);
        self.row.rotating = self.row.rotating.or(current.row.rotating);
        self.hours = self.hours.or(current.hours);
        self
    }

    fn fields(&self) -> Vec<(&'static str, String)> {
        let r = &self.row;
        vec![
            ("urn", r.urn.to_string()),
            ("name", r.name.clone()),
            ("phase", r.phase.as_str().to_owned()),
            ("type", r.school_type.as_str().to_owned()),
            ("local_authority", r.local_authority.clone().unwrap_or_default()),
            ("area", r.area.clone().unwrap_or_default()),
            ("address", r.address.clone().unwrap_or_default()),
            (
                "postcode",
                r.postcode.as_ref().map(|p| p.to_string()).unwrap_or_default(),
            ),
            ("parent_charge_uplift", uplift_whole(r.parent_charge_uplift).to_string()),
            ("billing", self.billing.as_str().to_owned()),
            ("rooms", r.rooms.map(|n| n.to_string()).unwrap_or_default()),
            ("rotating", r.rotating.map(|b| b.to_string()).unwrap_or_default()),
            ("latitude", r.latitude.map(|l| l.to_string()).unwrap_or_default()),
            ("longitude", r.longitude.map(|l| l.to_string()).unwrap_or_default()),
            (
                "lesson hours",
                self.hours.map(|(a, b)| format!("{a}-{b}")).unwrap_or_default(),
            ),
        ]
    }

    fn apply(&self, a: &mut school::ActiveModel) {
        let f: HashMap<&str, String> = self.fields().into_iter().collect();
        a.urn = Set(self.row.urn.get() as i32);
        a.name = Set(f["name"].clone());
        a.phase = Set(f["phase"].clone());
        a.school_type = Set(f["type"].clone());
        a.local_authority = Set(f["local_authority"].clone());
        a.area = Set(f["area"].clone());
        a.address = Set(f["address"].clone());
        a.postcode = Set(f["postcode"].clone());
        a.parent_charge_uplift = Set(uplift_whole(self.row.parent_charge_uplift));
        a.billing = Set(f["billing"].clone());
        // Left unsaid, they stay as they are; a new school gets the columns' defaults.
        if let Some(rooms) = self.row.rooms {
            a.rooms = Set(i32::from(rooms));
        }
        if let Some(rotating) = self.row.rotating {
            a.rotating = Set(rotating);
        }
        a.latitude_micro = Set(self.row.latitude.map(Latitude::micro));
        a.longitude_micro = Set(self.row.longitude.map(Longitude::micro));
        if let Some((opens, closes)) = self.hours {
            a.opens_minute = Set(i32::from(opens));
            a.closes_minute = Set(i32::from(closes));
        }
    }
}

/// Lesson hours given with the school must open before they close (the rooms, when not
/// given, are the recorded or default number, which the row's reader has checked).
fn check_hours(input: &SchoolInput) -> Result<()> {
    if let Some((opens, closes)) = input.hours {
        let rooms = input.row.rooms.unwrap_or(DEFAULT_ROOMS as u16);
        tutti_domain::allocation::check_school_hours(rooms, opens, closes)?;
    }
    Ok(())
}

fn uplift_whole(p: Percent) -> i32 {
    (p.basis_points() / 100) as i32
}

/// A stored school as the input that would produce it (for comparing and exporting).
/// Stored values were validated on the way in; anything unreadable is left blank.
pub fn input_of(m: &school::Model) -> SchoolInput {
    let row = SchoolRow {
        urn: Urn::new(m.urn.max(0) as u32).unwrap_or_else(|_| Urn::new(100_000).expect("a valid URN")),
        name: m.name.clone(),
        phase: m.phase.parse().unwrap_or(SchoolPhase::Primary),
        school_type: m.school_type.parse().unwrap_or(SchoolType::Maintained),
        local_authority: non_empty(&m.local_authority),
        area: non_empty(&m.area),
        address: non_empty(&m.address),
        postcode: Postcode::parse(&m.postcode).ok(),
        parent_charge_uplift: Percent::whole(m.parent_charge_uplift.max(0) as u32),
        rooms: u16::try_from(m.rooms).ok(),
        rotating: Some(m.rotating),
        latitude: m.latitude_micro.and_then(Latitude::from_micro),
        longitude: m.longitude_micro.and_then(Longitude::from_micro),
    };
    let billing = m.billing.parse().unwrap_or(row.school_type.default_billing());
    let hours = u16::try_from(m.opens_minute)
        .ok()
        .zip(u16::try_from(m.closes_minute).ok());
    SchoolInput { row, billing, hours }
}

pub(crate) fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn conflict_urn(urn: Urn) -> StoreError {
    RecordRefusal::UrnTaken { urn }.into()
}

#[tutti_boxed::boxed]
impl Store {
    /// One page of schools, searched by name, area, postcode or URN.
    pub async fn list_schools(&self, q: &ListQuery) -> Result<Page<School>> {
        let mut find = school::Entity::find();
        if !q.include_archived {
            find = find.filter(school::Column::ArchivedAt.is_null());
        }
        let term = q.q.trim();
        if !term.is_empty() {
            let mut any = Condition::any();
            if let Some(c) = crate::records::search::text_search(&["name", "area", "postcode", "local_authority"], term)
            {
                any = any.add(c);
            }
            if let Ok(urn) = term.parse::<i32>() {
                any = any.add(school::Column::Urn.eq(urn));
            }
            find = find.filter(any);
        }
        let total = find.clone().count(self.conn()).await?;
        let (_, column) = q.sort_column(SORTS);
        let order = if q.desc { Order::Desc } else { Order::Asc };
        let rows = find
            .order_by(Expr::col(sea_orm::sea_query::Alias::new(column)), order)
            .order_by_asc(school::Column::Id)
            .offset(q.offset())
            .limit(q.per_page())
            .all(self.conn())
            .await?;
        Ok(Page::counted(
            rows.into_iter().map(School::from).collect(),
            total,
            q.page(),
            q.per_page(),
        ))
    }

    pub async fn school(&self, id: i64) -> Result<Option<School>> {
        Ok(school::Entity::find_by_id(id).one(self.conn()).await?.map(School::from))
    }

    pub async fn school_by_urn(&self, urn: i32) -> Result<Option<School>> {
        Ok(school::Entity::find()
            .filter(school::Column::Urn.eq(urn))
            .one(self.conn())
            .await?
            .map(School::from))
    }

    /// The stored school as an input, for prefilling an edit form.
    pub async fn school_input(&self, id: i64) -> Result<Option<SchoolInput>> {
        Ok(school::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(|m| input_of(&m)))
    }

    pub async fn create_school(&self, actor: &Actor, input: &SchoolInput) -> Result<School> {
        check_hours(input)?;
        let txn = self.write().await?;
        if urn_taken(&txn, input.row.urn, None).await? {
            return Err(conflict_urn(input.row.urn));
        }
        let t = now();
        let mut a = school::ActiveModel {
            rotating: Set(false),
            rooms: Set(DEFAULT_ROOMS),
            archived_at: Set(None),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        };
        input.apply(&mut a);
        let m = a.insert(&txn).await?;
        let what = format!("school {} {}", m.urn, m.name);
        audit::commit(txn, actor, Action::Create, "school", Some(m.id), what).await?;
        Ok(m.into())
    }

    pub async fn update_school(&self, actor: &Actor, id: i64, input: &SchoolInput) -> Result<School> {
        let txn = self.write().await?;
        let current = found::<school::Entity>(&txn, id).await?;
        if urn_taken(&txn, input.row.urn, Some(id)).await? {
            return Err(conflict_urn(input.row.urn));
        }
        let before = input_of(&current);
        let input = input.clone().keeping(&before);
        check_hours(&input)?;
        let changed = changed_fields(&before.fields(), &input.fields());
        let mut a: school::ActiveModel = current.into();
        input.apply(&mut a);
        a.updated_at = Set(now());
        let m = a.update(&txn).await?;
        if before.row.rotating != input.row.rotating {
            // Its lessons from tomorrow keep (or stop keeping) rotating times.
            let from = self.today().next_day().unwrap_or(self.today());
            replan_schools(&txn, &[id], from).await?;
        }
        let summary = change_summary(&format!("school {}", m.urn), &changed);
        audit::commit(txn, actor, Action::Update, "school", Some(id), summary).await?;
        Ok(m.into())
    }

    /// Archives a school: it leaves the lists but its history stays.
    pub async fn archive_school(&self, actor: &Actor, id: i64) -> Result<()> {
        self.archive_record::<school::Entity>(actor, id, ("schools", "school"), |m| {
            format!("school {} {}", m.urn, m.name)
        })
        .await
    }

    /// Imports school rows matched by URN, all or nothing; `dry_run` rolls back.
    pub async fn import_schools(
        &self,
        actor: &Actor,
        rows: &[ImportedRow<SchoolRow>],
        dry_run: bool,
    ) -> Result<ImportReport> {
        self.import_keyed::<school::Entity>(actor, rows, dry_run).await
    }

    /// Every school (archived ones too) in URN order, as import rows.
    pub async fn export_schools(&self) -> Result<Vec<SchoolRow>> {
        self.export_keyed::<school::Entity>(school::Column::Urn).await
    }

    /// URN → id for every school, for importing pupils.
    pub(crate) async fn school_ids_by_urn(conn: &impl ConnectionTrait) -> Result<HashMap<i32, i64>> {
        let rows: Vec<(i32, i64)> = school::Entity::find()
            .select_only()
            .column(school::Column::Urn)
            .column(school::Column::Id)
            .into_tuple()
            .all(conn)
            .await?;
        Ok(rows.into_iter().collect())
    }
}

async fn urn_taken(conn: &impl ConnectionTrait, urn: Urn, except: Option<i64>) -> Result<bool> {
    taken::<school::Entity>(conn, school::Column::Urn, urn.get() as i32, except).await
}

impl KeyedImport for school::Entity {
    type Row = SchoolRow;
    type Key = i32;
    const KINDS: (&'static str, &'static str) = ("school", "schools");
    const AUDIT_EACH_CREATE: bool = false;

    fn stored_key(m: &school::Model) -> i32 {
        m.urn
    }
    fn row_key(r: &SchoolRow) -> i32 {
        r.urn.get() as i32
    }
    fn describe(m: &school::Model) -> String {
        format!("school {}", m.urn)
    }
    fn stored_row(m: &school::Model) -> SchoolRow {
        input_of(m).row
    }
    fn fields(r: &SchoolRow) -> Vec<(&'static str, String)> {
        SchoolInput::from_row(r.clone()).fields()
    }
    fn apply(a: &mut school::ActiveModel, r: &SchoolRow) {
        SchoolInput::from_row(r.clone()).apply(a)
    }
    fn fresh() -> school::ActiveModel {
        school::ActiveModel {
            rotating: Set(false),
            rooms: Set(DEFAULT_ROOMS),
            ..Default::default()
        }
    }
    fn merge(m: &school::Model, r: &SchoolRow) -> (Vec<&'static str>, school::ActiveModel) {
        // An import keeps the billing chosen on screen unless the type changed, and what the
        // file leaves out (rooms, rotation, hours) as it is.
        let old = input_of(m);
        let billing = if old.row.school_type == r.school_type {
            old.billing
        } else {
            r.school_type.default_billing()
        };
        let input = SchoolInput {
            row: r.clone(),
            billing,
            hours: None,
        }
        .keeping(&old);
        let changed = changed_fields(&old.fields(), &input.fields());
        let mut a: school::ActiveModel = m.clone().into();
        input.apply(&mut a);
        (changed, a)
    }
    fn follows_up(m: &school::Model, r: &SchoolRow) -> bool {
        // A school that starts or stops rotating has its lessons from tomorrow laid again.
        let old = input_of(m);
        old.row.rotating != SchoolInput::from_row(r.clone()).keeping(&old).row.rotating
    }
    async fn follow_up(store: &Store, txn: &DatabaseTransaction, ids: &[i64]) -> Result<()> {
        let from = store.today().next_day().unwrap_or(store.today());
        replan_schools(txn, ids, from).await.map(|_| ())
    }
}
