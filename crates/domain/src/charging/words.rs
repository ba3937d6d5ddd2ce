//! The charging policy in the words families and offices use: the price list a hub publishes
//! (every lesson type and length, who pays less, instrument hire) and the names of the
//! policy's rules, so no screen shows an engine's name for them ("HalfUp").
use serde::Serialize;

use super::{ChargeStep, ChargingPolicy, Eligibility, NoticeRule, StarterRule, VatTreatment};
use crate::lessons::{LESSON_MINUTES, LessonType};
use crate::money::{Pence, Rounding};

/// One lesson type's termly prices, by length, in the order of [`LESSON_MINUTES`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PriceRow {
    /// The lesson type.
    pub lesson_type: LessonType,
    /// "Individual", "Paired", "Group".
    pub label: &'static str,
    /// For each length in [`PriceList::minutes`], the price for a term, if the policy has one.
    pub prices: Vec<Option<Pence>>,
}

/// What a hub publishes about its prices for a year, drawn from its charging policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PriceList {
    /// The lengths that have a price for at least one lesson type, shortest first.
    pub minutes: Vec<u16>,
    /// Individual, paired and group lessons, each with its prices.
    pub rows: Vec<PriceRow>,
    /// Who pays less, in order, as sentences: "Pupils eligible for free school meals pay
    /// £37.50 a term, whatever the lesson."
    pub remissions: Vec<String>,
    /// Schools' uplifts as a sentence, when the policy offers any above nothing.
    pub uplift: Option<String>,
    /// The usual hire charge for an instrument for a term.
    pub hire_per_term: Pence,
    /// Instruments with their own hire charge: ("Cello", £20.00).
    pub hire_by_instrument: Vec<(String, Pence)>,
    /// Who hires free, as a sentence.
    pub hire_free_for: String,
    /// When invoices come and how they may be paid, as a sentence.
    pub paying: String,
    /// Ensembles' fees: who pays less and the family cap, as sentences (decision 0085).
    pub ensembles: Vec<String>,
}

impl LessonType {
    /// The lesson type as a heading: "Individual", "Paired", "Group", "Whole class".
    pub fn label(self) -> &'static str {
        match self {
            LessonType::Individual => "Individual",
            LessonType::Paired => "Paired",
            LessonType::Group => "Group",
            LessonType::WholeClass => "Whole class",
        }
    }
}

impl Eligibility {
    /// The pupils in the group, as the subject of a sentence: "Pupils eligible for free
    /// school meals".
    pub fn who(self) -> &'static str {
        match self {
            Eligibility::FreeSchoolMeals => "Pupils eligible for free school meals",
            Eligibility::PupilPremium => "Pupil-premium pupils",
            Eligibility::Send => "Pupils with SEND",
            Eligibility::PupilPremiumOrSend => "Pupil-premium or SEND pupils",
        }
    }
}

impl ChargeStep {
    /// The step as a sentence without a full stop: "Pupils eligible for free school meals pay
    /// a fixed fee of £37.50".
    pub fn words(&self) -> String {
        match self {
            ChargeStep::FixedFee { who, fee } => format!("{} pay a fixed fee of {fee}", who.who()),
            ChargeStep::FullRemission { who } => format!("{} pay nothing", who.who()),
            ChargeStep::SchoolUplift => "The school's uplift is added".into(),
            ChargeStep::PercentRemission { who, percent } => format!("{} pay {percent} less", who.who()),
            ChargeStep::SiblingDiscount { percent } => format!("Second and later children pay {percent} less"),
            ChargeStep::SecondInstrumentDiscount { percent } => {
                format!("A second or later instrument costs {percent} less")
            }
        }
    }

    /// The step as a family reads it on a price list, or `None` for a step that is no
    /// reduction (the school's uplift, told apart).
    fn remission(&self) -> Option<String> {
        Some(match self {
            ChargeStep::FixedFee { who, fee } => {
                format!("{} pay {fee} a term, whatever the lesson.", who.who())
            }
            ChargeStep::FullRemission { who } => format!("{} have lessons free.", who.who()),
            ChargeStep::PercentRemission { who, percent } => format!("{} pay {percent} less.", who.who()),
            ChargeStep::SiblingDiscount { percent } => {
                format!("Second and later children of one family pay {percent} less.")
            }
            ChargeStep::SecondInstrumentDiscount { percent } => {
                format!("A child's second and later instruments cost {percent} less.")
            }
            ChargeStep::SchoolUplift => return None,
        })
    }
}

impl Rounding {
    /// How the rule reads: "Half a penny or more rounds up".
    pub fn label(self) -> &'static str {
        match self {
            Rounding::HalfUp => "Half a penny or more rounds up",
            Rounding::HalfEven => "Half a penny rounds to the even penny",
            Rounding::Down => "Fractions of a penny are dropped",
            Rounding::Up => "Any fraction of a penny rounds up",
        }
    }
}

impl StarterRule {
    /// How the rule reads.
    pub fn label(self) -> String {
        match self {
            StarterRule::HalfTermBoundary => {
                "Charged for the term when the first lesson is before half term; free when it is after".into()
            }
            StarterRule::LessonsRemaining { min_lessons } => {
                format!("Charged for the term when at least {min_lessons} lessons are left in it")
            }
        }
    }
}

impl NoticeRule {
    /// How the rule reads.
    pub fn label(self) -> String {
        match self {
            NoticeRule::EndOfMonthBeforeInvoice => {
                "By the end of the month before the next term's invoices are issued".into()
            }
            NoticeRule::DaysBeforeTermStart { days } => {
                format!("At least {days} days before the next term starts")
            }
        }
    }
}

impl VatTreatment {
    /// How the treatment reads: "Exempt", "Outside the scope of VAT", "20% VAT added".
    pub fn label(self) -> String {
        match self {
            VatTreatment::Exempt => "Exempt".into(),
            VatTreatment::OutsideScope => "Outside the scope of VAT".into(),
            VatTreatment::Standard { rate } => format!("{rate} VAT added"),
        }
    }
}

/// The lesson types a family may be charged for, in the order a price list shows them.
const PRICED_TYPES: [LessonType; 3] = [LessonType::Individual, LessonType::Paired, LessonType::Group];

impl ChargingPolicy {
    /// The price list this policy publishes: every lesson type and length it prices, who
    /// pays less (looked-after children always pay nothing), schools' uplifts and hire.
    pub fn price_list(&self) -> PriceList {
        let minutes: Vec<u16> = LESSON_MINUTES
            .into_iter()
            .filter(|m| self.prices.iter().any(|p| p.minutes == *m))
            .collect();
        let rows = PRICED_TYPES
            .into_iter()
            .filter(|t| self.prices.iter().any(|p| p.lesson_type == *t))
            .map(|lesson_type| PriceRow {
                lesson_type,
                label: lesson_type.label(),
                prices: minutes.iter().map(|m| self.price(lesson_type, *m).ok()).collect(),
            })
            .collect();
        let mut remissions: Vec<String> = self.steps.iter().filter_map(ChargeStep::remission).collect();
        remissions.push("Looked-after children are never charged.".into());
        let uplifts: Vec<String> = self
            .uplift_options
            .iter()
            .filter(|p| p.basis_points() > 0)
            .map(|p| p.to_string())
            .collect();
        let uplift = (!uplifts.is_empty() && self.steps.contains(&ChargeStep::SchoolUplift)).then(|| {
            format!(
                "Some schools add {} of the standard fee ({}) to a term's price{}.",
                or_list(&uplifts),
                self.standard_fee,
                if self.uplift_applies_to_free_school_meals {
                    ""
                } else {
                    ", but not for pupils eligible for free school meals"
                }
            )
        });
        let mut free: Vec<&str> = self.hire.free_for.iter().map(|e| e.who()).collect();
        free.push("Looked-after children");
        PriceList {
            minutes,
            rows,
            remissions,
            uplift,
            hire_per_term: self.hire.per_term,
            hire_by_instrument: self
                .hire
                .by_instrument
                .iter()
                .map(|(name, price)| (super::capitalised(name), *price))
                .collect(),
            hire_free_for: format!("{} hire instruments free.", and_list(&free)),
            paying: self.paying(),
            ensembles: self.ensembles.sentences(),
        }
    }
}

impl ChargingPolicy {
    fn paying(&self) -> String {
        let m = &self.invoice_months;
        let months = format!("{}, {} and {}", m.autumn, m.spring, m.summer);
        let i = &self.instalments;
        if i.offered && i.count > 1 {
            format!(
                "Invoices are sent each term, in {months}. You can pay in full or in {} instalments due by the {} of \
                 each month.",
                i.count,
                ordinal(i.due_day)
            )
        } else {
            format!("Invoices are sent each term, in {months}, and are paid in full.")
        }
    }
}

/// "1st", "2nd", "15th", "22nd".
fn ordinal(n: u8) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn or_list(items: &[String]) -> String {
    joined(items, "or")
}

fn and_list(items: &[&str]) -> String {
    let owned: Vec<String> = items
        .iter()
        .enumerate()
        .map(|(i, s)| if i == 0 { (*s).to_owned() } else { lower_first(s) })
        .collect();
    joined(&owned, "and")
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn joined(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {word} {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charging::HirePolicy;
    use crate::money::Percent;

    #[test]
    fn the_default_policy_publishes_every_type_and_length() {
        let list = ChargingPolicy::durham().price_list();
        assert_eq!(list.minutes, vec![15, 20, 30, 45, 60]);
        let labels: Vec<_> = list.rows.iter().map(|r| r.label).collect();
        assert_eq!(labels, vec!["Individual", "Paired", "Group"]);
        assert_eq!(list.rows[0].prices[2], Some(Pence(16_050)));
        assert_eq!(list.rows[2].prices[0], Some(Pence(5_350)));
        assert_eq!(
            list.remissions,
            vec![
                "Pupils eligible for free school meals pay £37.50 a term, whatever the lesson.".to_owned(),
                "Looked-after children are never charged.".to_owned(),
            ]
        );
        assert_eq!(
            list.uplift.as_deref(),
            Some(
                "Some schools add 15%, 50% or 100% of the standard fee (£53.50) to a term's price, but not for \
                 pupils eligible for free school meals."
            )
        );
        assert_eq!(list.hire_per_term, Pence(1_500));
        assert_eq!(list.hire_free_for, "Looked-after children hire instruments free.");
        assert_eq!(
            list.paying,
            "Invoices are sent each term, in September, December and April. You can pay in full or in 3 \
             instalments due by the 15th of each month."
        );
        assert_eq!(
            [ordinal(1), ordinal(2), ordinal(3), ordinal(11), ordinal(22)],
            ["1st", "2nd", "3rd", "11th", "22nd"]
        );
    }

    #[test]
    fn a_policy_without_a_length_leaves_it_out_and_names_its_gaps() {
        let mut policy = ChargingPolicy::durham();
        policy
            .prices
            .retain(|p| p.minutes != 15 && !(p.lesson_type == LessonType::Paired && p.minutes == 60));
        policy.steps.push(ChargeStep::SiblingDiscount {
            percent: Percent::whole(10),
        });
        policy.hire = HirePolicy {
            per_term: Pence(1_200),
            by_instrument: vec![("cello".into(), Pence(2_000))],
            free_for: vec![Eligibility::FreeSchoolMeals],
        };
        let list = policy.price_list();
        assert_eq!(list.minutes, vec![20, 30, 45, 60]);
        assert_eq!(list.rows[1].prices[3], None);
        assert!(
            list.remissions
                .contains(&"Second and later children of one family pay 10% less.".to_owned())
        );
        assert_eq!(list.hire_by_instrument, vec![("Cello".to_owned(), Pence(2_000))]);
        assert_eq!(
            list.hire_free_for,
            "Pupils eligible for free school meals and looked-after children hire instruments free."
        );
    }

    #[test]
    fn rules_have_names_people_use() {
        assert_eq!(Rounding::HalfUp.label(), "Half a penny or more rounds up");
        assert!(StarterRule::HalfTermBoundary.label().contains("before half term"));
        assert_eq!(
            StarterRule::LessonsRemaining { min_lessons: 8 }.label(),
            "Charged for the term when at least 8 lessons are left in it"
        );
        assert_eq!(VatTreatment::Exempt.label(), "Exempt");
        assert_eq!(
            VatTreatment::Standard {
                rate: Percent::whole(20)
            }
            .label(),
            "20% VAT added"
        );
        assert!(NoticeRule::DaysBeforeTermStart { days: 30 }.label().contains("30 days"));
        assert_eq!(
            ChargeStep::FixedFee {
                who: Eligibility::FreeSchoolMeals,
                fee: Pence(3_750)
            }
            .words(),
            "Pupils eligible for free school meals pay a fixed fee of £37.50"
        );
    }
}
