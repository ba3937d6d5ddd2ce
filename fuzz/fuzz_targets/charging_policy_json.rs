//! Charging-policy JSON: reading a `ChargingPolicy` (directly, through `parse_policy_value`
//! and through a whole policy file with `import_policy`) and `validate_policy` never panic;
//! a policy that reads writes back to JSON that reads to the same policy; a policy that
//! passes validation survives `export_policy` then `import_policy` unchanged, and prices
//! every lesson it lists (`price_pupil_term`) for any pupil without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tutti_domain::billing::{export_policy, import_policy, parse_policy_value, validate_policy};
use tutti_domain::Percent;
use tutti_domain::calendar::{AcademicYear, TermId, TermName};
use tutti_domain::charging::{ChargingPolicy, EnrolmentFacts, Payer, PupilFacts, price_pupil_term};

const YEAR: AcademicYear = AcademicYear::starting(2026);

fuzz_target!(|data: &[u8]| {
    // The policy object alone, as an API body or the "policy" part of a file.
    if let Ok(policy) = serde_json::from_slice::<ChargingPolicy>(data) {
        let json = serde_json::to_vec(&policy).expect("a policy always serialises");
        let back: ChargingPolicy = serde_json::from_slice(&json)
            .unwrap_or_else(|e| panic!("written policy does not read: {e}\n{}", String::from_utf8_lossy(&json)));
        assert_eq!(back, policy, "policy changed on write and read");
        let errors = validate_policy(&policy);
        for error in &errors {
            assert!(!error.field.is_empty() && !error.message.is_empty(), "{error:?}");
        }
        // The field-by-field reader agrees with serde about a policy serde reads.
        let value: serde_json::Value = serde_json::from_slice(&json).expect("valid JSON");
        match parse_policy_value(value) {
            Ok(read) => assert_eq!(read, policy, "parse_policy_value read a different policy"),
            Err(e) => panic!("parse_policy_value refused a policy serde reads: {e:?}"),
        }
        if errors.is_empty() {
            price_everything(&policy);
            let file = export_policy(YEAR, &policy);
            match import_policy(&file, YEAR) {
                Ok(read) => assert_eq!(read, policy, "policy changed on export and import"),
                Err(e) => panic!("an exported valid policy does not import: {e:?}\n{file}"),
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        // A whole policy file, as the import screen reads it.
        if let Ok(policy) = import_policy(text, YEAR) {
            assert!(validate_policy(&policy).is_empty(), "import_policy let an invalid policy through");
        }
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            let _ = parse_policy_value(value.clone());
            if let Some(inner) = value.get("policy") {
                let _ = parse_policy_value(inner.clone());
            }
        }
    }
});

/// Every lesson price of a valid policy, for every kind of pupil, each uplift the policy
/// offers, as a first and as a later child and instrument: a valid policy must price.
fn price_everything(policy: &ChargingPolicy) {
    let pupils = (0..16u8).map(|bits| PupilFacts {
        free_school_meals: bits & 1 != 0,
        pupil_premium: bits & 2 != 0,
        send: bits & 4 != 0,
        looked_after: bits & 8 != 0,
    });
    let uplifts: Vec<Percent> = std::iter::once(Percent::ZERO).chain(policy.uplift_options.iter().copied()).collect();
    for pupil in pupils {
        for price in &policy.prices {
            for payer in [Payer::Parent, Payer::School] {
                let enrolment = EnrolmentFacts {
                    id: String::new(),
                    instrument: "cello".to_string(),
                    lesson_type: price.lesson_type,
                    minutes: price.minutes,
                    term: TermId::new(YEAR, TermName::Spring),
                    payer,
                };
                for &uplift in &uplifts {
                    for index in [0, 1] {
                        let lines = price_pupil_term(policy, &pupil, &enrolment, uplift, index, index)
                            .unwrap_or_else(|e| panic!("a valid policy does not price its own lesson: {e}"));
                        for line in lines {
                            assert!(line.amount.0 >= 0, "a negative charge: {line:?}");
                        }
                    }
                }
            }
        }
    }
}
