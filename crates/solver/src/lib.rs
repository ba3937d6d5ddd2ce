//! The timetable problem of TIMETABLING.md: instances, solutions, the checker and the solver.
