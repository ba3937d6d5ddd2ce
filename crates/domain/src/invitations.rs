//! Invitations: a login offered to the person behind a record (a member of staff, a school's
//! contact, a parent's child), which role each record may be given, the invitation's life from
//! sent to accepted, the letter that carries it, and what inviting refuses. School contacts
//! (the people at a school the hub writes to) and what their records refuse live here too:
//! they exist to be invited.
use std::fmt;

use time::OffsetDateTime;

use crate::accounts::Role;
use crate::validate::EmailAddress;

/// How long an invitation's link works, in days.
pub const INVITATION_DAYS: i64 = 7;

/// The record a login is linked to: the users table's `staff_id`, `school_id` or `pupil_id`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InvitationLink {
    Staff(i64),
    School(i64),
    Pupil(i64),
}

impl InvitationLink {
    /// Exactly one of the three ids, or the field at fault (the first of two sent, or
    /// `staff_id` when none is).
    pub fn from_ids(
        staff_id: Option<i64>,
        school_id: Option<i64>,
        pupil_id: Option<i64>,
    ) -> Result<InvitationLink, &'static str> {
        match (staff_id, school_id, pupil_id) {
            (Some(id), None, None) => Ok(InvitationLink::Staff(id)),
            (None, Some(id), None) => Ok(InvitationLink::School(id)),
            (None, None, Some(id)) => Ok(InvitationLink::Pupil(id)),
            (None, None, None) | (Some(_), _, _) => Err("staff_id"),
            (None, Some(_), Some(_)) => Err("school_id"),
        }
    }

    pub fn id(self) -> i64 {
        match self {
            InvitationLink::Staff(id) | InvitationLink::School(id) | InvitationLink::Pupil(id) => id,
        }
    }

    /// The request's field that names the record.
    pub fn field(self) -> &'static str {
        match self {
            InvitationLink::Staff(_) => "staff_id",
            InvitationLink::School(_) => "school_id",
            InvitationLink::Pupil(_) => "pupil_id",
        }
    }

    /// The roles a login linked to this kind of record may have: staff teach or manage, a
    /// school's contact is the school, a child is a pupil. Admins are made by admins, not
    /// invited to a record.
    pub fn roles(self) -> &'static [Role] {
        match self {
            InvitationLink::Staff(_) => &[Role::Teacher, Role::Manager],
            InvitationLink::School(_) => &[Role::School],
            InvitationLink::Pupil(_) => &[Role::Pupil],
        }
    }

    /// The role fits the record.
    pub fn check_role(self, role: Role) -> Result<(), InvitationRefusal> {
        if self.roles().contains(&role) {
            Ok(())
        } else {
            Err(InvitationRefusal::RoleNotForRecord { role, link: self })
        }
    }

    fn record_words(self) -> &'static str {
        match self {
            InvitationLink::Staff(_) => "a member of staff",
            InvitationLink::School(_) => "a school",
            InvitationLink::Pupil(_) => "a pupil",
        }
    }
}

text_enum! {
    /// Where an invitation stands. Only `accepted` and `withdrawn` are stored (as stamps);
    /// `pending` turns into `expired` as the clock passes its expiry.
    pub enum InvitationStatus {
        Pending = "pending",
        Expired = "expired",
        Accepted = "accepted",
        Withdrawn = "withdrawn",
    }
}
stored_status!(InvitationStatus);

impl InvitationStatus {
    /// The status of an invitation with these stamps, at `now`.
    pub fn at(
        accepted_at: Option<OffsetDateTime>,
        withdrawn_at: Option<OffsetDateTime>,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> InvitationStatus {
        if accepted_at.is_some() {
            InvitationStatus::Accepted
        } else if withdrawn_at.is_some() {
            InvitationStatus::Withdrawn
        } else if expires_at <= now {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "Waiting for an answer",
            InvitationStatus::Expired => "Expired",
            InvitationStatus::Accepted => "Accepted",
            InvitationStatus::Withdrawn => "Withdrawn",
        }
    }

    /// A new link may be sent (a pending or expired invitation; not one accepted or withdrawn).
    pub fn check_resend(self) -> Result<(), InvitationRefusal> {
        match self {
            InvitationStatus::Pending | InvitationStatus::Expired => Ok(()),
            other => Err(InvitationRefusal::Closed { status: other }),
        }
    }

    /// It may be withdrawn (while nobody has accepted it and it is not withdrawn already).
    pub fn check_withdraw(self) -> Result<(), InvitationRefusal> {
        self.check_resend()
    }

    /// Its link may be used to choose a password: pending only.
    pub fn check_accept(self) -> Result<(), InvitationRefusal> {
        match self {
            InvitationStatus::Pending => Ok(()),
            other => Err(InvitationRefusal::LinkDead { status: other }),
        }
    }
}

/// Why an invitation was not sent, resent, withdrawn or accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvitationRefusal {
    #[error("{email} already has a login.")]
    EmailHasLogin { email: String },
    #[error("This record already has a login.")]
    RecordHasLogin { link: InvitationLink },
    #[error("This record is archived; restore it before inviting anyone to it.")]
    RecordArchived { link: InvitationLink },
    #[error("An invitation to {email} is waiting for an answer already; resend it instead.")]
    AlreadyInvited { email: String },
    #[error("A login for {} cannot have the role {}.", .link.record_words(), .role.label().to_lowercase())]
    RoleNotForRecord { role: Role, link: InvitationLink },
    #[error("This invitation is {}; nothing more can be done with it.", .status.as_str())]
    Closed { status: InvitationStatus },
    /// The link in the email no longer works: used, expired or withdrawn.
    #[error("{}", dead_link_words(*.status))]
    LinkDead { status: InvitationStatus },
}

fn dead_link_words(status: InvitationStatus) -> &'static str {
    match status {
        InvitationStatus::Accepted => {
            "This invitation has already been used. Log in with the password you chose, or reset it."
        }
        InvitationStatus::Withdrawn => {
            "This invitation has been withdrawn by the hub office. Contact them if you think this is a mistake."
        }
        InvitationStatus::Expired | InvitationStatus::Pending => {
            "This invitation has expired. Invitations work for 7 days; ask the hub office to send a new one."
        }
    }
}

impl InvitationRefusal {
    /// The form or API field at fault, if one is.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            InvitationRefusal::EmailHasLogin { .. } | InvitationRefusal::AlreadyInvited { .. } => Some("email"),
            InvitationRefusal::RecordHasLogin { link } | InvitationRefusal::RecordArchived { link } => {
                Some(link.field())
            }
            InvitationRefusal::RoleNotForRecord { .. } => Some("role"),
            InvitationRefusal::Closed { .. } | InvitationRefusal::LinkDead { .. } => None,
        }
    }

    /// The request clashes with what is there (a login, an invitation, an archived record);
    /// a role that does not fit its record breaks a rule on its own.
    pub fn is_conflict(&self) -> bool {
        !matches!(self, InvitationRefusal::RoleNotForRecord { .. })
    }
}

/// What the invitation email says: its subject and body. `link` is the address with the
/// secret; `role` the login's.
pub fn invitation_letter(hub: &str, name: &str, role: Role, link: &str) -> (String, String) {
    let what = match role {
        Role::Teacher => "see your teaching day, take registers and write progress notes",
        Role::Manager => "manage the hub's records, staff and reports",
        Role::School => "see your school's pupils, lessons and invoices",
        Role::Pupil => "see your lessons and use the hub's online resources",
        Role::Parent | Role::Admin => "use the hub's website",
    };
    let subject = format!("Your invitation to {hub}");
    let body = format!(
        "Hello {name},\n\n{hub} has made you a login so that you can {what}.\n\nTo accept, choose a password by \
         opening this link:\n\n{link}\n\nThe link works for {INVITATION_DAYS} days and only once. If you were not \
         expecting this email, you can ignore it.\n"
    );
    (subject, body)
}

/// A contact at a school, as the office types them in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactInput {
    pub name: String,
    pub email: EmailAddress,
    pub job_title: String,
}

/// What is wrong with a contact's fields: (field, words), in the form's order.
pub type ContactProblems = Vec<(&'static str, String)>;

impl ContactInput {
    /// Reads a contact's three fields, naming every field at fault.
    pub fn parse(name: &str, email: &str, job_title: &str) -> Result<ContactInput, ContactProblems> {
        let mut problems = Vec::new();
        let name = name.trim();
        if name.is_empty() {
            problems.push(("name", "Enter the contact's name".to_owned()));
        } else if name.chars().count() > 100 {
            problems.push(("name", "The name must be 100 characters or fewer".to_owned()));
        }
        let email = if email.trim().is_empty() {
            problems.push(("email", "Enter the contact's email address".to_owned()));
            None
        } else {
            match EmailAddress::parse(email) {
                Ok(e) => Some(e),
                Err(e) => {
                    problems.push(("email", e.to_string()));
                    None
                }
            }
        };
        let job_title = job_title.trim();
        if job_title.chars().count() > 100 {
            problems.push(("job_title", "The job title must be 100 characters or fewer".to_owned()));
        }
        match email {
            Some(email) if problems.is_empty() => Ok(ContactInput {
                name: name.to_owned(),
                email,
                job_title: job_title.to_owned(),
            }),
            _ => Err(problems),
        }
    }
}

impl fmt::Display for InvitationLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field(), self.id())
    }
}

/// Why a school's contact was not saved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ContactRefusal {
    #[error("This school already has a contact with the email {email}.")]
    EmailTaken { email: String },
}

impl ContactRefusal {
    pub fn field(&self) -> Option<&'static str> {
        Some("email")
    }

    pub fn is_conflict(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn exactly_one_record_is_named() {
        assert_eq!(
            InvitationLink::from_ids(Some(3), None, None),
            Ok(InvitationLink::Staff(3))
        );
        assert_eq!(
            InvitationLink::from_ids(None, None, Some(4)),
            Ok(InvitationLink::Pupil(4))
        );
        assert_eq!(InvitationLink::from_ids(None, None, None), Err("staff_id"));
        assert_eq!(InvitationLink::from_ids(Some(1), Some(2), None), Err("staff_id"));
        assert_eq!(InvitationLink::from_ids(None, Some(2), Some(3)), Err("school_id"));
    }

    #[test]
    fn each_record_takes_its_own_roles() {
        let table = [
            (InvitationLink::Staff(1), Role::Teacher, true),
            (InvitationLink::Staff(1), Role::Manager, true),
            (InvitationLink::Staff(1), Role::Admin, false),
            (InvitationLink::School(1), Role::School, true),
            (InvitationLink::School(1), Role::Teacher, false),
            (InvitationLink::Pupil(1), Role::Pupil, true),
            (InvitationLink::Pupil(1), Role::Parent, false),
        ];
        for (link, role, ok) in table {
            assert_eq!(link.check_role(role).is_ok(), ok, "{link} as {role}");
        }
        let r = InvitationLink::School(1).check_role(Role::Teacher).unwrap_err();
        assert_eq!(r.to_string(), "A login for a school cannot have the role teacher.");
        assert_eq!(r.field(), Some("role"));
        assert!(!r.is_conflict());
    }

    #[test]
    fn an_invitation_is_pending_until_its_seventh_day_is_over() {
        let sent = datetime!(2026-09-16 12:00 UTC);
        let expires = sent + time::Duration::days(INVITATION_DAYS);
        let at = |now| InvitationStatus::at(None, None, expires, now);
        assert_eq!(at(sent), InvitationStatus::Pending);
        assert_eq!(at(expires - time::Duration::seconds(1)), InvitationStatus::Pending);
        assert_eq!(at(expires), InvitationStatus::Expired);
        assert_eq!(
            InvitationStatus::at(Some(sent), None, expires, expires),
            InvitationStatus::Accepted
        );
        assert_eq!(
            InvitationStatus::at(None, Some(sent), expires, sent),
            InvitationStatus::Withdrawn
        );
        assert!(InvitationStatus::Expired.check_resend().is_ok());
        assert!(InvitationStatus::Accepted.check_withdraw().is_err());
        assert_eq!(
            InvitationStatus::Expired.check_accept().unwrap_err().to_string(),
            "This invitation has expired. Invitations work for 7 days; ask the hub office to send a new one."
        );
        assert_eq!(InvitationStatus::parse("pending"), Some(InvitationStatus::Pending));
    }

    #[test]
    fn a_contact_names_each_field_at_fault() {
        let c = ContactInput::parse(" Ann Head ", "Head@School.example", "Head teacher").unwrap();
        assert_eq!(c.name, "Ann Head");
        assert_eq!(c.email.to_string(), "head@school.example");
        let problems = ContactInput::parse("", "not an email", "").unwrap_err();
        assert_eq!(problems.iter().map(|p| p.0).collect::<Vec<_>>(), ["name", "email"]);
    }

    #[test]
    fn the_letter_names_the_hub_the_person_and_the_link() {
        let (subject, body) = invitation_letter("Anytown Music Hub", "Jo Bloggs", Role::Teacher, "https://x/a?t=1");
        assert_eq!(subject, "Your invitation to Anytown Music Hub");
        assert!(body.starts_with("Hello Jo Bloggs,"));
        assert!(body.contains("https://x/a?t=1") && body.contains("7 days"));
    }
}
