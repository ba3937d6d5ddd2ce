//! Progression (issue 18): the office's progression report (`report`: continuation after
//! whole-class teaching by school, area and year group, split by free school meals, SEND and
//! looked-after status, from the data return's one rule), each pupil's dated path (`path`), and
//! members and pupils at risk of
//! dropping out by their register marks (`at_risk`). Decision 0095.
pub mod at_risk;
pub mod path;
pub mod report;
