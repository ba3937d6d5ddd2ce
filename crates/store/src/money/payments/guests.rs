//! Paying without an account (decision 0086): a guest's booking or donation is a basket line
//! under the one guest payments account, paid by a checkout of that line alone; a donation
//! keeps its donor's email and Gift Aid declaration.
use sea_orm::FromQueryResult;
use tutti_domain::payments::check_donation;

use super::basket::DonationInput;
use super::{Checkout, open_checkout_in};
use crate::Store;
use crate::error::{Result, StoreError};
use crate::platform::audit::Actor;
use crate::query::one_of;

#[tutti_boxed::boxed]
impl Store {
    /// A guest's donation (and its Gift Aid declaration), as a basket line under the guest
    /// payments account; returns the line, for [`Store::open_guest_checkout`].
    pub async fn add_guest_donation(&self, actor: &Actor, email: &str, input: &DonationInput) -> Result<i64> {
        check_donation(input.amount)?;
        let txn = self.write().await?;
        let payer = crate::events::bookings::guest_payer(&txn).await?;
        let email = crate::platform::accounts::normalise_email(email);
        let (_, item) = super::basket::donation_in_basket(&txn, actor, payer, Some(email), input).await?;
        txn.commit().await?;
        Ok(item)
    }

    /// Opens a checkout for one basket line (a guest's booking or donation), so it is paid
    /// alone.
    pub async fn open_guest_checkout(&self, basket_item: i64, provider: &str) -> Result<Checkout> {
        let txn = self.write().await?;
        #[derive(FromQueryResult)]
        struct Owner {
            user_id: i64,
        }
        let owner = one_of::<Owner>(
            &txn,
            "SELECT user_id FROM basket_items WHERE id = ?",
            [basket_item.into()],
        )
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
        let n = one_of::<N>(
            self.conn(),
            "SELECT COUNT(*) AS n FROM payment_checkouts c JOIN users u ON u.id = c.user_id \
             WHERE c.id = ? AND u.email = 'guest-payments@tutti.invalid'",
            [checkout_id.into()],
        )
        .await?;
        Ok(n.is_some_and(|n| n.n > 0))
    }
}
