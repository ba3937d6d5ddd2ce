//! Billing: the policy file (export, import, checks naming the field) and the plan of a
//! billing run: which invoices, lines and instalments a term's charges give, from the facts.
//!
//! The amounts come from [`crate::charging`] (this module applies no pricing rule of its
//! own): it decides who pays which line, skips what is already billed, and numbers the
//! instalments. A run's plan is pure, so the store's run, the dry run and the screen's
//! preview are the same computation.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use time::Date;

use crate::calendar::{AcademicYear, SchoolCalendar, TermDates, TermId};
use crate::charging::{
    ChargeKind, ChargeLine, ChargeStep, ChargingPolicy, ChildTerm, EnrolmentFacts, EnsembleFees, EnsembleReduction,
    FamilySubject, HiredInstrument, Instalment, Payer, PupilFacts, StarterRule, TuitionCache, VatTreatment,
    cap_family_ensembles, instalment_schedule, price_ensemble_fee, price_family_indexed, starter_charge,
};
use crate::lessons::LessonType;
use crate::money::{Pence, Percent};

/// What a policy file says it is.
pub const POLICY_FILE_FORMAT: &str = "tutti-charging-policy";
/// The version of the policy file's layout; a newer file is refused, not misread.
pub const POLICY_FORMAT_VERSION: u32 = 1;

/// A problem with one field of a policy, named as the file names it ("prices[3].per_term").
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's path in the policy file.
    pub field: String,
    /// What is wrong, in plain words.
    pub message: String,
}

impl FieldError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A policy as a file: what it is, its layout version, the year it is for, and the policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyFile {
    /// Always [`POLICY_FILE_FORMAT`].
    pub format: String,
    /// [`POLICY_FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// The academic year the policy is for, "2026-27".
    pub academic_year: String,
    /// The policy.
    pub policy: ChargingPolicy,
}

/// The policy of `year` as the text of a file (pretty JSON).
pub fn export_policy(year: AcademicYear, policy: &ChargingPolicy) -> String {
    let file = PolicyFile {
        format: POLICY_FILE_FORMAT.to_string(),
        format_version: POLICY_FORMAT_VERSION,
        academic_year: year.to_string(),
        policy: policy.clone(),
    };
    serde_json::to_string_pretty(&file).expect("a policy always serialises")
}

/// Reads a policy file and checks it. The year must be the one given (an import for
/// 2026-27 of a file saying 2025-26 is refused), and every check of [`validate_policy`]
/// must pass. Errors name the field.
pub fn import_policy(text: &str, year: AcademicYear) -> Result<ChargingPolicy, Vec<FieldError>> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| vec![FieldError::new("file", format!("This is not a policy file: {e}"))])?;
    if value.get("format").and_then(|f| f.as_str()) != Some(POLICY_FILE_FORMAT) {
        return Err(vec![FieldError::new(
            "format",
            format!("The file must say \"format\": \"{POLICY_FILE_FORMAT}\""),
        )]);
    }
    match value.get("format_version").and_then(|v| v.as_u64()) {
        Some(v) if v == POLICY_FORMAT_VERSION as u64 => {}
        Some(v) => {
            return Err(vec![FieldError::new(
                "format_version",
                format!("This Tutti reads policy files of version {POLICY_FORMAT_VERSION}, not {v}"),
            )]);
        }
        None => {
            return Err(vec![FieldError::new(
                "format_version",
                "The file has no format_version",
            )]);
        }
    }
    let file_year = value.get("academic_year").and_then(|y| y.as_str()).unwrap_or("");
    match AcademicYear::parse(file_year) {
        Ok(y) if y == year => {}
        Ok(y) => {
            return Err(vec![FieldError::new(
                "academic_year",
                format!("The file is the policy for {y}, not {year}"),
            )]);
        }
        Err(_) => {
            return Err(vec![FieldError::new(
                "academic_year",
                "Enter the academic year like 2026-27",
            )]);
        }
    }
    let policy_value = value.get("policy").cloned().unwrap_or(serde_json::Value::Null);
    let policy = parse_policy_value(policy_value)?;
    let errors = validate_policy(&policy);
    if errors.is_empty() { Ok(policy) } else { Err(errors) }
}

/// Reads the policy object itself (the part under "policy" in a file, or an API body),
/// naming the field a type error is in.
pub fn parse_policy_value(value: serde_json::Value) -> Result<ChargingPolicy, Vec<FieldError>> {
    let Some(object) = value.as_object() else {
        return Err(vec![FieldError::new("policy", "The file has no policy object")]);
    };
    // Field by field first, so a wrong value names its field rather than a line and column.
    let template = serde_json::to_value(ChargingPolicy::durham()).expect("serialises");
    let mut errors = Vec::new();
    for key in template.as_object().expect("an object").keys() {
        match object.get(key) {
            // Added after the first files were written: a file without it has the default.
            None if OPTIONAL_POLICY_FIELDS.contains(&key.as_str()) => {}
            None => errors.push(FieldError::new(format!("policy.{key}"), "This field is missing")),
            Some(v) => {
                let mut probe = template.clone();
                probe[key] = v.clone();
                if let Err(e) = serde_json::from_value::<ChargingPolicy>(probe) {
                    errors.push(FieldError::new(format!("policy.{key}"), plain_serde_error(&e)));
                }
            }
        }
    }
    for key in object.keys() {
        if template.get(key).is_none() {
            errors.push(FieldError::new(format!("policy.{key}"), "This is not a policy field"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    serde_json::from_value(value).map_err(|e| vec![FieldError::new("policy", plain_serde_error(&e))])
}

/// Policy fields a file may leave out, each read as its default (`#[serde(default)]`).
const OPTIONAL_POLICY_FIELDS: [&str; 1] = ["ensembles"];

fn plain_serde_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    // serde_json appends " at line 1 column 2", which means nothing for a value read alone.
    match text.find(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The most a policy's standard fee, any lesson price, fixed fee or hire charge may be:
/// £100,000.00, far above any real fee and far enough below `i64::MAX` pence that pricing
/// (a price plus an uplift of up to all of the standard fee) and invoice totals cannot
/// overflow.
pub const MAX_POLICY_AMOUNT: Pence = Pence(10_000_000);

/// Why billing said no.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BillingRefusal {
    /// The policy fails its checks: each field at fault with its message, "; " between them.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Policy(Vec<FieldError>),
}

/// A policy is saved only when it passes every check of [`validate_policy`].
pub fn check_policy(policy: &ChargingPolicy) -> Result<(), BillingRefusal> {
    let errors = validate_policy(policy);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(BillingRefusal::Policy(errors))
    }
}

/// Every check a policy must pass before it is saved, each naming its field.
pub fn validate_policy(policy: &ChargingPolicy) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let hundred = Percent::whole(100);
    if policy.name.trim().is_empty() {
        errors.push(FieldError::new("name", "Enter a name for the policy"));
    }
    if policy.standard_fee <= Pence::ZERO {
        errors.push(FieldError::new(
            "standard_fee",
            "The standard fee must be more than £0.00",
        ));
    } else if policy.standard_fee > MAX_POLICY_AMOUNT {
        errors.push(FieldError::new(
            "standard_fee",
            format!("The standard fee must be at most {MAX_POLICY_AMOUNT}"),
        ));
    }
    if policy.prices.is_empty() {
        errors.push(FieldError::new("prices", "Enter at least one lesson price"));
    }
    let mut seen = HashSet::new();
    for (i, price) in policy.prices.iter().enumerate() {
        if price.lesson_type == LessonType::WholeClass {
            errors.push(FieldError::new(
                format!("prices[{i}].lesson_type"),
                "Whole-class teaching is free to parents, so it has no price",
            ));
        }
        if ![15, 20, 30, 45, 60].contains(&price.minutes) {
            errors.push(FieldError::new(
                format!("prices[{i}].minutes"),
                "Lessons are 15, 20, 30, 45 or 60 minutes",
            ));
        }
        if price.per_term < Pence::ZERO {
            errors.push(FieldError::new(
                format!("prices[{i}].per_term"),
                "A price cannot be negative",
            ));
        } else if price.per_term > MAX_POLICY_AMOUNT {
            errors.push(FieldError::new(
                format!("prices[{i}].per_term"),
                format!("A price is at most {MAX_POLICY_AMOUNT}"),
            ));
        }
        if !seen.insert((price.lesson_type, price.minutes)) {
            errors.push(FieldError::new(
                format!("prices[{i}]"),
                format!(
                    "There is already a price for a {}-minute {} lesson",
                    price.minutes, price.lesson_type
                ),
            ));
        }
    }
    for (i, uplift) in policy.uplift_options.iter().enumerate() {
        if *uplift > hundred {
            errors.push(FieldError::new(
                format!("uplift_options[{i}]"),
                "A school uplift is at most 100% of the standard fee",
            ));
        }
    }
    for (i, step) in policy.steps.iter().enumerate() {
        match step {
            ChargeStep::FixedFee { fee, .. } if *fee < Pence::ZERO => {
                errors.push(FieldError::new(format!("steps[{i}].fee"), "A fee cannot be negative"));
            }
            ChargeStep::FixedFee { fee, .. } if *fee > MAX_POLICY_AMOUNT => {
                errors.push(FieldError::new(
                    format!("steps[{i}].fee"),
                    format!("A fee is at most {MAX_POLICY_AMOUNT}"),
                ));
            }
            ChargeStep::PercentRemission { percent, .. }
            | ChargeStep::SiblingDiscount { percent }
            | ChargeStep::SecondInstrumentDiscount { percent }
                if *percent > hundred =>
            {
                errors.push(FieldError::new(
                    format!("steps[{i}].percent"),
                    "A remission or discount is at most 100%",
                ));
            }
            _ => {}
        }
    }
    if policy.hire.per_term < Pence::ZERO {
        errors.push(FieldError::new("hire.per_term", "A hire charge cannot be negative"));
    } else if policy.hire.per_term > MAX_POLICY_AMOUNT {
        errors.push(FieldError::new(
            "hire.per_term",
            format!("A hire charge is at most {MAX_POLICY_AMOUNT}"),
        ));
    }
    for (i, (name, price)) in policy.hire.by_instrument.iter().enumerate() {
        if name.trim().is_empty() {
            errors.push(FieldError::new(
                format!("hire.by_instrument[{i}]"),
                "Name the instrument",
            ));
        }
        if *price < Pence::ZERO {
            errors.push(FieldError::new(
                format!("hire.by_instrument[{i}]"),
                "A hire charge cannot be negative",
            ));
        } else if *price > MAX_POLICY_AMOUNT {
            errors.push(FieldError::new(
                format!("hire.by_instrument[{i}]"),
                format!("A hire charge is at most {MAX_POLICY_AMOUNT}"),
            ));
        }
    }
    if let StarterRule::LessonsRemaining { min_lessons } = policy.starter_rule
        && min_lessons > 20
    {
        errors.push(FieldError::new(
            "starter_rule.min_lessons",
            "A term has fewer lessons than that; use 20 or fewer",
        ));
    }
    if policy.instalments.count == 0 || policy.instalments.count > 12 {
        errors.push(FieldError::new("instalments.count", "Instalments are from 1 to 12"));
    }
    if !(1..=28).contains(&policy.instalments.due_day) {
        errors.push(FieldError::new(
            "instalments.due_day",
            "The due day is from 1 to 28, so every month has it",
        ));
    }
    errors.extend(validate_ensemble_fees(&policy.ensembles));
    for (field, vat) in [("tuition_vat", policy.tuition_vat), ("hire_vat", policy.hire_vat)] {
        if let VatTreatment::Standard { rate } = vat
            && rate > hundred
        {
            errors.push(FieldError::new(format!("{field}.rate"), "A VAT rate is at most 100%"));
        }
    }
    errors
}

/// The checks of the policy's ensemble rules, each naming its field.
fn validate_ensemble_fees(rules: &EnsembleFees) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match rules.free_school_meals {
        Some(EnsembleReduction::FixedFee { fee }) if fee < Pence::ZERO => errors.push(FieldError::new(
            "ensembles.free_school_meals.fee",
            "A fee cannot be negative",
        )),
        Some(EnsembleReduction::FixedFee { fee }) if fee > MAX_POLICY_AMOUNT => errors.push(FieldError::new(
            "ensembles.free_school_meals.fee",
            format!("A fee is at most {MAX_POLICY_AMOUNT}"),
        )),
        Some(EnsembleReduction::PercentOff { percent }) if percent > Percent::whole(100) => errors.push(
            FieldError::new("ensembles.free_school_meals.percent", "A remission is at most 100%"),
        ),
        _ => {}
    }
    match rules.family_cap {
        Some(cap) if cap <= Pence::ZERO => errors.push(FieldError::new(
            "ensembles.family_cap",
            "A family cap must be more than £0.00; leave it out (null) for no cap",
        )),
        Some(cap) if cap > MAX_POLICY_AMOUNT => errors.push(FieldError::new(
            "ensembles.family_cap",
            format!("A family cap is at most {MAX_POLICY_AMOUNT}"),
        )),
        _ => {}
    }
    errors
}

/// Who an invoice is to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum PayerKey {
    /// A guardian (its id).
    Parent(i64),
    /// A school (its id).
    School(i64),
}

impl PayerKey {
    /// "parent" or "school", as stored.
    pub fn kind(self) -> &'static str {
        match self {
            PayerKey::Parent(_) => "parent",
            PayerKey::School(_) => "school",
        }
    }

    /// The guardian's or school's id.
    pub fn id(self) -> i64 {
        match self {
            PayerKey::Parent(id) | PayerKey::School(id) => id,
        }
    }
}

/// Whether an invoice is a payer's first for the term or a later one for new charges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceKind {
    /// The first invoice for the payer and term.
    Original,
    /// Charges found by a later run (enrolments added since).
    Supplementary,
}

impl InvoiceKind {
    /// "original" or "supplementary", as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceKind::Original => "original",
            InvoiceKind::Supplementary => "supplementary",
        }
    }
}

/// The stored name of a charge kind: "tuition", "instrument_hire", "wcet".
pub fn charge_kind_str(kind: ChargeKind) -> &'static str {
    match kind {
        ChargeKind::Tuition => "tuition",
        ChargeKind::InstrumentHire => "instrument_hire",
        ChargeKind::Wcet => "wcet",
        ChargeKind::Ensemble => "ensemble",
    }
}

/// A charge kind from its stored name (the inverse of `charge_kind_str`).
pub fn charge_kind_from_str(text: &str) -> Option<ChargeKind> {
    [
        ChargeKind::Tuition,
        ChargeKind::InstrumentHire,
        ChargeKind::Wcet,
        ChargeKind::Ensemble,
    ]
    .into_iter()
    .find(|k| charge_kind_str(*k) == text)
}

/// A pupil as a billing run needs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillablePupil {
    /// Database id.
    pub id: i64,
    /// Reference shown on the line.
    pub pupil_ref: String,
    /// Remission facts.
    pub facts: PupilFacts,
    /// The school's chosen uplift.
    pub school_uplift: Percent,
    /// Their school (id, name): payer of school-paid tuition.
    pub school: (i64, String),
    /// The guardian who pays (id, name), if the pupil has one.
    pub guardian: Option<(i64, String)>,
    /// Their school's dates for the term (the local authority's unless the school has its own).
    pub term_dates: TermDates,
}

/// An enrolment as a billing run needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillableEnrolment {
    /// Database id.
    pub id: i64,
    /// The pupil.
    pub pupil_id: i64,
    /// Instrument, lesson type and length; who pays.
    pub instrument: String,
    /// Lesson type.
    pub lesson_type: LessonType,
    /// Lesson length.
    pub minutes: u16,
    /// Who pays.
    pub payer: Payer,
    /// The first lesson's date.
    pub start_date: Date,
    /// The last lesson's date, when notice has been given.
    pub end_date: Option<Date>,
}

/// An instrument on loan to a pupil during the term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillableLoan {
    /// The instrument's database id.
    pub instrument_id: i64,
    /// Its serial, shown on the line.
    pub serial: String,
    /// What it is: "violin".
    pub instrument_type: String,
    /// The pupil.
    pub pupil_id: i64,
}

/// A pupil's membership of an ensemble with a termly fee (decision 0085).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillableMembership {
    /// The ensemble's database id: the line's subject, so a pupil pays once an ensemble a term.
    pub ensemble_id: i64,
    /// Its name, for the line.
    pub ensemble: String,
    /// The member.
    pub pupil_id: i64,
    /// The ensemble's fee for a term.
    pub fee: Pence,
    /// The day they joined.
    pub joined_on: Date,
    /// The first day they are no longer a member, once they have left or given notice.
    pub left_on: Option<Date>,
}

/// A school's services agreement billed by invoice: one line a term, the term's share of the
/// annual cost (`tutti_domain::agreements::invoice_line`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillableAgreement {
    /// The agreement's database id.
    pub id: i64,
    /// The school that pays (id, name).
    pub school: (i64, String),
    /// The programme, "Whole-class ukulele".
    pub programme: String,
    /// The year's cost.
    pub annual_cost: Pence,
}

/// Everything a run for one term starts from.
#[derive(Clone, Debug)]
pub struct RunInput {
    /// The term being billed.
    pub term: TermId,
    /// The policy of the term's academic year.
    pub policy: ChargingPolicy,
    /// The date the invoices are issued on.
    pub issued_on: Date,
    /// Pupils with anything to bill.
    pub pupils: Vec<BillablePupil>,
    /// Their enrolments (not yet filtered for the term).
    pub enrolments: Vec<BillableEnrolment>,
    /// Instruments on loan during the term.
    pub loans: Vec<BillableLoan>,
    /// Services agreements of the term's year with schools billed by invoice.
    pub agreements: Vec<BillableAgreement>,
    /// Memberships of ensembles with a fee (not yet filtered for the term).
    pub memberships: Vec<BillableMembership>,
    /// What each pupil has been charged for ensembles in the term already (invoiced, or paid
    /// through the basket for a Virtual Music Centre strand), for the family cap; read only
    /// when the policy has a cap.
    pub ensemble_charged: HashMap<i64, Pence>,
    /// Lines already billed for the term: (pupil id, charge kind, subject id); a programme
    /// line is (0, [`ChargeKind::Wcet`], agreement id); an ensemble's fee is (pupil id,
    /// [`ChargeKind::Ensemble`], ensemble id), whether invoiced or paid through the basket.
    pub already_billed: HashSet<(i64, ChargeKind, i64)>,
    /// Payers who already have an invoice for the term.
    pub invoiced_payers: HashSet<PayerKey>,
}

/// One line of a planned invoice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlannedLine {
    /// The pupil's database id; 0 on a school's programme line (kind [`ChargeKind::Wcet`]),
    /// which is for no one pupil.
    #[serde(skip)]
    pub pupil_id: i64,
    /// The pupil's reference (empty on a programme line).
    pub pupil_ref: String,
    /// Tuition, hire or a school's programme.
    #[serde(serialize_with = "serialize_kind")]
    pub kind: ChargeKind,
    /// The enrolment's, instrument's or services agreement's database id.
    #[serde(skip)]
    pub subject_id: i64,
    /// What is charged.
    pub description: String,
    /// How the amount was worked out.
    pub rule: String,
    /// The amount.
    pub amount_pence: Pence,
}

fn serialize_kind<S: serde::Serializer>(kind: &ChargeKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(charge_kind_str(*kind))
}

/// One invoice a run will issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlannedInvoice {
    /// Who pays.
    pub payer: PayerKey,
    /// Their name as it goes on the invoice.
    pub payer_name: String,
    /// Original or supplementary.
    pub kind: InvoiceKind,
    /// The lines, by pupil.
    pub lines: Vec<PlannedLine>,
    /// The sum of the lines.
    pub total_pence: Pence,
    /// The instalment plan (parents' invoices above £0, when the policy offers instalments).
    pub instalments: Vec<Instalment>,
}

/// A charge a run could not make, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The pupil.
    pub pupil_ref: String,
    /// Why.
    pub reason: String,
}

/// What a run will do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RunPlan {
    /// The invoices, parents then schools, each by id.
    pub invoices: Vec<PlannedInvoice>,
    /// Charges left out, with the reason.
    pub skipped: Vec<Skipped>,
}

impl RunPlan {
    /// How many lines the invoices hold.
    pub fn line_count(&self) -> usize {
        self.invoices.iter().map(|i| i.lines.len()).sum()
    }

    /// The sum of every invoice.
    pub fn total(&self) -> Pence {
        self.invoices.iter().map(|i| i.total_pence).sum()
    }
}

/// Whether an enrolment is charged for the term: it runs into the term, and if it starts
/// part-way through, the policy's starter rule charges it. `Err` gives the reason it is not.
fn charged_this_term(
    policy: &ChargingPolicy,
    term: TermId,
    dates: &TermDates,
    e: &BillableEnrolment,
    starters: &mut HashMap<(TermDates, Date), Result<(), String>>,
) -> Result<(), String> {
    if e.start_date > dates.dates.last {
        return Err("starts after the term".into());
    }
    if let Some(end) = e.end_date
        && end < dates.dates.first
    {
        return Err("ended before the term".into());
    }
    if e.start_date > dates.dates.first {
        // Thousands of pupils start on the same few dates: decide each date once per calendar.
        return starters
            .entry((*dates, e.start_date))
            .or_insert_with(|| {
                let calendar = SchoolCalendar::new(vec![*dates]);
                match starter_charge(policy, &calendar, term, e.start_date) {
                    Ok(decision) if decision.charged => Ok(()),
                    Ok(decision) => Err(decision.rule),
                    Err(err) => Err(err.to_string()),
                }
            })
            .clone();
    }
    Ok(())
}

/// Whether a membership is charged for the term: a member during it (joined by its last day,
/// not left by its first), and, for one who joined part-way through, as the starter rule says
/// for lessons. `Err` gives the reason it is not.
fn member_this_term(
    policy: &ChargingPolicy,
    term: TermId,
    dates: &TermDates,
    m: &BillableMembership,
    starters: &mut HashMap<(TermDates, Date), Result<(), String>>,
) -> Result<(), String> {
    if m.left_on.is_some_and(|left| left <= dates.dates.first) {
        return Err("left before the term".into());
    }
    let as_enrolment = BillableEnrolment {
        id: m.ensemble_id,
        pupil_id: m.pupil_id,
        instrument: String::new(),
        lesson_type: LessonType::Group,
        minutes: 0,
        payer: Payer::Parent,
        start_date: m.joined_on,
        end_date: None,
    };
    charged_this_term(policy, term, dates, &as_enrolment, starters)
}

/// The first instalment's due date: the policy's due day in the term's invoice month, or the
/// first such day on or after the issue date when that has passed.
fn first_due(input: &RunInput, term_start: Date) -> Date {
    let due_day = input.policy.instalments.due_day.clamp(1, 28);
    let month_start = input.policy.invoice_months.invoice_month_start(input.term, term_start);
    let mut due = month_start.replace_day(due_day).expect("day 1 to 28 exists");
    while due < input.issued_on {
        let next = due.month().next();
        let year = if next == time::Month::January {
            due.year() + 1
        } else {
            due.year()
        };
        due = Date::from_calendar_date(year, next, due_day).expect("day 1 to 28 exists");
    }
    due
}

/// From this many families up, a run's pricing is split over two threads.
const PARALLEL_FAMILIES: usize = 2_000;

/// A run's facts indexed by pupil, shared by the pricing threads.
struct RunFacts<'a> {
    input: &'a RunInput,
    pupils: &'a HashMap<i64, &'a BillablePupil>,
    enrolments: &'a BTreeMap<i64, Vec<&'a BillableEnrolment>>,
    loans: &'a HashMap<i64, Vec<&'a BillableLoan>>,
    memberships: &'a HashMap<i64, Vec<&'a BillableMembership>>,
}

impl<'a> RunFacts<'a> {
    fn billed(&self, key: &(i64, ChargeKind, i64)) -> bool {
        self.input.already_billed.contains(key)
    }

    /// Prices one family (the children of one guardian) and adds its new lines, with the
    /// payer and the payer's name, to `lines`; what cannot be charged goes to `skipped`.
    fn price_family(
        &self,
        children_ids: &[i64],
        cache: &mut TuitionCache,
        lines: &mut Vec<(PayerKey, &'a str, PlannedLine)>,
        skipped: &mut Vec<Skipped>,
    ) {
        let (input, pupils, enrolments, loans) = (self.input, self.pupils, self.enrolments, self.loans);
        let term = input.term;
        let no_enrolments = Vec::new();
        let enrolments_of = |id: &i64| enrolments.get(id).unwrap_or(&no_enrolments);
        // Nothing new: a family whose every charge is billed already is not priced again
        // (its lines would all be left out below).
        let has_new = input.already_billed.is_empty()
            || children_ids.iter().any(|id| {
                enrolments_of(id)
                    .iter()
                    .any(|e| !self.billed(&(*id, ChargeKind::Tuition, e.id)))
                    || self
                        .memberships
                        .get(id)
                        .into_iter()
                        .flatten()
                        .any(|m| !self.billed(&(*id, ChargeKind::Ensemble, m.ensemble_id)))
                    || loans
                        .get(id)
                        .into_iter()
                        .flatten()
                        .any(|l| !self.billed(&(*id, ChargeKind::InstrumentHire, l.instrument_id)))
            });
        if !has_new {
            return;
        }
        let mut children = Vec::with_capacity(children_ids.len());
        let mut child_loans: Vec<Vec<&BillableLoan>> = Vec::with_capacity(children_ids.len());
        for id in children_ids {
            let pupil = pupils[id];
            let facts = enrolments_of(id)
                .iter()
                .map(|e| EnrolmentFacts {
                    // Lines come back by position (price_family_indexed), so no id is copied.
                    id: String::new(),
                    instrument: e.instrument.clone(),
                    lesson_type: e.lesson_type,
                    minutes: e.minutes,
                    term,
                    payer: e.payer,
                })
                .collect();
            let lent: Vec<&BillableLoan> = loans.get(id).into_iter().flatten().copied().collect();
            let hired = lent
                .iter()
                .map(|l| HiredInstrument {
                    id: l.serial.clone(),
                    instrument: l.instrument_type.clone(),
                })
                .collect();
            child_loans.push(lent);
            children.push(ChildTerm {
                pupil_ref: pupil.pupil_ref.clone(),
                pupil: pupil.facts,
                school_uplift: pupil.school_uplift,
                enrolments: facts,
                hired,
            });
        }
        let priced_lines = match price_family_indexed(&input.policy, &children, cache) {
            Ok(lines) => lines,
            Err(e) => {
                for child in &children {
                    skipped.push(Skipped {
                        pupil_ref: child.pupil_ref.clone(),
                        reason: e.to_string(),
                    });
                }
                return;
            }
        };
        for priced in priced_lines {
            let pupil: &'a BillablePupil = pupils[&children_ids[priced.child]];
            let (subject_id, payer) = match priced.subject {
                FamilySubject::Hire(h) => (child_loans[priced.child][h].instrument_id, Payer::Parent),
                FamilySubject::Enrolment(i) => {
                    let e = enrolments_of(&pupil.id)[i];
                    (e.id, e.payer)
                }
            };
            if self.billed(&(pupil.id, priced.line.kind, subject_id)) {
                continue;
            }
            let (key, name) = match (payer, &pupil.guardian) {
                (Payer::School, _) => (PayerKey::School(pupil.school.0), pupil.school.1.as_str()),
                (Payer::Parent, Some((gid, name))) => (PayerKey::Parent(*gid), name.as_str()),
                (Payer::Parent, None) => {
                    skipped.push(Skipped {
                        pupil_ref: pupil.pupil_ref.clone(),
                        reason: format!(
                            "{}: the pupil has no parent or carer to invoice",
                            priced.line.description
                        ),
                    });
                    continue;
                }
            };
            lines.push((
                key,
                name,
                PlannedLine {
                    pupil_id: pupil.id,
                    pupil_ref: pupil.pupil_ref.clone(),
                    kind: priced.line.kind,
                    subject_id,
                    description: priced.line.description,
                    rule: priced.line.rule,
                    amount_pence: priced.line.amount,
                },
            ));
        }
        self.price_ensembles(children_ids, lines, skipped);
    }

    /// A family's ensemble fees not yet charged for the term, one line a child an ensemble,
    /// held together to the policy's family cap (counting what the family was charged for
    /// ensembles earlier in the term), to the child's guardian.
    fn price_ensembles(
        &self,
        children_ids: &[i64],
        lines: &mut Vec<(PayerKey, &'a str, PlannedLine)>,
        skipped: &mut Vec<Skipped>,
    ) {
        let (input, pupils) = (self.input, self.pupils);
        let mut new: Vec<(&'a BillablePupil, i64)> = Vec::new();
        let mut charges: Vec<ChargeLine> = Vec::new();
        let mut already = Pence::ZERO;
        // Children in reference order, each one's ensembles by name: the cap lowers the last.
        let mut children: Vec<&'a BillablePupil> = children_ids.iter().map(|id| pupils[id]).collect();
        children.sort_by(|a, b| a.pupil_ref.cmp(&b.pupil_ref));
        for pupil in children {
            already += input.ensemble_charged.get(&pupil.id).copied().unwrap_or(Pence::ZERO);
            let mut theirs: Vec<&BillableMembership> = self.memberships.get(&pupil.id).cloned().unwrap_or_default();
            theirs.sort_by(|a, b| a.ensemble.cmp(&b.ensemble).then(a.ensemble_id.cmp(&b.ensemble_id)));
            for m in theirs {
                if self.billed(&(pupil.id, ChargeKind::Ensemble, m.ensemble_id)) {
                    continue;
                }
                let Some(line) = price_ensemble_fee(&input.policy, &pupil.facts, &m.ensemble, m.fee, input.term) else {
                    continue;
                };
                if pupil.guardian.is_none() {
                    skipped.push(Skipped {
                        pupil_ref: pupil.pupil_ref.clone(),
                        reason: format!("{}: the pupil has no parent or carer to invoice", line.description),
                    });
                    continue;
                }
                new.push((pupil, m.ensemble_id));
                charges.push(line);
            }
        }
        cap_family_ensembles(&input.policy, already, &mut charges);
        for ((pupil, ensemble_id), line) in new.into_iter().zip(charges) {
            let Some((gid, name)) = &pupil.guardian else { continue };
            lines.push((
                PayerKey::Parent(*gid),
                name.as_str(),
                PlannedLine {
                    pupil_id: pupil.id,
                    pupil_ref: pupil.pupil_ref.clone(),
                    kind: ChargeKind::Ensemble,
                    subject_id: ensemble_id,
                    description: line.description,
                    rule: line.rule,
                    amount_pence: line.amount,
                },
            ));
        }
    }
}

/// Plans a billing run: prices each family with [`price_family_term`], sends each line to
/// its payer (school-paid tuition to the school, everything else to the pupil's guardian),
/// leaves out lines already billed, and gives each parent's invoice its instalment plan.
///
/// Lines already billed are priced again with the family (so sibling and second-instrument
/// positions stay the same) but never issued again: a second run over the same facts
/// plans nothing. A family with nothing new is not priced at all. Schools' services
/// agreements billed by invoice each add a line to the school's invoice, once a term.
pub fn plan_run(input: &RunInput) -> RunPlan {
    plan_run_with(input, PARALLEL_FAMILIES)
}

/// [`plan_run`], with the pricing split over two threads from `parallel_families` families.
fn plan_run_with(input: &RunInput, parallel_families: usize) -> RunPlan {
    let term = input.term;
    let mut plan = RunPlan::default();
    let pupils: HashMap<i64, &BillablePupil> = input.pupils.iter().map(|p| (p.id, p)).collect();

    // Charged enrolments and loans, by pupil.
    let mut enrolments: BTreeMap<i64, Vec<&BillableEnrolment>> = BTreeMap::new();
    let mut starters = HashMap::new();
    for e in &input.enrolments {
        let Some(pupil) = pupils.get(&e.pupil_id) else { continue };
        if e.lesson_type == LessonType::WholeClass {
            continue; // free to parents by law; WCET is sold to schools by agreement
        }
        match charged_this_term(&input.policy, term, &pupil.term_dates, e, &mut starters) {
            Ok(()) => enrolments.entry(e.pupil_id).or_default().push(e),
            Err(reason) if e.start_date <= pupil.term_dates.dates.last => plan.skipped.push(Skipped {
                pupil_ref: pupil.pupil_ref.clone(),
                reason: format!("{} ({}): {reason}", e.instrument, e.id),
            }),
            Err(_) => {}
        }
    }
    let mut loans: HashMap<i64, Vec<&BillableLoan>> = HashMap::new();
    for l in &input.loans {
        loans.entry(l.pupil_id).or_default().push(l);
    }
    // Ensemble memberships charged this term, by pupil (decision 0085).
    let mut memberships: HashMap<i64, Vec<&BillableMembership>> = HashMap::new();
    for m in &input.memberships {
        let Some(pupil) = pupils.get(&m.pupil_id) else { continue };
        if m.fee <= Pence::ZERO {
            continue;
        }
        match member_this_term(&input.policy, term, &pupil.term_dates, m, &mut starters) {
            Ok(()) => memberships.entry(m.pupil_id).or_default().push(m),
            Err(reason)
                if m.joined_on <= pupil.term_dates.dates.last
                    && m.left_on.is_none_or(|l| l > pupil.term_dates.dates.first) =>
            {
                plan.skipped.push(Skipped {
                    pupil_ref: pupil.pupil_ref.clone(),
                    reason: format!("{} (ensemble): {reason}", m.ensemble),
                })
            }
            Err(_) => {}
        }
    }

    // Families: the children of one guardian; a pupil with no guardian is a family alone.
    let mut families: BTreeMap<(i64, i64), Vec<i64>> = BTreeMap::new();
    let mut charged: Vec<i64> = enrolments.keys().chain(memberships.keys()).copied().collect();
    charged.sort_unstable();
    charged.dedup();
    for pupil_id in charged {
        let pupil = pupils[&pupil_id];
        let key = match &pupil.guardian {
            Some((gid, _)) => (0, *gid),
            None => (1, pupil_id),
        };
        families.entry(key).or_default().push(pupil_id);
    }

    let mut invoices: BTreeMap<PayerKey, PlannedInvoice> = BTreeMap::new();
    let mut add_line = |key: PayerKey, name: &str, line: PlannedLine| {
        let invoice = invoices.entry(key).or_insert_with(|| PlannedInvoice {
            payer: key,
            payer_name: name.to_string(),
            kind: if input.invoiced_payers.contains(&key) {
                InvoiceKind::Supplementary
            } else {
                InvoiceKind::Original
            },
            lines: Vec::new(),
            total_pence: Pence::ZERO,
            instalments: Vec::new(),
        });
        invoice.total_pence += line.amount_pence;
        invoice.lines.push(line);
    };
    // Families are priced in two halves on two threads (about half of a million-pupil run's
    // pricing time); each half's lines and skips are then taken in family order, so the plan
    // is the same line for line as one thread would make it.
    let families: Vec<&Vec<i64>> = families.values().collect();
    let facts = RunFacts {
        input,
        pupils: &pupils,
        enrolments: &enrolments,
        loans: &loans,
        memberships: &memberships,
    };
    let price_families = |families: &[&Vec<i64>]| {
        let mut cache = TuitionCache::default();
        let mut priced_lines: Vec<(PayerKey, &str, PlannedLine)> = Vec::new();
        let mut skipped: Vec<Skipped> = Vec::new();
        for children_ids in families {
            facts.price_family(children_ids, &mut cache, &mut priced_lines, &mut skipped);
        }
        (priced_lines, skipped)
    };
    let middle = if families.len() >= parallel_families {
        families.len() / 2
    } else {
        families.len()
    };
    let (first, second) = std::thread::scope(|scope| {
        let second = (middle < families.len()).then(|| scope.spawn(|| price_families(&families[middle..])));
        let first = price_families(&families[..middle]);
        (first, second.map(|h| h.join().expect("pricing thread")))
    });
    for (lines, skipped) in std::iter::once(first).chain(second) {
        for (key, name, line) in lines {
            add_line(key, name, line);
        }
        plan.skipped.extend(skipped);
    }

    // Schools' services agreements billed by invoice: a line a programme on the school's
    // invoice for the term, once (a later agreement goes on a supplementary invoice).
    for a in &input.agreements {
        if facts.billed(&(0, ChargeKind::Wcet, a.id)) {
            continue;
        }
        let line = crate::agreements::invoice_line(&a.programme, a.annual_cost, term);
        add_line(
            PayerKey::School(a.school.0),
            &a.school.1,
            PlannedLine {
                pupil_id: 0,
                pupil_ref: String::new(),
                kind: line.kind,
                subject_id: a.id,
                description: line.description,
                rule: line.rule,
                amount_pence: line.amount,
            },
        );
    }

    let term_start = input.pupils.first().map(|p| p.term_dates.dates.first);
    let instalments = input.policy.instalments;
    let first_due = term_start.map(|start| first_due(input, start));
    for (_, mut invoice) in invoices {
        if let (PayerKey::Parent(_), true, Some(first_due)) = (invoice.payer, instalments.offered, first_due)
            && invoice.total_pence > Pence::ZERO
        {
            invoice.instalments =
                instalment_schedule(invoice.total_pence, instalments.count, first_due, instalments.due_day)
                    .unwrap_or_default();
        }
        plan.invoices.push(invoice);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{TermName, default_term_dates};
    use proptest::prelude::*;

    fn term() -> TermId {
        TermId::new(AcademicYear::starting(2026), TermName::Autumn)
    }

    fn dates() -> TermDates {
        default_term_dates(AcademicYear::starting(2026))[0]
    }

    fn pupil(id: i64, guardian: Option<i64>, facts: PupilFacts, uplift: u32) -> BillablePupil {
        BillablePupil {
            id,
            pupil_ref: format!("P{id:03}"),
            facts,
            school_uplift: Percent::whole(uplift),
            school: (1, "Durham Primary".into()),
            guardian: guardian.map(|g| (g, format!("Guardian {g}"))),
            term_dates: dates(),
        }
    }

    fn enrolment(id: i64, pupil_id: i64, payer: Payer, start: Date) -> BillableEnrolment {
        BillableEnrolment {
            id,
            pupil_id,
            instrument: "violin".into(),
            lesson_type: LessonType::Group,
            minutes: 30,
            payer,
            start_date: start,
            end_date: None,
        }
    }

    fn input(pupils: Vec<BillablePupil>, enrolments: Vec<BillableEnrolment>) -> RunInput {
        RunInput {
            term: term(),
            policy: ChargingPolicy::durham(),
            issued_on: Date::from_calendar_date(2026, time::Month::September, 1).unwrap(),
            pupils,
            enrolments,
            loans: Vec::new(),
            agreements: Vec::new(),
            memberships: Vec::new(),
            ensemble_charged: HashMap::new(),
            already_billed: HashSet::new(),
            invoiced_payers: HashSet::new(),
        }
    }

    /// Marks every line of `plan` as billed, as committing it would.
    fn commit(input: &mut RunInput, plan: &RunPlan) {
        for invoice in &plan.invoices {
            input.invoiced_payers.insert(invoice.payer);
            for line in &invoice.lines {
                input.already_billed.insert((line.pupil_id, line.kind, line.subject_id));
                if line.kind == ChargeKind::Ensemble {
                    *input.ensemble_charged.entry(line.pupil_id).or_default() += line.amount_pence;
                }
            }
        }
    }

    #[test]
    fn one_invoice_per_payer_with_durham_figures_and_instalments() {
        let start = dates().dates.first;
        let fsm = PupilFacts {
            free_school_meals: true,
            ..PupilFacts::default()
        };
        let mut run = input(
            vec![
                pupil(1, Some(10), PupilFacts::default(), 50),
                pupil(2, Some(10), fsm, 50),
                pupil(3, None, PupilFacts::default(), 0),
            ],
            vec![
                enrolment(1, 1, Payer::Parent, start),
                enrolment(2, 2, Payer::Parent, start),
                enrolment(3, 3, Payer::School, start),
                enrolment(4, 3, Payer::Parent, start),
            ],
        );
        run.loans.push(BillableLoan {
            instrument_id: 7,
            serial: "VN-7".into(),
            instrument_type: "violin".into(),
            pupil_id: 1,
        });
        let plan = plan_run(&run);
        assert_eq!(plan.invoices.len(), 2, "{plan:#?}");
        let parent = &plan.invoices[0];
        assert_eq!(parent.payer, PayerKey::Parent(10));
        let amounts: Vec<i64> = parent.lines.iter().map(|l| l.amount_pence.0).collect();
        assert_eq!(amounts, vec![8_025, 1_500, 3_750]);
        assert_eq!(parent.total_pence, Pence(13_275));
        assert_eq!(parent.instalments.len(), 3);
        assert_eq!(
            parent.instalments.iter().map(|i| i.amount).sum::<Pence>(),
            Pence(13_275)
        );
        assert_eq!(
            parent.instalments[0].due,
            Date::from_calendar_date(2026, time::Month::September, 15).unwrap()
        );
        assert!(
            parent.lines[0].rule.contains("school uplift 50%"),
            "{}",
            parent.lines[0].rule
        );
        let school = &plan.invoices[1];
        assert_eq!(school.payer, PayerKey::School(1));
        assert_eq!(school.total_pence, Pence(5_350));
        assert!(school.instalments.is_empty());
        assert_eq!(plan.skipped.len(), 1, "P003's parent-paid lesson has nobody to invoice");
    }

    #[test]
    fn the_starter_rule_leaves_out_second_half_starters() {
        let d = dates();
        let run = input(
            vec![
                pupil(1, Some(1), PupilFacts::default(), 0),
                pupil(2, Some(2), PupilFacts::default(), 0),
            ],
            vec![
                enrolment(1, 1, Payer::Parent, d.half_term.first - time::Duration::days(7)),
                enrolment(2, 2, Payer::Parent, d.half_term.last + time::Duration::days(3)),
            ],
        );
        let plan = plan_run(&run);
        assert_eq!(plan.invoices.len(), 1);
        assert_eq!(plan.invoices[0].payer, PayerKey::Parent(1));
        assert!(plan.skipped[0].reason.contains("after half-term"), "{:?}", plan.skipped);
    }

    #[test]
    fn a_second_run_plans_nothing_and_a_later_enrolment_is_supplementary() {
        let start = dates().dates.first;
        let mut run = input(
            vec![pupil(1, Some(1), PupilFacts::default(), 0)],
            vec![enrolment(1, 1, Payer::Parent, start)],
        );
        let first = plan_run(&run);
        commit(&mut run, &first);
        assert!(plan_run(&run).invoices.is_empty());
        run.enrolments.push(BillableEnrolment {
            instrument: "flute".into(),
            ..enrolment(2, 1, Payer::Parent, start + time::Duration::days(14))
        });
        let later = plan_run(&run);
        assert_eq!(later.invoices.len(), 1);
        assert_eq!(later.invoices[0].kind, InvoiceKind::Supplementary);
        assert_eq!(later.invoices[0].lines.len(), 1);
        assert!(later.invoices[0].lines[0].description.starts_with("Flute"));
    }

    #[test]
    fn agreements_go_on_the_school_s_invoice_once() {
        let start = dates().dates.first;
        let agreement = |id: i64, programme: &str| BillableAgreement {
            id,
            school: (1, "Durham Primary".into()),
            programme: programme.into(),
            annual_cost: Pence(300_001),
        };
        let mut run = input(
            vec![pupil(1, None, PupilFacts::default(), 0)],
            vec![enrolment(1, 1, Payer::School, start)],
        );
        run.agreements.push(agreement(5, "Whole-class ukulele"));
        let first = plan_run(&run);
        assert_eq!(first.invoices.len(), 1, "one invoice for the school: {first:#?}");
        let school = &first.invoices[0];
        assert_eq!(school.payer, PayerKey::School(1));
        assert_eq!(school.lines.len(), 2);
        let programme = &school.lines[1];
        assert_eq!(
            (programme.kind, programme.subject_id, programme.pupil_id),
            (ChargeKind::Wcet, 5, 0)
        );
        assert_eq!(programme.amount_pence, Pence(102_001));
        assert!(
            programme.rule.starts_with("34% of the annual cost £3,000.01"),
            "{}",
            programme.rule
        );
        assert_eq!(school.total_pence, Pence(5_350 + 102_001));
        assert!(school.instalments.is_empty());

        commit(&mut run, &first);
        assert!(plan_run(&run).invoices.is_empty(), "a second run creates nothing");
        run.agreements.push(agreement(6, "Whole-class brass"));
        let later = plan_run(&run);
        assert_eq!(later.invoices.len(), 1);
        assert_eq!(later.invoices[0].kind, InvoiceKind::Supplementary);
        assert_eq!(later.invoices[0].lines.len(), 1);
        assert_eq!(later.invoices[0].lines[0].description, "Whole-class brass, Autumn 2026");
    }

    /// Found by fuzz/fuzz_targets/charging_policy_json.rs: a policy whose fees were near
    /// i64::MAX pence passed validation, then overflowed pricing a lesson with an uplift.
    #[test]
    fn amounts_too_large_to_price_are_refused() {
        let mut huge = ChargingPolicy::durham();
        huge.standard_fee = Pence(i64::MAX - 100);
        huge.prices[0].per_term = Pence(i64::MAX - 100);
        huge.steps.push(ChargeStep::FixedFee {
            who: crate::charging::Eligibility::Send,
            fee: Pence(i64::MAX),
        });
        huge.hire.per_term = Pence(i64::MAX);
        huge.hire.by_instrument.push(("cello".into(), Pence(i64::MAX)));
        let fields: Vec<String> = validate_policy(&huge).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                "standard_fee",
                "prices[0].per_term",
                "steps[2].fee",
                "hire.per_term",
                "hire.by_instrument[0]"
            ]
        );

        // The largest amounts allowed price with the largest uplift.
        let mut most = ChargingPolicy::durham();
        most.standard_fee = MAX_POLICY_AMOUNT;
        most.prices[0].per_term = MAX_POLICY_AMOUNT;
        assert_eq!(validate_policy(&most), vec![]);
        let enrolment = EnrolmentFacts {
            id: String::new(),
            instrument: "violin".into(),
            lesson_type: most.prices[0].lesson_type,
            minutes: most.prices[0].minutes,
            term: term(),
            payer: crate::charging::Payer::Parent,
        };
        let lines =
            crate::charging::price_pupil_term(&most, &PupilFacts::default(), &enrolment, Percent::whole(100), 0, 0)
                .unwrap();
        assert_eq!(lines[0].amount, Pence(2 * MAX_POLICY_AMOUNT.0));
    }

    #[test]
    fn policy_files_round_trip_and_errors_name_the_field() {
        let year = AcademicYear::starting(2026);
        let text = export_policy(year, &ChargingPolicy::durham());
        assert_eq!(import_policy(&text, year), Ok(ChargingPolicy::durham()));
        let errors = import_policy(&text, year.next()).unwrap_err();
        assert_eq!(errors[0].field, "academic_year");

        let mut bad = ChargingPolicy::durham();
        bad.standard_fee = Pence(0);
        bad.instalments.due_day = 31;
        bad.prices.push(bad.prices[0].clone());
        let fields: Vec<String> = validate_policy(&bad).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["standard_fee", "prices[15]", "instalments.due_day"]);

        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        value["policy"]["standard_fee"] = serde_json::json!("lots");
        value["policy"]["colour"] = serde_json::json!("blue");
        value["policy"].as_object_mut().unwrap().remove("name");
        let errors = import_policy(&value.to_string(), year).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["policy.name", "policy.standard_fee", "policy.colour"],
            "{errors:?}"
        );
        assert!(import_policy("{", year).unwrap_err()[0].field == "file");
    }

    fn membership(ensemble_id: i64, name: &str, pupil_id: i64, fee: i64) -> BillableMembership {
        BillableMembership {
            ensemble_id,
            ensemble: name.into(),
            pupil_id,
            fee: Pence(fee),
            joined_on: dates().dates.first - time::Duration::days(30),
            left_on: None,
        }
    }

    #[test]
    fn ensemble_fees_go_to_the_family_with_remissions_and_the_cap_once_a_term() {
        let start = dates().dates.first;
        let fsm = PupilFacts {
            free_school_meals: true,
            ..PupilFacts::default()
        };
        let looked_after = PupilFacts {
            looked_after: true,
            ..PupilFacts::default()
        };
        let mut run = input(
            vec![
                pupil(1, Some(10), PupilFacts::default(), 50),
                pupil(2, Some(10), fsm, 0),
                pupil(3, Some(20), looked_after, 0),
                pupil(4, Some(30), PupilFacts::default(), 0),
            ],
            vec![enrolment(1, 1, Payer::Parent, start)],
        );
        run.policy.ensembles.free_school_meals = Some(EnsembleReduction::FixedFee { fee: Pence(1_000) });
        run.policy.ensembles.family_cap = Some(Pence(9_000));
        run.memberships = vec![
            membership(7, "County Youth Orchestra", 1, 4_500),
            membership(8, "Junior Strings", 1, 3_000),
            membership(8, "Junior Strings", 2, 3_000),
            membership(9, "Community Choir", 2, 0),
            membership(7, "County Youth Orchestra", 3, 4_500),
            // Left at the end of the summer term, before this one: not charged.
            BillableMembership {
                left_on: Some(start - time::Duration::days(40)),
                ..membership(8, "Junior Strings", 4, 3_000)
            },
        ];
        let plan = plan_run(&run);
        let family = plan.invoices.iter().find(|i| i.payer == PayerKey::Parent(10)).unwrap();
        let lines: Vec<(ChargeKind, i64, i64)> = family
            .lines
            .iter()
            .map(|l| (l.kind, l.subject_id, l.amount_pence.0))
            .collect();
        // Lessons £80.25; P001's orchestra £45.00 and strings £30.00; P002 (free school meals)
        // £10.00 for strings, but the cap of £90.00 leaves £15.00 of ensembles: £10.00 is fine.
        // The choir is free: no line.
        assert_eq!(
            lines,
            vec![
                (ChargeKind::Tuition, 1, 8_025),
                (ChargeKind::Ensemble, 7, 4_500),
                (ChargeKind::Ensemble, 8, 3_000),
                (ChargeKind::Ensemble, 8, 1_000),
            ]
        );
        assert_eq!(family.total_pence, Pence(16_525));
        assert_eq!(family.lines[3].rule, "Free school meals ensemble fee £10.00");
        assert_eq!(
            family.lines[1].description,
            "County Youth Orchestra (ensemble), Autumn 2026"
        );
        let looked_after_family = plan.invoices.iter().find(|i| i.payer == PayerKey::Parent(20)).unwrap();
        assert_eq!(looked_after_family.total_pence, Pence::ZERO);
        assert!(
            plan.invoices.iter().all(|i| i.payer != PayerKey::Parent(30)),
            "left before the term"
        );

        // A second run creates nothing; a membership begun since goes on a supplementary
        // invoice, held to what the cap leaves (£90.00 − £85.00 = £5.00 of P002's £10.00).
        commit(&mut run, &plan);
        assert!(plan_run(&run).invoices.is_empty(), "a second run creates nothing");
        run.memberships.push(membership(11, "Brass Band", 2, 3_500));
        let later = plan_run(&run);
        assert_eq!(later.invoices.len(), 1);
        assert_eq!(later.invoices[0].kind, InvoiceKind::Supplementary);
        let line = &later.invoices[0].lines[0];
        assert_eq!((line.subject_id, line.amount_pence), (11, Pence(500)));
        assert_eq!(
            line.rule,
            "Free school meals ensemble fee £10.00 − family cap on ensemble fees (£90.00 a term) £5.00 = £5.00"
        );
    }

    #[test]
    fn a_member_who_joins_after_half_term_or_leaves_before_the_term_is_not_charged() {
        let d = dates();
        let mut run = input(vec![pupil(1, Some(10), PupilFacts::default(), 0)], vec![]);
        run.memberships = vec![
            BillableMembership {
                joined_on: d.half_term.last + time::Duration::days(3),
                ..membership(7, "Orchestra", 1, 4_500)
            },
            // Notice took effect at the end of the summer: the first day not a member is
            // the day after it, before this term.
            BillableMembership {
                left_on: Some(d.dates.first),
                ..membership(8, "Band", 1, 3_000)
            },
            // Leaving part-way through this term: the term's fee stands.
            BillableMembership {
                left_on: Some(d.dates.first + time::Duration::days(20)),
                ..membership(9, "Choir", 1, 2_000)
            },
        ];
        let plan = plan_run(&run);
        let lines: Vec<i64> = plan
            .invoices
            .iter()
            .flat_map(|i| &i.lines)
            .map(|l| l.subject_id)
            .collect();
        assert_eq!(lines, vec![9]);
        assert_eq!(plan.skipped.len(), 1, "{:?}", plan.skipped);
        assert!(
            plan.skipped[0]
                .reason
                .starts_with("Orchestra (ensemble): Starts after half-term")
        );
    }

    #[test]
    fn a_strand_paid_through_the_basket_is_not_billed_and_counts_towards_the_cap() {
        let mut run = input(vec![pupil(1, Some(10), PupilFacts::default(), 0)], vec![]);
        run.policy.ensembles.family_cap = Some(Pence(5_000));
        run.memberships = vec![
            membership(7, "Online Theory Strand", 1, 2_000),
            membership(8, "Orchestra", 1, 4_500),
        ];
        run.already_billed.insert((1, ChargeKind::Ensemble, 7));
        run.ensemble_charged.insert(1, Pence(2_000));
        let plan = plan_run(&run);
        let lines: Vec<(i64, i64)> = plan.invoices[0]
            .lines
            .iter()
            .map(|l| (l.subject_id, l.amount_pence.0))
            .collect();
        assert_eq!(lines, vec![(8, 3_000)]);
    }

    #[test]
    fn the_ensemble_rules_are_checked_by_field_and_an_older_file_reads_as_the_default() {
        let mut policy = ChargingPolicy::durham();
        policy.ensembles.free_school_meals = Some(EnsembleReduction::PercentOff {
            percent: Percent::from_basis_points(10_100),
        });
        policy.ensembles.family_cap = Some(Pence::ZERO);
        let fields: Vec<String> = validate_policy(&policy).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec!["ensembles.free_school_meals.percent", "ensembles.family_cap"]
        );
        policy.ensembles.free_school_meals = Some(EnsembleReduction::FixedFee { fee: Pence(-1) });
        policy.ensembles.family_cap = Some(MAX_POLICY_AMOUNT + Pence(1));
        let fields: Vec<String> = validate_policy(&policy).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["ensembles.free_school_meals.fee", "ensembles.family_cap"]);

        let year = AcademicYear::starting(2026);
        let mut file: serde_json::Value =
            serde_json::from_str(&export_policy(year, &ChargingPolicy::durham())).unwrap();
        file["policy"].as_object_mut().unwrap().remove("ensembles");
        let read = import_policy(&file.to_string(), year).unwrap();
        assert_eq!(read.ensembles, EnsembleFees::default());
        file["policy"]["ensembles"] = serde_json::json!({"free_school_meals": {"rule": "fixed_fee", "fee": "ten"}});
        let errors = import_policy(&file.to_string(), year).unwrap_err();
        assert_eq!(errors[0].field, "policy.ensembles");
    }

    fn arbitrary_run() -> impl Strategy<Value = RunInput> {
        let facts = (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(f, p, s, l)| PupilFacts {
            free_school_meals: f,
            pupil_premium: p,
            send: s,
            looked_after: l,
        });
        let pupil_strategy = (facts, 0usize..4, prop::option::of(1i64..6), 1i64..4);
        let enrolment = (1i64..25, 0usize..3, 0usize..5, any::<bool>(), 0i64..100);
        (
            prop::collection::vec(pupil_strategy, 1..24),
            prop::collection::vec(enrolment, 0..60),
            prop::collection::vec((1i64..25, 0i64..4), 0..10),
            (
                prop::collection::vec((1i64..25, 0i64..3, 0i64..100), 0..12),
                prop::option::of(0i64..9_000),
            ),
        )
            .prop_map(|(pupils, enrolments, loans, (members, cap))| {
                let d = dates();
                let uplifts = [0, 15, 50, 100];
                let pupils: Vec<BillablePupil> = pupils
                    .into_iter()
                    .enumerate()
                    .map(|(i, (facts, uplift, guardian, school))| BillablePupil {
                        school: (school, format!("School {school}")),
                        ..pupil(i as i64 + 1, guardian, facts, uplifts[uplift])
                    })
                    .collect();
                let n = pupils.len() as i64;
                let types = [LessonType::Group, LessonType::Paired, LessonType::Individual];
                let minutes = [15, 20, 30, 45, 60];
                let enrolments = enrolments
                    .into_iter()
                    .enumerate()
                    .map(|(i, (p, t, m, school_paid, start))| BillableEnrolment {
                        id: i as i64 + 1,
                        pupil_id: (p - 1) % n + 1,
                        instrument: ["violin", "flute", "drums"][i % 3].into(),
                        lesson_type: types[t],
                        minutes: minutes[m],
                        payer: if school_paid { Payer::School } else { Payer::Parent },
                        start_date: d.dates.first + time::Duration::days(start),
                        end_date: None,
                    })
                    .collect();
                let loans = loans
                    .into_iter()
                    .map(|(p, instrument)| BillableLoan {
                        instrument_id: instrument + 1,
                        serial: format!("S{instrument}"),
                        instrument_type: "cello".into(),
                        pupil_id: (p - 1) % n + 1,
                    })
                    .collect();
                let mut seen = HashSet::new();
                let memberships = members
                    .into_iter()
                    .filter_map(|(p, e, joined)| {
                        let pupil_id = (p - 1) % n + 1;
                        seen.insert((pupil_id, e)).then(|| BillableMembership {
                            ensemble_id: e + 1,
                            ensemble: format!("Ensemble {e}"),
                            pupil_id,
                            fee: Pence([0, 3_000, 4_550][e as usize]),
                            joined_on: d.dates.first + time::Duration::days(joined - 20),
                            left_on: None,
                        })
                    })
                    .collect();
                let mut run = RunInput {
                    loans,
                    memberships,
                    ..input(pupils, enrolments)
                };
                run.policy.ensembles.family_cap = cap.map(|c| Pence(c + 1));
                run.policy.ensembles.free_school_meals = Some(EnsembleReduction::PercentOff {
                    percent: Percent::whole(50),
                });
                run
            })
    }

    proptest! {
        #[test]
        fn every_split_adds_up(run in arbitrary_run()) {
            let plan = plan_run(&run);
            for invoice in &plan.invoices {
                prop_assert_eq!(invoice.lines.iter().map(|l| l.amount_pence).sum::<Pence>(), invoice.total_pence);
                if !invoice.instalments.is_empty() {
                    prop_assert_eq!(invoice.instalments.iter().map(|i| i.amount).sum::<Pence>(), invoice.total_pence);
                    let max = invoice.instalments.iter().map(|i| i.amount).max().unwrap();
                    let min = invoice.instalments.iter().map(|i| i.amount).min().unwrap();
                    prop_assert!(max - min <= Pence(1));
                }
                prop_assert!(invoice.lines.iter().all(|l| l.amount_pence >= Pence::ZERO));
            }
        }

        #[test]
        fn a_family_never_pays_more_than_the_cap_for_ensembles(mut run in arbitrary_run(), cut in 0usize..12) {
            // Some memberships billed by a first run, the rest by a later one.
            let all = run.memberships.clone();
            run.memberships.truncate(cut.min(all.len()));
            let first = plan_run(&run);
            commit(&mut run, &first);
            run.memberships = all;
            let later = plan_run(&run);
            let mut by_payer: HashMap<PayerKey, Pence> = HashMap::new();
            for invoice in first.invoices.iter().chain(&later.invoices) {
                for line in invoice.lines.iter().filter(|l| l.kind == ChargeKind::Ensemble) {
                    *by_payer.entry(invoice.payer).or_default() += line.amount_pence;
                }
            }
            if let Some(cap) = run.policy.ensembles.family_cap {
                for (payer, total) in by_payer {
                    prop_assert!(total <= cap, "{:?} pays {} over the cap {}", payer, total, cap);
                }
            }
        }

        #[test]
        fn two_threads_plan_what_one_does(run in arbitrary_run()) {
            prop_assert_eq!(plan_run_with(&run, 1), plan_run_with(&run, usize::MAX));
        }

        #[test]
        fn no_pupil_is_billed_twice_for_one_term_and_charge(run in arbitrary_run()) {
            let plan = plan_run(&run);
            let mut keys = HashSet::new();
            for line in plan.invoices.iter().flat_map(|i| &i.lines) {
                prop_assert!(keys.insert((line.pupil_id, line.kind, line.subject_id)), "billed twice: {:?}", line);
            }
            let payers: HashSet<PayerKey> = plan.invoices.iter().map(|i| i.payer).collect();
            prop_assert_eq!(payers.len(), plan.invoices.len(), "one invoice per payer");
        }

        #[test]
        fn a_rerun_never_changes_what_was_committed(mut run in arbitrary_run(), cut in 0usize..60) {
            // Commit a run over the first enrolments; then run again with all of them.
            let all = run.enrolments.clone();
            run.enrolments.truncate(cut.min(all.len()));
            let first = plan_run(&run);
            commit(&mut run, &first);
            let committed = run.already_billed.clone();
            prop_assert!(plan_run(&run).invoices.is_empty(), "the same facts plan nothing");
            run.enrolments = all;
            let second = plan_run(&run);
            for invoice in &second.invoices {
                if first.invoices.iter().any(|f| f.payer == invoice.payer) {
                    prop_assert_eq!(invoice.kind, InvoiceKind::Supplementary);
                }
                for line in &invoice.lines {
                    prop_assert!(!committed.contains(&(line.pupil_id, line.kind, line.subject_id)));
                }
            }
        }
    }

    #[test]
    fn a_policy_that_fails_a_check_is_refused_with_every_field_named() {
        assert_eq!(check_policy(&ChargingPolicy::default()), Ok(()));
        let mut policy = ChargingPolicy {
            name: " ".into(),
            ..Default::default()
        };
        policy.instalments.due_day = 31;
        let refusal = check_policy(&policy).unwrap_err();
        let BillingRefusal::Policy(errors) = &refusal;
        assert!(errors.len() >= 2, "{errors:?}");
        let text = refusal.to_string();
        assert!(text.contains("; ") && text.contains("instalments.due_day"), "{text}");
    }
}
