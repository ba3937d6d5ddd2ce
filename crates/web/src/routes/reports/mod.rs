//! The office's reports: the annual data return (`data_return`), decision 0090.
pub mod data_return;
