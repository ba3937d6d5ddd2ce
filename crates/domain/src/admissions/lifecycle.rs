//! The lifecycles of admissions: an application (waiting → offered → accepted, declined or
//! lapsed) and the enrolment an accepted offer makes (awaiting → active → leaving). Each
//! status is written in the database as the word its `as_str` gives; each step is a function
//! that refuses, with a typed reason, a step the status does not allow.
use time::Date;

use super::AdmissionRefusal;

text_enum! {
    /// Where an application is (the `applications.status` column). An offer is a step of its
    /// application, not a record of its own: `offered` until it is answered or lapses.
    pub enum ApplicationStatus {
        /// On its school's waiting list for the instrument.
        Waiting = "waiting",
        /// Offered a place, open until the offer's expiry date.
        Offered = "offered",
        /// The offer was accepted: an enrolment was made.
        Accepted = "accepted",
        /// The offer was declined.
        Declined = "declined",
        /// Offered, and not answered by the end of the offer's expiry date.
        Lapsed = "lapsed",
    }
}

stored_status!(ApplicationStatus);

impl ApplicationStatus {
    /// The status as it stands on `today`: an offer not answered by the end of its expiry
    /// date has lapsed, even before the next write records it.
    pub fn on(self, offer_expires_on: Option<Date>, today: Date) -> ApplicationStatus {
        match (self, offer_expires_on) {
            (ApplicationStatus::Offered, Some(until)) if until < today => ApplicationStatus::Lapsed,
            (status, _) => status,
        }
    }

    /// Still in play: waiting, or offered and not lapsed. A child with an open application for
    /// an instrument may not apply for it again.
    pub fn is_open(self) -> bool {
        matches!(self, ApplicationStatus::Waiting | ApplicationStatus::Offered)
    }

    /// Waiting → offered: only an application on the waiting list can be offered a place.
    pub fn offer(self) -> Result<ApplicationStatus, AdmissionRefusal> {
        match self {
            ApplicationStatus::Waiting => Ok(ApplicationStatus::Offered),
            status => Err(AdmissionRefusal::NotWaiting { status }),
        }
    }

    /// Offered → accepted or declined. `self` is the status on the day of the answer (see
    /// [`ApplicationStatus::on`]); a lapsed offer names the date it was open until.
    pub fn answer(self, accept: bool, open_until: Option<Date>) -> Result<ApplicationStatus, AdmissionRefusal> {
        match self {
            ApplicationStatus::Offered if accept => Ok(ApplicationStatus::Accepted),
            ApplicationStatus::Offered => Ok(ApplicationStatus::Declined),
            ApplicationStatus::Lapsed => Err(AdmissionRefusal::OfferLapsed { open_until }),
            status => Err(AdmissionRefusal::NoOpenOffer { status }),
        }
    }
}

text_enum! {
    /// Where an enrolment is (the `enrolments.status` column).
    pub enum EnrolmentStatus {
        /// Placed with a teacher, school, day and time, and taught.
        Active = "active",
        /// Accepted or imported without a teacher and time: waiting for allocation.
        Awaiting = "awaiting",
        /// Notice given: taught until its end date.
        Leaving = "leaving",
    }
}

stored_status!(EnrolmentStatus);

impl EnrolmentStatus {
    /// A new enrolment: active when it is placed (teacher, weekday and start all known),
    /// else awaiting allocation.
    pub fn new(placed: bool) -> EnrolmentStatus {
        if placed {
            EnrolmentStatus::Active
        } else {
            EnrolmentStatus::Awaiting
        }
    }

    /// Placed in a teaching group: awaiting → active; an enrolment already active or leaving
    /// keeps its status.
    pub fn place(self) -> EnrolmentStatus {
        match self {
            EnrolmentStatus::Awaiting => EnrolmentStatus::Active,
            other => other,
        }
    }

    /// Notice given → leaving. Notice is given once: an enrolment already leaving, or with an
    /// end date, is refused with the date its lessons end.
    pub fn give_notice(self, end_date: Option<Date>) -> Result<EnrolmentStatus, AdmissionRefusal> {
        if self == EnrolmentStatus::Leaving || end_date.is_some() {
            Err(AdmissionRefusal::NoticeAlreadyGiven { lessons_end: end_date })
        } else {
            Ok(EnrolmentStatus::Leaving)
        }
    }

    /// Learning the instrument or waiting to: a child may not apply for it again.
    pub fn is_learning(self) -> bool {
        matches!(self, EnrolmentStatus::Active | EnrolmentStatus::Awaiting)
    }

    /// Taught now: placed, or leaving and taught until the end date.
    pub fn is_taught(self) -> bool {
        matches!(self, EnrolmentStatus::Active | EnrolmentStatus::Leaving)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn statuses_read_and_write_the_stored_words_exactly() {
        for (status, word) in [
            (ApplicationStatus::Waiting, "waiting"),
            (ApplicationStatus::Offered, "offered"),
            (ApplicationStatus::Accepted, "accepted"),
            (ApplicationStatus::Declined, "declined"),
            (ApplicationStatus::Lapsed, "lapsed"),
        ] {
            assert_eq!(status.as_str(), word);
            assert_eq!(ApplicationStatus::parse(word), Some(status));
        }
        for (status, word) in [
            (EnrolmentStatus::Active, "active"),
            (EnrolmentStatus::Awaiting, "awaiting"),
            (EnrolmentStatus::Leaving, "leaving"),
        ] {
            assert_eq!(status.as_str(), word);
            assert_eq!(EnrolmentStatus::parse(word), Some(status));
            assert_eq!(serde_json::to_value(status).unwrap(), word);
        }
        assert_eq!(ApplicationStatus::parse("Waiting"), None);
        assert_eq!(EnrolmentStatus::parse("ended"), None);
    }

    #[test]
    fn an_application_is_offered_once_and_answered_once() {
        use ApplicationStatus::*;
        let table = [
            (Waiting, Ok(Offered)),
            (Offered, Err(AdmissionRefusal::NotWaiting { status: Offered })),
            (Accepted, Err(AdmissionRefusal::NotWaiting { status: Accepted })),
            (Lapsed, Err(AdmissionRefusal::NotWaiting { status: Lapsed })),
        ];
        for (from, to) in table {
            assert_eq!(from.offer(), to, "{from}");
        }
        let until = Some(date!(2026 - 09 - 30));
        assert_eq!(Offered.answer(true, until), Ok(Accepted));
        assert_eq!(Offered.answer(false, until), Ok(Declined));
        assert_eq!(
            Lapsed.answer(true, until),
            Err(AdmissionRefusal::OfferLapsed { open_until: until })
        );
        assert_eq!(
            Waiting.answer(true, None).unwrap_err().to_string(),
            "There is no open offer on this application (it is waiting)."
        );
        assert_eq!(
            Waiting.offer().and_then(|s| s.offer()).unwrap_err().to_string(),
            "This application is offered, not waiting, so no place can be offered."
        );
    }

    #[test]
    fn an_offer_lapses_the_day_after_it_was_open_until() {
        let until = Some(date!(2026 - 09 - 30));
        let s = ApplicationStatus::Offered;
        assert_eq!(s.on(until, date!(2026 - 09 - 30)), ApplicationStatus::Offered);
        assert_eq!(s.on(until, date!(2026 - 10 - 01)), ApplicationStatus::Lapsed);
        assert_eq!(
            ApplicationStatus::Waiting.on(until, date!(2027 - 01 - 01)),
            ApplicationStatus::Waiting
        );
        assert!(s.is_open() && ApplicationStatus::Waiting.is_open());
        assert!(!ApplicationStatus::Lapsed.is_open());
    }

    #[test]
    fn an_enrolment_is_placed_then_given_notice_once() {
        use EnrolmentStatus::*;
        assert_eq!(EnrolmentStatus::new(true), Active);
        assert_eq!(EnrolmentStatus::new(false), Awaiting);
        assert_eq!(Awaiting.place(), Active);
        assert_eq!(Leaving.place(), Leaving);
        assert_eq!(Active.give_notice(None), Ok(Leaving));
        assert_eq!(Awaiting.give_notice(None), Ok(Leaving));
        let end = date!(2026 - 12 - 18);
        assert_eq!(
            Active.give_notice(Some(end)).unwrap_err().to_string(),
            "Notice has already been given: lessons end on Friday 18 December 2026."
        );
        assert_eq!(
            Leaving.give_notice(None).unwrap_err().to_string(),
            "Notice has already been given."
        );
        assert!(Active.is_learning() && Awaiting.is_learning() && !Leaving.is_learning());
        assert!(Active.is_taught() && Leaving.is_taught() && !Awaiting.is_taught());
    }
}
