//! Schools' annual services agreements (WCET and other programmes): the charge each term by
//! the 34/33/33 split, and the files the money leaves in: an internal journal for
//! council-maintained schools, invoices for the rest (DOMAIN.md, "Whole-class ensemble teaching").
use std::ops::RangeInclusive;

use crate::Pence;
use crate::calendar::{AcademicYear, TermId};
use crate::charging::{ChargeKind, ChargeLine, wcet_split};
use crate::schools::BillingMethod;

/// A WCET programme runs at least 30 and at most 36 sessions a year.
pub const WCET_SESSIONS: RangeInclusive<u32> = 30..=36;

/// One agreement's charge for one term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermCharge {
    pub term: TermId,
    pub amount: Pence,
}

/// The agreement's charges for the year's three terms: 34% autumn, 33% spring, 33% summer,
/// adding up to the annual cost to the penny.
pub fn term_charges(annual_cost: Pence, year: AcademicYear) -> [TermCharge; 3] {
    let split = wcet_split(annual_cost);
    let terms = year.terms();
    [0, 1, 2].map(|i| TermCharge {
        term: terms[i],
        amount: split[i],
    })
}

/// The invoice line of an agreement for one term (schools billed by invoice): the term's
/// share of the annual cost, with the rule that gave it.
pub fn invoice_line(programme: &str, annual_cost: Pence, term: TermId) -> ChargeLine {
    let i = term.name.index();
    ChargeLine {
        kind: ChargeKind::Wcet,
        description: format!("{programme}, {}", term.title()),
        amount: term_charges(annual_cost, term.year)[i].amount,
        rule: format!(
            "{}% of the annual cost {annual_cost} (split 34% autumn, 33% spring, 33% summer)",
            [34, 33, 33][i]
        ),
    }
}

/// What a journal line needs to know of an agreement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JournalSource {
    pub school_urn: u32,
    pub school_name: String,
    pub local_authority: String,
    pub programme: String,
    pub annual_cost: Pence,
    pub billing: BillingMethod,
}

/// The columns of the internal journal file.
pub const JOURNAL_HEADER: [&str; 8] = [
    "term",
    "school_urn",
    "school_name",
    "local_authority",
    "programme",
    "narrative",
    "amount",
    "amount_pence",
];

/// The internal journal for one term: a line for each agreement with a council-maintained
/// school billed by journal; schools billed by invoice are left out (they are invoiced).
pub fn journal_csv(term: TermId, agreements: &[JournalSource]) -> String {
    let mut rows: Vec<Vec<String>> = vec![JOURNAL_HEADER.iter().map(|s| (*s).to_owned()).collect()];
    for a in agreements
        .iter()
        .filter(|a| a.billing == BillingMethod::InternalJournal)
    {
        let charge = &term_charges(a.annual_cost, term.year)[term.name.index()];
        rows.push(vec![
            term.to_string(),
            a.school_urn.to_string(),
            a.school_name.clone(),
            a.local_authority.clone(),
            a.programme.clone(),
            format!(
                "{}: {}% of the annual cost {}",
                a.programme,
                [34, 33, 33][term.name.index()],
                a.annual_cost
            ),
            charge.amount.to_pounds_string(),
            charge.amount.0.to_string(),
        ]);
    }
    crate::csv::write(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_journal_lists_only_journal_schools() {
        let term = TermId::parse("2026-spring").unwrap();
        let source = |urn, billing| JournalSource {
            school_urn: urn,
            school_name: "Gilesgate Primary".into(),
            local_authority: "Durham".into(),
            programme: "Whole-class ukulele".into(),
            annual_cost: Pence(250_001),
            billing,
        };
        let csv = journal_csv(
            term,
            &[
                source(114001, BillingMethod::InternalJournal),
                source(140002, BillingMethod::Invoice),
            ],
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2, "{csv}");
        assert!(lines[0].starts_with("term,school_urn"));
        assert!(lines[1].starts_with("2026-spring,114001,Gilesgate Primary,Durham,Whole-class ukulele,"));
        assert!(lines[1].ends_with(",825.00,82500"), "{}", lines[1]);
    }

    #[test]
    fn an_invoice_line_names_the_split() {
        let year = AcademicYear::starting(2026);
        let lines: Vec<ChargeLine> = year
            .terms()
            .into_iter()
            .map(|t| invoice_line("Whole-class ukulele", Pence(300_001), t))
            .collect();
        assert_eq!(lines.iter().map(|l| l.amount.0).sum::<i64>(), 300_001);
        assert_eq!(lines[0].amount, Pence(102_001));
        assert_eq!(lines[0].description, "Whole-class ukulele, Autumn 2026");
        assert!(
            lines[1].rule.starts_with("33% of the annual cost £3,000.01"),
            "{}",
            lines[1].rule
        );
        assert!(lines[2].rule.contains("34% autumn, 33% spring, 33% summer"));
    }

    proptest! {
        /// Every annual cost splits 34/33/33 into terms that add up to it to the penny, each
        /// within a penny of its exact share.
        #[test]
        fn term_charges_add_up_to_the_penny(pence in 0i64..100_000_000) {
            let charges = term_charges(Pence(pence), AcademicYear::starting(2026));
            let sum: i64 = charges.iter().map(|c| c.amount.0).sum();
            prop_assert_eq!(sum, pence);
            for (charge, weight) in charges.iter().zip([34i64, 33, 33]) {
                let exact = pence * weight;
                prop_assert!((charge.amount.0 * 100 - exact).abs() < 100, "{} vs {}/100", charge.amount.0, exact);
            }
            prop_assert_eq!(charges[0].term.to_string(), "2026-autumn");
        }
    }
}
