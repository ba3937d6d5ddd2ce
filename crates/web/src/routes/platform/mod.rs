//! The platform's own screens: the office's home, accounts (sign up, log in, passwords, the dashboard), second
//! factors, the office's users and outbox, invitations to a login, the hub's first-run setup
//! and its settings (its identity and logo), and the public health check and static files.
pub(crate) mod account;
pub(crate) mod admin;
mod form_page;
pub(crate) mod identity;
pub(crate) mod invitations;
pub(crate) mod parent_home;
pub(crate) mod public;
pub(crate) mod second_factor;
pub(crate) mod setup;
pub(crate) mod workspace;
