//! Accounts: the roles a person holds, what a personal API token may do and for how long,
//! and what accounts, tokens and second factors refuse.
use std::fmt;

use serde::{Deserialize, Serialize};

/// What a person may do. A user holds exactly one role; see docs/decisions/0003-one-role-per-account.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Manager,
    Teacher,
    Parent,
    Pupil,
    School,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Manager,
        Role::Teacher,
        Role::Parent,
        Role::Pupil,
        Role::School,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Teacher => "teacher",
            Role::Parent => "parent",
            Role::Pupil => "pupil",
            Role::School => "school",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Office admin",
            Role::Manager => "Manager",
            Role::Teacher => "Teacher",
            Role::Parent => "Parent or carer",
            Role::Pupil => "Pupil",
            Role::School => "School contact",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a personal API token may do: read only, or read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    Read,
    ReadWrite,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::ReadWrite => "read_write",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "read" => Some(TokenScope::Read),
            "read_write" | "read-write" => Some(TokenScope::ReadWrite),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TokenScope::Read => "Read only",
            TokenScope::ReadWrite => "Read and write",
        }
    }

    /// Whether a request with this HTTP method is within the scope.
    pub fn allows_method(self, method: &str) -> bool {
        self == TokenScope::ReadWrite || matches!(method, "GET" | "HEAD" | "OPTIONS")
    }
}

/// How long a token lives unless its owner says otherwise, in days.
pub const TOKEN_DEFAULT_DAYS: i64 = 90;
/// The longest a token may be made to live, in days.
pub const TOKEN_MAX_DAYS: i64 = 366;

/// Why a change to an account, a token or a second factor was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AccountRefusal {
    #[error("An account with the email {email} already exists.")]
    EmailTaken { email: String },
    /// Someone must always be able to run the hub.
    #[error("This is the only active admin account; make another admin first.")]
    LastAdmin,
    #[error("A token must expire within {TOKEN_MAX_DAYS} days.")]
    TokenLifetime,
    #[error("That code is not the one your app shows now. Check the app's clock and type the newest code.")]
    WrongCode,
    #[error("This passkey is already registered.")]
    PasskeyTaken,
}

impl AccountRefusal {
    /// The form field at fault, if one is.
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            AccountRefusal::EmailTaken { .. } => "email",
            AccountRefusal::TokenLifetime => "expires_in_days",
            AccountRefusal::WrongCode => "code",
            AccountRefusal::LastAdmin | AccountRefusal::PasskeyTaken => return None,
        })
    }

    /// The change clashes with a record already there.
    pub fn is_conflict(&self) -> bool {
        matches!(self, AccountRefusal::EmailTaken { .. } | AccountRefusal::PasskeyTaken)
    }
}

/// A token lives more than no time and at most [`TOKEN_MAX_DAYS`] (`lifetime` in seconds).
pub fn check_token_lifetime(lifetime_seconds: i64) -> Result<(), AccountRefusal> {
    if lifetime_seconds <= 0 || lifetime_seconds > TOKEN_MAX_DAYS * 86_400 {
        Err(AccountRefusal::TokenLifetime)
    } else {
        Ok(())
    }
}

/// Disabling or demoting an admin leaves `other_active_admins` others: at least one.
pub fn check_not_last_admin(other_active_admins: u64) -> Result<(), AccountRefusal> {
    if other_active_admins == 0 {
        Err(AccountRefusal::LastAdmin)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_scopes_read_and_write_their_words() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse(" Admin "), Some(Role::Admin));
        assert_eq!(Role::Parent.label(), "Parent or carer");
        assert_eq!(TokenScope::parse("read-write"), Some(TokenScope::ReadWrite));
        assert!(TokenScope::Read.allows_method("GET") && !TokenScope::Read.allows_method("POST"));
    }

    #[test]
    fn tokens_expire_within_a_year_and_a_day_and_an_admin_is_never_the_last_removed() {
        assert_eq!(check_token_lifetime(86_400), Ok(()));
        assert_eq!(check_token_lifetime(366 * 86_400), Ok(()));
        assert_eq!(
            check_token_lifetime(366 * 86_400 + 1).unwrap_err().to_string(),
            "A token must expire within 366 days."
        );
        assert_eq!(check_token_lifetime(0), Err(AccountRefusal::TokenLifetime));
        assert_eq!(check_not_last_admin(1), Ok(()));
        assert_eq!(check_not_last_admin(0), Err(AccountRefusal::LastAdmin));
        assert!(
            AccountRefusal::EmailTaken {
                email: "a@b.example".into()
            }
            .is_conflict()
        );
    }
}
