//! Offers: a place offered to the first child on a waiting list, open until its expiry
//! date, and the family's answer; acceptance makes an enrolment awaiting allocation.
use sea_orm::{ConnectionTrait, FromQueryResult};
use time::Date;
use tutti_domain::admissions::{
    AdmissionRefusal, ApplicationStatus, OfferLetter, WaitingPriority, check_first_in_line, check_offer_dates,
};
use tutti_domain::calendar::AcademicYear;
use tutti_domain::lessons::LessonType;
use tutti_domain::money::Pence;
use tutti_domain::validate::format_day_long;

use super::applications::{ApplicationView, ahead_sql, band_sql};
use super::enrolments::{NewEnrolment, insert_enrolment};
use super::{Count, count};
use crate::error::{Result, StoreError, stored};
use crate::platform::audit::{self, Action, Actor};
use crate::platform::outbox;
use crate::query::{all_of, one_of, stmt};
use crate::records::pupils::PupilScope;
use crate::{Store, now};

#[derive(FromQueryResult)]
struct Email {
    email: String,
}

#[tutti_boxed::boxed]
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
        let offer = Offer {
            price: self.offer_price(&app, today).await?,
            start_date,
            expires_on,
            answer_url,
        };
        let priority = self.waiting_priority().await?;
        let txn = self.write().await?;
        lapse_offers(&txn, actor, today).await?;
        waiting_status(&txn, application_id).await?;
        let place = place_on_list(&txn, priority, application_id).await?;
        check_first_in_line(place, &app.pupil_name, &app.instrument, &app.school_name)?;
        offer_place(&txn, actor, &app, &offer).await?;
        txn.commit().await?;
        Ok(())
    }

    /// The termly price an offer's letter names for `app`, when the year's policy is
    /// published and prices its lesson.
    pub(crate) async fn offer_price(&self, app: &ApplicationView, today: Date) -> Result<Option<Pence>> {
        let policy = self.charging_policy(AcademicYear::containing(today)).await?;
        Ok((policy.revision > 0)
            .then(|| {
                let lesson_type: LessonType = app.lesson_type.parse().ok()?;
                policy.policy.price(lesson_type, u16::try_from(app.minutes).ok()?).ok()
            })
            .flatten())
    }

    /// Offers a place to each of `apps` (waiting applications, one per child) in one
    /// transaction, all or none: each must be first on its list once the children ahead of
    /// it in `apps` have been offered theirs, so ticking the first three on a list offers
    /// three places. Returns how many were offered.
    pub(crate) async fn offer_places(
        &self,
        actor: &Actor,
        apps: &[(ApplicationView, Option<Pence>)],
        start_date: Date,
        expires_on: Date,
        today: Date,
        answer_url: &str,
    ) -> Result<usize> {
        check_offer_dates(start_date, expires_on, today)?;
        let priority = self.waiting_priority().await?;
        let txn = self.write().await?;
        lapse_offers(&txn, actor, today).await?;
        let mut left: Vec<&(ApplicationView, Option<Pence>)> = apps.iter().collect();
        for (app, _) in &left {
            waiting_status(&txn, app.id).await?;
        }
        // Round by round, offer whoever is now first on their list; a round that offers
        // nobody leaves a child with someone unticked ahead of them, and refuses them all.
        while !left.is_empty() {
            let mut next = Vec::new();
            for item in left.iter().copied() {
                let (app, price) = item;
                if place_on_list(&txn, priority, app.id).await? == Some(1) {
                    let offer = Offer {
                        price: *price,
                        start_date,
                        expires_on,
                        answer_url,
                    };
                    offer_place(&txn, actor, app, &offer).await?;
                } else {
                    next.push(item);
                }
            }
            if next.len() == left.len() {
                let (app, _) = next[0];
                let place = place_on_list(&txn, priority, app.id).await?;
                check_first_in_line(place, &app.pupil_name, &app.instrument, &app.school_name)?;
            }
            left = next;
        }
        txn.commit().await?;
        Ok(apps.len())
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
            let what = format!(
                "pupil {} enrolled for {} from {start}, awaiting allocation",
                app.pupil_id, app.instrument
            );
            audit::record(&txn, actor, Action::Create, "enrolment", Some(id), what).await?;
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
        let summary = format!("offer {status}");
        audit::commit(txn, actor, Action::Update, "application", Some(application_id), summary).await?;
        Ok(enrolment_id)
    }
}

/// What an offer gives: its dates, the price its letter names, and where to answer.
struct Offer<'a> {
    price: Option<Pence>,
    start_date: Date,
    expires_on: Date,
    answer_url: &'a str,
}

/// Offers past their expiry lapse, so the next child can be offered.
async fn lapse_offers(txn: &impl ConnectionTrait, actor: &Actor, today: Date) -> Result<()> {
    let lapsed = txn
        .execute_raw(stmt(
            txn.get_database_backend(),
            "UPDATE applications SET status = 'lapsed', updated_at = ? WHERE status = 'offered' AND offer_expires_on < ?",
            [now().into(), today.into()],
        ))
        .await?
        .rows_affected();
    if lapsed > 0 {
        let what = format!("{lapsed} unanswered offers lapsed");
        audit::record(txn, actor, Action::Update, "application", None, what).await?;
    }
    Ok(())
}

/// The application's status read under the write lock, refused unless it may be offered.
async fn waiting_status(txn: &impl ConnectionTrait, application_id: i64) -> Result<ApplicationStatus> {
    #[derive(FromQueryResult)]
    struct Now {
        status: String,
    }
    let status = one_of::<Now>(
        txn,
        "SELECT status FROM applications WHERE id = ?",
        [application_id.into()],
    )
    .await?
    .ok_or(StoreError::NotFound)?
    .status;
    Ok(stored(&status, ApplicationStatus::parse)?.offer()?)
}

/// The application's place on its waiting list, read under the write lock: another offer
/// may have just been made.
async fn place_on_list(
    txn: &impl ConnectionTrait,
    priority: WaitingPriority,
    application_id: i64,
) -> Result<Option<i64>> {
    let ahead = ahead_sql(
        priority,
        "a.school_id",
        "a.instrument",
        &band_sql(priority, "p"),
        "a.applied_at",
        "a.id",
    );
    Ok(one_of::<Count>(
        txn,
        &format!("SELECT 1 + {ahead} AS n FROM applications a JOIN pupils p ON p.id = a.pupil_id WHERE a.id = ?"),
        [application_id.into()],
    )
    .await?
    .map(|c| c.n))
}

/// Marks the application offered, emails the child's guardians the letter and notes it.
async fn offer_place(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    app: &ApplicationView,
    offer: &Offer<'_>,
) -> Result<()> {
    let backend = txn.get_database_backend();
    txn.execute_raw(stmt(
        backend,
        "UPDATE applications SET status = ?, offer_start_date = ?, offer_expires_on = ?, offered_at = ?, \
         updated_at = ? WHERE id = ?",
        [
            ApplicationStatus::Offered.as_str().into(),
            offer.start_date.into(),
            offer.expires_on.into(),
            now().into(),
            now().into(),
            app.id.into(),
        ],
    ))
    .await?;
    let emails = all_of::<Email>(
        txn,
        "SELECT g.email FROM guardians g JOIN pupil_guardians pg ON pg.guardian_id = g.id WHERE pg.pupil_id = ? \
         ORDER BY g.id",
        [app.pupil_id.into()],
    )
    .await?;
    let letter = OfferLetter {
        pupil_name: &app.pupil_name,
        lesson_type: &app.lesson_type,
        minutes: app.minutes,
        instrument: &app.instrument,
        school_name: &app.school_name,
        start_date: offer.start_date,
        expires_on: offer.expires_on,
        price: offer.price,
        answer_url: offer.answer_url,
    };
    let (subject, body) = (letter.subject(), letter.body());
    for e in &emails {
        outbox::enqueue(txn, &e.email, &subject, &body).await?;
    }
    let what = format!(
        "offered a place from {}, open until {}",
        format_day_long(offer.start_date),
        format_day_long(offer.expires_on)
    );
    audit::record(txn, actor, Action::Update, "application", Some(app.id), what).await?;
    Ok(())
}
