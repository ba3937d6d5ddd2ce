//! The hub's instruments: list, view, create, update, archive, import and export, audited.
use sea_orm::sea_query::{Alias, Expr, Order};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use time::OffsetDateTime;
use tutti_domain::Pence;
use tutti_domain::csv::{ImportedRow, InstrumentRow};
use tutti_domain::instruments::{InstrumentCondition, InstrumentStatus};
use tutti_domain::loans::LoanRefusal;
use tutti_domain::records::RecordRefusal;

use crate::entities::instrument;
use crate::error::Result;
use crate::listing::{ListQuery, Page};
use crate::platform::audit::{self, Action, Actor};
use crate::query::found;
use crate::records::imports::{ImportReport, change_summary, changed_fields};
use crate::records::keyed_import::KeyedImport;
use crate::records::schools::non_empty;
use crate::records::unique::taken;
use crate::{Store, now};

pub const SORTS: &[(&str, &str)] = &[
    ("serial", "serial"),
    ("type", "instrument_type"),
    ("make", "make"),
    ("condition", "condition"),
    ("location", "location"),
    ("status", "status"),
    ("value", "value_pence"),
];

/// An instrument as screens and the API show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Instrument {
    pub id: i64,
    pub serial: String,
    pub instrument_type: String,
    pub make: String,
    pub model: String,
    pub condition: Option<String>,
    /// Value in pence.
    pub value_pence: Option<i64>,
    pub location: String,
    pub status: String,
    pub archived: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Instrument {
    pub fn value_text(&self) -> String {
        self.value_pence.map(|p| Pence(p).to_string()).unwrap_or_default()
    }
}

impl From<instrument::Model> for Instrument {
    fn from(m: instrument::Model) -> Self {
        Instrument {
            id: m.id,
            serial: m.serial,
            instrument_type: m.instrument_type,
            make: m.make,
            model: m.model,
            condition: m.condition,
            value_pence: m.value_pence,
            location: m.location,
            status: m.status,
            archived: m.archived_at.is_some(),
            updated_at: m.updated_at,
        }
    }
}

/// What a form or API call supplies: the import row and the status (not in the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentInput {
    pub row: InstrumentRow,
    pub status: InstrumentStatus,
}

fn row_fields(r: &InstrumentRow) -> Vec<(&'static str, String)> {
    vec![
        ("serial", r.serial.clone()),
        ("type", r.instrument_type.clone()),
        ("make", r.make.clone().unwrap_or_default()),
        ("model", r.model.clone().unwrap_or_default()),
        (
            "condition",
            r.condition.map(|c| c.as_str().to_owned()).unwrap_or_default(),
        ),
        ("value", format!("{:?}", r.value.map(|v| v.0))),
        ("location", r.location.clone().unwrap_or_default()),
    ]
}

pub fn input_of(m: &instrument::Model) -> InstrumentInput {
    InstrumentInput {
        row: InstrumentRow {
            serial: m.serial.clone(),
            instrument_type: m.instrument_type.clone(),
            make: non_empty(&m.make),
            model: non_empty(&m.model),
            condition: m
                .condition
                .as_deref()
                .and_then(|c| c.parse::<InstrumentCondition>().ok()),
            value: m.value_pence.map(Pence),
            location: non_empty(&m.location),
        },
        status: m.status.parse().unwrap_or(InstrumentStatus::Available),
    }
}

fn apply(a: &mut instrument::ActiveModel, r: &InstrumentRow) {
    a.serial = Set(r.serial.clone());
    a.instrument_type = Set(r.instrument_type.clone());
    a.make = Set(r.make.clone().unwrap_or_default());
    a.model = Set(r.model.clone().unwrap_or_default());
    a.condition = Set(r.condition.map(|c| c.as_str().to_owned()));
    a.value_pence = Set(r.value.map(|v| v.0));
    a.location = Set(r.location.clone().unwrap_or_default());
}

#[tutti_boxed::boxed]
impl Store {
    pub async fn list_instruments(&self, q: &ListQuery) -> Result<Page<Instrument>> {
        let mut find = instrument::Entity::find();
        if !q.include_archived {
            find = find.filter(instrument::Column::ArchivedAt.is_null());
        }
        if let Some(c) =
            crate::records::search::text_search(&["serial", "instrument_type", "make", "model", "location"], &q.q)
        {
            find = find.filter(c);
        }
        let total = find.clone().count(self.conn()).await?;
        let (_, column) = q.sort_column(SORTS);
        let order = if q.desc { Order::Desc } else { Order::Asc };
        let rows = find
            .order_by(Expr::col(Alias::new(column)), order)
            .order_by_asc(instrument::Column::Id)
            .offset(q.offset())
            .limit(q.per_page())
            .all(self.conn())
            .await?;
        Ok(Page::counted(
            rows.into_iter().map(Instrument::from).collect(),
            total,
            q.page(),
            q.per_page(),
        ))
    }

    pub async fn instrument(&self, id: i64) -> Result<Option<Instrument>> {
        Ok(instrument::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(Instrument::from))
    }

    pub async fn instrument_input(&self, id: i64) -> Result<Option<InstrumentInput>> {
        Ok(instrument::Entity::find_by_id(id)
            .one(self.conn())
            .await?
            .map(|m| input_of(&m)))
    }

    pub async fn create_instrument(&self, actor: &Actor, input: &InstrumentInput) -> Result<Instrument> {
        let txn = self.write().await?;
        if taken::<instrument::Entity>(&txn, instrument::Column::Serial, &input.row.serial, None).await? {
            return Err(RecordRefusal::SerialTaken {
                serial: input.row.serial.clone(),
            }
            .into());
        }
        let t = now();
        let mut a = instrument::ActiveModel {
            status: Set(input.status.as_str().to_owned()),
            archived_at: Set(None),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        };
        apply(&mut a, &input.row);
        let m = a.insert(&txn).await?;
        let summary = format!("instrument {} {}", m.serial, m.instrument_type);
        audit::commit(txn, actor, Action::Create, "instrument", Some(m.id), summary).await?;
        Ok(m.into())
    }

    pub async fn update_instrument(&self, actor: &Actor, id: i64, input: &InstrumentInput) -> Result<Instrument> {
        let txn = self.write().await?;
        let current = found::<instrument::Entity>(&txn, id).await?;
        if taken::<instrument::Entity>(&txn, instrument::Column::Serial, &input.row.serial, Some(id)).await? {
            return Err(RecordRefusal::SerialTaken {
                serial: input.row.serial.clone(),
            }
            .into());
        }
        let mut changed = changed_fields(&row_fields(&input_of(&current).row), &row_fields(&input.row));
        if current.status != input.status.as_str() {
            changed.push("status");
        }
        let mut a: instrument::ActiveModel = current.into();
        apply(&mut a, &input.row);
        a.status = Set(input.status.as_str().to_owned());
        a.updated_at = Set(now());
        let m = a.update(&txn).await?;
        let summary = change_summary(&format!("instrument {}", m.serial), &changed);
        audit::commit(txn, actor, Action::Update, "instrument", Some(id), summary).await?;
        Ok(m.into())
    }

    /// Archives an instrument; one still on loan is refused (it is taken back first).
    pub async fn archive_instrument(&self, actor: &Actor, id: i64) -> Result<()> {
        if let Some(open) = self
            .loans_of_instrument(id)
            .await?
            .into_iter()
            .find(|l| l.status.is_open())
        {
            return Err(LoanRefusal::ArchiveOnLoan { serial: open.serial }.into());
        }
        self.archive_record::<instrument::Entity>(actor, id, ("instruments", "instrument"), |m| {
            format!("instrument {}", m.serial)
        })
        .await
    }

    /// Imports instrument rows matched by serial, all or nothing; `dry_run` rolls back.
    pub async fn import_instruments(
        &self,
        actor: &Actor,
        rows: &[ImportedRow<InstrumentRow>],
        dry_run: bool,
    ) -> Result<ImportReport> {
        self.import_keyed::<instrument::Entity>(actor, rows, dry_run).await
    }

    pub async fn export_instruments(&self) -> Result<Vec<InstrumentRow>> {
        self.export_keyed::<instrument::Entity>(instrument::Column::Serial)
            .await
    }
}

impl KeyedImport for instrument::Entity {
    type Row = InstrumentRow;
    type Key = String;
    const KINDS: (&'static str, &'static str) = ("instrument", "instruments");
    const AUDIT_EACH_CREATE: bool = false;

    fn stored_key(m: &instrument::Model) -> String {
        m.serial.clone()
    }
    fn row_key(r: &InstrumentRow) -> String {
        r.serial.clone()
    }
    fn describe(m: &instrument::Model) -> String {
        format!("instrument {}", m.serial)
    }
    fn stored_row(m: &instrument::Model) -> InstrumentRow {
        input_of(m).row
    }
    fn fields(r: &InstrumentRow) -> Vec<(&'static str, String)> {
        row_fields(r)
    }
    fn apply(a: &mut instrument::ActiveModel, r: &InstrumentRow) {
        apply(a, r)
    }
    fn fresh() -> instrument::ActiveModel {
        instrument::ActiveModel {
            status: Set(InstrumentStatus::Available.as_str().to_owned()),
            ..Default::default()
        }
    }
}
