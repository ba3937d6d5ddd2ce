//! Attendance at the door: a booking checked in by its reference (typed or from its QR code),
//! once, when confirmed; checking in to a CPD event writes the member of staff's CPD record.
use sea_orm::FromQueryResult;
use time::Date;
use tutti_domain::events::{BookingStatus, EventKind, EventRefusal};

use super::bookings::{Booking, booking_where};
use super::{event_in, sessions_in};
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, exec, one_of};
use crate::{Store, now};

/// A CPD record of a member of staff.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct CpdRecord {
    pub id: i64,
    pub staff_id: i64,
    pub title: String,
    pub attended_on: Date,
    pub minutes: i32,
    pub booking_id: Option<i64>,
}

#[tutti_boxed::boxed]
impl Store {
    /// Checks a booking in at the door of `event_id` by its reference. A CPD event's attendance
    /// becomes the CPD record of the member of staff whose email booked it.
    pub async fn check_in(&self, actor: &Actor, event_id: i64, reference: &str) -> Result<Booking> {
        let txn = self.write().await?;
        let b = booking_where(&txn, "b.reference = ?", reference.trim().to_uppercase().into())
            .await?
            .filter(|b| b.event_id == event_id)
            .ok_or(StoreError::NotFound)?;
        match b.status {
            BookingStatus::Cancelled => return Err(EventRefusal::AlreadyCancelled.into()),
            BookingStatus::Held => return Err(EventRefusal::NotPaid.into()),
            BookingStatus::Expired => return Err(EventRefusal::HoldExpired.into()),
            BookingStatus::Confirmed => {}
        }
        if b.checked_in_at.is_some() {
            return Err(EventRefusal::AlreadyCheckedIn.into());
        }
        exec(
            &txn,
            "UPDATE bookings SET checked_in_at = ?, updated_at = ? WHERE id = ?",
            vec![now().into(), now().into(), b.id.into()],
        )
        .await?;
        let event = event_in(&txn, b.event_id).await?.ok_or(StoreError::NotFound)?;
        if event.kind() == EventKind::Cpd {
            #[derive(FromQueryResult)]
            struct Id {
                id: i64,
            }
            let staff = one_of::<Id>(
                &txn,
                "SELECT id FROM staff WHERE lower(email) = ? AND archived_at IS NULL",
                [b.email.to_lowercase().into()],
            )
            .await?;
            if let Some(staff) = staff {
                let minutes: i32 = sessions_in(&txn, event.id)
                    .await?
                    .iter()
                    .filter(|s| b.session_id.is_none_or(|id| id == s.id))
                    .map(|s| s.end_minute - s.start_minute)
                    .sum();
                exec(
                    &txn,
                    "INSERT INTO cpd_records (staff_id, title, attended_on, minutes, booking_id, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (booking_id) DO NOTHING",
                    vec![
                        staff.id.into(),
                        event.title.clone().into(),
                        event.first_date.into(),
                        minutes.into(),
                        b.id.into(),
                        now().into(),
                    ],
                )
                .await?;
            }
        }
        let what = format!("{} checked in", b.reference);
        audit::commit(txn, actor, Action::Update, "booking", Some(b.id), what).await?;
        let checked = booking_where(self.conn(), "b.id = ?", b.id.into())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(checked)
    }

    /// A member of staff's CPD records, newest first.
    pub async fn cpd_records(&self, staff_id: i64) -> Result<Vec<CpdRecord>> {
        all_of::<CpdRecord>(
            self.conn(),
            "SELECT id, staff_id, title, attended_on, minutes, booking_id FROM cpd_records WHERE staff_id = ? \
             ORDER BY attended_on DESC, id DESC",
            [staff_id.into()],
        )
        .await
    }

    /// A CPD record by id (its certificate).
    pub async fn cpd_record(&self, id: i64) -> Result<Option<CpdRecord>> {
        one_of::<CpdRecord>(
            self.conn(),
            "SELECT id, staff_id, title, attended_on, minutes, booking_id FROM cpd_records WHERE id = ?",
            [id.into()],
        )
        .await
    }
}
