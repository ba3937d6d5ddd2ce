//! The platform's own screens: accounts (sign up, log in, passwords, the dashboard), second
//! factors, the office's users and outbox, invitations to a login, and the public health
//! check and static files.
pub(crate) mod account;
pub(crate) mod admin;
pub(crate) mod invitations;
pub(crate) mod public;
pub(crate) mod second_factor;
