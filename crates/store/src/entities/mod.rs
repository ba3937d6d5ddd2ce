//! sea-orm entities, one per table; the queries live in the feature modules.
pub mod enrolment;
pub mod guardian;
pub mod hub_setting;
pub mod login_failure;
pub mod one_time_token;
pub mod outbox;
pub mod pupil;
pub mod pupil_guardian;
pub mod school;
pub mod session;
pub mod staff;
pub mod user;
