//! Privacy by law for the office (issue 21, decision 0088): the requests' log with its
//! deadlines, a person's subject access export and their erasure shown before it is done
//! (`office`), and the export as the person receives it (`document`).
pub(crate) mod document;
mod office;
pub(crate) mod pupil;

use tutti_store::platform::accounts::Role;

use crate::access::{Access, Audience};

/// The office's privacy pages.
pub fn office_audience() -> Audience {
    Audience::new(Access::Roles(&[Role::Admin, Role::Manager]), office::routes())
}

/// A pupil's own page about their data.
pub fn pupil_audience() -> Audience {
    Audience::new(Access::Roles(&[Role::Pupil]), pupil::routes())
}
