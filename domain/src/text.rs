//! Rules every free-text input obeys, whichever adapter it came through: no NUL or other
//! control characters (they break storage and logs), bounded length in characters. Commands
//! call these and collect [`FieldError`]s with the field's JSON path.

use crate::error::{DomainError, FieldError};

/// Whether `c` may appear in single-line text.
fn allowed_inline(c: char) -> bool {
    !c.is_control()
}

/// Whether `c` may appear in multi-line text (tickets, announcements): line breaks and tabs too.
fn allowed_multiline(c: char) -> bool {
    !c.is_control() || matches!(c, '\n' | '\r' | '\t')
}

/// The error for a value holding a control character, if it does.
pub fn control_char_error(field: &str, value: &str, multiline: bool) -> Option<FieldError> {
    let ok = if multiline { value.chars().all(allowed_multiline) } else { value.chars().all(allowed_inline) };
    (!ok).then(|| FieldError::new(field, "invalid_format", "must not contain control characters"))
}

/// Collects field errors while a command is built, then yields the command or one 422.
#[derive(Debug, Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    pub fn extend(&mut self, errors: impl IntoIterator<Item = FieldError>) {
        self.0.extend(errors);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A single-line text, trimmed: `min..=max` characters, no control characters.
    pub fn line(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        self.text(field, value.trim(), min, max, false)
    }

    /// A secret, token or code as given (not trimmed): `min..=max` characters, no control
    /// characters.
    pub fn secret(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        self.text(field, value, min, max, false)
    }

    /// Something meant to be an e-mail address (checked in full where it is used): 3–254
    /// characters, no control characters; a wrong length is `invalid_format`.
    pub fn email(&mut self, field: &str, value: &str) -> String {
        let len = value.chars().count();
        if !(3..=254).contains(&len) {
            self.push(FieldError::new(field, "invalid_format", "not a valid e-mail address"));
        } else if let Some(e) = control_char_error(field, value, false) {
            self.push(e);
        }
        value.to_owned()
    }

    /// An optional single-line text (see [`Fields::line`]).
    pub fn optional_line(&mut self, field: &str, value: Option<&str>, min: usize, max: usize) -> Option<String> {
        value.map(|v| self.line(field, v, min, max))
    }

    /// Multi-line text, trimmed at both ends: `min..=max` characters.
    pub fn body(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        self.text(field, value.trim(), min, max, true)
    }

    fn text(&mut self, field: &str, value: &str, min: usize, max: usize, multiline: bool) -> String {
        let len = value.chars().count();
        if len == 0 && min > 0 {
            self.push(FieldError::new(field, "required", "must not be empty"));
        } else if len < min {
            self.push(FieldError::new(field, "too_short", format!("at least {min} characters")));
        } else if len > max {
            self.push(FieldError::new(field, "too_long", format!("at most {max} characters")));
        } else if let Some(e) = control_char_error(field, value, multiline) {
            self.push(e);
        }
        value.to_owned()
    }

    /// `value` when no field failed, else one validation error naming them all.
    pub fn finish<T>(self, value: T) -> Result<T, DomainError> {
        if self.0.is_empty() { Ok(value) } else { Err(DomainError::validation(self.0)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_lengths_are_named() {
        let mut f = Fields::new();
        assert_eq!(f.line("name", "  Ada  ", 1, 10), "Ada");
        f.line("a", "x\u{0}y", 1, 10);
        f.line("b", "", 1, 10);
        f.line("c", &"x".repeat(11), 1, 10);
        f.body("d", "line one\nline two", 1, 100);
        f.body("e", "bell\u{7}", 1, 100);
        let Err(DomainError::Rejected { fields, .. }) = f.finish(()) else { panic!("accepted") };
        let got: Vec<(&str, &str)> = fields.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        assert_eq!(got, [("a", "invalid_format"), ("b", "required"), ("c", "too_long"), ("e", "invalid_format")]);
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let mut f = Fields::new();
        f.line("n", &"é".repeat(10), 1, 10);
        assert!(f.finish(()).is_ok());
    }
}
