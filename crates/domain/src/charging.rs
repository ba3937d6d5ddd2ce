//! Charging: the hub's charging policy (Durham's by default) and what a pupil, family or school pays, each line explained.
//!
//! Every rule is data in a [`ChargingPolicy`], which serialises to a file an admin can
//! export and import. The functions here are pure: given the policy and the facts, they
//! return charge lines whose `rule` text lets a parent follow the sum.
//!
//! The law (Charges for Music Tuition (England) Regulations 2007): no charge for music that
//! is part of the curriculum or for first-access whole-class teaching, so a whole-class
//! lesson is never priced for a parent ([`ChargingError::WholeClassIsFreeToParents`]);
//! WCET is sold to schools and split over the terms by [`wcet_split`]. Tuition may be
//! charged only at a parent's request and not above cost.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::calendar::{SchoolCalendar, TermId, TermName};
use crate::lessons::LessonType;
use crate::money::{Pence, Percent, Rounding, split_by_weights, split_evenly};
use crate::serde_formats;

mod ensembles;
mod words;
pub use ensembles::{EnsembleFees, EnsembleReduction, cap_family_ensembles, price_ensemble_fee};
pub use words::{PriceList, PriceRow};

/// Why a charge could not be worked out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChargingError {
    /// The policy has no price for this lesson type and length.
    #[error("The charging policy has no price for a {minutes}-minute {lesson_type} lesson")]
    NoPrice {
        /// The lesson type.
        lesson_type: LessonType,
        /// The length.
        minutes: u16,
    },
    /// Whole-class first-access teaching is never charged to parents (it is sold to schools).
    #[error("Whole-class ensemble teaching is free to parents; it is charged to the school")]
    WholeClassIsFreeToParents,
    /// The school's uplift is not one the policy offers.
    #[error("A school uplift of {0} is not one of the policy's options")]
    UpliftNotOffered(Percent),
    /// The calendar does not hold the term needed.
    #[error("The school calendar has no dates for the term needed")]
    NoTermDates,
    /// An instalment plan needs at least one instalment and a due day from 1 to 28.
    #[error("An instalment plan needs at least 1 instalment and a due day from 1 to 28")]
    BadInstalmentPlan,
}

/// A group of pupils a remission or fixed fee is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Eligibility {
    /// Eligible for free school meals on income grounds.
    FreeSchoolMeals,
    /// Eligible for pupil premium.
    PupilPremium,
    /// Has special educational needs or disabilities.
    Send,
    /// Pupil premium or SEND (one remission, not two).
    PupilPremiumOrSend,
}

impl Eligibility {
    /// Whether a pupil is in the group.
    pub fn includes(self, pupil: &PupilFacts) -> bool {
        match self {
            Eligibility::FreeSchoolMeals => pupil.free_school_meals,
            Eligibility::PupilPremium => pupil.pupil_premium,
            Eligibility::Send => pupil.send,
            Eligibility::PupilPremiumOrSend => pupil.pupil_premium || pupil.send,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Eligibility::FreeSchoolMeals => "free school meals",
            Eligibility::PupilPremium => "pupil premium",
            Eligibility::Send => "SEND",
            Eligibility::PupilPremiumOrSend => "pupil premium or SEND",
        }
    }
}

/// One step of the tuition calculation. The policy lists its steps in the order they apply
/// ([`ChargingPolicy::steps`]); a step that does not apply to a pupil is skipped. Looked-after
/// children are never charged, whatever the steps say.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ChargeStep {
    /// Eligible pupils pay this fixed fee for the term instead, and the calculation stops
    /// there (no uplift or further discounts). Durham: free school meals pay £37.50.
    FixedFee {
        /// Who pays it.
        who: Eligibility,
        /// The fee.
        fee: Pence,
    },
    /// Eligible pupils pay nothing; the calculation stops.
    FullRemission {
        /// Who is remitted.
        who: Eligibility,
    },
    /// Adds the school's chosen uplift, a percentage of the standard fee (not of the
    /// lesson's price). Not applied to free-school-meals pupils unless
    /// [`ChargingPolicy::uplift_applies_to_free_school_meals`] says so.
    SchoolUplift,
    /// Eligible pupils pay this percentage less (of the amount so far).
    PercentRemission {
        /// Who is remitted.
        who: Eligibility,
        /// How much less.
        percent: Percent,
    },
    /// The second and later children of one payer pay this percentage less.
    SiblingDiscount {
        /// How much less.
        percent: Percent,
    },
    /// A pupil's second and later instruments cost this percentage less.
    SecondInstrumentDiscount {
        /// How much less.
        percent: Percent,
    },
}

/// The termly price of one lesson type and length, for parents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonPrice {
    /// Individual, paired or group.
    pub lesson_type: LessonType,
    /// Lesson length in minutes.
    pub minutes: u16,
    /// The price for a term.
    pub per_term: Pence,
}

/// How a charge is treated for VAT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "treatment", rename_all = "snake_case")]
pub enum VatTreatment {
    /// Exempt (education supplied by an eligible body): no VAT.
    Exempt,
    /// Outside the scope of VAT (a council's non-business activity).
    OutsideScope,
    /// VAT added at this rate.
    Standard {
        /// The rate, 20% today.
        rate: Percent,
    },
}

/// How the half-term starter rule decides whether a pupil who starts part-way through a
/// term is charged for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum StarterRule {
    /// Charged if the first lesson is before the half-term break, not charged if it is after.
    HalfTermBoundary,
    /// Charged if at least `min_lessons` lessons remain in the term from the first lesson
    /// (counted on the lesson's weekday in the school's calendar).
    LessonsRemaining {
        /// The least number of lessons left for the term to be charged (Durham: 8).
        min_lessons: u32,
    },
}

/// The months invoices for each term are issued in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceMonths {
    /// Durham: September.
    #[serde(with = "serde_formats::month")]
    pub autumn: Month,
    /// Durham: December (some hubs January).
    #[serde(with = "serde_formats::month")]
    pub spring: Month,
    /// Durham: April.
    #[serde(with = "serde_formats::month")]
    pub summer: Month,
}

impl InvoiceMonths {
    /// The month a term's invoice is issued in.
    pub fn for_term(&self, term: TermName) -> Month {
        match term {
            TermName::Autumn => self.autumn,
            TermName::Spring => self.spring,
            TermName::Summer => self.summer,
        }
    }

    /// The first day of the month the term's invoice is issued in, in the right calendar
    /// year: the occurrence of the month nearest the term's start (spring's December
    /// invoice is in the December before).
    pub fn invoice_month_start(&self, term: TermId, term_start: Date) -> Date {
        let month = self.for_term(term.name);
        let first = |year: i32| Date::from_calendar_date(year, month, 1).expect("valid date");
        let year = term_start.year();
        [year - 1, year, year + 1]
            .into_iter()
            .map(first)
            .min_by_key(|d| (*d - term_start).whole_days().abs())
            .expect("three candidates")
    }
}

/// Paying a term's invoice in instalments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalmentPolicy {
    /// Whether instalments are offered at all.
    pub offered: bool,
    /// How many instalments a term's invoice is split into.
    pub count: u8,
    /// The day of the month each instalment is due by (Durham: the 15th).
    pub due_day: u8,
}

/// When written notice to stop must arrive for the next term not to be payable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum NoticeRule {
    /// By the last day of the month before the next term's invoice month (Durham: 31 August,
    /// 30 November, 31 March).
    EndOfMonthBeforeInvoice,
    /// At least this many days before the next term starts.
    DaysBeforeTermStart {
        /// Days of notice.
        days: u16,
    },
}

/// Instrument hire charges.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HirePolicy {
    /// The charge per instrument per term, unless `by_instrument` names the instrument.
    pub per_term: Pence,
    /// Charges for particular instruments (lower-case names, "cello").
    pub by_instrument: Vec<(String, Pence)>,
    /// Pupils who hire free (looked-after children always do).
    pub free_for: Vec<Eligibility>,
}

impl HirePolicy {
    /// The termly hire charge for an instrument type.
    pub fn charge_for(&self, instrument: &str) -> Pence {
        let wanted = instrument.trim().to_lowercase();
        self.by_instrument
            .iter()
            .find(|(name, _)| name.to_lowercase() == wanted)
            .map_or(self.per_term, |(_, price)| *price)
    }
}

/// Everything a hub decides about charging parents and schools, for one academic year.
///
/// [`ChargingPolicy::default`] is Durham Music Service's 2019-20 policy (DOMAIN.md), with
/// our own clearly labelled estimates where Durham publishes no figure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargingPolicy {
    /// A name for the policy, shown to admins.
    pub name: String,
    /// The standard tuition fee for a term, the base of school uplifts. Durham 2019-20: £53.50.
    pub standard_fee: Pence,
    /// Termly prices by lesson type and length. Whole-class lessons have none (they are free
    /// to parents).
    pub prices: Vec<LessonPrice>,
    /// The uplifts a school may choose, as percentages of the standard fee.
    pub uplift_options: Vec<Percent>,
    /// Whether a school's uplift is added for free-school-meals pupils (Durham: no).
    pub uplift_applies_to_free_school_meals: bool,
    /// The tuition calculation, in the order its steps apply.
    pub steps: Vec<ChargeStep>,
    /// How fractions of a penny are rounded (Durham default: half up, so a 15% uplift on
    /// £53.50, 802.5p, is £8.03).
    pub rounding: Rounding,
    /// Instrument hire.
    pub hire: HirePolicy,
    /// The months invoices are issued in.
    pub invoice_months: InvoiceMonths,
    /// Who is charged for a term they start part-way through.
    pub starter_rule: StarterRule,
    /// Instalments.
    pub instalments: InstalmentPolicy,
    /// When notice must arrive.
    pub notice: NoticeRule,
    /// VAT on tuition.
    pub tuition_vat: VatTreatment,
    /// VAT on instrument hire.
    pub hire_vat: VatTreatment,
    /// Ensembles' fees: who pays less and the family cap (decision 0085). A policy file
    /// written before ensembles had fees has none, and reads as the default.
    #[serde(default)]
    pub ensembles: EnsembleFees,
}

/// WCET programme costs are split over the terms 34% autumn, 33% spring, 33% summer.
pub const WCET_TERM_WEIGHTS: [u32; 3] = [34, 33, 33];

impl Default for ChargingPolicy {
    fn default() -> Self {
        ChargingPolicy::durham()
    }
}

impl ChargingPolicy {
    /// Durham Music Service's rules (2019-20 figures):
    /// - standard (group) tuition fee £53.50 a term; free-school-meals fixed fee £37.50;
    /// - school uplift 0, 15, 50 or 100% of the standard fee, not for free-school-meals pupils;
    /// - looked-after children never charged; no pupil-premium, SEND, sibling or
    ///   second-instrument discounts (other hubs add these as steps);
    /// - invoices in September, December and April; up to 3 instalments due on the 15th;
    /// - notice by the end of the month before the next term's invoice month;
    /// - the half-term starter rule in its half-term boundary form, because that is how
    ///   Durham states it ("starts in the first half of a term"): the "8 or more lessons" is
    ///   its consequence, and the boundary form lets a parent check it from the published
    ///   term dates, the same for every weekday; [`StarterRule::LessonsRemaining`] with 8
    ///   is there for hubs that count lessons;
    /// - tuition and hire exempt from VAT.
    ///
    /// Our estimates, not Durham figures: group 45 and 60 minutes (£80.25, £107.00), paired
    /// (£40.00 to £160.50) and individual (£80.25 to £321.00) prices, and instrument hire
    /// £15.00 a term.
    pub fn durham() -> ChargingPolicy {
        ChargingPolicy::figures("Durham Music Service 2019-20")
    }

    /// A hub's first policy for `year`: the default figures ([`ChargingPolicy::durham`]'s),
    /// named for that hub ("Upper Vale Music Hub 2026-27"), for its office to edit. It is what a
    /// year without a saved policy bills by, so a fresh hub's first billing run works.
    pub fn starting(hub_name: &str, year: crate::calendar::AcademicYear) -> ChargingPolicy {
        let hub = hub_name.trim();
        let name = if hub.is_empty() {
            format!("Charging policy {year}")
        } else {
            format!("{hub} {year}")
        };
        ChargingPolicy::figures(&name)
    }

    fn figures(name: &str) -> ChargingPolicy {
        use LessonType::{Group, Individual, Paired};
        let price = |lesson_type, minutes, pence| LessonPrice {
            lesson_type,
            minutes,
            per_term: Pence(pence),
        };
        ChargingPolicy {
            name: name.to_string(),
            standard_fee: Pence(5_350),
            prices: vec![
                price(Group, 15, 5_350),
                price(Group, 20, 5_350),
                price(Group, 30, 5_350),
                price(Group, 45, 8_025),
                price(Group, 60, 10_700),
                price(Paired, 15, 4_000),
                price(Paired, 20, 5_350),
                price(Paired, 30, 8_025),
                price(Paired, 45, 12_000),
                price(Paired, 60, 16_050),
                price(Individual, 15, 8_025),
                price(Individual, 20, 10_700),
                price(Individual, 30, 16_050),
                price(Individual, 45, 24_075),
                price(Individual, 60, 32_100),
            ],
            uplift_options: vec![
                Percent::whole(0),
                Percent::whole(15),
                Percent::whole(50),
                Percent::whole(100),
            ],
            uplift_applies_to_free_school_meals: false,
            steps: vec![
                ChargeStep::FixedFee {
                    who: Eligibility::FreeSchoolMeals,
                    fee: Pence(3_750),
                },
                ChargeStep::SchoolUplift,
            ],
            rounding: Rounding::HalfUp,
            hire: HirePolicy {
                per_term: Pence(1_500),
                by_instrument: Vec::new(),
                free_for: Vec::new(),
            },
            invoice_months: InvoiceMonths {
                autumn: Month::September,
                spring: Month::December,
                summer: Month::April,
            },
            starter_rule: StarterRule::HalfTermBoundary,
            instalments: InstalmentPolicy {
                offered: true,
                count: 3,
                due_day: 15,
            },
            notice: NoticeRule::EndOfMonthBeforeInvoice,
            tuition_vat: VatTreatment::Exempt,
            hire_vat: VatTreatment::Exempt,
            ensembles: EnsembleFees::default(),
        }
    }

    /// The termly price of a lesson type and length.
    pub fn price(&self, lesson_type: LessonType, minutes: u16) -> Result<Pence, ChargingError> {
        if lesson_type == LessonType::WholeClass {
            return Err(ChargingError::WholeClassIsFreeToParents);
        }
        self.prices
            .iter()
            .find(|p| p.lesson_type == lesson_type && p.minutes == minutes)
            .map(|p| p.per_term)
            .ok_or(ChargingError::NoPrice { lesson_type, minutes })
    }
}

/// What charging needs to know about a pupil.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PupilFacts {
    /// Eligible for free school meals on income grounds.
    pub free_school_meals: bool,
    /// Eligible for pupil premium.
    pub pupil_premium: bool,
    /// Has special educational needs or disabilities.
    pub send: bool,
    /// Looked after by the local authority: never charged.
    pub looked_after: bool,
}

/// Who pays for an enrolment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payer {
    /// A parent or carer, at their request.
    #[default]
    Parent,
    /// The school (school-paid tuition): the lesson price, with no uplift or remissions.
    School,
}

/// What charging needs to know about one enrolment for one term.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentFacts {
    /// The enrolment's identity (a database id), copied onto its line as
    /// [`PupilChargeLine::subject`] so a billing run can tell which charge is which.
    #[serde(default)]
    pub id: String,
    /// The instrument or "voice", for the line's description.
    pub instrument: String,
    /// Individual, paired, group (whole class is never charged to parents).
    pub lesson_type: LessonType,
    /// Lesson length in minutes.
    pub minutes: u16,
    /// The term being charged.
    pub term: TermId,
    /// Who pays.
    pub payer: Payer,
}

/// What a charge line is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeKind {
    /// Tuition for a term.
    Tuition,
    /// Instrument hire for a term.
    InstrumentHire,
    /// A whole-class ensemble teaching programme, charged to a school.
    Wcet,
    /// An ensemble's termly fee.
    Ensemble,
}

/// One line of an invoice: an amount and the rule that gave it, in words a parent can follow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeLine {
    /// What the line is for.
    pub kind: ChargeKind,
    /// What is being charged: "Violin group lesson (30 min), Autumn 2026".
    pub description: String,
    /// The amount.
    pub amount: Pence,
    /// How the amount was worked out: "Standard group fee £53.50 + school uplift 50% £26.75".
    pub rule: String,
}

fn lesson_label(lesson_type: LessonType) -> &'static str {
    match lesson_type {
        LessonType::Individual => "individual",
        LessonType::Paired => "paired",
        LessonType::Group => "group",
        LessonType::WholeClass => "whole-class",
    }
}

/// `text` with its first letter capitalised, as a line or a label begins.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The tuition charge for one pupil's enrolment for one term.
///
/// `school_uplift` is the uplift the pupil's school has chosen (one of the policy's
/// options). `sibling_index` is 0 for the first child of a payer and 1, 2… for the others;
/// `instrument_index` is 0 for a pupil's first instrument and 1, 2… for further ones (see
/// [`price_family_term`], which works both out). Returns one tuition line whose `rule`
/// explains the amount; the amount is never negative.
///
/// Durham: group £53.50 at a 50% uplift is £80.25; a free-school-meals pupil pays £37.50
/// with no uplift; a looked-after child pays £0.
pub fn price_pupil_term(
    policy: &ChargingPolicy,
    pupil: &PupilFacts,
    enrolment: &EnrolmentFacts,
    school_uplift: Percent,
    sibling_index: usize,
    instrument_index: usize,
) -> Result<Vec<ChargeLine>, ChargingError> {
    let base = policy.price(enrolment.lesson_type, enrolment.minutes)?;
    if !policy.uplift_options.contains(&school_uplift) && !school_uplift.is_zero() {
        return Err(ChargingError::UpliftNotOffered(school_uplift));
    }
    let description = format!(
        "{} {} lesson ({} min), {}",
        capitalised(enrolment.instrument.trim()),
        lesson_label(enrolment.lesson_type),
        enrolment.minutes,
        enrolment.term.title()
    );
    let base_label = if enrolment.lesson_type == LessonType::Group && base == policy.standard_fee {
        format!("Standard group fee {base}")
    } else {
        format!(
            "{} {}-minute lesson fee {base}",
            capitalised(lesson_label(enrolment.lesson_type)),
            enrolment.minutes
        )
    };
    let line = |amount: Pence, rule: String| ChargeLine {
        kind: ChargeKind::Tuition,
        description: description.clone(),
        amount,
        rule,
    };

    if enrolment.payer == Payer::School {
        return Ok(vec![line(base, format!("{base_label}, paid by the school"))]);
    }
    if pupil.looked_after {
        return Ok(vec![line(
            Pence::ZERO,
            "Looked-after children are never charged".to_string(),
        )]);
    }

    let mut amount = base;
    let mut rule = base_label;
    for step in &policy.steps {
        match *step {
            ChargeStep::FixedFee { who, fee } if who.includes(pupil) => {
                // A fixed fee is never more than the lesson would otherwise cost.
                if amount < fee {
                    return Ok(vec![line(amount, rule)]);
                }
                let mut text = format!("{} fixed fee {fee}", capitalised(who.label()));
                if !school_uplift.is_zero() && !policy.uplift_applies_to_free_school_meals {
                    text.push_str(" (the school uplift does not apply)");
                }
                return Ok(vec![line(fee, text)]);
            }
            ChargeStep::FullRemission { who } if who.includes(pupil) => {
                return Ok(vec![line(
                    Pence::ZERO,
                    format!("{rule}, fully remitted for {}", who.label()),
                )]);
            }
            ChargeStep::SchoolUplift => {
                let exempt = pupil.free_school_meals && !policy.uplift_applies_to_free_school_meals;
                if !school_uplift.is_zero() && !exempt {
                    let uplift = policy.standard_fee.percent_of(school_uplift, policy.rounding);
                    amount += uplift;
                    rule.push_str(&format!(" + school uplift {school_uplift} {uplift}"));
                }
            }
            ChargeStep::PercentRemission { who, percent } if who.includes(pupil) => {
                let off = amount.percent_of(percent, policy.rounding);
                amount -= off;
                rule.push_str(&format!(" − {} remission {percent} {off}", who.label()));
            }
            ChargeStep::SiblingDiscount { percent } if sibling_index > 0 => {
                let off = amount.percent_of(percent, policy.rounding);
                amount -= off;
                rule.push_str(&format!(" − sibling discount {percent} {off}"));
            }
            ChargeStep::SecondInstrumentDiscount { percent } if instrument_index > 0 => {
                let off = amount.percent_of(percent, policy.rounding);
                amount -= off;
                rule.push_str(&format!(" − second-instrument discount {percent} {off}"));
            }
            _ => {}
        }
    }
    let amount = amount.clamp_non_negative();
    if rule.contains(" + ") || rule.contains(" − ") {
        rule.push_str(&format!(" = {amount}"));
    }
    Ok(vec![line(amount, rule)])
}

/// What a tuition line's rule says was remitted, read back from the words `price_tuition`
/// writes (the line keeps its rule, not the remission, so this is the one reader of it): the
/// group it was for and the amount, `None` when the rule does not state one (looked-after
/// children are never charged, so no fee is worked out for them). `None` for a line with no
/// remission.
pub fn remission_in_rule(rule: &str) -> Option<(String, Option<Pence>)> {
    if rule.starts_with("Looked-after children are never charged") {
        return Some(("looked-after children".to_owned(), None));
    }
    if let Some((expression, who)) = rule.split_once(", fully remitted for ") {
        let mut total = Pence::ZERO;
        for added in expression.split(" + ") {
            for (j, part) in added.split(" − ").enumerate() {
                let amount = last_amount(part)?;
                if j == 0 {
                    total += amount;
                } else {
                    total -= amount;
                }
            }
        }
        return Some((who.to_owned(), Some(total)));
    }
    rule.split(" − ").skip(1).find_map(|part| {
        let part = part.split(" = ").next().unwrap_or(part);
        let (who, _) = part.split_once(" remission ")?;
        Some((who.to_owned(), last_amount(part)))
    })
}

/// The last "£1,234.50" in some words.
fn last_amount(words: &str) -> Option<Pence> {
    let token = words.split_whitespace().rev().find(|t| t.starts_with('£'))?;
    let digits = token.trim_start_matches('£').replace(',', "");
    let (pounds, pence) = digits.split_once('.').unwrap_or((&digits, "0"));
    Some(Pence(pounds.parse::<i64>().ok()? * 100 + pence.parse::<i64>().ok()?))
}

/// An instrument a pupil has on loan during a term.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HiredInstrument {
    /// The instrument's identity (serial or database id): one charge per instrument per term.
    pub id: String,
    /// What it is: "violin".
    pub instrument: String,
}

/// Hire charges for a pupil's instruments for a term: one line per instrument, however many
/// times it is listed. Looked-after children, and pupils in the policy's `free_for` groups,
/// get a £0 line saying why.
pub fn price_instrument_hire(
    policy: &ChargingPolicy,
    pupil: &PupilFacts,
    instruments: &[HiredInstrument],
    term: TermId,
) -> Vec<ChargeLine> {
    let mut seen = BTreeSet::new();
    let mut lines = Vec::new();
    for hired in instruments {
        if !seen.insert(hired.id.as_str()) {
            continue;
        }
        let charge = policy.hire.charge_for(&hired.instrument);
        let free_group = policy.hire.free_for.iter().find(|e| e.includes(pupil));
        let (amount, rule) = if pupil.looked_after {
            (Pence::ZERO, "Looked-after children are never charged".to_string())
        } else if let Some(group) = free_group {
            (Pence::ZERO, format!("Hire is free for {}", group.label()))
        } else {
            (
                charge,
                format!(
                    "Hire of one {} for the term {charge}",
                    hired.instrument.trim().to_lowercase()
                ),
            )
        };
        lines.push(ChargeLine {
            kind: ChargeKind::InstrumentHire,
            description: format!(
                "{} hire ({}), {}",
                capitalised(hired.instrument.trim()),
                hired.id,
                term.title()
            ),
            amount,
            rule,
        });
    }
    lines
}

/// One child of a payer, with their enrolments and hired instruments for a term.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildTerm {
    /// The pupil's reference, copied onto their lines.
    pub pupil_ref: String,
    /// Their facts.
    pub pupil: PupilFacts,
    /// Their school's uplift.
    pub school_uplift: Percent,
    /// Enrolments to charge this term (already filtered by the starter rule and notice).
    pub enrolments: Vec<EnrolmentFacts>,
    /// Instruments on loan this term.
    pub hired: Vec<HiredInstrument>,
}

/// A charge line for one pupil.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PupilChargeLine {
    /// The pupil's reference.
    pub pupil_ref: String,
    /// What the line charges for: the enrolment's [`EnrolmentFacts::id`] for tuition, the
    /// instrument's [`HiredInstrument::id`] for hire.
    pub subject: String,
    /// The line.
    pub line: ChargeLine,
}

/// All the lines for one payer's children for a term, with sibling and second-instrument
/// positions worked out.
///
/// The first child is the one whose first enrolment costs the most before discounts (ties by
/// `pupil_ref`), so a sibling discount falls on the cheaper children; within a child, the
/// first instrument is likewise the dearest. Parent-paid enrolments only take part in the
/// ordering. Every enrolment gets exactly one tuition line and every hired instrument
/// exactly one hire line (a child with no enrolments this term is not charged hire).
pub fn price_family_term(
    policy: &ChargingPolicy,
    children: &[ChildTerm],
) -> Result<Vec<PupilChargeLine>, ChargingError> {
    let lines = price_family_indexed(policy, children, &mut TuitionCache::default())?;
    Ok(lines
        .into_iter()
        .map(|l| {
            let child = &children[l.child];
            PupilChargeLine {
                pupil_ref: child.pupil_ref.clone(),
                subject: match l.subject {
                    FamilySubject::Enrolment(i) => child.enrolments[i].id.clone(),
                    FamilySubject::Hire(i) => child.hired[i].id.clone(),
                },
                line: l.line,
            }
        })
        .collect())
}

/// What a line of [`price_family_indexed`] charges for, by position in its [`ChildTerm`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FamilySubject {
    /// `enrolments[i]`.
    Enrolment(usize),
    /// `hired[i]` (the first listing of that instrument).
    Hire(usize),
}

/// A line of [`price_family_indexed`]: the child (index into `children`), what it is for,
/// and the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FamilyLine {
    /// Index of the child in the `children` given.
    pub child: usize,
    /// What the line is for.
    pub subject: FamilySubject,
    /// The line.
    pub line: ChargeLine,
}

/// Tuition lines already worked out, by everything [`price_pupil_term`] reads except the
/// enrolment's id. A billing run prices thousands of pupils with the same few facts, so each
/// description and rule is written once and copied after (the rules run once per distinct
/// case, not once per pupil). Use one cache with one policy only.
#[derive(Debug, Default)]
pub struct TuitionCache {
    lines: HashMap<TuitionKey, HashMap<String, Vec<ChargeLine>>>,
}

/// The facts a tuition line depends on, bar the instrument (the inner key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct TuitionKey {
    pupil: PupilFacts,
    uplift: Percent,
    lesson_type: LessonType,
    minutes: u16,
    term: TermId,
    payer: Payer,
    /// Only whether the index is above 0 changes the price.
    later_sibling: bool,
    later_instrument: bool,
}

impl TuitionCache {
    fn price(
        &mut self,
        policy: &ChargingPolicy,
        pupil: &PupilFacts,
        enrolment: &EnrolmentFacts,
        school_uplift: Percent,
        sibling_index: usize,
        instrument_index: usize,
    ) -> Result<Vec<ChargeLine>, ChargingError> {
        let key = TuitionKey {
            pupil: *pupil,
            uplift: school_uplift,
            lesson_type: enrolment.lesson_type,
            minutes: enrolment.minutes,
            term: enrolment.term,
            payer: enrolment.payer,
            later_sibling: sibling_index > 0,
            later_instrument: instrument_index > 0,
        };
        let by_instrument = self.lines.entry(key).or_default();
        if let Some(lines) = by_instrument.get(enrolment.instrument.as_str()) {
            return Ok(lines.clone());
        }
        let lines = price_pupil_term(policy, pupil, enrolment, school_uplift, sibling_index, instrument_index)?;
        by_instrument.insert(enrolment.instrument.clone(), lines.clone());
        Ok(lines)
    }
}

/// [`price_family_term`] with each line's child and subject given by position rather than
/// by copied text, and tuition lines taken from `cache` when the same case has been priced
/// before. The lines and their order are exactly those of [`price_family_term`].
pub fn price_family_indexed(
    policy: &ChargingPolicy,
    children: &[ChildTerm],
    cache: &mut TuitionCache,
) -> Result<Vec<FamilyLine>, ChargingError> {
    // Order each child's enrolments dearest first, keeping each one's position.
    let mut ordered: Vec<(usize, Vec<(usize, Pence)>)> = Vec::with_capacity(children.len());
    for (c, child) in children.iter().enumerate() {
        let mut enrolments = Vec::with_capacity(child.enrolments.len());
        for (i, e) in child.enrolments.iter().enumerate() {
            enrolments.push((i, policy.price(e.lesson_type, e.minutes)?));
        }
        enrolments.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| child.enrolments[a.0].instrument.cmp(&child.enrolments[b.0].instrument))
        });
        ordered.push((c, enrolments));
    }
    let top = |x: &(usize, Vec<(usize, Pence)>)| {
        let child = &children[x.0];
        x.1.iter()
            .filter(|(i, _)| child.enrolments[*i].payer == Payer::Parent)
            .map(|(_, p)| *p)
            .next()
            .unwrap_or(Pence::ZERO)
    };
    ordered.sort_by(|a, b| {
        top(b)
            .cmp(&top(a))
            .then_with(|| children[a.0].pupil_ref.cmp(&children[b.0].pupil_ref))
    });

    let mut lines = Vec::new();
    let mut sibling_index = 0;
    for (c, enrolments) in &ordered {
        let child = &children[*c];
        let mut instrument_index = 0;
        let has_parent_paid = enrolments
            .iter()
            .any(|(i, _)| child.enrolments[*i].payer == Payer::Parent);
        for (i, _) in enrolments {
            let enrolment = &child.enrolments[*i];
            let is_parent = enrolment.payer == Payer::Parent;
            for line in cache.price(
                policy,
                &child.pupil,
                enrolment,
                child.school_uplift,
                sibling_index,
                if is_parent { instrument_index } else { 0 },
            )? {
                lines.push(FamilyLine {
                    child: *c,
                    subject: FamilySubject::Enrolment(*i),
                    line,
                });
            }
            if is_parent {
                instrument_index += 1;
            }
        }
        if let Some((first, _)) = enrolments.first() {
            let term = child.enrolments[*first].term;
            let mut seen = BTreeSet::new();
            // price_instrument_hire gives one line per distinct instrument, in order.
            let hired = (0..child.hired.len()).filter(|&h| seen.insert(child.hired[h].id.as_str()));
            let lines_for = price_instrument_hire(policy, &child.pupil, &child.hired, term);
            for (line, h) in lines_for.into_iter().zip(hired) {
                lines.push(FamilyLine {
                    child: *c,
                    subject: FamilySubject::Hire(h),
                    line,
                });
            }
        }
        if has_parent_paid {
            sibling_index += 1;
        }
    }
    Ok(lines)
}

/// Whether a pupil starting part-way through a term is charged for it, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarterDecision {
    /// True if the term is charged.
    pub charged: bool,
    /// How many weekly lessons remain in the term from the first lesson.
    pub lessons_remaining: u32,
    /// Why, in plain words.
    pub rule: String,
}

/// Applies the policy's half-term starter rule to a pupil whose first lesson is on
/// `first_lesson` (a `weekday` lesson) in `term`.
pub fn starter_charge(
    policy: &ChargingPolicy,
    calendar: &SchoolCalendar,
    term: TermId,
    first_lesson: Date,
) -> Result<StarterDecision, ChargingError> {
    let dates = calendar.term(term).ok_or(ChargingError::NoTermDates)?;
    let lessons_remaining = calendar
        .weekday_dates_from(term, first_lesson.weekday(), first_lesson)
        .len() as u32;
    let decision = match policy.starter_rule {
        StarterRule::HalfTermBoundary => {
            let first_half = first_lesson < dates.half_term.first;
            StarterDecision {
                charged: first_half,
                lessons_remaining,
                rule: if first_half {
                    "Starts in the first half of the term, so the term is charged".to_string()
                } else {
                    "Starts after half-term, so this term is not charged".to_string()
                },
            }
        }
        StarterRule::LessonsRemaining { min_lessons } => {
            let charged = lessons_remaining >= min_lessons;
            StarterDecision {
                charged,
                lessons_remaining,
                rule: if charged {
                    format!(
                        "{lessons_remaining} lessons left this term ({min_lessons} or more), so the term is charged"
                    )
                } else {
                    format!(
                        "Only {lessons_remaining} lessons left this term (fewer than {min_lessons}), so this term is not charged"
                    )
                },
            }
        }
    };
    Ok(decision)
}

/// One instalment of a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instalment {
    /// 1 for the first.
    pub number: u8,
    /// Due by this date.
    #[serde(with = "serde_formats::date")]
    pub due: Date,
    /// The amount.
    pub amount: Pence,
}

/// Splits `total` into `count` instalments: the first due on `first_due`, the rest on
/// `due_day` of each following month. Amounts differ by at most a penny, the earlier ones
/// carrying the spare pennies, and always add up to `total`.
pub fn instalment_schedule(
    total: Pence,
    count: u8,
    first_due: Date,
    due_day: u8,
) -> Result<Vec<Instalment>, ChargingError> {
    if count == 0 || !(1..=28).contains(&due_day) {
        return Err(ChargingError::BadInstalmentPlan);
    }
    let amounts = split_evenly(total, count as usize);
    let mut due = first_due;
    let mut schedule = Vec::with_capacity(count as usize);
    for (i, amount) in amounts.into_iter().enumerate() {
        if i > 0 {
            let (year, month) = if due.month() == Month::December {
                (due.year() + 1, Month::January)
            } else {
                (due.year(), due.month().next())
            };
            due = Date::from_calendar_date(year, month, due_day).expect("day 1 to 28 exists");
        }
        schedule.push(Instalment {
            number: i as u8 + 1,
            due,
            amount,
        });
    }
    Ok(schedule)
}

/// Where an instalment plan stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum InstalmentStatus {
    /// Everything has been paid.
    PaidInFull,
    /// Every instalment due so far is paid.
    OnTrack {
        /// The next instalment with money still owing, and how much of it is owing.
        next_due: Option<Instalment>,
    },
    /// An instalment was missed: every instalment is cancelled and the whole balance is due now.
    Collapsed(MissedInstalment),
}

/// What happens when an instalment is missed (DOMAIN.md): all the invoice's instalments are
/// cancelled and the full balance is due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissedInstalment {
    /// The instalment that was missed.
    pub missed: Instalment,
    /// The instalments cancelled: all of them.
    pub cancelled: Vec<Instalment>,
    /// What is now due at once: the invoice total less what has been paid.
    pub balance_due: Pence,
}

/// Applies the missed-instalment rule: cancels every instalment and makes the balance due.
pub fn on_missed_instalment(schedule: &[Instalment], missed: Instalment, paid_so_far: Pence) -> MissedInstalment {
    let total: Pence = schedule.iter().map(|i| i.amount).sum();
    MissedInstalment {
        missed,
        cancelled: schedule.to_vec(),
        balance_due: (total - paid_so_far).clamp_non_negative(),
    }
}

/// The state of a plan on `today`, given everything paid so far. An instalment is missed
/// when its due date has passed (it is due *by* that date) and the payments do not cover it
/// and every one before it.
pub fn instalment_status(schedule: &[Instalment], paid_so_far: Pence, today: Date) -> InstalmentStatus {
    let total: Pence = schedule.iter().map(|i| i.amount).sum();
    if paid_so_far >= total {
        return InstalmentStatus::PaidInFull;
    }
    let mut due_so_far = Pence::ZERO;
    for instalment in schedule {
        due_so_far += instalment.amount;
        if today > instalment.due && paid_so_far < due_so_far {
            return InstalmentStatus::Collapsed(on_missed_instalment(schedule, *instalment, paid_so_far));
        }
        if paid_so_far < due_so_far {
            let owing = (due_so_far - paid_so_far).min(instalment.amount);
            return InstalmentStatus::OnTrack {
                next_due: Some(Instalment {
                    amount: owing,
                    ..*instalment
                }),
            };
        }
    }
    InstalmentStatus::OnTrack { next_due: None }
}

/// What a payer should pay next on an invoice (decision 76): the next instalment's part still
/// owing while a plan is on track, else the whole balance, due now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NextPayment {
    pub amount: Pence,
    /// The instalment it is, and the date it is due by; `None` when the balance is due now.
    pub instalment: Option<Instalment>,
}

/// The next payment on an invoice with `balance` left, given its instalment `schedule` (empty
/// when it has none, or when its plan was cancelled), what has been paid and `today`.
/// Payments are allocated to the instalments oldest first, to the penny.
pub fn next_payment(schedule: &[Instalment], paid_so_far: Pence, balance: Pence, today: Date) -> NextPayment {
    let whole = NextPayment {
        amount: balance.clamp_non_negative(),
        instalment: None,
    };
    if schedule.is_empty() {
        return whole;
    }
    match instalment_status(schedule, paid_so_far, today) {
        InstalmentStatus::OnTrack { next_due: Some(i) } => NextPayment {
            amount: i.amount.min(balance.clamp_non_negative()),
            instalment: Some(i),
        },
        _ => whole,
    }
}

/// The effect of a parent's written notice to stop lessons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeOutcome {
    /// The last term that is payable. Stopping part-way through it does not cancel its invoice.
    pub last_payable_term: TermId,
    /// The next term, and whether it is payable.
    pub next_term: TermId,
    /// True if the notice came too late to stop the next term's charge.
    pub next_term_payable: bool,
    /// The last day notice could arrive to avoid the next term's charge.
    #[serde(with = "serde_formats::date")]
    pub deadline: Date,
    /// In plain words, for the parent to see before they confirm.
    pub explanation: String,
}

/// When written notice received on `notice_received` takes effect.
///
/// The current term is the one the date falls in, or the last one before it in the
/// holidays. Notice that arrives by the deadline for the next term (Durham: the last day of
/// the month before that term's invoice month, so 31 August, 30 November or 31 March) means
/// the next term is not payable and the current term is the last; later notice makes the
/// next term payable too.
pub fn notice_effective(
    notice_received: Date,
    policy: &ChargingPolicy,
    calendar: &SchoolCalendar,
) -> Result<NoticeOutcome, ChargingError> {
    let current = calendar
        .terms
        .iter()
        .rev()
        .find(|t| t.dates.first <= notice_received)
        .ok_or(ChargingError::NoTermDates)?;
    let next_term = current.term.next();
    let next_dates = calendar.term(next_term).ok_or(ChargingError::NoTermDates)?;
    let deadline = notice_deadline(policy, next_term, next_dates.dates.first);
    let in_time = notice_received <= deadline;
    let last_payable_term = if in_time { current.term } else { next_term };
    let deadline_text = crate::validate::format_day_long(deadline);
    let next_words = next_term.label();
    let explanation = if in_time {
        format!(
            "Notice arrived by {deadline_text}, so {next_words} is not charged. Lessons end with the {} term; its invoice still stands.",
            current.term.name
        )
    } else {
        format!(
            "Notice for {next_words} had to arrive by {deadline_text}, so {next_words} is still charged and is the last term."
        )
    };
    Ok(NoticeOutcome {
        last_payable_term,
        next_term,
        next_term_payable: !in_time,
        deadline,
        explanation,
    })
}

/// The last day notice can arrive for `term` (starting on `term_start`) not to be charged.
pub fn notice_deadline(policy: &ChargingPolicy, term: TermId, term_start: Date) -> Date {
    match policy.notice {
        NoticeRule::EndOfMonthBeforeInvoice => policy
            .invoice_months
            .invoice_month_start(term, term_start)
            .previous_day()
            .expect("a date in range"),
        NoticeRule::DaysBeforeTermStart { days } => term_start - time::Duration::days(days as i64),
    }
}

/// A WCET programme's annual cost split 34% autumn, 33% spring, 33% summer, to the penny.
pub fn wcet_split(annual_cost: Pence) -> [Pence; 3] {
    let parts = split_by_weights(annual_cost, &WCET_TERM_WEIGHTS);
    [parts[0], parts[1], parts[2]]
}

/// The WCET charge lines for a school's programme for the year, one per term.
pub fn wcet_lines(programme: &str, annual_cost: Pence, year: crate::calendar::AcademicYear) -> Vec<ChargeLine> {
    wcet_split(annual_cost)
        .into_iter()
        .zip(year.terms())
        .zip(WCET_TERM_WEIGHTS)
        .map(|((amount, term), weight)| ChargeLine {
            kind: ChargeKind::Wcet,
            description: format!("{programme}, {}", term.title()),
            amount,
            rule: format!("{weight}% of the annual cost {annual_cost}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hub_starts_with_the_default_figures_under_its_own_name() {
        let year = crate::calendar::AcademicYear::starting(2026);
        let first = ChargingPolicy::starting("Riverside Music Hub", year);
        assert_eq!(first.name, "Riverside Music Hub 2026-27");
        assert_eq!(
            ChargingPolicy {
                name: ChargingPolicy::durham().name,
                ..first
            },
            ChargingPolicy::durham()
        );
        assert_eq!(ChargingPolicy::starting("  ", year).name, "Charging policy 2026-27");
    }
    use crate::calendar::AcademicYear;
    use proptest::prelude::*;
    use time::macros::date;

    fn autumn() -> TermId {
        TermId::parse("2026-autumn").unwrap()
    }

    fn group(instrument: &str) -> EnrolmentFacts {
        EnrolmentFacts {
            id: instrument.to_string(),
            instrument: instrument.to_string(),
            lesson_type: LessonType::Group,
            minutes: 30,
            term: autumn(),
            payer: Payer::Parent,
        }
    }

    fn price(pupil: PupilFacts, uplift: u32) -> ChargeLine {
        let lines = price_pupil_term(
            &ChargingPolicy::default(),
            &pupil,
            &group("violin"),
            Percent::whole(uplift),
            0,
            0,
        )
        .unwrap();
        assert_eq!(lines.len(), 1);
        lines.into_iter().next().unwrap()
    }

    #[test]
    fn durham_worked_examples() {
        let ordinary = PupilFacts::default();
        let fsm = PupilFacts {
            free_school_meals: true,
            ..PupilFacts::default()
        };
        let looked_after = PupilFacts {
            looked_after: true,
            free_school_meals: true,
            ..PupilFacts::default()
        };
        let cases = [
            (ordinary, 0, 5_350, "Standard group fee £53.50"),
            (
                ordinary,
                50,
                8_025,
                "Standard group fee £53.50 + school uplift 50% £26.75 = £80.25",
            ),
            (
                ordinary,
                15,
                6_153,
                "Standard group fee £53.50 + school uplift 15% £8.03 = £61.53",
            ),
            (
                ordinary,
                100,
                10_700,
                "Standard group fee £53.50 + school uplift 100% £53.50 = £107.00",
            ),
            (
                fsm,
                50,
                3_750,
                "Free school meals fixed fee £37.50 (the school uplift does not apply)",
            ),
            (fsm, 0, 3_750, "Free school meals fixed fee £37.50"),
            (looked_after, 100, 0, "Looked-after children are never charged"),
        ];
        for (pupil, uplift, pence, rule) in cases {
            let line = price(pupil, uplift);
            assert_eq!(line.amount, Pence(pence), "{rule}");
            assert_eq!(line.rule, rule);
            assert_eq!(line.kind, ChargeKind::Tuition);
            assert_eq!(line.description, "Violin group lesson (30 min), Autumn 2026");
        }
    }

    #[test]
    fn whole_class_is_never_charged_to_parents_and_uplift_must_be_offered() {
        let policy = ChargingPolicy::default();
        let mut wcet = group("ukulele");
        wcet.lesson_type = LessonType::WholeClass;
        assert_eq!(
            price_pupil_term(&policy, &PupilFacts::default(), &wcet, Percent::ZERO, 0, 0),
            Err(ChargingError::WholeClassIsFreeToParents)
        );
        assert_eq!(
            price_pupil_term(
                &policy,
                &PupilFacts::default(),
                &group("violin"),
                Percent::whole(20),
                0,
                0
            ),
            Err(ChargingError::UpliftNotOffered(Percent::whole(20)))
        );
        let mut odd = group("violin");
        odd.minutes = 25;
        assert!(matches!(
            price_pupil_term(&policy, &PupilFacts::default(), &odd, Percent::ZERO, 0, 0),
            Err(ChargingError::NoPrice { minutes: 25, .. })
        ));
    }

    #[test]
    fn a_lines_remission_is_read_back_from_its_rule() {
        assert_eq!(
            remission_in_rule(
                "Standard group fee £53.50 + school uplift 50% £26.75 − pupil premium or SEND remission 45% £36.11 − sibling discount 25% £11.04 − second-instrument discount 10% £3.31 = £29.79"
            ),
            Some(("pupil premium or SEND".to_owned(), Some(Pence(3611))))
        );
        assert_eq!(
            remission_in_rule(
                "Standard group fee £53.50 + school uplift 50% £26.75, fully remitted for free school meals"
            ),
            Some(("free school meals".to_owned(), Some(Pence(8025))))
        );
        assert_eq!(
            remission_in_rule("Standard individual fee £1,053.50 − SEND remission 50% £526.75 = £526.75"),
            Some(("SEND".to_owned(), Some(Pence(52675))))
        );
        assert_eq!(
            remission_in_rule("Looked-after children are never charged"),
            Some(("looked-after children".to_owned(), None))
        );
        assert_eq!(
            remission_in_rule("Standard group fee £53.50 − sibling discount 25% £13.38 = £40.12"),
            None
        );
        assert_eq!(remission_in_rule("Standard group fee £53.50"), None);
    }

    #[test]
    fn other_hubs_remissions_apply_in_the_stated_order() {
        let policy = ChargingPolicy {
            steps: vec![
                ChargeStep::FullRemission {
                    who: Eligibility::FreeSchoolMeals,
                },
                ChargeStep::SchoolUplift,
                ChargeStep::PercentRemission {
                    who: Eligibility::PupilPremiumOrSend,
                    percent: Percent::whole(45),
                },
                ChargeStep::SiblingDiscount {
                    percent: Percent::whole(25),
                },
                ChargeStep::SecondInstrumentDiscount {
                    percent: Percent::whole(10),
                },
            ],
            ..ChargingPolicy::default()
        };
        let pp_and_send = PupilFacts {
            pupil_premium: true,
            send: true,
            ..PupilFacts::default()
        };
        let line = price_pupil_term(&policy, &pp_and_send, &group("flute"), Percent::whole(50), 1, 1)
            .unwrap()
            .remove(0);
        // 5350 + 2675 = 8025; −45% (3611.25 → 3611) = 4414; −25% (1103.5 → 1104) = 3310;
        // −10% (331) = 2979.
        assert_eq!(line.amount, Pence(2_979));
        assert_eq!(
            line.rule,
            "Standard group fee £53.50 + school uplift 50% £26.75 − pupil premium or SEND remission 45% £36.11 − sibling discount 25% £11.04 − second-instrument discount 10% £3.31 = £29.79"
        );
        let fsm = PupilFacts {
            free_school_meals: true,
            ..PupilFacts::default()
        };
        let line = price_pupil_term(&policy, &fsm, &group("flute"), Percent::whole(50), 0, 0)
            .unwrap()
            .remove(0);
        assert_eq!(line.amount, Pence::ZERO);
        assert_eq!(
            line.rule,
            "Standard group fee £53.50, fully remitted for free school meals"
        );

        let mut school_paid = group("flute");
        school_paid.payer = Payer::School;
        let line = price_pupil_term(&policy, &fsm, &school_paid, Percent::whole(50), 1, 1)
            .unwrap()
            .remove(0);
        assert_eq!(line.amount, Pence(5_350));
    }

    #[test]
    fn hire_is_one_charge_per_instrument_per_term() {
        let policy = ChargingPolicy::default();
        let violin = HiredInstrument {
            id: "VN-001".to_string(),
            instrument: "Violin".to_string(),
        };
        let cello = HiredInstrument {
            id: "VC-002".to_string(),
            instrument: "cello".to_string(),
        };
        let lines = price_instrument_hire(
            &policy,
            &PupilFacts::default(),
            &[violin.clone(), violin.clone(), cello],
            autumn(),
        );
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].amount, Pence(1_500));
        assert_eq!(lines[0].rule, "Hire of one violin for the term £15.00");
        assert_eq!(lines[0].description, "Violin hire (VN-001), Autumn 2026");
        let looked_after = PupilFacts {
            looked_after: true,
            ..PupilFacts::default()
        };
        let lines = price_instrument_hire(&policy, &looked_after, &[violin], autumn());
        assert_eq!(lines[0].amount, Pence::ZERO);
    }

    #[test]
    fn family_ordering_puts_discounts_on_the_cheaper_children() {
        let mut policy = ChargingPolicy::default();
        policy.steps.push(ChargeStep::SiblingDiscount {
            percent: Percent::whole(25),
        });
        let mut individual = group("piano");
        individual.lesson_type = LessonType::Individual;
        let children = vec![
            ChildTerm {
                pupil_ref: "P1".to_string(),
                pupil: PupilFacts::default(),
                school_uplift: Percent::ZERO,
                enrolments: vec![group("violin")],
                hired: vec![],
            },
            ChildTerm {
                pupil_ref: "P2".to_string(),
                pupil: PupilFacts::default(),
                school_uplift: Percent::ZERO,
                enrolments: vec![individual],
                hired: vec![],
            },
        ];
        let lines = price_family_term(&policy, &children).unwrap();
        assert_eq!(lines.len(), 2);
        let p2 = lines.iter().find(|l| l.pupil_ref == "P2").unwrap();
        let p1 = lines.iter().find(|l| l.pupil_ref == "P1").unwrap();
        assert_eq!(p2.line.amount, Pence(16_050));
        // 25% of £53.50 is 1337.5p, rounded half up to £13.38 off.
        assert_eq!(p1.line.amount, Pence(4_012));
    }

    #[test]
    fn wcet_split_34_33_33() {
        assert_eq!(
            wcet_split(Pence(300_000)),
            [Pence(102_000), Pence(99_000), Pence(99_000)]
        );
        assert_eq!(wcet_split(Pence(100)), [Pence(34), Pence(33), Pence(33)]);
        assert_eq!(wcet_split(Pence(1)), [Pence(1), Pence(0), Pence(0)]);
        let lines = wcet_lines("Whole-class ukulele", Pence(250_000), AcademicYear::starting(2026));
        assert_eq!(lines[0].description, "Whole-class ukulele, Autumn 2026");
        assert_eq!(lines[0].amount, Pence(85_000));
        assert_eq!(lines[2].rule, "33% of the annual cost £2,500.00");
    }

    #[test]
    fn starter_rule_both_forms() {
        let year = AcademicYear::starting(2026);
        let calendar = SchoolCalendar::local_authority_default(year);
        let mut policy = ChargingPolicy::default();
        // Autumn 2026: half-term 26-30 October.
        let early = starter_charge(&policy, &calendar, autumn(), date!(2026 - 10 - 19)).unwrap();
        assert!(early.charged);
        let late = starter_charge(&policy, &calendar, autumn(), date!(2026 - 11 - 02)).unwrap();
        assert!(!late.charged);
        assert_eq!(late.lessons_remaining, 7);
        policy.starter_rule = StarterRule::LessonsRemaining { min_lessons: 8 };
        let early = starter_charge(&policy, &calendar, autumn(), date!(2026 - 10 - 19)).unwrap();
        assert_eq!(early.lessons_remaining, 8);
        assert!(early.charged);
        let later = starter_charge(&policy, &calendar, autumn(), date!(2026 - 10 - 21)).unwrap();
        assert_eq!(later.lessons_remaining, 8);
        let late = starter_charge(&policy, &calendar, autumn(), date!(2026 - 11 - 02)).unwrap();
        assert!(!late.charged);
        assert_eq!(
            late.rule,
            "Only 7 lessons left this term (fewer than 8), so this term is not charged"
        );
    }

    #[test]
    fn instalments_add_up_and_collapse_when_missed() {
        let schedule = instalment_schedule(Pence(8_025), 3, date!(2026 - 09 - 15), 15).unwrap();
        assert_eq!(
            schedule.iter().map(|i| (i.due, i.amount)).collect::<Vec<_>>(),
            vec![
                (date!(2026 - 09 - 15), Pence(2_675)),
                (date!(2026 - 10 - 15), Pence(2_675)),
                (date!(2026 - 11 - 15), Pence(2_675)),
            ]
        );
        let odd = instalment_schedule(Pence(5_350), 3, date!(2026 - 12 - 15), 15).unwrap();
        assert_eq!(
            odd.iter().map(|i| i.amount.0).collect::<Vec<_>>(),
            vec![1_784, 1_783, 1_783]
        );
        assert_eq!(odd[1].due, date!(2027 - 01 - 15));
        assert!(instalment_schedule(Pence(100), 0, date!(2026 - 09 - 15), 15).is_err());
        assert!(instalment_schedule(Pence(100), 2, date!(2026 - 09 - 15), 31).is_err());

        assert_eq!(
            instalment_status(&schedule, Pence(2_675), date!(2026 - 10 - 01)),
            InstalmentStatus::OnTrack {
                next_due: Some(schedule[1])
            }
        );
        // Due *by* the 15th: on the 15th it is not yet missed.
        assert!(matches!(
            instalment_status(&schedule, Pence(2_675), date!(2026 - 10 - 15)),
            InstalmentStatus::OnTrack { .. }
        ));
        match instalment_status(&schedule, Pence(2_675), date!(2026 - 10 - 16)) {
            InstalmentStatus::Collapsed(missed) => {
                assert_eq!(missed.missed.number, 2);
                assert_eq!(missed.cancelled.len(), 3);
                assert_eq!(missed.balance_due, Pence(5_350));
            }
            other => panic!("expected collapse, got {other:?}"),
        }
        assert_eq!(
            instalment_status(&schedule, Pence(8_025), date!(2027 - 01 - 01)),
            InstalmentStatus::PaidInFull
        );
    }

    #[test]
    fn the_next_payment_is_the_next_instalment_less_what_was_paid_towards_it() {
        let schedule = instalment_schedule(Pence(8_025), 3, date!(2026 - 09 - 15), 15).unwrap();
        let day = date!(2026 - 09 - 01);
        // Nothing paid: the first instalment, in full.
        let next = next_payment(&schedule, Pence::ZERO, Pence(8_025), day);
        assert_eq!(
            (next.amount, next.instalment.map(|i| i.number)),
            (Pence(2_675), Some(1))
        );
        // £10.00 paid: the rest of the first, to the penny.
        let next = next_payment(&schedule, Pence(1_000), Pence(7_025), day);
        assert_eq!(
            (next.amount, next.instalment.map(|i| i.due)),
            (Pence(1_675), Some(date!(2026 - 09 - 15)))
        );
        // The first paid and a penny more: the second less that penny.
        let next = next_payment(&schedule, Pence(2_676), Pence(5_349), day);
        assert_eq!(
            (next.amount, next.instalment.map(|i| i.number)),
            (Pence(2_674), Some(2))
        );
        // No plan, or a missed one: the whole balance, now.
        assert_eq!(next_payment(&[], Pence::ZERO, Pence(8_025), day).amount, Pence(8_025));
        let missed = next_payment(&schedule, Pence::ZERO, Pence(8_025), date!(2026 - 09 - 16));
        assert_eq!((missed.amount, missed.instalment), (Pence(8_025), None));
    }

    #[test]
    fn notice_deadlines_follow_invoice_months() {
        let policy = ChargingPolicy::default();
        let mut calendar = SchoolCalendar::local_authority_default(AcademicYear::starting(2026));
        calendar.add_terms(crate::calendar::default_term_dates(AcademicYear::starting(2025)));
        calendar.add_terms(crate::calendar::default_term_dates(AcademicYear::starting(2027)));
        let cases = [
            // (received, last payable, next payable, deadline)
            (date!(2026 - 11 - 30), "2026-autumn", false, date!(2026 - 11 - 30)),
            (date!(2026 - 12 - 01), "2027-spring", true, date!(2026 - 11 - 30)),
            (date!(2027 - 03 - 31), "2027-spring", false, date!(2027 - 03 - 31)),
            (date!(2027 - 04 - 01), "2027-summer", true, date!(2027 - 03 - 31)),
            (date!(2027 - 08 - 31), "2027-summer", false, date!(2027 - 08 - 31)),
            // The autumn term has begun: its invoice stands, spring is not charged.
            (date!(2027 - 09 - 01), "2027-autumn", false, date!(2027 - 11 - 30)),
            (date!(2026 - 08 - 20), "2026-summer", false, date!(2026 - 08 - 31)),
        ];
        for (received, last, next_payable, deadline) in cases {
            let outcome = notice_effective(received, &policy, &calendar).unwrap();
            assert_eq!(outcome.last_payable_term.to_string(), last, "{received}");
            assert_eq!(outcome.next_term_payable, next_payable, "{received}");
            assert_eq!(outcome.deadline, deadline, "{received}");
        }
        let outcome = notice_effective(date!(2026 - 12 - 01), &policy, &calendar).unwrap();
        assert_eq!(
            outcome.explanation,
            "Notice for the spring term 2027 had to arrive by Monday 30 November 2026, so the spring term 2027 is still charged and is the last term."
        );
    }

    #[test]
    fn policy_round_trips_as_a_file() {
        let policy = ChargingPolicy::default();
        let json = serde_json::to_string_pretty(&policy).unwrap();
        assert!(json.contains("\"september\""), "{json}");
        assert!(json.contains("\"50%\""), "{json}");
        assert!(json.contains("\"step\": \"fixed_fee\""), "{json}");
        let back: ChargingPolicy = serde_json::from_str(&json).unwrap();
        assert_eq!(back, policy);
    }

    fn pupil_facts() -> impl Strategy<Value = PupilFacts> {
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
            |(free_school_meals, pupil_premium, send, looked_after)| PupilFacts {
                free_school_meals,
                pupil_premium,
                send,
                looked_after,
            },
        )
    }

    proptest! {
        #[test]
        fn every_enrolment_and_instrument_is_charged_exactly_once(
            kids in prop::collection::vec((pupil_facts(), 0usize..4, 0usize..3, prop::collection::vec(0usize..3, 0..4)), 1..5),
        ) {
            let mut policy = ChargingPolicy::default();
            policy.steps.push(ChargeStep::SiblingDiscount { percent: Percent::whole(25) });
            policy.steps.push(ChargeStep::SecondInstrumentDiscount { percent: Percent::whole(10) });
            let instruments = ["violin", "cello", "flute", "trumpet"];
            let children: Vec<ChildTerm> = kids
                .iter()
                .enumerate()
                .map(|(i, (facts, n_enrol, uplift, hired))| ChildTerm {
                    pupil_ref: format!("P{i}"),
                    pupil: *facts,
                    school_uplift: policy.uplift_options[*uplift],
                    enrolments: (0..*n_enrol).map(|k| group(instruments[k])).collect(),
                    hired: hired
                        .iter()
                        .map(|h| HiredInstrument { id: format!("I{i}-{h}"), instrument: "violin".into() })
                        .collect(),
                })
                .collect();
            let lines = price_family_term(&policy, &children).unwrap();
            // A cache warmed by another family (the same children in reverse, so other
            // sibling positions) gives exactly the lines worked out afresh.
            let mut cache = TuitionCache::default();
            let reversed: Vec<ChildTerm> = children.iter().rev().cloned().collect();
            price_family_indexed(&policy, &reversed, &mut cache).unwrap();
            let cached = price_family_indexed(&policy, &children, &mut cache).unwrap();
            prop_assert_eq!(
                cached.iter().map(|l| &l.line).collect::<Vec<_>>(),
                lines.iter().map(|l| &l.line).collect::<Vec<_>>()
            );
            for (i, child) in children.iter().enumerate() {
                let mine: Vec<_> = lines.iter().filter(|l| l.pupil_ref == format!("P{i}")).collect();
                let tuition = mine.iter().filter(|l| l.line.kind == ChargeKind::Tuition).count();
                prop_assert_eq!(tuition, child.enrolments.len());
                let mut ids: Vec<&str> = child.hired.iter().map(|h| h.id.as_str()).collect();
                ids.sort();
                ids.dedup();
                let hire = mine.iter().filter(|l| l.line.kind == ChargeKind::InstrumentHire).count();
                prop_assert_eq!(hire, if child.enrolments.is_empty() { 0 } else { ids.len() });
                for line in &mine {
                    prop_assert!(!line.line.amount.is_negative());
                    if child.pupil.looked_after {
                        prop_assert_eq!(line.line.amount, Pence::ZERO);
                    }
                    if line.line.kind == ChargeKind::Tuition && child.pupil.free_school_meals && !child.pupil.looked_after {
                        prop_assert_eq!(line.line.amount, Pence(3_750));
                    }
                }
            }
        }

        #[test]
        fn instalments_always_add_up(total in 0i64..10_000_000, count in 1u8..12, day in 1u8..29) {
            let schedule = instalment_schedule(Pence(total), count, date!(2026 - 09 - 15), day).unwrap();
            prop_assert_eq!(schedule.len(), count as usize);
            prop_assert_eq!(schedule.iter().map(|i| i.amount).sum::<Pence>(), Pence(total));
            prop_assert!(schedule.windows(2).all(|w| w[0].due < w[1].due));
        }

        #[test]
        fn wcet_always_adds_up(total in 0i64..100_000_000) {
            let parts = wcet_split(Pence(total));
            prop_assert_eq!(parts.iter().sum::<Pence>(), Pence(total));
        }
    }
}
