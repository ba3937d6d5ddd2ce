//! What a billing run reads: pupils, enrolments, guardians, loans, agreements, ensemble
//! memberships and strand places paid, and what is already billed, in a handful of set queries.
use std::collections::{HashMap, HashSet};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use time::Date;
use tutti_domain::Pence;
use tutti_domain::billing::{
    BillableAgreement, BillableEnrolment, BillableLoan, BillableMembership, BillablePupil, PayerKey, RunInput,
};
use tutti_domain::calendar::{TermDates, TermId, default_term_dates};
use tutti_domain::charging::{ChargeKind, Payer, PupilFacts};
use tutti_domain::lessons::LessonType;
use tutti_domain::money::Percent;

use super::RunProgress;
use super::policies::policy_in;
use crate::error::{Result, StoreError};
use crate::json_rows::{Day, Flag, json_rows};
use crate::teaching::lessons::Calendars;

/// A pupil with an enrolment: id, reference, free school meals, pupil premium, SEND, looked
/// after, and school.
type PupilRow = (i64, String, Flag, Flag, Flag, Flag, i64);

/// Pupils with an enrolment or an ensemble with a fee to bill, archived or not: an archived pupil's enrolments ended on
/// their last day of lessons, and those dates decide what is charged, as for any leaver, so a
/// preview and the run it previews read the same (decision 0078).
async fn read_pupils(conn: &impl ConnectionTrait) -> Result<Vec<PupilRow>> {
    json_rows(
        conn,
        &[
            "p.id",
            "p.pupil_ref",
            "p.fsm",
            "p.pupil_premium",
            "p.send",
            "p.looked_after",
            "p.school_id",
        ],
        // Members of ensembles with a fee too (decision 0085): they pay the fee with no lesson.
        "pupils p WHERE p.id IN (SELECT pupil_id FROM enrolments WHERE status IN ('active', 'leaving')) \
         OR p.id IN (SELECT m.pupil_id FROM ensemble_members m JOIN ensembles e ON e.id = m.ensemble_id \
         WHERE e.termly_fee > 0)",
        vec![],
    )
    .await
}

/// Each pupil's first guardian (the lowest id), with the name: the parent who is invoiced.
async fn read_first_guardians(conn: &impl ConnectionTrait) -> Result<Vec<(i64, i64, String)>> {
    json_rows(
        conn,
        &["f.pupil_id", "g.id", "g.name"],
        // One grouped pass over the links: a subquery per pupil took PostgreSQL four times
        // as long at a million pupils.
        "(SELECT pupil_id, MIN(guardian_id) AS guardian_id FROM pupil_guardians GROUP BY pupil_id) f \
         JOIN guardians g ON g.id = f.guardian_id",
        vec![],
    )
    .await
}

type EnrolmentRow = (i64, i64, String, String, i32, String, Day, Option<Day>);

/// Enrolments that can be charged.
async fn read_enrolments(conn: &impl ConnectionTrait) -> Result<Vec<EnrolmentRow>> {
    json_rows(
        conn,
        &[
            "id",
            "pupil_id",
            "instrument",
            "lesson_type",
            "minutes",
            "payer",
            "start_date",
            "end_date",
        ],
        "enrolments WHERE status IN ('active', 'leaving')",
        vec![],
    )
    .await
}

/// A loan as read: its id, the instrument's id, serial and type, the pupil, first and last day.
type LoanRow = (i64, i64, String, String, i64, Day, Option<Day>);

/// A membership as read: its id, the ensemble's id, name and fee, the pupil, joined and left.
type MembershipRow = (i64, i64, String, i64, i64, Day, Option<Day>);

/// A read run on a task of its own, as the reader's own result.
fn joined<T>(outcome: std::result::Result<Result<T>, tokio::task::JoinError>) -> Result<T> {
    outcome.map_err(|e| StoreError::from(DbErr::Custom(format!("reading for the run: {e}"))))?
}

/// Reads every fact a run for `term` needs, in a handful of set queries.
pub(super) async fn run_input(
    conn: &impl ConnectionTrait,
    side: Option<&DatabaseConnection>,
    term: TermId,
    issued_on: Date,
    progress: &(dyn Fn(RunProgress) + Send + Sync),
) -> Result<RunInput> {
    let policy = policy_in(conn, term.year).await?.policy;
    let calendars = Calendars::load(conn).await?;
    let fallback = default_term_dates(term.year)
        .into_iter()
        .find(|t| t.term == term)
        .expect("every term has default dates");
    let mut dates_of_school: HashMap<i64, TermDates> = HashMap::new();
    let term_text = term.to_string();

    // On PostgreSQL the three large reads run side by side, each on its own connection and
    // server process (and the side ones on their own tasks, so their rows are parsed on
    // another thread too).
    let (mut pupil_rows, mut enrolment_rows, mut guardian_rows) = match side {
        Some(side) => {
            let (first, second) = (side.clone(), side.clone());
            let enrolments = tokio::spawn(async move { read_enrolments(&first).await });
            let guardians = tokio::spawn(async move { read_first_guardians(&second).await });
            let pupils = read_pupils(conn).await?;
            (pupils, joined(enrolments.await)?, joined(guardians.await)?)
        }
        None => (
            read_pupils(conn).await?,
            read_enrolments(conn).await?,
            read_first_guardians(conn).await?,
        ),
    };
    let schools: HashMap<i64, (String, i32)> =
        json_rows::<(i64, String, i32)>(conn, &["id", "name", "parent_charge_uplift"], "schools", vec![])
            .await?
            .into_iter()
            .map(|(id, name, uplift)| (id, (name, uplift)))
            .collect();
    pupil_rows.sort_unstable_by_key(|r| r.0);
    guardian_rows.sort_unstable_by_key(|r| r.0);
    let mut guardians = guardian_rows.into_iter().peekable();
    let mut pupils = Vec::with_capacity(pupil_rows.len());
    for (id, pupil_ref, fsm, premium, send, looked_after, school_id) in pupil_rows {
        let Some((school_name, uplift)) = schools.get(&school_id) else {
            continue;
        };
        // Both lists are in pupil order: walk the guardians along with the pupils.
        while guardians.next_if(|g| g.0 < id).is_some() {}
        let guardian = guardians.next_if(|g| g.0 == id).map(|(_, g, name)| (g, name));
        let dates = *dates_of_school.entry(school_id).or_insert_with(|| {
            calendars
                .calendar(school_id, term)
                .and_then(|c| c.term(term).copied())
                .unwrap_or(fallback)
        });
        pupils.push(BillablePupil {
            id,
            pupil_ref,
            facts: PupilFacts {
                free_school_meals: fsm.0,
                pupil_premium: premium.0,
                send: send.0,
                looked_after: looked_after.0,
            },
            school_uplift: Percent::whole((*uplift).max(0) as u32),
            school: (school_id, school_name.clone()),
            guardian,
            term_dates: dates,
        });
    }
    let dates_of_pupil: HashMap<i64, TermDates> = pupils.iter().map(|p| (p.id, p.term_dates)).collect();

    let mut enrolments = Vec::new();
    enrolment_rows.sort_unstable_by_key(|r| r.0);
    for (id, pupil_id, instrument, lesson_type, minutes, payer, start, end) in enrolment_rows {
        let (Ok(lesson_type), Ok(minutes)) = (lesson_type.parse::<LessonType>(), u16::try_from(minutes)) else {
            continue;
        };
        enrolments.push(BillableEnrolment {
            id,
            pupil_id,
            instrument,
            lesson_type,
            minutes,
            payer: if payer == "school" {
                Payer::School
            } else {
                Payer::Parent
            },
            start_date: start.0,
            end_date: end.map(|d| d.0),
        });
    }

    let mut loan_rows: Vec<LoanRow> = json_rows(
        conn,
        &[
            "l.id",
            "l.instrument_id",
            "i.serial",
            "i.instrument_type",
            "l.pupil_id",
            "l.start_date",
            "l.end_date",
        ],
        "instrument_loans l JOIN instruments i ON i.id = l.instrument_id",
        vec![],
    )
    .await?;
    loan_rows.sort_unstable_by_key(|r| r.0);
    let loans: Vec<BillableLoan> = loan_rows
        .into_iter()
        .filter(|(_, _, _, _, pupil_id, start, end)| {
            // A loan is charged for a term it overlaps.
            dates_of_pupil
                .get(pupil_id)
                .is_some_and(|d| start.0 <= d.dates.last && end.is_none_or(|end| end.0 >= d.dates.first))
        })
        .map(
            |(_, instrument_id, serial, instrument_type, pupil_id, _, _)| BillableLoan {
                instrument_id,
                serial,
                instrument_type,
                pupil_id,
            },
        )
        .collect();

    // Services agreements of the year with schools billed by invoice (the journal takes
    // the council-maintained schools' ones).
    let mut agreement_rows: Vec<(i64, i64, String, String, i64)> = json_rows(
        conn,
        &["a.id", "a.school_id", "s.name", "a.programme", "a.annual_pence"],
        "service_agreements a JOIN schools s ON s.id = a.school_id \
         WHERE a.academic_year = ? AND a.billing = 'invoice'",
        vec![term.year.to_string().into()],
    )
    .await?;
    agreement_rows.sort_unstable_by_key(|r| r.0);
    let agreements: Vec<BillableAgreement> = agreement_rows
        .into_iter()
        .map(|(id, school_id, school_name, programme, annual)| BillableAgreement {
            id,
            school: (school_id, school_name),
            programme,
            annual_cost: Pence(annual),
        })
        .collect();

    // Memberships of ensembles with a fee (decision 0085); the plan keeps those of the term.
    // Archiving a pupil does not end their memberships, so an archived pupil's open ones are
    // not charged (one who left first is charged for the terms they were a member in).
    let mut membership_rows: Vec<MembershipRow> = json_rows(
        conn,
        &[
            "m.id",
            "m.ensemble_id",
            "e.name",
            "e.termly_fee",
            "m.pupil_id",
            "m.joined_on",
            "m.left_on",
        ],
        "ensemble_members m JOIN ensembles e ON e.id = m.ensemble_id JOIN pupils p ON p.id = m.pupil_id \
         WHERE e.termly_fee > 0 AND (p.archived_at IS NULL OR m.left_on IS NOT NULL)",
        vec![],
    )
    .await?;
    membership_rows.sort_unstable_by_key(|r| r.0);
    let memberships: Vec<BillableMembership> = membership_rows
        .into_iter()
        .filter(|r| dates_of_pupil.contains_key(&r.4))
        .map(
            |(_, ensemble_id, ensemble, fee, pupil_id, joined, left)| BillableMembership {
                ensemble_id,
                ensemble,
                pupil_id,
                fee: Pence(fee),
                joined_on: joined.0,
                left_on: left.map(|d| d.0),
            },
        )
        .collect();

    let mut already_billed: HashSet<(i64, ChargeKind, i64)> = HashSet::new();
    // Ensemble fees charged in the term already, by pupil, for the family cap: places paid
    // through the basket (Virtual Music Centre strands) count as billed, and with a cap, what
    // the term's invoices charged for ensembles counts towards it.
    let mut ensemble_charged: HashMap<i64, Pence> = HashMap::new();
    let strand_places: Vec<(i64, i64, i64)> = json_rows(
        conn,
        &["pupil_id", "ensemble_id", "amount_pence"],
        "ensemble_strand_places WHERE term = ? AND status = 'paid'",
        vec![term_text.clone().into()],
    )
    .await?;
    for (pupil_id, ensemble_id, amount) in strand_places {
        already_billed.insert((pupil_id, ChargeKind::Ensemble, ensemble_id));
        *ensemble_charged.entry(pupil_id).or_default() += Pence(amount);
    }
    if policy.ensembles.family_cap.is_some() {
        let invoiced: Vec<(i64, i64)> = json_rows(
            conn,
            &["pupil_id", "amount_pence"],
            "invoice_lines WHERE term = ? AND charge_kind = 'ensemble'",
            vec![term_text.clone().into()],
        )
        .await?;
        for (pupil_id, amount) in invoiced {
            *ensemble_charged.entry(pupil_id).or_default() += Pence(amount);
        }
    }
    let billed: Vec<(i64, String, i64)> = json_rows(
        conn,
        &["pupil_id", "charge_kind", "subject_id"],
        "invoice_lines WHERE term = ?",
        vec![term_text.clone().into()],
    )
    .await?;
    for (pupil_id, kind, subject_id) in billed {
        if let Some(kind) = tutti_domain::billing::charge_kind_from_str(&kind) {
            already_billed.insert((pupil_id, kind, subject_id));
        }
    }
    if !agreements.is_empty() {
        let billed: Vec<(i64,)> = json_rows(
            conn,
            &["agreement_id"],
            "agreement_invoice_lines WHERE term = ?",
            vec![term_text.clone().into()],
        )
        .await?;
        already_billed.extend(billed.into_iter().map(|(id,)| (0, ChargeKind::Wcet, id)));
    }
    // Every invoice has a line, so with no line billed for the term there is no invoice yet.
    let mut invoiced_payers = HashSet::new();
    if !already_billed.is_empty() {
        let payers: Vec<(String, i64)> = json_rows(
            conn,
            &["payer_kind", "payer_id"],
            "invoices WHERE term = ?",
            vec![term_text.into()],
        )
        .await?;
        invoiced_payers.extend(payers.into_iter().map(|(kind, id)| {
            if kind == "school" {
                PayerKey::School(id)
            } else {
                PayerKey::Parent(id)
            }
        }));
    }
    progress(RunProgress::Pricing { pupils: pupils.len() });
    Ok(RunInput {
        term,
        policy,
        issued_on,
        pupils,
        enrolments,
        loans,
        agreements,
        memberships,
        ensemble_charged,
        already_billed,
        invoiced_payers,
    })
}
