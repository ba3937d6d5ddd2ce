//! Offers: a place offered to the first child on a waiting list, open until its expiry
//! date, and the family's answer; acceptance makes an enrolment awaiting allocation.
use sea_orm::{ConnectionTrait, FromQueryResult};
use time::Date;
use tutti_domain::admissions::{
    AdmissionRefusal, ApplicationStatus, OfferLetter, check_first_in_line, check_offer_dates,
};
use tutti_domain::calendar::AcademicYear;
use tutti_domain::lessons::LessonType;
use tutti_domain::validate::format_day_long;

use super::applications::{ahead_sql, band_sql};
use super::enrolments::{NewEnrolment, insert_enrolment};
use super::{Count, count};
use crate::error::{Result, StoreError, stored};
use crate::platform::audit::{self, Action, Actor};
use crate::platform::outbox;
use crate::query::stmt;
use crate::records::pupils::PupilScope;
use crate::{Store, now};

#[derive(FromQueryResult)]
struct Email {
    email: String,
}

impl Store {
    /// Offers a place to the first child on a waiting list, starting on `start_date` and
    /// open until the end of `expires_on`. Offers past their expiry lapse first, so the next
    /// child can be offered. The child's guardians are emailed (through the outbox) with a
    /// link to `answer_url`.
    pub async fn make_offer(
        &self,
        actor: &Actor,
        application_id: i64,
        start_date: Date,
        expires_on: Date,
        today: Date,
        answer_url: &str,
    ) -> Result<()> {
        check_offer_dates(start_date, expires_on, today)?;
        let app = self.application(&PupilScope::All, application_id, today).await?;
        let priority = self.waiting_priority().await?;
        // The letter names the lesson's termly price when the year's policy is published.
        let policy = self.charging_policy(AcademicYear::containing(today)).await?;
        let price = (policy.revision > 0)
            .then(|| {
                let lesson_type: LessonType = app.lesson_type.parse().ok()?;
                policy.policy.price(lesson_type, u16::try_from(app.minutes).ok()?).ok()
            })
            .flatten();
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        let lapsed = txn
            .execute_raw(stmt(
                backend,
                "UPDATE applications SET status = 'lapsed', updated_at = ? WHERE status = 'offered' AND offer_expires_on < ?",
                [now().into(), today.into()],
            ))
            .await?
            .rows_affected();
        if lapsed > 0 {
            audit::record(
                &txn,
                actor,
                Action::Update,
                "application",
                None,
                format!("{lapsed} unanswered offers lapsed"),
            )
            .await?;
        }
        #[derive(FromQueryResult)]
        struct Now {
            status: String,
        }
        let status = Now::find_by_statement(stmt(
            backend,
            "SELECT status FROM applications WHERE id = ?",
            [application_id.into()],
        ))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?
        .status;
        let offered = stored(&status, ApplicationStatus::parse)?.offer()?;
        // The place is read again under the write lock: another offer may have just been made.
        let ahead = ahead_sql(
            priority,
            "a.school_id",
            "a.instrument",
            &band_sql(priority, "p"),
            "a.applied_at",
            "a.id",
        );
        let place = Count::find_by_statement(stmt(
            backend,
            &format!("SELECT 1 + {ahead} AS n FROM applications a JOIN pupils p ON p.id = a.pupil_id WHERE a.id = ?"),
            [application_id.into()],
        ))
        .one(&txn)
        .await?
        .map(|c| c.n);
        check_first_in_line(place, &app.pupil_name, &app.instrument, &app.school_name)?;
        txn.execute_raw(stmt(
            backend,
            "UPDATE applications SET status = ?, offer_start_date = ?, offer_expires_on = ?, offered_at = ?, \
             updated_at = ? WHERE id = ?",
            [
                offered.as_str().into(),
                start_date.into(),
                expires_on.into(),
                now().into(),
                now().into(),
                application_id.into(),
            ],
        ))
        .await?;
        let emails = Email::find_by_statement(stmt(
            backend,
            "SELECT g.email FROM guardians g JOIN pupil_guardians pg ON pg.guardian_id = g.id WHERE pg.pupil_id = ? \
             ORDER BY g.id",
            [app.pupil_id.into()],
        ))
        .all(&txn)
        .await?;
        let letter = OfferLetter {
            pupil_name: &app.pupil_name,
            lesson_type: &app.lesson_type,
            minutes: app.minutes,
            instrument: &app.instrument,
            school_name: &app.school_name,
            start_date,
            expires_on,
            price,
            answer_url,
        };
        let (subject, body) = (letter.subject(), letter.body());
        for e in &emails {
            outbox::enqueue(&txn, &e.email, &subject, &body).await?;
        }
        audit::record(
            &txn,
            actor,
            Action::Update,
            "application",
            Some(application_id),
            format!(
                "offered a place from {}, open until {}",
                format_day_long(start_date),
                format_day_long(expires_on)
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// A parent (or the office) accepts or declines an offer. Acceptance makes an enrolment
    /// from the offer's start date, awaiting allocation (no teacher or time yet), and returns
    /// its id. An offer past its expiry date has lapsed and cannot be answered.
    pub async fn answer_offer(
        &self,
        actor: &Actor,
        scope: &PupilScope,
        application_id: i64,
        accept: bool,
        today: Date,
    ) -> Result<Option<i64>> {
        let app = self.application(scope, application_id, today).await?;
        let status = app.status.answer(accept, app.offer_expires_on)?;
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        // Answered once: the status is checked again under the write lock.
        let still_open = count(
            &txn,
            "SELECT COUNT(*) AS n FROM applications WHERE id = ? AND status = ?",
            vec![application_id.into(), ApplicationStatus::Offered.as_str().into()],
        )
        .await?;
        if still_open == 0 {
            return Err(AdmissionRefusal::OfferAnswered.into());
        }
        let t = now();
        let enrolment_id = if accept {
            let start = app.offer_start_date.unwrap_or(today);
            let id = insert_enrolment(
                &txn,
                &NewEnrolment {
                    pupil_id: app.pupil_id,
                    instrument: app.instrument.clone(),
                    lesson_type: app.lesson_type.parse().unwrap_or(LessonType::Individual),
                    minutes: u16::try_from(app.minutes).unwrap_or(30),
                    start_date: start,
                    teacher_id: None,
                    school_id: Some(app.school_id),
                    weekday: None,
                    start_minute: None,
                },
                app.school_id,
            )
            .await?;
            audit::record(
                &txn,
                actor,
                Action::Create,
                "enrolment",
                Some(id),
                format!(
                    "pupil {} enrolled for {} from {start}, awaiting allocation",
                    app.pupil_id, app.instrument
                ),
            )
            .await?;
            Some(id)
        } else {
            None
        };
        txn.execute_raw(stmt(
            backend,
            "UPDATE applications SET status = ?, answered_at = ?, enrolment_id = ?, updated_at = ? WHERE id = ?",
            [
                status.as_str().into(),
                t.into(),
                enrolment_id.into(),
                t.into(),
                application_id.into(),
            ],
        ))
        .await?;
        audit::record(
            &txn,
            actor,
            Action::Update,
            "application",
            Some(application_id),
            format!("offer {status}"),
        )
        .await?;
        txn.commit().await?;
        Ok(enrolment_id)
    }
}
