//! Teaching: lessons and their groups, registers, cancellations and make-ups, allocating
//! pupils to teachers and times, timetable proposals, pupils' progress, and the year's term
//! dates and closures (set on screens, through the API or imported) that lessons follow, and
//! ensembles: their members, applications and rehearsals (`ensembles/`); whole-class programmes
//! schools bought, waiting to be placed (`programmes`).
pub mod allocation;
pub mod cancellations;
pub mod ensembles;
pub mod lessons;
pub mod programmes;
pub mod progress;
pub mod proposals;
pub mod registers;
pub mod term_imports;
pub mod terms;
