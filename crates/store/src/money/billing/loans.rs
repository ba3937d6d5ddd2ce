//! Instrument loans: each term a loan overlaps is one hire charge.

use sea_orm::{ConnectionTrait, FromQueryResult};
use time::Date;

use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::stmt;
use crate::{Store, now};

impl Store {
    /// Lends an instrument to a pupil from `start_date` (each term the loan overlaps is one
    /// hire charge).
    pub async fn lend_instrument(
        &self,
        actor: &Actor,
        instrument_id: i64,
        pupil_id: i64,
        start_date: Date,
    ) -> Result<i64> {
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        #[derive(FromQueryResult)]
        struct Id {
            id: i64,
        }
        let id = Id::find_by_statement(stmt(
            backend,
            "INSERT INTO instrument_loans (instrument_id, pupil_id, start_date, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            [instrument_id.into(), pupil_id.into(), start_date.into(), now().into()],
        ))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?
        .id;
        audit::record(
            &txn,
            actor,
            Action::Create,
            "instrument_loan",
            Some(id),
            format!("instrument {instrument_id} lent to pupil {pupil_id} from {start_date}"),
        )
        .await?;
        txn.commit().await?;
        Ok(id)
    }
}
