//! Teaching: lessons and their groups, registers, cancellations and make-ups, allocating
//! pupils to teachers and times, timetable proposals, and pupils' progress.
pub mod allocation;
pub mod cancellations;
pub mod lessons;
pub mod progress;
pub mod proposals;
pub mod registers;
