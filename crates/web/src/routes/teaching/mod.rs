//! Teaching on the screens: the day's lessons and registers for teachers, families and
//! schools; allocation, cancellations and timetable proposals for the office; progress
//! (exams and reports); private calendar feeds; the year's term dates and closures; and
//! ensembles: the public list, a family's application, the office's screens (`ensembles`), and
//! their auditions: slots, a family's booking and the outcomes (`auditions`), and a family's
//! leaving with notice and Virtual Music Centre strands (`ensemble_fees`).
pub(crate) mod allocation;
pub(crate) mod auditions;
pub(crate) mod calendar;
pub(crate) mod ensemble_fees;
pub(crate) mod ensembles;
pub(crate) mod lessons;
pub(crate) mod progress;
pub(crate) mod school_timetable;
pub(crate) mod terms;
