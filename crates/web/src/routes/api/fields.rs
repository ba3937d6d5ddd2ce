//! A JSON body read as the screens' form values: the API checks each field's documented
//! shape here and then reads the values with the screens' own parsers, so that a body and a
//! form are held to the same rules. Each feature adds the field kinds it needs (`impl Fields`
//! in its own file).
use crate::forms::FormErrors;
use crate::routes::api::ApiError;
use crate::routes::records::Values;

/// The fields read so far, and the errors found in them.
#[derive(Default)]
pub(super) struct Fields {
    pub(super) values: Values,
    pub(super) errors: FormErrors,
}

impl Fields {
    /// Text that may be blank (as leaving it out).
    pub(super) fn text(mut self, name: &'static str, value: &Option<String>) -> Fields {
        if let Some(v) = value {
            self.values.insert(name.to_owned(), v.clone());
        }
        self
    }

    /// 422 naming every field at fault, else the values.
    pub(super) fn checked(self) -> Result<Values, ApiError> {
        if self.errors.is_empty() {
            Ok(self.values)
        } else {
            Err(ApiError::Invalid(self.errors))
        }
    }

    /// The values read by the screens' parser; 422 with every field at fault.
    pub(super) fn read<T>(self, parse: impl Fn(&Values, &mut FormErrors) -> Option<T>) -> Result<T, ApiError> {
        let mut errors = self.errors;
        let parsed = parse(&self.values, &mut errors);
        match parsed {
            Some(t) if errors.is_empty() => Ok(t),
            _ => Err(ApiError::Invalid(errors)),
        }
    }
}
