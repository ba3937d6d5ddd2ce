//! The office's reports: the annual data return (`data_return`), decision 0090; the
//! dashboards, the manager's and a school's own (`dashboard`), decision 0092.
pub mod dashboard;
pub mod data_return;
