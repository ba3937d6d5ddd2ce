//! The office's reports: the annual data return (`data_return`), decision 0090; the
//! dashboards, the manager's and a school's own (`dashboard`), decision 0092; the progression
//! report (`progression`) and attendance patterns with members at risk (`attendance`),
//! decision 0095.
pub mod attendance;
pub mod dashboard;
pub mod data_return;
pub mod progression;
