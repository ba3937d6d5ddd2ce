//! A parent's notice: what notice given today would mean, and giving it.
use sea_orm::{ConnectionTrait, FromQueryResult};
use serde::Serialize;
use time::Date;
use tutti_domain::admissions::{AdmissionRefusal, notice_end_date, notice_explanation};
use tutti_domain::calendar::{AcademicYear, SchoolCalendar};
use tutti_domain::charging::ChargingPolicy;

use super::enrolments::EnrolmentView;
use crate::Store;
use crate::error::{Result, StoreError};
use crate::platform::audit::{self, Action, Actor};
use crate::query::{one_of, stmt};
use crate::records::pupils::PupilScope;
use crate::teaching::lessons::Calendars;

/// What notice given today would mean, shown before the parent confirms.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NoticePreview {
    pub enrolment: EnrolmentView,
    pub end_date: Date,
    pub deadline: Date,
    pub next_term_payable: bool,
    pub explanation: String,
}

/// The school's calendar from the year before today's to the year after, for notice.
fn notice_calendar(calendars: &Calendars, school_id: i64, today: Date) -> SchoolCalendar {
    let year = AcademicYear::containing(today);
    let terms = [year.previous(), year, year.next()]
        .into_iter()
        .flat_map(|y| y.terms())
        .filter_map(|term| calendars.calendar(school_id, term))
        .flat_map(|cal| cal.terms)
        .collect();
    SchoolCalendar::new(terms)
}

#[tutti_boxed::boxed]
impl Store {
    /// What notice given on `today` would mean for this enrolment: its end date by the
    /// charging policy's notice rule at the pupil's school.
    pub async fn notice_preview(&self, scope: &PupilScope, enrolment_id: i64, today: Date) -> Result<NoticePreview> {
        let enrolment = self.enrolment(scope, enrolment_id).await?;
        enrolment.status.give_notice(enrolment.end_date)?;
        #[derive(FromQueryResult)]
        struct SchoolOf {
            school_id: i64,
        }
        let school = match enrolment.school_id {
            Some(s) => s,
            None => {
                one_of::<SchoolOf>(
                    self.conn(),
                    "SELECT school_id FROM pupils WHERE id = ?",
                    [enrolment.pupil_id.into()],
                )
                .await?
                .ok_or(StoreError::NotFound)?
                .school_id
            }
        };
        let calendars = Calendars::load(self.conn()).await?;
        let calendar = notice_calendar(&calendars, school, today);
        let (outcome, end_date) =
            notice_end_date(today, &ChargingPolicy::default(), &calendar).map_err(AdmissionRefusal::Notice)?;
        let explanation = notice_explanation(&outcome, end_date, enrolment.start_date);
        Ok(NoticePreview {
            enrolment,
            end_date,
            deadline: outcome.deadline,
            next_term_payable: outcome.next_term_payable,
            explanation,
        })
    }

    /// Confirms notice given on `today`: the enrolment ends on the date the preview showed,
    /// and is leaving until then.
    pub async fn give_notice(&self, actor: &Actor, scope: &PupilScope, enrolment_id: i64, today: Date) -> Result<Date> {
        let preview = self.notice_preview(scope, enrolment_id, today).await?;
        let leaving = preview.enrolment.status.give_notice(preview.enrolment.end_date)?;
        let txn = self.write().await?;
        let changed = txn
            .execute_raw(stmt(
                txn.get_database_backend(),
                "UPDATE enrolments SET end_date = ?, status = ? WHERE id = ? AND end_date IS NULL",
                [preview.end_date.into(), leaving.as_str().into(), enrolment_id.into()],
            ))
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(AdmissionRefusal::NoticeAlreadyGiven { lessons_end: None }.into());
        }
        let summary = format!("notice given on {today}; lessons end on {}", preview.end_date);
        audit::commit(txn, actor, Action::Update, "enrolment", Some(enrolment_id), summary).await?;
        Ok(preview.end_date)
    }
}
