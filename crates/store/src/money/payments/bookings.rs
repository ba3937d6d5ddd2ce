//! Paying for a booking held for payment: a checkout for its one basket line, whether the line
//! is in a signed-in person's basket or under the guest payments account (decision 0086).
use sea_orm::{ConnectionTrait as _, FromQueryResult};

use super::{Checkout, open_checkout_in};
use crate::Store;
use crate::error::{Result, StoreError};
use crate::query::stmt;

impl Store {
    /// Opens a checkout for one booking's basket line, so a guest pays for their booking alone.
    pub async fn open_booking_checkout(&self, basket_item: i64, provider: &str) -> Result<Checkout> {
        let txn = self.write().await?;
        #[derive(FromQueryResult)]
        struct Owner {
            user_id: i64,
        }
        let owner = Owner::find_by_statement(stmt(
            txn.get_database_backend(),
            "SELECT user_id FROM basket_items WHERE id = ? AND booking_id IS NOT NULL",
            [basket_item.into()],
        ))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
        let checkout = open_checkout_in(&txn, owner.user_id, provider, Some(basket_item)).await?;
        txn.commit().await?;
        Ok(checkout)
    }

    /// Whether a checkout pays for guests' bookings (its return page is the booking's, not the
    /// basket's).
    pub async fn is_guest_checkout(&self, checkout_id: i64) -> Result<bool> {
        #[derive(FromQueryResult)]
        struct N {
            n: i64,
        }
        let n = N::find_by_statement(stmt(
            self.conn().get_database_backend(),
            "SELECT COUNT(*) AS n FROM payment_checkouts c JOIN users u ON u.id = c.user_id \
             WHERE c.id = ? AND u.email = 'guest-payments@tutti.invalid'",
            [checkout_id.into()],
        ))
        .one(self.conn())
        .await?;
        Ok(n.is_some_and(|n| n.n > 0))
    }
}
