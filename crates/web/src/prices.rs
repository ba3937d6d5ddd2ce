//! The price table, one component for every page that shows prices (the prices page, the
//! apply forms and offers): the current academic year's prices for every lesson type and
//! length, who pays less, and instrument hire, all drawn from the year's charging policy
//! (decision 77). A year whose policy the office has not saved shows "not yet published"
//! rather than figures nobody decided.
use askama::Template;
use tutti_domain::calendar::AcademicYear;
use tutti_domain::charging::{ChargingPolicy, PriceList};
use tutti_domain::lessons::LessonType;
use tutti_domain::money::Pence;
use tutti_store::Store;

use crate::error::AppResult;

/// A year's published prices, or the word that there are none yet.
#[derive(Clone, Debug)]
pub struct Prices {
    /// "2026-27".
    pub year: String,
    /// The policy as saved for the year; `None` while the office has not saved one.
    pub policy: Option<ChargingPolicy>,
}

impl Prices {
    /// The prices of the academic year `today` falls in.
    pub async fn current(store: &Store) -> AppResult<Prices> {
        let year = AcademicYear::containing(store.today());
        let record = store.charging_policy(year).await?;
        Ok(Prices {
            year: year.to_string(),
            // Revision 0 is the default figures a year bills by until one is saved: not a
            // price anyone has published.
            policy: (record.revision > 0).then_some(record.policy),
        })
    }

    /// The termly price of one lesson, when published: "£160.50 a term", or a whole-class
    /// lesson's "free to families".
    pub fn of_lesson(&self, lesson_type: &str, minutes: i32) -> Option<String> {
        let lesson_type: LessonType = lesson_type.parse().ok()?;
        if lesson_type == LessonType::WholeClass {
            return Some("free to families".into());
        }
        let policy = self.policy.as_ref()?;
        let price: Pence = policy.price(lesson_type, u16::try_from(minutes).ok()?).ok()?;
        Some(format!("{} a term", crate::format::money(price)))
    }

    /// The table as HTML, its headings starting at `level` (2 under a page's h1), ready to
    /// place in a page with `|safe`.
    pub fn table(&self, level: u8) -> AppResult<String> {
        Ok(PriceTable {
            year: &self.year,
            list: self.policy.as_ref().map(ChargingPolicy::price_list),
            h: level.clamp(2, 5),
            h2: level.clamp(2, 5) + 1,
        }
        .render()?)
    }
}

#[derive(Template)]
#[template(path = "prices/table.html")]
struct PriceTable<'a> {
    year: &'a str,
    list: Option<PriceList>,
    /// The level of the table's heading, and of its parts' headings.
    h: u8,
    h2: u8,
}
