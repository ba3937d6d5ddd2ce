//! Reports: the annual data return (`data_return`: the year's definition, stored when the hub
//! loads a newer one, and the facts its figures are worked out from), decision 0090; the
//! manager's and a school's dashboards (`dashboard`: a query a section), decision 0092; the
//! progression report (`progression`) and attendance patterns with members at risk
//! (`attendance`), decision 0095.
pub mod attendance;
pub mod dashboard;
pub mod data_return;
pub mod progression;
