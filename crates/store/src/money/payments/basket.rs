//! The basket: one per person, holding invoice payments and donations (with their Gift Aid
//! declarations) until a checkout pays for them.
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use tutti_domain::Pence;
pub use tutti_domain::payments::MAX_DONATION;
use tutti_domain::payments::{check_donation, donation_description};
use tutti_domain::validate::Postcode;

use super::{Checkout, exec, insert_id};
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, one_of};
use crate::{Store, now};

/// One thing a person has chosen to pay.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, FromQueryResult)]
pub struct BasketItem {
    pub id: i64,
    pub kind: String,
    pub invoice_id: Option<i64>,
    pub donation_id: Option<i64>,
    pub description: String,
    pub amount_pence: i64,
}

/// A checked donation from the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DonationInput {
    pub amount: Pence,
    /// The Gift Aid declaration, when the donor made one.
    pub gift_aid: Option<GiftAidDeclaration>,
}

/// A donor's Gift Aid declaration: they confirmed the UK taxpayer statement and gave the
/// name and home address HMRC needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftAidDeclaration {
    pub name: String,
    pub home_address: String,
    pub postcode: Postcode,
}

/// A donation as the admin list shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, FromQueryResult)]
pub struct Donation {
    pub id: i64,
    pub user_id: i64,
    pub amount_pence: i64,
    pub gift_aid: bool,
    pub donor_name: String,
    pub home_address: String,
    pub postcode: String,
    pub status: String,
}

pub(crate) async fn items(conn: &impl ConnectionTrait, user_id: i64) -> Result<Vec<BasketItem>> {
    all_of::<BasketItem>(
        conn,
        "SELECT id, kind, invoice_id, donation_id, description, amount_pence FROM basket_items \
         WHERE user_id = ? ORDER BY id",
        [user_id.into()],
    )
    .await
}

/// Applies a paid checkout's items: donations become paid, invoices get a card payment, and
/// the items leave the basket. Returns how many items were applied: none when the payer
/// opened a newer checkout for the same basket and then paid this older one.
pub(crate) async fn apply_paid_items(
    conn: &impl ConnectionTrait,
    checkout: &Checkout,
    at: time::OffsetDateTime,
) -> Result<usize> {
    let paid_on = tutti_domain::clock::london_date(at);
    let paid: Vec<BasketItem> = all_of::<BasketItem>(
        conn,
        "SELECT id, kind, invoice_id, donation_id, description, amount_pence FROM basket_items \
         WHERE checkout_id = ? ORDER BY id",
        [checkout.id.into()],
    )
    .await?;
    for item in &paid {
        if let Some(donation) = item.donation_id {
            exec(
                conn,
                "UPDATE donations SET status = 'paid', checkout_id = ?, paid_at = ? WHERE id = ?",
                vec![checkout.id.into(), now().into(), donation.into()],
            )
            .await?;
        }
        if let Some(invoice) = item.invoice_id {
            super::invoices::insert_card_payment(conn, invoice, Pence(item.amount_pence), checkout, paid_on).await?;
        }
    }
    // Bookings held for this payment are confirmed (decision 0086), or refunded when the
    // payment came after their places had gone (decision 0093).
    #[derive(FromQueryResult)]
    struct HeldBooking {
        booking_id: i64,
        amount_pence: i64,
    }
    let bookings = all_of::<HeldBooking>(
        conn,
        "SELECT booking_id, amount_pence FROM basket_items WHERE checkout_id = ? AND booking_id IS NOT NULL",
        [checkout.id.into()],
    )
    .await?;
    for b in bookings {
        crate::events::bookings::confirm_paid(conn, b.booking_id, Pence(b.amount_pence), checkout.id, at).await?;
    }
    // Virtual Music Centre strand places become paid (decision 0085).
    crate::teaching::ensembles::strands::confirm_paid(conn, checkout, at).await?;
    exec(
        conn,
        "DELETE FROM basket_items WHERE checkout_id = ?",
        vec![checkout.id.into()],
    )
    .await?;
    Ok(paid.len())
}

/// The strand place a basket item pays for, if it is one.
async fn strand_place_of(conn: &impl ConnectionTrait, item_id: i64) -> Result<Option<i64>> {
    #[derive(FromQueryResult)]
    struct Place {
        strand_place_id: Option<i64>,
    }
    Ok(one_of::<Place>(
        conn,
        "SELECT strand_place_id FROM basket_items WHERE id = ?",
        [item_id.into()],
    )
    .await?
    .and_then(|p| p.strand_place_id))
}

/// A donation (with its Gift Aid declaration, if any) and its line in `user_id`'s basket,
/// written in `txn`: the donation's id and the line's. A guest's donation keeps the donor's
/// email (`donor_email`), since the basket is the shared guest account's.
pub(super) async fn donation_in_basket(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    user_id: i64,
    donor_email: Option<String>,
    input: &DonationInput,
) -> Result<(i64, i64)> {
    let (name, address, postcode, declared) = match &input.gift_aid {
        Some(g) => (
            g.name.clone(),
            g.home_address.clone(),
            g.postcode.to_string(),
            Some(now()),
        ),
        None => (String::new(), String::new(), String::new(), None),
    };
    let id = insert_id(
        txn,
        "INSERT INTO donations (user_id, amount_pence, gift_aid, donor_name, home_address, postcode, \
         declared_at, status, checkout_id, paid_at, created_at, donor_email) \
         VALUES (?, ?, ?, ?, ?, ?, ?, 'in_basket', NULL, NULL, ?, ?) RETURNING id",
        vec![
            user_id.into(),
            input.amount.0.into(),
            input.gift_aid.is_some().into(),
            name.into(),
            address.into(),
            postcode.into(),
            declared.into(),
            now().into(),
            donor_email.into(),
        ],
    )
    .await?;
    let description = donation_description(input.amount, input.gift_aid.is_some());
    let item = insert_id(
        txn,
        "INSERT INTO basket_items (user_id, kind, invoice_id, donation_id, description, amount_pence, \
         checkout_id, created_at) VALUES (?, 'donation', NULL, ?, ?, ?, NULL, ?) RETURNING id",
        vec![
            user_id.into(),
            id.into(),
            description.clone().into(),
            input.amount.0.into(),
            now().into(),
        ],
    )
    .await?;
    audit::record(txn, actor, Action::Create, "donation", Some(id), description).await?;
    Ok((id, item))
}

#[tutti_boxed::boxed]
impl Store {
    /// The person's basket, oldest first.
    pub async fn basket(&self, user_id: i64) -> Result<Vec<BasketItem>> {
        items(self.conn(), user_id).await
    }

    /// Adds a donation (and its Gift Aid declaration) to the person's basket.
    pub async fn add_donation(&self, actor: &Actor, user_id: i64, input: &DonationInput) -> Result<i64> {
        check_donation(input.amount)?;
        let txn = self.write().await?;
        let (id, _) = donation_in_basket(&txn, actor, user_id, None, input).await?;
        txn.commit().await?;
        Ok(id)
    }

    /// Takes an item out of the person's basket (a donation not yet paid goes with it).
    pub async fn remove_basket_item(&self, user_id: i64, item_id: i64) -> Result<()> {
        let txn = self.write().await?;
        let item = items(&txn, user_id)
            .await?
            .into_iter()
            .find(|i| i.id == item_id)
            .ok_or(StoreError::NotFound)?;
        let strand_place = strand_place_of(&txn, item.id).await?;
        exec(&txn, "DELETE FROM basket_items WHERE id = ?", vec![item.id.into()]).await?;
        if let Some(d) = item.donation_id {
            exec(
                &txn,
                "DELETE FROM donations WHERE id = ? AND status = 'in_basket'",
                vec![d.into()],
            )
            .await?;
        }
        if let Some(place) = strand_place {
            crate::teaching::ensembles::strands::forget_unpaid(&txn, place).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Paid donations, newest first, for the office and the Gift Aid claim.
    pub async fn paid_donations(&self) -> Result<Vec<Donation>> {
        all_of::<Donation>(
            self.conn(),
            "SELECT id, user_id, amount_pence, gift_aid, donor_name, home_address, postcode, status \
             FROM donations WHERE status = 'paid' ORDER BY id DESC",
            [],
        )
        .await
    }
}

/// Brings invoice items down to the invoice's balance now (it may have been paid another way
/// since it went in the basket); items with nothing left to pay leave the basket. An item
/// for part of the balance (an instalment, decision 76) keeps its amount while the balance
/// covers it.
pub(crate) async fn refresh_invoice_items(conn: &impl ConnectionTrait, user_id: i64) -> Result<()> {
    for item in items(conn, user_id).await? {
        let Some(invoice) = item.invoice_id else { continue };
        let balance = super::invoices::account(conn, invoice).await?.balance();
        if balance <= Pence::ZERO {
            exec(conn, "DELETE FROM basket_items WHERE id = ?", vec![item.id.into()]).await?;
        } else if balance.0 < item.amount_pence {
            exec(
                conn,
                "UPDATE basket_items SET amount_pence = ? WHERE id = ?",
                vec![balance.0.into(), item.id.into()],
            )
            .await?;
        }
    }
    Ok(())
}
