//! Notification categories: every e-mail belongs to one; the mailer sends a non-security
//! e-mail only when its recipient has the category on.

pub use crate::events::Category;
#[cfg(test)]
use crate::events::EmailTemplate;

/// `updateNotificationPreferences`: `{<category>: {email: bool}}`. Unknown categories name
/// their field; turning a locked category off is `preference_locked`.
pub fn preference_changes(raw: &[(String, bool)]) -> Result<Vec<(Category, bool)>, crate::DomainError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut unknown = Vec::new();
    for (name, on) in raw {
        match Category::parse(name) {
            Some(c) if c.locked() && !on => {
                return Err(crate::DomainError::Rejected {
                    code: crate::ErrorCode::PreferenceLocked,
                    detail: format!("{name} e-mails cannot be turned off"),
                    fields: vec![crate::FieldError::new(name.clone(), "locked", "always on")],
                });
            }
            Some(c) if c.locked() => {}
            Some(c) => out.push((c, *on)),
            None => unknown.push(crate::FieldError::new(name.clone(), "unknown_field", "not a notification category")),
        }
    }
    crate::error::fields_ok(unknown)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_security_is_locked_and_names_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
            assert_eq!(c.locked(), c == Category::Security);
        }
        assert_eq!(Category::parse("spam"), None);
    }

    #[test]
    fn access_granting_mail_is_security() {
        assert_eq!(EmailTemplate::PasswordReset.category(), Category::Security);
        assert_eq!(EmailTemplate::SignInCode.category(), Category::Security);
        assert_eq!(EmailTemplate::TicketReply.category(), Category::Support);
        let locked = preference_changes(&[("security".into(), false)]).unwrap_err();
        assert_eq!(locked.code(), crate::ErrorCode::PreferenceLocked);
        assert!(preference_changes(&[("spam".into(), true)]).is_err());
        assert_eq!(preference_changes(&[("marketing".into(), false)]).unwrap(), vec![(Category::Marketing, false)]);
        assert_eq!(EmailTemplate::TicketStatusChanged.category(), Category::Support);
    }
}
