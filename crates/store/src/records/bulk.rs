//! Bulk actions on the office's pupils list that are the records' own: who a set of ticked
//! pupils is (names and families' emails, for the confirmation) and messaging their families
//! through the outbox, all or none (decision 75), and offering each the place they wait for
//! (the offer itself is admissions'). Moving pupils to a group is allocation's
//! (`teaching::allocation`).
use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use time::Date;
use tutti_domain::admissions::{AdmissionRefusal, ApplicationStatus};
use tutti_domain::records::RecordRefusal;

use crate::Store;
use crate::admissions::applications::ApplicationFilter;
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::platform::outbox;
use crate::query::{all_of, marks};
use crate::records::pupils::PupilScope;

/// A ticked pupil as a confirmation lists them, with their families' addresses.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Chosen {
    pub id: i64,
    pub name: String,
    pub school_name: String,
    /// Their guardians' email addresses (none when no guardian has one).
    pub emails: Vec<String>,
}

#[derive(FromQueryResult)]
struct ChosenRow {
    id: i64,
    first_name: String,
    last_name: String,
    school_name: String,
    email: Option<String>,
}

/// What a bulk message sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkMessage {
    pub subject: String,
    pub body: String,
}

async fn chosen(conn: &impl ConnectionTrait, pupil_ids: &[i64]) -> Result<Vec<Chosen>> {
    let sql = format!(
        "SELECT p.id, p.first_name, p.last_name, s.name AS school_name, g.email FROM pupils p \
         JOIN schools s ON s.id = p.school_id \
         LEFT JOIN pupil_guardians pg ON pg.pupil_id = p.id \
         LEFT JOIN guardians g ON g.id = pg.guardian_id AND g.email <> '' \
         WHERE p.id IN ({}) ORDER BY p.last_name, p.first_name, p.id, g.id",
        marks(pupil_ids.len())
    );
    let rows = all_of::<ChosenRow>(conn, &sql, pupil_ids.iter().map(|i| (*i).into()).collect::<Vec<_>>()).await?;
    let mut out: Vec<Chosen> = Vec::new();
    for r in rows {
        if out.last().is_none_or(|c| c.id != r.id) {
            out.push(Chosen {
                id: r.id,
                name: format!("{} {}", r.first_name, r.last_name),
                school_name: r.school_name,
                emails: Vec::new(),
            });
        }
        if let (Some(e), Some(c)) = (r.email, out.last_mut()) {
            let e = e.to_lowercase();
            if !c.emails.contains(&e) {
                c.emails.push(e);
            }
        }
    }
    Ok(out)
}

/// The pupils ticked, one each, in id order; none is a refusal.
fn distinct(pupil_ids: &[i64]) -> Result<Vec<i64>> {
    let mut ids = pupil_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(RecordRefusal::NoPupilsChosen.into());
    }
    Ok(ids)
}

#[tutti_boxed::boxed]
impl Store {
    /// The ticked pupils by name with their families' emails; an id that is no pupil is
    /// `NotFound`.
    pub async fn chosen_pupils(&self, pupil_ids: &[i64]) -> Result<Vec<Chosen>> {
        let ids = distinct(pupil_ids)?;
        let found = chosen(self.conn(), &ids).await?;
        if found.len() != ids.len() {
            return Err(StoreError::NotFound);
        }
        Ok(found)
    }

    /// Emails the families of the ticked pupils, one message to each address (a family with
    /// two children ticked gets one, naming both), all or none: a pupil whose family has no
    /// email refuses the whole send, named. Each pupil's record notes it. Returns how many
    /// messages went into the outbox.
    pub async fn message_families(&self, actor: &Actor, pupil_ids: &[i64], message: &BulkMessage) -> Result<usize> {
        let subject = message.subject.trim();
        let body = message.body.trim();
        if subject.is_empty() {
            return Err(RecordRefusal::MessageMissing { what: "subject" }.into());
        }
        if body.is_empty() {
            return Err(RecordRefusal::MessageMissing { what: "message" }.into());
        }
        let ids = distinct(pupil_ids)?;
        let txn = self.write().await?;
        let pupils = chosen(&txn, &ids).await?;
        if pupils.len() != ids.len() {
            return Err(StoreError::NotFound);
        }
        if let Some(p) = pupils.iter().find(|p| p.emails.is_empty()) {
            return Err(RecordRefusal::NoFamilyEmail { pupil: p.name.clone() }.into());
        }
        let mut to: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for p in &pupils {
            for e in &p.emails {
                to.entry(e.as_str()).or_default().push(p.name.as_str());
            }
        }
        for (email, children) in &to {
            let text = format!("{body}\n\n(Sent about {}.)", children.join(" and "));
            outbox::enqueue(&txn, email, subject, &text).await?;
        }
        for p in &pupils {
            audit::record(
                &txn,
                actor,
                Action::Update,
                "pupil",
                Some(p.id),
                format!("family emailed: {subject}"),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(to.len())
    }

    /// Offers each ticked pupil the place they are waiting for, all or none (decision 75):
    /// a pupil with no application waiting, or waiting for several instruments, is named and
    /// nothing changes; so is one with an unticked child ahead of them on their list.
    /// Returns how many places were offered.
    pub async fn offer_places_to_pupils(
        &self,
        actor: &Actor,
        pupil_ids: &[i64],
        start_date: Date,
        expires_on: Date,
        today: Date,
        answer_url: &str,
    ) -> Result<usize> {
        let pupils = self.chosen_pupils(pupil_ids).await?;
        let mut apps = Vec::with_capacity(pupils.len());
        for p in &pupils {
            let filter = ApplicationFilter {
                pupil_id: Some(p.id),
                status: ApplicationStatus::Waiting.as_str().to_owned(),
                ..Default::default()
            };
            let mut waiting = self.applications(&PupilScope::All, &filter, today).await?.rows;
            let app = match (waiting.pop(), waiting.is_empty()) {
                (None, _) => return Err(AdmissionRefusal::NothingWaiting { pupil: p.name.clone() }.into()),
                (Some(_), false) => return Err(AdmissionRefusal::WaitingForSeveral { pupil: p.name.clone() }.into()),
                (Some(app), true) => app,
            };
            let price = self.offer_price(&app, today).await?;
            apps.push((app, price));
        }
        self.offer_places(actor, &apps, start_date, expires_on, today, answer_url)
            .await
    }
}
