//! Gift Aid claims: the schedule of paid donations with a declaration, not yet claimed, paid
//! between two days; making it marks them claimed in one transaction, so the next schedule
//! never repeats one. A dry run only reads.
use sea_orm::FromQueryResult;
use time::{Date, OffsetDateTime};
use tutti_domain::Pence;
use tutti_domain::gift_aid::{Declared, ScheduleLine, schedule};

use super::{exec, insert_id};
use crate::error::Result;
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, marks};
use crate::{Store, now};

/// A schedule made (or previewed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftAidClaim {
    pub lines: Vec<ScheduleLine>,
    pub donations: usize,
    pub total: Pence,
    /// The claim recorded; none for a dry run or an empty schedule.
    pub claim_id: Option<i64>,
}

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    donor_name: String,
    home_address: String,
    postcode: String,
    amount_pence: i64,
    paid_at: Option<OffsetDateTime>,
}

/// Midnight in London starting `day`, as an instant.
fn london_midnight(day: Date) -> OffsetDateTime {
    let midnight = time::PrimitiveDateTime::new(day, time::Time::MIDNIGHT);
    midnight.assume_offset(tutti_domain::clock::uk_offset(midnight.assume_utc()))
}

#[tutti_boxed::boxed]
impl Store {
    /// The Gift Aid schedule of donations paid from `from` to `to` (London days, both
    /// included) and not yet claimed; unless `dry_run`, records the claim and marks them
    /// claimed.
    pub async fn gift_aid_claim(&self, actor: &Actor, from: Date, to: Date, dry_run: bool) -> Result<GiftAidClaim> {
        let txn = self.write().await?;
        let start = london_midnight(from);
        let end = london_midnight(to.next_day().unwrap_or(to));
        let rows = all_of::<Row>(
            &txn,
            "SELECT id, donor_name, home_address, postcode, amount_pence, paid_at FROM donations \
             WHERE status = 'paid' AND gift_aid = ? AND gift_aid_claim_id IS NULL AND paid_at >= ? AND paid_at < ? \
             ORDER BY paid_at, id",
            [true.into(), start.into(), end.into()],
        )
        .await?;
        let declared: Vec<Declared> = rows
            .into_iter()
            .map(|r| Declared {
                id: r.id,
                donor_name: r.donor_name,
                home_address: r.home_address,
                postcode: r.postcode,
                date: r
                    .paid_at
                    .map(|t| tutti_domain::clock::in_london(t).date())
                    .unwrap_or(from),
                amount: Pence(r.amount_pence),
            })
            .collect();
        let total: Pence = declared.iter().map(|d| d.amount).sum();
        let lines = schedule(&declared);
        let mut claim_id = None;
        if !dry_run && !declared.is_empty() {
            let id = insert_id(
                &txn,
                "INSERT INTO gift_aid_claims (from_date, to_date, donations, total_pence, made_by, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                vec![
                    from.into(),
                    to.into(),
                    (declared.len() as i32).into(),
                    total.0.into(),
                    actor.name.clone().into(),
                    now().into(),
                ],
            )
            .await?;
            let ids: Vec<sea_orm::Value> = declared.iter().map(|d| d.id.into()).collect();
            let mut values = vec![id.into()];
            values.extend(ids);
            exec(
                &txn,
                &format!(
                    "UPDATE donations SET gift_aid_claim_id = ? WHERE gift_aid_claim_id IS NULL AND id IN ({})",
                    marks(declared.len())
                ),
                values,
            )
            .await?;
            let what = format!("{} donations, {total}, paid {from} to {to}", declared.len());
            audit::record(&txn, actor, Action::Export, "gift aid claim", Some(id), what).await?;
            claim_id = Some(id);
        }
        txn.commit().await?;
        Ok(GiftAidClaim {
            lines,
            donations: declared.len(),
            total,
            claim_id,
        })
    }
}
