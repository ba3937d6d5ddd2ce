//! The platform every feature stands on: accounts, sessions, second factors, API tokens,
//! one-time tokens, invitations to a login, throttling, the audit log (and names for its
//! records, `audit_names`), the outbox, hub
//! settings, the hub's identity and its first-run setup.
pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod audit_chain;
pub mod audit_names;
pub mod changes;
pub mod identity;
pub mod invitations;
pub mod jobs;
pub mod outbox;
pub mod second_factors;
pub(crate) mod session_cache;
pub mod sessions;
pub mod settings;
pub mod setup;
pub mod throttle;
pub mod tokens;
