//! Joining and leaving ensembles: a family's application for a child (taken at once into an
//! open ensemble while the instrument has room, else onto its waiting list; heard first by an
//! auditioned one; its audition slots are `auditions`), the office's accept and decline, a
//! member leaving (the next on that instrument's waiting list is then offered the place), and
//! the lists of applications and members. Each step is one audited transaction.
use sea_orm::{ConnectionTrait, DatabaseTransaction, FromQueryResult, Value};
use time::{Date, OffsetDateTime};
use tutti_domain::ensembles::fees::{EnsembleNotice, ensemble_notice};
use tutti_domain::ensembles::{
    Applicant, EnsembleRefusal, Joinable, MembershipStatus, check_apply, has_room, on_application,
};

use super::{ensemble_by_id, places_held};
use crate::error::{Result, StoreError, stored};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{all_of, exec, insert_id, one_of};
use crate::records::pupils::PupilScope;
use crate::{Store, now};

/// An application to join, as lists show it; an accepted one is a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnsembleApplication {
    pub id: i64,
    pub ensemble_id: i64,
    pub ensemble_name: String,
    pub ensemble_slug: String,
    pub pupil_id: i64,
    pub pupil_name: String,
    pub instrument: String,
    pub grade: u8,
    pub status: MembershipStatus,
    pub applied_at: OffsetDateTime,
    /// The part they play, once a member.
    pub part: Option<String>,
    pub joined_on: Option<Date>,
    /// The first day they are no longer a member, once they have left or given notice.
    pub left_on: Option<Date>,
    /// The audition slot booked, as its day and minute.
    pub audition: Option<(Date, u16)>,
}

#[derive(FromQueryResult)]
struct ApplicationRow {
    id: i64,
    ensemble_id: i64,
    ensemble_name: String,
    ensemble_slug: String,
    pupil_id: i64,
    first_name: String,
    last_name: String,
    instrument: String,
    grade: i32,
    status: String,
    applied_at: OffsetDateTime,
    part: Option<String>,
    joined_on: Option<Date>,
    left_on: Option<Date>,
    audition_day: Option<Date>,
    audition_minute: Option<i32>,
}

const SELECT: &str = "SELECT a.id, a.ensemble_id, e.name AS ensemble_name, e.slug AS ensemble_slug, a.pupil_id, \
     p.first_name, p.last_name, a.instrument, a.grade, a.status, a.applied_at, m.part, m.joined_on, m.left_on, \
     s.day AS audition_day, s.start_minute AS audition_minute \
     FROM ensemble_applications a JOIN ensembles e ON e.id = a.ensemble_id JOIN pupils p ON p.id = a.pupil_id \
     LEFT JOIN ensemble_members m ON m.application_id = a.id \
     LEFT JOIN ensemble_audition_slots s ON s.application_id = a.id";

impl ApplicationRow {
    fn into_application(self) -> Result<EnsembleApplication> {
        Ok(EnsembleApplication {
            status: stored(&self.status, MembershipStatus::parse)?,
            id: self.id,
            ensemble_id: self.ensemble_id,
            ensemble_name: self.ensemble_name,
            ensemble_slug: self.ensemble_slug,
            pupil_id: self.pupil_id,
            pupil_name: format!("{} {}", self.first_name, self.last_name),
            instrument: self.instrument,
            grade: self.grade.clamp(0, 8) as u8,
            applied_at: self.applied_at,
            part: self.part,
            joined_on: self.joined_on,
            left_on: self.left_on,
            audition: self
                .audition_day
                .zip(self.audition_minute)
                .map(|(d, m)| (d, m.max(0) as u16)),
        })
    }
}

/// An application to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnsembleApplication {
    pub ensemble_id: i64,
    pub pupil_id: i64,
    pub instrument: String,
    /// The grade they play at, 0 to 8.
    pub grade: u8,
}

#[derive(FromQueryResult)]
struct Owned {
    ensemble_id: i64,
    pupil_id: i64,
    instrument: String,
    status: String,
}

async fn owned(txn: &DatabaseTransaction, ensemble_id: i64, id: i64) -> Result<Owned> {
    one_of::<Owned>(
        txn,
        "SELECT ensemble_id, pupil_id, instrument, status FROM ensemble_applications WHERE id = ? AND ensemble_id = ?",
        [id.into(), ensemble_id.into()],
    )
    .await?
    .ok_or(StoreError::NotFound)
}

async fn set_status(txn: &DatabaseTransaction, id: i64, status: MembershipStatus) -> Result<()> {
    let t = now();
    exec(
        txn,
        "UPDATE ensemble_applications SET status = ?, decided_at = ?, updated_at = ? WHERE id = ?",
        vec![status.as_str().into(), t.into(), t.into(), id.into()],
    )
    .await?;
    Ok(())
}

/// Makes an accepted application a member from `on`.
async fn join(txn: &DatabaseTransaction, id: i64, app: &Owned, on: Date) -> Result<()> {
    insert_id(
        txn,
        "INSERT INTO ensemble_members (ensemble_id, pupil_id, application_id, instrument, part, joined_on, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            app.ensemble_id.into(),
            app.pupil_id.into(),
            id.into(),
            app.instrument.clone().into(),
            "".into(),
            on.into(),
            now().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Offers the place come free on `instrument` to the longest waiting, if the instrument now
/// has room: their application's id.
async fn offer_next(
    txn: &DatabaseTransaction,
    actor: &Actor,
    ensemble_id: i64,
    instrument: &str,
) -> Result<Option<i64>> {
    let ensemble = ensemble_by_id(txn, ensemble_id).await?.ok_or(StoreError::NotFound)?;
    let held = places_held(txn, ensemble_id, instrument).await?;
    if !has_room(ensemble.places_for(instrument), held) {
        return Ok(None);
    }
    #[derive(FromQueryResult)]
    struct Next {
        id: i64,
    }
    let next = one_of::<Next>(
        txn,
        "SELECT id FROM ensemble_applications WHERE ensemble_id = ? AND LOWER(instrument) = LOWER(?) \
         AND status = 'waiting' ORDER BY applied_at, id LIMIT 1",
        [ensemble_id.into(), instrument.into()],
    )
    .await?;
    let Some(next) = next else { return Ok(None) };
    set_status(txn, next.id, MembershipStatus::Offered).await?;
    let what = format!("a {instrument} place came free: offered");
    audit::record(txn, actor, Action::Update, "ensemble_application", Some(next.id), what).await?;
    Ok(Some(next.id))
}

#[tutti_boxed::boxed]
impl Store {
    /// A family's (or the office's) application for a pupil `scope` may see: refused outside
    /// the ensemble's instruments, ages or grade, or twice. An open ensemble takes them at once
    /// while the instrument has room, else they wait; an auditioned one hears them first. The
    /// application's id and where it went.
    pub async fn apply_to_ensemble(
        &self,
        actor: &Actor,
        scope: &PupilScope,
        new: &NewEnsembleApplication,
    ) -> Result<(i64, MembershipStatus)> {
        if new.grade > 8 {
            return Err(EnsembleRefusal::GradeOutOfRange.into());
        }
        let txn = self.write().await?;
        let ensemble = ensemble_by_id(&txn, new.ensemble_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        #[derive(FromQueryResult)]
        struct Pupil {
            first_name: String,
            last_name: String,
            date_of_birth: Date,
            archived: bool,
        }
        let (condition, mut v) = scope.condition();
        v.insert(0, new.pupil_id.into());
        let pupil = one_of::<Pupil>(
            &txn,
            &format!(
                "SELECT p.first_name, p.last_name, p.date_of_birth, p.archived_at IS NOT NULL AS archived \
                 FROM pupils p WHERE p.id = ? AND {condition}"
            ),
            v,
        )
        .await?
        .ok_or(StoreError::from(EnsembleRefusal::NoPupil))?;
        #[derive(FromQueryResult)]
        struct Status {
            status: String,
        }
        let already = one_of::<Status>(
            &txn,
            "SELECT status FROM ensemble_applications WHERE ensemble_id = ? AND pupil_id = ? \
             AND status NOT IN ('declined', 'left')",
            [new.ensemble_id.into(), new.pupil_id.into()],
        )
        .await?
        .and_then(|s| MembershipStatus::parse(&s.status));
        let name = format!("{} {}", pupil.first_name, pupil.last_name);
        let instruments = ensemble.instruments();
        let today = self.today();
        check_apply(
            &Joinable {
                name: &ensemble.name,
                min_age: ensemble.min_age,
                max_age: ensemble.max_age,
                min_grade: ensemble.min_grade,
                instruments: &instruments,
                archived: ensemble.archived,
            },
            &Applicant {
                name: &name,
                date_of_birth: pupil.date_of_birth,
                archived: pupil.archived,
                already,
                grade: new.grade,
            },
            &new.instrument,
            today,
        )?;
        // The instrument as the ensemble spells it.
        let instrument = instruments
            .iter()
            .find(|i| i.eq_ignore_ascii_case(new.instrument.trim()))
            .cloned()
            .unwrap_or_else(|| new.instrument.trim().to_owned());
        let held = places_held(&txn, ensemble.id, &instrument).await?;
        let status = on_application(ensemble.entry, has_room(ensemble.places_for(&instrument), held));
        let t = now();
        let id = insert_id(
            &txn,
            "INSERT INTO ensemble_applications (ensemble_id, pupil_id, instrument, grade, status, applied_by, applied_at, \
             decided_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                ensemble.id.into(),
                new.pupil_id.into(),
                instrument.clone().into(),
                i32::from(new.grade).into(),
                status.as_str().into(),
                actor.user_id.into(),
                t.into(),
                (status == MembershipStatus::Accepted).then_some(t).into(),
                t.into(),
            ],
        )
        .await?;
        if status == MembershipStatus::Accepted {
            let app = Owned {
                ensemble_id: ensemble.id,
                pupil_id: new.pupil_id,
                instrument: instrument.clone(),
                status: status.as_str().to_owned(),
            };
            join(&txn, id, &app, today).await?;
        }
        let summary = format!(
            "pupil {} applied to {} on {instrument}: {status}",
            new.pupil_id, ensemble.slug
        );
        audit::commit(txn, actor, Action::Create, "ensemble_application", Some(id), summary).await?;
        Ok((id, status))
    }

    /// The office accepts an application: refused while the instrument is full (unless the
    /// place was offered to them). They are a member from today.
    pub async fn accept_ensemble_application(&self, actor: &Actor, ensemble_id: i64, id: i64) -> Result<()> {
        let txn = self.write().await?;
        let app = owned(&txn, ensemble_id, id).await?;
        let ensemble = ensemble_by_id(&txn, ensemble_id).await?.ok_or(StoreError::NotFound)?;
        let held = places_held(&txn, ensemble_id, &app.instrument).await?;
        let was = stored(&app.status, MembershipStatus::parse)?;
        let next = was.accept(has_room(ensemble.places_for(&app.instrument), held))?;
        set_status(&txn, id, next).await?;
        join(&txn, id, &app, self.today()).await?;
        audit::commit(txn, actor, Action::Update, "ensemble_application", Some(id), "accepted").await?;
        Ok(())
    }

    /// The office declines an application not yet accepted; a declined offer passes to the
    /// next on the waiting list.
    pub async fn decline_ensemble_application(&self, actor: &Actor, ensemble_id: i64, id: i64) -> Result<()> {
        let txn = self.write().await?;
        let app = owned(&txn, ensemble_id, id).await?;
        let was = stored(&app.status, MembershipStatus::parse)?;
        let next = was.decline()?;
        set_status(&txn, id, next).await?;
        exec(
            &txn,
            "UPDATE ensemble_audition_slots SET application_id = NULL, updated_at = ? WHERE application_id = ?",
            vec![now().into(), id.into()],
        )
        .await?;
        let what = "declined";
        audit::record(&txn, actor, Action::Update, "ensemble_application", Some(id), what).await?;
        if was == MembershipStatus::Offered {
            offer_next(&txn, actor, ensemble_id, &app.instrument).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// A member leaves on `on`: the next on the instrument's waiting list is offered the place.
    /// The id of the application offered it, if any.
    pub async fn leave_ensemble(&self, actor: &Actor, ensemble_id: i64, id: i64, on: Date) -> Result<Option<i64>> {
        let txn = self.write().await?;
        let app = owned(&txn, ensemble_id, id).await?;
        let next = stored(&app.status, MembershipStatus::parse)?.leave()?;
        set_status(&txn, id, next).await?;
        exec(
            &txn,
            "UPDATE ensemble_members SET left_on = ?, updated_at = ? WHERE application_id = ? AND left_on IS NULL",
            vec![on.into(), now().into(), id.into()],
        )
        .await?;
        let what = format!("left on {on}");
        audit::record(&txn, actor, Action::Update, "ensemble_application", Some(id), what).await?;
        let offered = offer_next(&txn, actor, ensemble_id, &app.instrument).await?;
        txn.commit().await?;
        Ok(offered)
    }

    /// Sets the part a member plays (first violin, second alto…).
    pub async fn set_member_part(&self, actor: &Actor, ensemble_id: i64, id: i64, part: &str) -> Result<()> {
        let txn = self.write().await?;
        owned(&txn, ensemble_id, id).await?;
        let n = exec(
            &txn,
            "UPDATE ensemble_members SET part = ?, updated_at = ? WHERE application_id = ? AND left_on IS NULL",
            vec![part.trim().into(), now().into(), id.into()],
        )
        .await?;
        if n == 0 {
            return Err(EnsembleRefusal::NotAMember.into());
        }
        audit::commit(txn, actor, Action::Update, "ensemble_member", Some(id), "part set").await?;
        Ok(())
    }

    /// One application of an ensemble.
    pub async fn ensemble_application(&self, ensemble_id: i64, id: i64) -> Result<Option<EnsembleApplication>> {
        one_of::<ApplicationRow>(
            self.conn(),
            &format!("{SELECT} WHERE a.id = ? AND a.ensemble_id = ?"),
            [id.into(), ensemble_id.into()],
        )
        .await?
        .map(ApplicationRow::into_application)
        .transpose()
    }

    /// Every application to an ensemble (members, the waiting list, the rest), by instrument
    /// and then the order they came in.
    pub async fn ensemble_applications(&self, ensemble_id: i64) -> Result<Vec<EnsembleApplication>> {
        all_of::<ApplicationRow>(
            self.conn(),
            &format!("{SELECT} WHERE a.ensemble_id = ? ORDER BY a.instrument, a.applied_at, a.id"),
            [ensemble_id.into()],
        )
        .await?
        .into_iter()
        .map(ApplicationRow::into_application)
        .collect()
    }

    /// The applications and memberships of the pupils `scope` may see, newest first.
    pub async fn ensemble_applications_of(&self, scope: &PupilScope) -> Result<Vec<EnsembleApplication>> {
        let (condition, v): (String, Vec<Value>) = scope.condition();
        all_of::<ApplicationRow>(
            self.conn(),
            &format!("{SELECT} WHERE {condition} ORDER BY a.applied_at DESC, a.id DESC"),
            v,
        )
        .await?
        .into_iter()
        .map(ApplicationRow::into_application)
        .collect()
    }
}

#[tutti_boxed::boxed]
impl Store {
    /// `tutti import ensemble-members`: makes each pupil of the file a member of the ensemble
    /// it names (by name or address) on that instrument and part, whole or not at all. A
    /// pupil already a member there is unchanged, so the same file twice changes nothing; an
    /// unknown ensemble or pupil, or a pupil waiting or applying there, names its line.
    /// Imported members may fill an instrument past its places: the file is the office's word.
    pub async fn import_ensemble_members_csv(
        &self,
        actor: &Actor,
        text: &str,
        dry_run: bool,
    ) -> Result<crate::records::imports::CsvImport> {
        use std::collections::HashMap;

        use crate::records::imports::{Change, CsvImport, ids_by_key, issue_at, pupil_ids_by_ref, read_csv};
        use tutti_domain::csv::EnsembleMemberRow;
        use tutti_domain::ensembles::slug_of;
        let (lines, warnings, mut report) = match read_csv::<EnsembleMemberRow>(text, dry_run) {
            Ok(read) => read,
            Err(failed) => return Ok(failed),
        };
        let rows = lines.len();
        let today = self.today();
        let txn = self.write().await?;
        let _backend = txn.get_database_backend();
        let ensembles = ids_by_key(&txn, "SELECT id, slug AS key FROM ensembles", |k| k).await?;
        let pupils = pupil_ids_by_ref(&txn).await?;
        #[derive(FromQueryResult)]
        struct Live {
            ensemble_id: i64,
            pupil_id: i64,
            status: String,
        }
        let live: HashMap<(i64, i64), String> = all_of::<Live>(
            &txn,
            "SELECT ensemble_id, pupil_id, status FROM ensemble_applications WHERE status NOT IN ('declined', 'left')",
            [],
        )
        .await?
        .into_iter()
        .map(|l| ((l.ensemble_id, l.pupil_id), l.status))
        .collect();
        for r in &lines {
            let row = &r.row;
            let mut issue = |column: &str, message: String| report.errors.push(issue_at(r.line, column, message));
            let ensemble = ensembles.get(&slug_of(&row.ensemble)).copied();
            let pupil = pupils.get(&row.pupil_ref.to_uppercase()).copied();
            if ensemble.is_none() {
                issue("ensemble", format!("There is no ensemble called {}", row.ensemble));
            }
            if pupil.is_none() {
                issue(
                    "pupil_ref",
                    format!("No pupil on the roll has the reference {}", row.pupil_ref),
                );
            }
            let (Some(ensemble), Some(pupil)) = (ensemble, pupil) else {
                continue;
            };
            match live.get(&(ensemble, pupil)).map(String::as_str) {
                Some("accepted") => report.note(r.line, Change::Unchanged),
                Some(other) => {
                    let status = MembershipStatus::parse(other).unwrap_or(MembershipStatus::Applied);
                    issue("pupil_ref", EnsembleRefusal::AlreadyApplied { status }.to_string());
                }
                None => {
                    let t = now();
                    let id = insert_id(
                        &txn,
                        "INSERT INTO ensemble_applications (ensemble_id, pupil_id, instrument, grade, status, applied_by, \
                         applied_at, decided_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        vec![
                            ensemble.into(),
                            pupil.into(),
                            row.instrument.clone().into(),
                            0.into(),
                            MembershipStatus::Accepted.as_str().into(),
                            actor.user_id.into(),
                            t.into(),
                            t.into(),
                            t.into(),
                        ],
                    )
                    .await?;
                    let app = Owned {
                        ensemble_id: ensemble,
                        pupil_id: pupil,
                        instrument: row.instrument.clone(),
                        status: MembershipStatus::Accepted.as_str().to_owned(),
                    };
                    join(&txn, id, &app, today).await?;
                    if !row.part.is_empty() {
                        exec(
                            &txn,
                            "UPDATE ensemble_members SET part = ? WHERE application_id = ?",
                            vec![row.part.clone().into(), id.into()],
                        )
                        .await?;
                    }
                    report.note(r.line, Change::Created);
                }
            }
        }
        crate::records::imports::finish(
            txn,
            actor,
            ("ensemble_member", "ensemble members"),
            rows,
            &report,
            Vec::new(),
        )
        .await?;
        Ok(CsvImport::of(report, warnings, rows))
    }
}

#[tutti_boxed::boxed]
impl Store {
    /// What notice to leave, received today, would mean for a member `scope` may see: the
    /// charging policy's notice rule, as for lessons (decision 0085). Another family's
    /// application is `NotFound`; one not a member (or already under notice) is refused.
    pub async fn ensemble_notice_preview(
        &self,
        scope: &PupilScope,
        application_id: i64,
    ) -> Result<(EnsembleApplication, EnsembleNotice)> {
        let (condition, mut v) = scope.condition();
        v.insert(0, application_id.into());
        let app = one_of::<ApplicationRow>(self.conn(), &format!("{SELECT} WHERE a.id = ? AND {condition}"), v)
            .await?
            .ok_or(StoreError::NotFound)?
            .into_application()?;
        let today = self.today();
        match (app.status, app.left_on) {
            (MembershipStatus::Accepted, _) => {}
            (MembershipStatus::Left, Some(left)) if left > today => {
                return Err(EnsembleRefusal::NoticeAlreadyGiven {
                    last_day: left.previous_day().unwrap_or(left),
                }
                .into());
            }
            _ => return Err(EnsembleRefusal::NotAMember.into()),
        }
        let calendar = self.ensemble_calendar(today).await?;
        let policy = self
            .charging_policy(tutti_domain::calendar::AcademicYear::containing(today))
            .await?
            .policy;
        let notice = ensemble_notice(today, &policy, &calendar, &app.ensemble_name)
            .map_err(|_| StoreError::from(EnsembleRefusal::NoTermDates))?;
        Ok((app, notice))
    }

    /// Notice to leave, received today from the family or recorded by the office: the member
    /// stays to the end of the last term the notice rule charges, and no later term is billed;
    /// the place goes at once to the longest waiting on the instrument, to start when the
    /// office accepts them. One audited transaction; a second notice changes nothing. The
    /// notice, and the application offered the place, if any.
    pub async fn give_ensemble_notice(
        &self,
        actor: &Actor,
        scope: &PupilScope,
        application_id: i64,
    ) -> Result<(EnsembleNotice, Option<i64>)> {
        let (app, notice) = self.ensemble_notice_preview(scope, application_id).await?;
        let txn = self.write().await?;
        let owned = owned(&txn, app.ensemble_id, application_id).await?;
        let next = stored(&owned.status, MembershipStatus::parse)?.leave()?;
        set_status(&txn, application_id, next).await?;
        let changed = exec(
            &txn,
            "UPDATE ensemble_members SET left_on = ?, updated_at = ? WHERE application_id = ? AND left_on IS NULL",
            vec![notice.leaves_on.into(), now().into(), application_id.into()],
        )
        .await?;
        if changed == 0 {
            return Err(EnsembleRefusal::NotAMember.into());
        }
        audit::record(
            &txn,
            actor,
            Action::Update,
            "ensemble_application",
            Some(application_id),
            format!(
                "notice given on {}: a member until {} ({} is the last term charged)",
                self.today(),
                notice.last_day,
                notice.last_term
            ),
        )
        .await?;
        let offered = offer_next(&txn, actor, app.ensemble_id, &owned.instrument).await?;
        txn.commit().await?;
        Ok((notice, offered))
    }
}
