//! Long jobs (billing runs, timetable proposals) as rows any app server may hold: their
//! statuses, when a holder's silence means it has died, and what becomes of a job it held.
//! See docs/decisions/0082-jobs-in-the-database.md.

/// Where a job is. Stored as its word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobStatus {
    /// Held by an app server that is working on it (its heartbeat says it is alive).
    Running,
    /// Finished, with a result.
    Done,
    /// Ended without a result, with the reason.
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }

    pub fn parse(word: &str) -> Option<JobStatus> {
        match word {
            "running" => Some(JobStatus::Running),
            "done" => Some(JobStatus::Done),
            "failed" => Some(JobStatus::Failed),
            _ => None,
        }
    }

    /// Whether the job has ended one way or the other.
    pub fn is_finished(self) -> bool {
        self != JobStatus::Running
    }
}

/// How many times a job is started in all (the first time and after each holder that died)
/// before it is failed instead: a job that kills its holder every time must not go round
/// the app servers for ever.
pub const MAX_ATTEMPTS: i32 = 3;

/// A running job whose holder has not beaten for `stale_after` seconds has lost its holder
/// (the process died or lost the database). A job that has ended is never stale.
pub fn is_stale(status: JobStatus, seconds_since_heartbeat: i64, stale_after: i64) -> bool {
    status == JobStatus::Running && seconds_since_heartbeat >= stale_after
}

/// What another app server does with a job whose holder died.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recovery {
    /// Start it again (every job kind is one transaction or is safe to repeat).
    Restart,
    /// Fail it, saying why: it has been started too often.
    Fail,
}

/// A job started `attempts` times already, found without a holder.
pub fn recovery(attempts: i32) -> Recovery {
    if attempts >= MAX_ATTEMPTS {
        Recovery::Fail
    } else {
        Recovery::Restart
    }
}

/// Why a job was not started.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JobRefusal {
    /// One of its kind is running already, on this app server or another.
    #[error("A {what} is already in progress. Wait for it to finish, then try again.")]
    AlreadyRunning { what: &'static str },
}

impl JobRefusal {
    pub fn field(&self) -> Option<&'static str> {
        None
    }

    pub fn is_conflict(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_stored_as_their_words() {
        for s in [JobStatus::Running, JobStatus::Done, JobStatus::Failed] {
            assert_eq!(JobStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobStatus::parse("queued"), None);
        assert!(!JobStatus::Running.is_finished());
        assert!(JobStatus::Failed.is_finished());
    }

    #[test]
    fn only_a_silent_running_job_is_stale() {
        assert!(!is_stale(JobStatus::Running, 29, 30));
        assert!(is_stale(JobStatus::Running, 30, 30));
        assert!(!is_stale(JobStatus::Done, 3600, 30));
        assert!(!is_stale(JobStatus::Failed, 3600, 30));
    }

    #[test]
    fn a_job_is_restarted_until_it_has_been_tried_enough() {
        assert_eq!(recovery(1), Recovery::Restart);
        assert_eq!(recovery(MAX_ATTEMPTS - 1), Recovery::Restart);
        assert_eq!(recovery(MAX_ATTEMPTS), Recovery::Fail);
    }

    #[test]
    fn a_second_run_is_a_conflict() {
        let r = JobRefusal::AlreadyRunning { what: "billing run" };
        assert!(r.is_conflict());
        assert_eq!(
            r.to_string(),
            "A billing run is already in progress. Wait for it to finish, then try again."
        );
    }
}
