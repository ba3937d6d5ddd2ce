//! Privacy by law: the one-month deadline of a subject access or erasure request, the
//! retention schedule's kinds of record with their defaults from guidance, and the consents a
//! family gives (decision 0088).
use time::{Date, Month};

/// The day a request received on `received` must be answered by: one calendar month later
/// (UK GDPR Article 12(3); the ICO counts from the day of receipt to the corresponding day of
/// the next month, or the month's last day when it has no such day).
pub fn request_deadline(received: Date) -> Date {
    let (year, month) = match received.month() {
        Month::December => (received.year() + 1, Month::January),
        m => (received.year(), m.next()),
    };
    let last = month.length(year);
    Date::from_calendar_date(year, month, received.day().min(last)).unwrap_or(received)
}

/// The kinds of record the retention schedule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RetentionKind {
    EndedEnrolments,
    Registers,
    Invoices,
    OutboxMessages,
    LoginFailures,
    AuditEvents,
    DbsCertificates,
    UnplacedApplicants,
    UploadedPhotos,
}

impl RetentionKind {
    pub const ALL: [RetentionKind; 9] = [
        RetentionKind::EndedEnrolments,
        RetentionKind::Registers,
        RetentionKind::Invoices,
        RetentionKind::OutboxMessages,
        RetentionKind::LoginFailures,
        RetentionKind::AuditEvents,
        RetentionKind::DbsCertificates,
        RetentionKind::UnplacedApplicants,
        RetentionKind::UploadedPhotos,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RetentionKind::EndedEnrolments => "ended-enrolments",
            RetentionKind::Registers => "registers",
            RetentionKind::Invoices => "invoices",
            RetentionKind::OutboxMessages => "outbox-messages",
            RetentionKind::LoginFailures => "login-failures",
            RetentionKind::AuditEvents => "audit-events",
            RetentionKind::DbsCertificates => "dbs-certificates",
            RetentionKind::UnplacedApplicants => "unplaced-applicants",
            RetentionKind::UploadedPhotos => "uploaded-photos",
        }
    }

    pub fn parse(s: &str) -> Option<RetentionKind> {
        RetentionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The words the office reads.
    pub fn label(self) -> &'static str {
        match self {
            RetentionKind::EndedEnrolments => "Ended enrolments",
            RetentionKind::Registers => "Register marks",
            RetentionKind::Invoices => "Invoices and payments",
            RetentionKind::OutboxMessages => "Emails sent",
            RetentionKind::LoginFailures => "Failed sign-ins",
            RetentionKind::AuditEvents => "Audit log events",
            RetentionKind::DbsCertificates => "DBS certificate details",
            RetentionKind::UnplacedApplicants => "Applicants not placed",
            RetentionKind::UploadedPhotos => "Uploaded photos",
        }
    }

    /// The default period in months, from guidance (docs/guides/privacy.md gives sources).
    pub fn default_months(self) -> u32 {
        match self {
            // IRMS schools toolkit: pupil records of a service, end of the relationship + 6 years.
            RetentionKind::EndedEnrolments => 72,
            // IRMS schools toolkit: attendance registers, 3 years after the register is taken.
            RetentionKind::Registers => 36,
            // HMRC and the Limitation Act 1980: financial records, 6 years.
            RetentionKind::Invoices => 72,
            // Operational mail: no longer needed after 12 months (data minimisation).
            RetentionKind::OutboxMessages => 12,
            // NCSC logging guidance: security logs around 6 months to spot a pattern.
            RetentionKind::LoginFailures => 6,
            // The audit log answers "who saw this child's record": 6 years, like the records.
            RetentionKind::AuditEvents => 72,
            // DBS code of practice: certificate details no longer than 6 months after the
            // recruitment decision.
            RetentionKind::DbsCertificates => 6,
            // An application not placed: 12 months after it closed (waiting lists roll yearly).
            RetentionKind::UnplacedApplicants => 12,
            // ICO: photographs only as long as the purpose; a school year plus one (24 months).
            RetentionKind::UploadedPhotos => 24,
        }
    }
}

/// The day before which records of a kind kept for `months` months have passed their
/// period, on `today`.
pub fn retention_cutoff(today: Date, months: u32) -> Date {
    let total = today.year() * 12 + (today.month() as i32 - 1) - months as i32;
    let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
    let month = Month::try_from(month0 as u8 + 1).unwrap_or(Month::January);
    let last = month.length(year);
    Date::from_calendar_date(year, month, today.day().min(last)).unwrap_or(today)
}

/// The consents a family gives, each with its own history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConsentKind {
    /// Photographs and video of the child (concerts, the website).
    PhotoVideo,
    /// Sharing the child's progress and attendance with their school.
    SchoolSharing,
    /// News and offers by email.
    MarketingEmail,
}

impl ConsentKind {
    pub const ALL: [ConsentKind; 3] = [
        ConsentKind::PhotoVideo,
        ConsentKind::SchoolSharing,
        ConsentKind::MarketingEmail,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentKind::PhotoVideo => "photo-video",
            ConsentKind::SchoolSharing => "school-sharing",
            ConsentKind::MarketingEmail => "marketing-email",
        }
    }

    pub fn parse(s: &str) -> Option<ConsentKind> {
        ConsentKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ConsentKind::PhotoVideo => "Photographs and video",
            ConsentKind::SchoolSharing => "Sharing progress with the school",
            ConsentKind::MarketingEmail => "News and offers by email",
        }
    }
}

/// How a consent was given or withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentHow {
    Online,
    Paper,
    Phone,
}

impl ConsentHow {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentHow::Online => "online",
            ConsentHow::Paper => "paper",
            ConsentHow::Phone => "phone",
        }
    }
    pub fn parse(s: &str) -> Option<ConsentHow> {
        [ConsentHow::Online, ConsentHow::Paper, ConsentHow::Phone]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Why erasure treats a kind of record as it does: the words the office reads before it
/// confirms, and the API and the command line give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErasureReason {
    /// Money records: kept, the person pseudonymised.
    Financial,
    /// Their own record, and their logins: kept as an empty shell.
    OwnRecord,
    /// A way to sign in as them, or a message to them.
    WayIn,
    /// A link between them and another record.
    Link,
    /// The office's search, rebuilt from the records.
    SearchIndex,
    /// Any other record about them: kept for the statistics, emptied.
    Statistics,
}

impl ErasureReason {
    pub fn words(self) -> &'static str {
        match self {
            ErasureReason::Financial => {
                "financial records are kept six years (HMRC, the Limitation Act 1980); the person is named only by a pseudonym"
            }
            ErasureReason::OwnRecord => {
                "their record stays as an empty shell so that counts and money records still add up; every personal field is emptied and any login ended"
            }
            ErasureReason::WayIn => "a way to sign in as them or a message to them: nothing to keep",
            ErasureReason::Link => "a link between them and another record",
            ErasureReason::SearchIndex => {
                "the office's search: rebuilt from the emptied records, so it no longer finds them"
            }
            ErasureReason::Statistics => {
                "kept for the hub's statistics (lessons given, the data return) with nothing that names them"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_request_is_due_a_calendar_month_later() {
        assert_eq!(request_deadline(date!(2026 - 09 - 03)), date!(2026 - 10 - 03));
        assert_eq!(request_deadline(date!(2026 - 01 - 31)), date!(2026 - 02 - 28));
        assert_eq!(request_deadline(date!(2026 - 12 - 15)), date!(2027 - 01 - 15));
    }

    #[test]
    fn the_cutoff_is_the_period_before_today() {
        assert_eq!(retention_cutoff(date!(2026 - 09 - 16), 6), date!(2026 - 03 - 16));
        assert_eq!(retention_cutoff(date!(2026 - 09 - 16), 72), date!(2020 - 09 - 16));
        assert_eq!(retention_cutoff(date!(2026 - 03 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(retention_cutoff(date!(2026 - 01 - 10), 12), date!(2025 - 01 - 10));
    }
}
