//! Offers: a place offered to the first child on a waiting list, open until its expiry
//! date, and the family's answer; acceptance makes an enrolment awaiting allocation.
use sea_orm::{ConnectionTrait, FromQueryResult};
use time::Date;
use tutti_domain::lessons::LessonType;

use super::applications::{ahead_sql, band_sql};
use super::enrolments::{NewEnrolment, insert_enrolment};
use super::{Count, application_status, count, lesson_words};
use crate::error::{Result, StoreError};
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
        if expires_on < today {
            return Err(StoreError::Refused(
                "The offer must be open until today or later.".into(),
            ));
        }
        if start_date < today {
            return Err(StoreError::Refused("Lessons cannot start before today.".into()));
        }
        let app = self.application(&PupilScope::All, application_id, today).await?;
        let priority = self.waiting_priority().await?;
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
        if status != application_status::WAITING {
            return Err(StoreError::Refused(format!(
                "This application is {status}, not waiting, so no place can be offered."
            )));
        }
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
        if place != Some(1) {
            return Err(StoreError::Refused(format!(
                "Another child is ahead of {} on the {} list at {}; offer the place to the first child.",
                app.pupil_name, app.instrument, app.school_name
            )));
        }
        txn.execute_raw(stmt(
            backend,
            "UPDATE applications SET status = 'offered', offer_start_date = ?, offer_expires_on = ?, offered_at = ?, \
             updated_at = ? WHERE id = ?",
            [
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
        let uk = tutti_domain::validate::format_date_uk;
        let body = format!(
            "We can offer {} a place for {} {} lessons at {}, starting on {}.\n\n\
             Please accept or decline by {}: after that the offer lapses and the place goes to the next child.\n\n\
             Answer here: {answer_url}\n",
            app.pupil_name,
            lesson_words(&app.lesson_type, app.minutes),
            app.instrument,
            app.school_name,
            uk(start_date),
            uk(expires_on),
        );
        for e in &emails {
            outbox::enqueue(
                &txn,
                &e.email,
                &format!("A place for {} to learn {}", app.pupil_name, app.instrument),
                &body,
            )
            .await?;
        }
        audit::record(
            &txn,
            actor,
            Action::Update,
            "application",
            Some(application_id),
            format!("offered a place from {start_date}, open until {expires_on}"),
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
        match app.status.as_str() {
            application_status::OFFERED => {}
            application_status::LAPSED => {
                return Err(StoreError::Refused(format!(
                    "This offer lapsed: it was open until {}. Contact the hub office if you still want lessons.",
                    app.offer_expires_on
                        .map(tutti_domain::validate::format_date_uk)
                        .unwrap_or_default()
                )));
            }
            other => {
                return Err(StoreError::Refused(format!(
                    "There is no open offer on this application (it is {other})."
                )));
            }
        }
        let txn = self.write().await?;
        let backend = txn.get_database_backend();
        // Answered once: the status is checked again under the write lock.
        let still_open = count(
            &txn,
            "SELECT COUNT(*) AS n FROM applications WHERE id = ? AND status = 'offered'",
            vec![application_id.into()],
        )
        .await?;
        if still_open == 0 {
            return Err(StoreError::Refused("This offer has already been answered.".into()));
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
        let status = if accept {
            application_status::ACCEPTED
        } else {
            application_status::DECLINED
        };
        txn.execute_raw(stmt(
            backend,
            "UPDATE applications SET status = ?, answered_at = ?, enrolment_id = ?, updated_at = ? WHERE id = ?",
            [
                status.into(),
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
