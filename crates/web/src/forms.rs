//! Form errors kept next to their fields, in the order the fields appear.
use std::collections::HashMap;
use std::str::FromStr;

use tutti_domain::validate::{EmailAddress, check_password};

/// Errors found in a submitted form, each naming the field's id.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(Vec<(&'static str, String)>);

impl FormErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field, message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    /// The status a form page answers with: 422 when it shows errors, so that scripts and
    /// tests can tell a refused form from a fresh one.
    pub fn status(&self) -> axum::http::StatusCode {
        if self.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn list(&self) -> &[(&'static str, String)] {
        &self.0
    }
}

/// A submitted form's fields by name, each read trimmed, with the checks most fields need.
pub struct Fields<'a>(pub &'a HashMap<String, String>);

impl Fields<'_> {
    /// The field's text, trimmed; empty when it is missing.
    pub fn text(&self, name: &str) -> String {
        self.0.get(name).map(|s| s.trim().to_owned()).unwrap_or_default()
    }

    /// The field's text, with `message` beside the field when it is blank.
    pub fn required(&self, errors: &mut FormErrors, name: &'static str, message: &str) -> String {
        let text = self.text(name);
        if text.is_empty() {
            errors.add(name, message);
        }
        text
    }

    /// The field read as a `T`, with `message` beside the field when it is not one.
    pub fn parsed<T: FromStr>(&self, errors: &mut FormErrors, name: &'static str, message: &str) -> Option<T> {
        let value = self.text(name).parse::<T>().ok();
        if value.is_none() {
            errors.add(name, message);
        }
        value
    }
}

/// Reads an email field, noting an error when it is blank or malformed.
pub fn email_field(errors: &mut FormErrors, field: &'static str, text: &str) -> Option<String> {
    if text.trim().is_empty() {
        errors.add(field, "Enter your email address");
        return None;
    }
    match EmailAddress::parse(text) {
        Ok(e) => Some(e.to_string()),
        Err(e) => {
            errors.add(field, e.to_string());
            None
        }
    }
}

/// Checks a new password against the policy: 8 to 128 characters, not a well-known password.
pub fn new_password_field(errors: &mut FormErrors, field: &'static str, password: &str) {
    if password.is_empty() {
        errors.add(field, "Enter a password");
    } else if let Err(e) = check_password(password) {
        errors.add(field, e.to_string());
    }
}
