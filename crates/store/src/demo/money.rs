//! The demo's money (decision 0096): the autumn term billed by the real billing run, as if
//! on the year's first day, then some invoices paid in full, some in part and the rest left
//! owing, so the dashboard's income and debt by age have figures. Payments go through
//! `record_payment` as the office's would, a bounded number of them so a national-sized demo
//! stays quick.
use sea_orm::FromQueryResult;
use time::{Date, Duration};
use tutti_domain::Pence;
use tutti_domain::calendar::{AcademicYear, TermId};
use tutti_domain::clock::Clock;
use tutti_domain::payments::PaymentMethod;

use crate::Store;
use crate::error::Result;
use crate::money::payments::invoices::PaymentInput;
use crate::platform::audit::Actor;
use crate::query::all_of;

/// Invoices given a payment at most, whatever the demo's size.
const MOST_PAID: usize = 1_500;

#[derive(FromQueryResult)]
struct Open {
    id: i64,
    total_pence: i64,
}

pub(super) async fn seed(store: &Store, actor: &Actor, today: Date) -> Result<()> {
    let year = AcademicYear::containing(today);
    let issued = year.first_day();
    if today <= issued {
        return Ok(());
    }
    let Ok(term) = TermId::parse(&format!("{}-autumn", year.start_year())) else {
        return Ok(());
    };
    // Billed on the year's first day, so that by today some instalments have fallen due.
    let then = store.clone().with_clock(Clock::on(issued));
    then.run_billing(actor, term, false, &|_| {}).await?;
    let open = all_of::<Open>(
        store.conn(),
        "SELECT id, total_pence FROM invoices WHERE status = 'issued' AND total_pence > 0 ORDER BY id",
        [],
    )
    .await?;
    // Six in ten paid in full, one in ten half paid, three in ten owing.
    let mut paid = 0;
    for (i, invoice) in open.iter().enumerate() {
        let amount = match i % 10 {
            0..=5 => invoice.total_pence,
            6 => invoice.total_pence / 2,
            _ => continue,
        };
        if amount <= 0 || paid >= MOST_PAID {
            continue;
        }
        let received_on = (issued + Duration::days(7 + (i % 40) as i64)).min(today);
        store
            .record_payment(
                actor,
                invoice.id,
                &PaymentInput {
                    method: [PaymentMethod::Card, PaymentMethod::BankTransfer, PaymentMethod::Cash][i % 3],
                    amount: Pence(amount),
                    reference: format!("demo {}", invoice.id),
                    received_on,
                },
            )
            .await?;
        paid += 1;
    }
    Ok(())
}
