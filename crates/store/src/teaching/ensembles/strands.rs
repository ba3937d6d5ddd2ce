//! Virtual Music Centre strands (decision 0085): an online ensemble the office marks as a
//! strand, which a family signs a child up to from their account and pays for at once through
//! the basket, rather than by the term's invoice. A place paid is one row for the pupil, the
//! ensemble and the term, which the billing run reads as already charged; a free place (a
//! free strand, or a child the policy's ensemble rules charge nothing) needs no payment.
use sea_orm::{ConnectionTrait, FromQueryResult};
use time::{Date, OffsetDateTime};
use tutti_domain::Pence;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::charging::{PupilFacts, price_ensemble_fee};
use tutti_domain::ensembles::fees::strand_term;
use tutti_domain::ensembles::{EnsembleRefusal, MembershipStatus};

use super::members::NewEnsembleApplication;
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, exec, insert_id, one_of};
use crate::records::pupils::PupilScope;
use crate::{Store, now};

/// A strand place for a term, paid or waiting in the basket.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct StrandPlace {
    pub id: i64,
    pub ensemble_id: i64,
    pub ensemble_name: String,
    pub pupil_id: i64,
    pub application_id: i64,
    /// "2026-autumn".
    pub term: String,
    pub amount_pence: i64,
    /// How the amount was worked out, as the policy's ensemble rules say it.
    pub rule: String,
    /// "in_basket", "paid", or "paid_to_invoice" (paid after the term's invoice had charged
    /// it, so the money went to that invoice).
    pub status: String,
    pub paid_at: Option<OffsetDateTime>,
}

/// What signing up did: the application and where it went, and the term's place when they
/// were taken at once (`None` while they wait for a place).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrandSignUp {
    pub application_id: i64,
    pub status: MembershipStatus,
    pub place: Option<StrandPlace>,
}

const PLACE_SELECT: &str = "SELECT sp.id, sp.ensemble_id, e.name AS ensemble_name, sp.pupil_id, sp.application_id, \
     sp.term, sp.amount_pence, sp.rule, sp.status, sp.paid_at FROM ensemble_strand_places sp \
     JOIN ensembles e ON e.id = sp.ensemble_id JOIN pupils p ON p.id = sp.pupil_id";

async fn place_by_id(conn: &impl ConnectionTrait, id: i64) -> Result<StrandPlace> {
    one_of::<StrandPlace>(conn, &format!("{PLACE_SELECT} WHERE sp.id = ?"), [id.into()])
        .await?
        .ok_or(StoreError::NotFound)
}

/// The paid checkout's strand places (decision 0085): each becomes paid; one whose term an
/// invoice charged while it waited in the basket has the money paid to that invoice instead,
/// so nothing is charged twice. Called as the checkout's items are applied, before they go.
pub(crate) async fn confirm_paid(
    conn: &impl ConnectionTrait,
    checkout: &crate::money::payments::Checkout,
    at: OffsetDateTime,
) -> Result<()> {
    #[derive(FromQueryResult)]
    struct Paid {
        id: i64,
        invoice_id: Option<i64>,
        amount_pence: i64,
    }
    let paid = all_of::<Paid>(
        conn,
        "SELECT sp.id, (SELECT MIN(l.invoice_id) FROM invoice_lines l WHERE l.pupil_id = sp.pupil_id \
           AND l.charge_kind = 'ensemble' AND l.subject_id = sp.ensemble_id AND l.term = sp.term) AS invoice_id, \
           b.amount_pence \
         FROM basket_items b JOIN ensemble_strand_places sp ON sp.id = b.strand_place_id \
         WHERE b.checkout_id = ? AND sp.status = 'in_basket'",
        [checkout.id.into()],
    )
    .await?;
    for place in paid {
        let status = match place.invoice_id {
            Some(invoice) => {
                let paid_on = tutti_domain::clock::london_date(at);
                crate::money::payments::invoices::insert_card_payment(
                    conn,
                    invoice,
                    Pence(place.amount_pence),
                    checkout,
                    paid_on,
                )
                .await?;
                "paid_to_invoice"
            }
            None => "paid",
        };
        exec(
            conn,
            "UPDATE ensemble_strand_places SET status = ?, checkout_id = ?, paid_at = ? WHERE id = ?",
            vec![status.into(), checkout.id.into(), at.into(), place.id.into()],
        )
        .await?;
    }
    Ok(())
}

/// A strand place not yet paid leaves with its basket item: the term is then invoiced as any
/// ensemble's, if they are still a member.
pub(crate) async fn forget_unpaid(conn: &impl ConnectionTrait, place_id: i64) -> Result<()> {
    exec(
        conn,
        "DELETE FROM ensemble_strand_places WHERE id = ? AND status = 'in_basket'",
        vec![place_id.into()],
    )
    .await?;
    Ok(())
}

#[tutti_boxed::boxed]
impl Store {
    /// The office marks an online ensemble as a Virtual Music Centre strand (or not).
    pub async fn set_ensemble_strand(&self, actor: &Actor, ensemble_id: i64, strand: bool) -> Result<()> {
        let txn = self.write().await?;
        let ensemble = super::ensemble_by_id(&txn, ensemble_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if strand && !ensemble.online {
            return Err(EnsembleRefusal::StrandNotOnline.into());
        }
        exec(
            &txn,
            "UPDATE ensembles SET strand = ?, updated_at = ? WHERE id = ?",
            vec![strand.into(), now().into(), ensemble_id.into()],
        )
        .await?;
        let summary = if strand {
            "a Virtual Music Centre strand"
        } else {
            "no longer a Virtual Music Centre strand"
        };
        audit::commit(txn, actor, Action::Update, "ensemble", Some(ensemble_id), summary).await?;
        Ok(())
    }

    /// A family signs a child `scope` may see up to a strand, from the account `user_id`: the
    /// same rules as applying to any ensemble; when the child is taken at once, the term's place
    /// goes into the basket (or is recorded as paid, when it costs nothing). Another family's
    /// child, or a pupil the account cannot see, is `NotFound`.
    pub async fn sign_up_for_strand(
        &self,
        actor: &Actor,
        user_id: i64,
        scope: &PupilScope,
        new: &NewEnsembleApplication,
    ) -> Result<StrandSignUp> {
        let ensemble = self.ensemble(new.ensemble_id).await?.ok_or(StoreError::NotFound)?;
        if !ensemble.strand || ensemble.archived {
            return Err(EnsembleRefusal::NotAStrand.into());
        }
        let (condition, mut v) = scope.condition();
        v.insert(0, new.pupil_id.into());
        #[derive(FromQueryResult)]
        struct Seen {
            #[allow(dead_code)]
            id: i64,
        }
        one_of::<Seen>(
            self.conn(),
            &format!("SELECT p.id FROM pupils p WHERE p.id = ? AND {condition}"),
            v,
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let (application_id, status) = self.apply_to_ensemble(actor, scope, new).await?;
        let place = if status == MembershipStatus::Accepted {
            Some(
                self.strand_place_to_basket(actor, user_id, scope, application_id)
                    .await?,
            )
        } else {
            None
        };
        Ok(StrandSignUp {
            application_id,
            status,
            place,
        })
    }

    /// A strand member's place for the term a run would charge next (decision 0085), into the
    /// basket of `user_id` at the price the policy's ensemble rules give the child; free
    /// places are recorded as paid. A place already there (paid or in the basket) is returned
    /// unchanged; a term already invoiced is refused.
    pub async fn strand_place_to_basket(
        &self,
        actor: &Actor,
        user_id: i64,
        scope: &PupilScope,
        application_id: i64,
    ) -> Result<StrandPlace> {
        #[derive(FromQueryResult)]
        struct Member {
            ensemble_id: i64,
            pupil_id: i64,
            status: String,
            name: String,
            termly_fee: i64,
            strand: bool,
            first_name: String,
            joined_on: Option<Date>,
            fsm: bool,
            pupil_premium: bool,
            send: bool,
            looked_after: bool,
        }
        let (condition, mut v) = scope.condition();
        v.insert(0, application_id.into());
        let today = self.today();
        let calendar = self.ensemble_calendar(today).await?;
        let txn = self.write().await?;
        let _backend = txn.get_database_backend();
        let m = one_of::<Member>(&txn, &format!(
                "SELECT a.ensemble_id, a.pupil_id, a.status, e.name, e.termly_fee, e.strand, p.first_name, m.joined_on, \
                 p.fsm, p.pupil_premium, p.send, p.looked_after \
                 FROM ensemble_applications a JOIN ensembles e ON e.id = a.ensemble_id JOIN pupils p ON p.id = a.pupil_id \
                 LEFT JOIN ensemble_members m ON m.application_id = a.id WHERE a.id = ? AND {condition}"
            ), v).await?
        .ok_or(StoreError::NotFound)?;
        if !m.strand {
            return Err(EnsembleRefusal::NotAStrand.into());
        }
        if m.status != MembershipStatus::Accepted.as_str() {
            return Err(EnsembleRefusal::NotAMember.into());
        }
        let policy_now = crate::money::billing::policies::policy_in(&txn, AcademicYear::containing(today))
            .await?
            .policy;
        let from = m.joined_on.map_or(today, |j| j.max(today));
        let term = strand_term(&policy_now, &calendar, from).ok_or(EnsembleRefusal::NoTermDates)?;
        let term_text = term.to_string();
        #[derive(FromQueryResult)]
        struct Id {
            id: i64,
        }
        if let Some(existing) = one_of::<Id>(
            &txn,
            "SELECT id FROM ensemble_strand_places WHERE ensemble_id = ? AND pupil_id = ? AND term = ?",
            [m.ensemble_id.into(), m.pupil_id.into(), term_text.clone().into()],
        )
        .await?
        {
            return place_by_id(&txn, existing.id).await;
        }
        let invoiced = one_of::<Id>(&txn, "SELECT id FROM invoice_lines WHERE pupil_id = ? AND charge_kind = 'ensemble' AND subject_id = ? AND term = ?", [m.pupil_id.into(), m.ensemble_id.into(), term_text.clone().into()]).await?;
        if invoiced.is_some() {
            return Err(EnsembleRefusal::TermAlreadyInvoiced {
                term: tutti_domain::charging::capitalised(&term.label()),
            }
            .into());
        }
        // The term's own policy prices it (it may be next year's).
        let policy = crate::money::billing::policies::policy_in(&txn, term.year)
            .await?
            .policy;
        let facts = PupilFacts {
            free_school_meals: m.fsm,
            pupil_premium: m.pupil_premium,
            send: m.send,
            looked_after: m.looked_after,
        };
        let (amount, rule) = match price_ensemble_fee(&policy, &facts, &m.name, Pence(m.termly_fee), term) {
            Some(line) => (line.amount, line.rule),
            None => (Pence::ZERO, "A free strand".to_owned()),
        };
        let free = amount <= Pence::ZERO;
        let t = now();
        let id = insert_id(
            &txn,
            "INSERT INTO ensemble_strand_places (ensemble_id, pupil_id, application_id, term, amount_pence, rule, status, \
             user_id, checkout_id, created_at, paid_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?) RETURNING id",
            vec![
                m.ensemble_id.into(),
                m.pupil_id.into(),
                application_id.into(),
                term_text.clone().into(),
                amount.0.into(),
                rule.into(),
                if free { "paid" } else { "in_basket" }.into(),
                user_id.into(),
                t.into(),
                free.then_some(t).into(),
            ],
        )
        .await?;
        if !free {
            insert_id(
                &txn,
                "INSERT INTO basket_items (user_id, kind, invoice_id, donation_id, strand_place_id, description, \
                 amount_pence, checkout_id, created_at) VALUES (?, 'strand', NULL, NULL, ?, ?, ?, NULL, ?) RETURNING id",
                vec![
                    user_id.into(),
                    id.into(),
                    format!("{} for {}, {}", m.name, m.first_name, term.title()).into(),
                    amount.0.into(),
                    t.into(),
                ],
            )
            .await?;
        }
        let what = format!(
            "pupil {} in ensemble {} for {term_text}: {amount}",
            m.pupil_id, m.ensemble_id
        );
        audit::record(&txn, actor, Action::Create, "ensemble_strand_place", Some(id), what).await?;
        let place = place_by_id(&txn, id).await?;
        txn.commit().await?;
        Ok(place)
    }

    /// The strand places of the pupils `scope` may see, newest first.
    pub async fn strand_places_of(&self, scope: &PupilScope) -> Result<Vec<StrandPlace>> {
        let (condition, v) = scope.condition();
        all_of::<StrandPlace>(
            self.conn(),
            &format!("{PLACE_SELECT} WHERE {condition} ORDER BY sp.term DESC, sp.id DESC"),
            v,
        )
        .await
    }
}
