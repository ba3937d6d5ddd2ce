//! Services for schools: the hub's catalogue of packages (a price, and subsidies by school
//! phase or type), a school's orders from its portal, and the office's answer: a confirmed
//! order becomes the school's services agreement for the year (34/33/33 over the terms,
//! journal or invoice), in the same transaction.
use sea_orm::FromQueryResult;
use tutti_domain::Pence;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::services::{OrderStatus, PackageKind, ServiceRefusal, price_for};

use super::agreements::{AgreementInput, create_agreement_in};
use super::{exec, insert_id};
use crate::error::{Result, StoreError, stored};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, found};
use crate::{Store, now};

/// A package in the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub price: Pence,
    pub sessions: i32,
    /// (a phase or type word, percent off)
    pub subsidies: Vec<(String, i32)>,
}

impl Package {
    /// Its price for a school of this phase and type.
    pub fn price_for(&self, phase: &str, school_type: &str) -> Pence {
        price_for(self.price, &self.subsidies, phase, school_type)
    }
}

/// A package to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPackage {
    pub name: String,
    pub kind: PackageKind,
    pub description: String,
    pub price: Pence,
    pub sessions: u32,
    pub subsidies: Vec<(String, i32)>,
}

/// A school's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: i64,
    pub school_id: i64,
    pub school_name: String,
    pub package_id: i64,
    pub package_name: String,
    pub academic_year: String,
    pub price: Pence,
    pub status: OrderStatus,
    pub agreement_id: Option<i64>,
}

#[derive(FromQueryResult)]
struct PackageRow {
    id: i64,
    name: String,
    kind: String,
    description: String,
    price_pence: i64,
    sessions: i32,
}

#[derive(FromQueryResult)]
struct SubsidyRow {
    package_id: i64,
    applies_to: String,
    percent: i32,
}

#[derive(FromQueryResult)]
struct OrderRow {
    id: i64,
    school_id: i64,
    school_name: String,
    package_id: i64,
    package_name: String,
    academic_year: String,
    price_pence: i64,
    status: String,
    agreement_id: Option<i64>,
}

async fn packages_in(conn: &impl sea_orm::ConnectionTrait, only: Option<i64>) -> Result<Vec<Package>> {
    let (filter, values): (&str, Vec<sea_orm::Value>) = match only {
        Some(id) => ("WHERE id = ?", vec![id.into()]),
        None => ("WHERE active = ?", vec![true.into()]),
    };
    let rows = all_of::<PackageRow>(
        conn,
        &format!(
            "SELECT id, name, kind, description, price_pence, sessions FROM service_packages {filter} ORDER BY name, id"
        ),
        values,
    )
    .await?;
    let subsidies = all_of::<SubsidyRow>(
        conn,
        "SELECT package_id, applies_to, percent FROM service_package_subsidies ORDER BY id",
        [],
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Package {
            subsidies: subsidies
                .iter()
                .filter(|s| s.package_id == r.id)
                .map(|s| (s.applies_to.clone(), s.percent))
                .collect(),
            id: r.id,
            name: r.name,
            kind: r.kind,
            description: r.description,
            price: Pence(r.price_pence),
            sessions: r.sessions,
        })
        .collect())
}

const ORDER_SELECT: &str = "SELECT o.id, o.school_id, s.name AS school_name, o.package_id, p.name AS package_name, \
     o.academic_year, o.price_pence, o.status, o.agreement_id FROM service_orders o \
     JOIN schools s ON s.id = o.school_id JOIN service_packages p ON p.id = o.package_id";

async fn orders_in(
    conn: &impl sea_orm::ConnectionTrait,
    filter: &str,
    values: Vec<sea_orm::Value>,
) -> Result<Vec<Order>> {
    let rows = all_of::<OrderRow>(conn, &format!("{ORDER_SELECT} {filter} ORDER BY o.id DESC"), values).await?;
    rows.into_iter()
        .map(|r| {
            Ok(Order {
                status: stored(&r.status, OrderStatus::parse)?,
                id: r.id,
                school_id: r.school_id,
                school_name: r.school_name,
                package_id: r.package_id,
                package_name: r.package_name,
                academic_year: r.academic_year,
                price: Pence(r.price_pence),
                agreement_id: r.agreement_id,
            })
        })
        .collect()
}

#[tutti_boxed::boxed]
impl Store {
    /// Adds a package to the catalogue.
    pub async fn create_package(&self, actor: &Actor, new: &NewPackage) -> Result<i64> {
        let txn = self.write().await?;
        let id = insert_id(
            &txn,
            "INSERT INTO service_packages (name, kind, description, price_pence, sessions, active, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                new.name.trim().into(),
                new.kind.as_str().into(),
                new.description.trim().into(),
                new.price.0.into(),
                (new.sessions as i32).into(),
                true.into(),
                now().into(),
            ],
        )
        .await?;
        for (applies, percent) in &new.subsidies {
            exec(
                &txn,
                "INSERT INTO service_package_subsidies (package_id, applies_to, percent) VALUES (?, ?, ?)",
                vec![id.into(), applies.clone().into(), (*percent).clamp(0, 100).into()],
            )
            .await?;
        }
        let what = new.name.clone();
        audit::commit(txn, actor, Action::Create, "service package", Some(id), what).await?;
        Ok(id)
    }

    /// The packages on offer.
    pub async fn service_packages(&self) -> Result<Vec<Package>> {
        packages_in(self.conn(), None).await
    }

    /// A school orders a package for an academic year, at its price for the school; once a
    /// year each, unless an earlier order was declined.
    pub async fn order_package(
        &self,
        actor: &Actor,
        school_id: i64,
        package_id: i64,
        year: AcademicYear,
    ) -> Result<i64> {
        let txn = self.write().await?;
        let school = found::<crate::entities::school::Entity>(&txn, school_id).await?;
        let package = packages_in(&txn, Some(package_id))
            .await?
            .pop()
            .ok_or(ServiceRefusal::NotOffered)?;
        let earlier = orders_in(
            &txn,
            "WHERE o.school_id = ? AND o.package_id = ? AND o.academic_year = ? AND o.status <> 'declined'",
            vec![school_id.into(), package_id.into(), year.to_string().into()],
        )
        .await?;
        if !earlier.is_empty() {
            return Err(ServiceRefusal::AlreadyOrdered.into());
        }
        let price = package.price_for(&school.phase, &school.school_type);
        let id = insert_id(
            &txn,
            "INSERT INTO service_orders (school_id, package_id, academic_year, price_pence, status, ordered_by, \
             agreement_id, created_at, updated_at) VALUES (?, ?, ?, ?, 'ordered', ?, NULL, ?, ?) RETURNING id",
            vec![
                school_id.into(),
                package_id.into(),
                year.to_string().into(),
                price.0.into(),
                actor.user_id.into(),
                now().into(),
                now().into(),
            ],
        )
        .await?;
        let summary = format!("{} ordered {} for {year} at {price}", school.name, package.name);
        audit::commit(txn, actor, Action::Create, "service order", Some(id), summary).await?;
        Ok(id)
    }

    /// Orders, newest first: one school's, or every school's.
    pub async fn service_orders(&self, school_id: Option<i64>) -> Result<Vec<Order>> {
        match school_id {
            Some(s) => orders_in(self.conn(), "WHERE o.school_id = ?", vec![s.into()]).await,
            None => orders_in(self.conn(), "", Vec::new()).await,
        }
    }

    /// The office confirms (making the services agreement) or declines an order, once.
    pub async fn answer_order(&self, actor: &Actor, order_id: i64, confirm: bool) -> Result<Option<i64>> {
        let txn = self.write().await?;
        let order = orders_in(&txn, "WHERE o.id = ?", vec![order_id.into()])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        let status = order.status.answer(confirm)?;
        let mut agreement = None;
        if status == OrderStatus::Confirmed {
            let package = packages_in(&txn, Some(order.package_id))
                .await?
                .pop()
                .ok_or(StoreError::NotFound)?;
            let year = AcademicYear::parse(&order.academic_year)
                .map_err(|_| StoreError::Corrupt(format!("academic year {:?}", order.academic_year)))?;
            let made = create_agreement_in(
                &txn,
                actor,
                &AgreementInput {
                    school_id: order.school_id,
                    year,
                    programme: package.name.clone(),
                    annual_cost: order.price,
                    sessions: package.sessions.max(0) as u32,
                },
            )
            .await?;
            agreement = Some(made.id);
        }
        exec(
            &txn,
            "UPDATE service_orders SET status = ?, agreement_id = ?, updated_at = ? WHERE id = ?",
            vec![status.as_str().into(), agreement.into(), now().into(), order_id.into()],
        )
        .await?;
        let summary = format!("{} for {}: {}", order.package_name, order.school_name, status.as_str());
        audit::commit(txn, actor, Action::Update, "service order", Some(order_id), summary).await?;
        Ok(agreement)
    }
}
