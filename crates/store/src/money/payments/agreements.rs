//! Schools' annual services agreements: created by the office, charged 34/33/33 over the
//! terms, exported as the council's internal journal for council-maintained schools.
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult};
use serde::Serialize;
use tutti_domain::Pence;
use tutti_domain::agreements::{JournalSource, journal_csv};
use tutti_domain::calendar::{AcademicYear, TermId};
use tutti_domain::payments::{PaymentRefusal, check_agreement};
use tutti_domain::schools::BillingMethod;

use super::insert_id;
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::all_of;
use crate::{Store, now};

/// An agreement as the office's list shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, FromQueryResult)]
pub struct Agreement {
    pub id: i64,
    pub school_id: i64,
    pub school_urn: i32,
    pub school_name: String,
    pub local_authority: String,
    pub academic_year: String,
    pub programme: String,
    pub annual_pence: i64,
    pub sessions: i32,
    pub billing: String,
}

impl Agreement {
    fn journal_source(&self) -> JournalSource {
        JournalSource {
            school_urn: self.school_urn.max(0) as u32,
            school_name: self.school_name.clone(),
            local_authority: self.local_authority.clone(),
            programme: self.programme.clone(),
            annual_cost: Pence(self.annual_pence),
            billing: self.billing.parse().unwrap_or(BillingMethod::Invoice),
        }
    }
}

/// A checked agreement from the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementInput {
    pub school_id: i64,
    pub year: AcademicYear,
    pub programme: String,
    pub annual_cost: Pence,
    pub sessions: u32,
}

const SELECT: &str = "SELECT a.id, a.school_id, s.urn AS school_urn, s.name AS school_name, s.local_authority, \
     a.academic_year, a.programme, a.annual_pence, a.sessions, a.billing FROM service_agreements a \
     JOIN schools s ON s.id = a.school_id";

async fn agreements_where(
    conn: &impl ConnectionTrait,
    filter: &str,
    values: Vec<sea_orm::Value>,
) -> Result<Vec<Agreement>> {
    all_of::<Agreement>(conn, &format!("{SELECT} {filter} ORDER BY s.name, a.programme"), values).await
}

#[tutti_boxed::boxed]
impl Store {
    /// Makes an agreement; the school's billing method (journal or invoice) is copied onto it.
    pub async fn create_agreement(&self, actor: &Actor, input: &AgreementInput) -> Result<Agreement> {
        let txn = self.write().await?;
        let created = create_agreement_in(&txn, actor, input).await?;
        txn.commit().await?;
        Ok(created)
    }

    /// The agreements of one academic year.
    pub async fn agreements(&self, year: AcademicYear) -> Result<Vec<Agreement>> {
        agreements_where(self.conn(), "WHERE a.academic_year = ?", vec![year.to_string().into()]).await
    }

    /// The council's internal journal for one term (council-maintained schools billed by
    /// journal), audited as an export.
    pub async fn journal_export(&self, actor: &Actor, term: TermId) -> Result<String> {
        let agreements = self.agreements(term.year).await?;
        let sources: Vec<JournalSource> = agreements.iter().map(Agreement::journal_source).collect();
        let csv = journal_csv(term, &sources);
        let lines = csv.lines().count().saturating_sub(1);
        self.audit(
            actor,
            Action::Export,
            "service_agreement",
            None,
            &format!("internal journal for {term}: {lines} lines"),
        )
        .await?;
        Ok(csv)
    }
}

/// Makes an agreement inside a transaction (a school's confirmed order makes one too).
pub(crate) async fn create_agreement_in(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    input: &AgreementInput,
) -> Result<Agreement> {
    check_agreement(&input.programme, input.annual_cost, input.sessions)?;
    let school = crate::entities::school::Entity::find_by_id(input.school_id)
        .one(txn)
        .await?
        .filter(|s| s.archived_at.is_none())
        .ok_or(PaymentRefusal::ChooseSchool)?;
    let billing = school.billing.replace('_', "-");
    let year = input.year.to_string();
    let id = insert_id(
        txn,
        "INSERT INTO service_agreements (school_id, academic_year, programme, annual_pence, sessions, billing, \
             created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            input.school_id.into(),
            year.clone().into(),
            input.programme.trim().into(),
            input.annual_cost.0.into(),
            (input.sessions as i32).into(),
            billing.clone().into(),
            actor.user_id.into(),
            now().into(),
        ],
    )
    .await
    .map_err(|e| match e {
        StoreError::Db(_) => PaymentRefusal::AgreementExists {
            school: school.name.clone(),
            programme: input.programme.trim().to_owned(),
            year: year.clone(),
        }
        .into(),
        other => other,
    })?;
    let what = format!(
        "{} {} for {} at {} a year, by {}",
        year,
        input.programme.trim(),
        school.name,
        input.annual_cost,
        billing.replace('-', " ")
    );
    audit::record(txn, actor, Action::Create, "service_agreement", Some(id), what).await?;
    let created = agreements_where(txn, "WHERE a.id = ?", vec![id.into()])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)?;
    Ok(created)
}
