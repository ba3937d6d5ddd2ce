//! The core records: schools, pupils and their guardians, staff and their availability,
//! instruments and their loans, schools' contacts, with their search, their lookup by part of a
//! name for pickers, archiving and CSV imports, and a pupil's path (`path`).
pub mod archive;
pub mod availability;
pub mod bulk;
pub(crate) mod enrolment_import;
pub mod guardians;
pub mod imports;
pub mod instruments;
pub(crate) mod keyed_import;
pub mod loans;
pub mod lookup;
pub mod path;
pub mod profile;
pub mod pupil_archive;
pub(crate) mod pupil_search;
pub mod pupils;
pub mod school_contacts;
pub mod schools;
pub mod search;
pub mod staff;
pub mod summaries;
pub(crate) mod unique;
