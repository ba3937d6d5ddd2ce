//! The charging policy's rules for ensemble fees (decision 0085): what free-school-meals
//! pupils pay (a fixed fee or a percentage less), looked-after children free, and a family's
//! cap on ensemble fees in a term; and the fee lines they give, each with its rule in words.
use serde::{Deserialize, Serialize};

use super::{ChargeKind, ChargeLine, ChargingPolicy, PupilFacts};
use crate::calendar::TermId;
use crate::money::{Pence, Percent};

/// What pupils eligible for free school meals pay for an ensemble instead of its fee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum EnsembleReduction {
    /// This fee a term for each ensemble (never more than the ensemble's own fee).
    FixedFee {
        /// The fee.
        fee: Pence,
    },
    /// This percentage less than the ensemble's fee (100% is free).
    PercentOff {
        /// How much less.
        percent: Percent,
    },
}

/// The policy's rules for ensembles' termly fees.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnsembleFees {
    /// What free-school-meals pupils pay; `None`: the ensemble's fee, like everyone.
    pub free_school_meals: Option<EnsembleReduction>,
    /// Looked-after children play in ensembles free.
    pub looked_after_free: bool,
    /// The most one family (the children of one payer) pays for ensembles in a term.
    pub family_cap: Option<Pence>,
}

impl Default for EnsembleFees {
    /// The default: every child pays the ensemble's fee, except looked-after children, who are
    /// never charged (as for lessons); no family cap.
    fn default() -> Self {
        EnsembleFees {
            free_school_meals: None,
            looked_after_free: true,
            family_cap: None,
        }
    }
}

impl EnsembleFees {
    /// The rules as a family reads them on the price list, one sentence each.
    pub fn sentences(&self) -> Vec<String> {
        let mut out = vec!["Each ensemble has its own fee a term; some are free.".to_owned()];
        match self.free_school_meals {
            Some(EnsembleReduction::FixedFee { fee }) if fee.is_zero() => {
                out.push("Pupils eligible for free school meals play in ensembles free.".into())
            }
            Some(EnsembleReduction::FixedFee { fee }) => out.push(format!(
                "Pupils eligible for free school meals pay {fee} a term for an ensemble (or its fee, if less)."
            )),
            Some(EnsembleReduction::PercentOff { percent }) if percent >= Percent::whole(100) => {
                out.push("Pupils eligible for free school meals play in ensembles free.".into())
            }
            Some(EnsembleReduction::PercentOff { percent }) => out.push(format!(
                "Pupils eligible for free school meals pay {percent} less for ensembles."
            )),
            None => {}
        }
        if self.looked_after_free {
            out.push("Looked-after children play in ensembles free.".into());
        }
        if let Some(cap) = self.family_cap {
            out.push(format!(
                "A family never pays more than {cap} a term for ensembles, however many children play in them."
            ));
        }
        out
    }
}

/// The fee line for one child's membership of one ensemble for a term, before any family cap:
/// `None` for a free ensemble (nothing to charge).
pub fn price_ensemble_fee(
    policy: &ChargingPolicy,
    pupil: &PupilFacts,
    ensemble: &str,
    fee: Pence,
    term: TermId,
) -> Option<ChargeLine> {
    if fee <= Pence::ZERO {
        return None;
    }
    let rules = &policy.ensembles;
    let line = |amount: Pence, rule: String| ChargeLine {
        kind: ChargeKind::Ensemble,
        description: format!("{} (ensemble), {}", ensemble.trim(), term.title()),
        amount,
        rule,
    };
    let base = format!("Ensemble fee {fee}");
    if pupil.looked_after && rules.looked_after_free {
        return Some(line(Pence::ZERO, "Looked-after children are never charged".into()));
    }
    if pupil.free_school_meals {
        match rules.free_school_meals {
            Some(EnsembleReduction::FixedFee { fee: reduced }) if reduced < fee => {
                return Some(line(reduced, format!("Free school meals ensemble fee {reduced}")));
            }
            Some(EnsembleReduction::PercentOff { percent }) if !percent.is_zero() => {
                let off = fee.percent_of(percent, policy.rounding).min(fee);
                let amount = fee - off;
                return Some(line(
                    amount,
                    format!("{base} − free school meals remission {percent} {off} = {amount}"),
                ));
            }
            _ => {}
        }
    }
    Some(line(fee, base))
}

/// Holds a family's ensemble lines for a term to the policy's cap: `already` is what the
/// family has been charged for ensembles in the term before (earlier invoices, places paid
/// through the basket); `lines` are its new ensemble lines, in order. Each line is lowered, in
/// order, so the family's total never passes the cap (a line may come to £0.00); its rule says
/// so. Without a cap nothing changes.
pub fn cap_family_ensembles(policy: &ChargingPolicy, already: Pence, lines: &mut [ChargeLine]) {
    let Some(cap) = policy.ensembles.family_cap else { return };
    let mut left = (cap - already).clamp_non_negative();
    for line in lines.iter_mut() {
        if line.amount > left {
            let off = line.amount - left;
            line.amount = left;
            let rule = line.rule.split(" = ").next().unwrap_or(&line.rule).to_owned();
            line.rule = format!(
                "{rule} − family cap on ensemble fees ({cap} a term) {off} = {}",
                line.amount
            );
        }
        left -= line.amount;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{AcademicYear, TermName};

    fn autumn() -> TermId {
        TermId::new(AcademicYear::starting(2026), TermName::Autumn)
    }

    fn fsm() -> PupilFacts {
        PupilFacts {
            free_school_meals: true,
            ..PupilFacts::default()
        }
    }

    #[test]
    fn the_default_charges_the_fee_and_nothing_for_a_looked_after_child_or_a_free_ensemble() {
        let policy = ChargingPolicy::durham();
        let line = price_ensemble_fee(
            &policy,
            &PupilFacts::default(),
            "County Youth Orchestra",
            Pence(4_500),
            autumn(),
        )
        .unwrap();
        assert_eq!(line.amount, Pence(4_500));
        assert_eq!(line.kind, ChargeKind::Ensemble);
        assert_eq!(line.rule, "Ensemble fee £45.00");
        assert_eq!(line.description, "County Youth Orchestra (ensemble), Autumn 2026");
        // The default has no free-school-meals rule: the fee.
        assert_eq!(
            price_ensemble_fee(&policy, &fsm(), "Band", Pence(4_500), autumn())
                .unwrap()
                .amount,
            Pence(4_500)
        );
        let looked_after = PupilFacts {
            looked_after: true,
            ..PupilFacts::default()
        };
        let line = price_ensemble_fee(&policy, &looked_after, "Band", Pence(4_500), autumn()).unwrap();
        assert_eq!(line.amount, Pence::ZERO);
        assert_eq!(line.rule, "Looked-after children are never charged");
        assert_eq!(
            price_ensemble_fee(&policy, &PupilFacts::default(), "Choir", Pence::ZERO, autumn()),
            None
        );
    }

    #[test]
    fn free_school_meals_pay_a_fixed_fee_or_a_percentage_less() {
        let mut policy = ChargingPolicy::durham();
        policy.ensembles.free_school_meals = Some(EnsembleReduction::FixedFee { fee: Pence(1_000) });
        let line = price_ensemble_fee(&policy, &fsm(), "Band", Pence(4_500), autumn()).unwrap();
        assert_eq!(
            (line.amount, line.rule.as_str()),
            (Pence(1_000), "Free school meals ensemble fee £10.00")
        );
        // Never more than the ensemble's own fee.
        let line = price_ensemble_fee(&policy, &fsm(), "Band", Pence(800), autumn()).unwrap();
        assert_eq!((line.amount, line.rule.as_str()), (Pence(800), "Ensemble fee £8.00"));

        // 33% of £45.50 is 1501.5p: half a penny rounds up, £15.02 off, £30.48 to pay.
        policy.ensembles.free_school_meals = Some(EnsembleReduction::PercentOff {
            percent: Percent::whole(33),
        });
        let line = price_ensemble_fee(&policy, &fsm(), "Band", Pence(4_550), autumn()).unwrap();
        assert_eq!(line.amount, Pence(3_048));
        assert_eq!(
            line.rule,
            "Ensemble fee £45.50 − free school meals remission 33% £15.02 = £30.48"
        );
        assert_eq!(
            super::super::remission_in_rule(&line.rule),
            Some(("free school meals".to_owned(), Some(Pence(1_502))))
        );
        policy.ensembles.free_school_meals = Some(EnsembleReduction::PercentOff {
            percent: Percent::whole(100),
        });
        assert_eq!(
            price_ensemble_fee(&policy, &fsm(), "Band", Pence(4_550), autumn())
                .unwrap()
                .amount,
            Pence::ZERO
        );
    }

    #[test]
    fn the_family_cap_lowers_the_last_lines_and_counts_what_was_charged_before() {
        let mut policy = ChargingPolicy::durham();
        policy.ensembles.family_cap = Some(Pence(10_000));
        let plain = ChargingPolicy::durham();
        let fee = |name: &str, pence: i64| {
            price_ensemble_fee(&plain, &PupilFacts::default(), name, Pence(pence), autumn()).unwrap()
        };
        // £45.00 + £40.00 + £30.00 = £115.00 against a cap of £100.00: the last is £15.00.
        let mut lines = vec![fee("Orchestra", 4_500), fee("Band", 4_000), fee("Choir", 3_000)];
        cap_family_ensembles(&policy, Pence::ZERO, &mut lines);
        let amounts: Vec<i64> = lines.iter().map(|l| l.amount.0).collect();
        assert_eq!(amounts, vec![4_500, 4_000, 1_500]);
        assert_eq!(
            lines[2].rule,
            "Ensemble fee £30.00 − family cap on ensemble fees (£100.00 a term) £15.00 = £15.00"
        );
        // £70.00 already charged this term: £30.00 is left under the cap.
        let mut lines = vec![fee("Orchestra", 4_500), fee("Band", 4_000)];
        cap_family_ensembles(&policy, Pence(7_000), &mut lines);
        let amounts: Vec<i64> = lines.iter().map(|l| l.amount.0).collect();
        assert_eq!(amounts, vec![3_000, 0]);
        // Charged past the cap already (a cap lowered since): nothing more, never negative.
        let mut lines = vec![fee("Orchestra", 4_500)];
        cap_family_ensembles(&policy, Pence(12_000), &mut lines);
        assert_eq!(lines[0].amount, Pence::ZERO);
        // A reduced line keeps its own working before the cap's.
        policy.ensembles.free_school_meals = Some(EnsembleReduction::PercentOff {
            percent: Percent::whole(50),
        });
        let mut lines = vec![price_ensemble_fee(&policy, &fsm(), "Band", Pence(4_000), autumn()).unwrap()];
        cap_family_ensembles(&policy, Pence(9_000), &mut lines);
        assert_eq!(lines[0].amount, Pence(1_000));
        assert_eq!(
            lines[0].rule,
            "Ensemble fee £40.00 − free school meals remission 50% £20.00 − family cap on ensemble fees (£100.00 a term) £10.00 = £10.00"
        );
        // No cap: unchanged.
        policy.ensembles.family_cap = None;
        let mut lines = vec![fee("Orchestra", 4_500), fee("Band", 4_000), fee("Choir", 3_000)];
        cap_family_ensembles(&policy, Pence(50_000), &mut lines);
        assert_eq!(lines.iter().map(|l| l.amount.0).sum::<i64>(), 11_500);
    }

    #[test]
    fn families_read_the_rules_in_plain_words() {
        let mut rules = EnsembleFees::default();
        assert_eq!(
            rules.sentences(),
            vec![
                "Each ensemble has its own fee a term; some are free.".to_owned(),
                "Looked-after children play in ensembles free.".to_owned(),
            ]
        );
        rules.free_school_meals = Some(EnsembleReduction::FixedFee { fee: Pence(1_000) });
        rules.family_cap = Some(Pence(10_000));
        let words = rules.sentences();
        assert_eq!(
            words[1],
            "Pupils eligible for free school meals pay £10.00 a term for an ensemble (or its fee, if less)."
        );
        assert_eq!(
            words[3],
            "A family never pays more than £100.00 a term for ensembles, however many children play in them."
        );
        rules.free_school_meals = Some(EnsembleReduction::PercentOff {
            percent: Percent::whole(50),
        });
        assert_eq!(
            rules.sentences()[1],
            "Pupils eligible for free school meals pay 50% less for ensembles."
        );
    }
}
