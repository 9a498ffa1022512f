//! Validated inputs of customer identity. REST and gRPC both build these from what the caller
//! sent, so one rule set serves both adapters: a rejected field has the same JSON path and
//! code over either. Values here are shaped (lengths, control characters); rules that need
//! stored state (password policy against the address, domain lists) run in the use case.

use crate::error::{DomainError, FieldError};
use crate::text::Fields;

/// Longest password, token or code field accepted before any work is done with it.
pub const SECRET_MAX: usize = 1024;
/// Longest opaque token (links, refresh tokens).
pub const TOKEN_MAX: usize = 256;
/// Longest MFA challenge token.
pub const MFA_TOKEN_MAX: usize = 2048;
/// Longest TOTP or e-mailed code accepted (they are six digits).
pub const CODE_MAX: usize = 16;
/// Longest recovery code accepted (`xxxx-xxxx-xxxx-xxxx`, spaces or case as typed).
pub const RECOVERY_CODE_MAX: usize = 32;

/// `register`.
#[derive(Debug, Clone)]
pub struct Register {
    pub email: String,
    pub referral_code: Option<String>,
}

impl Register {
    pub fn new(email: &str, referral_code: Option<&str>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let email = f.email("email", email);
        if let Some(code) = referral_code
            && !crate::auth::rules::referral_code_well_formed(code)
        {
            f.push(FieldError::new("referral_code", "invalid_format", "4-32 letters, digits, '-' or '_'"));
        }
        f.finish(Self { email, referral_code: referral_code.map(str::to_owned) })
    }
}

/// A single-use link token and the password to set with it (`completeRegistration`,
/// `resetPassword`, staff setup and invitation accept). `password_field` names the field.
#[derive(Debug, Clone)]
pub struct TokenPassword {
    pub token: String,
    pub password: String,
}

impl TokenPassword {
    pub fn new(token: &str, password: &str, password_field: &str) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let token = f.secret("token", token, 1, TOKEN_MAX);
        let password = f.secret(password_field, password, 0, SECRET_MAX);
        f.finish(Self { token, password })
    }
}

/// `login` (customer and staff).
#[derive(Debug, Clone)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

impl Credentials {
    pub fn new(email: &str, password: &str) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let email = f.secret("email", email, 1, 254);
        let password = f.secret("password", password, 1, SECRET_MAX);
        f.finish(Self { email, password })
    }
}

/// `requestEmailChange`: the new address and the current password.
#[derive(Debug, Clone)]
pub struct EmailChangeRequest {
    pub new_email: String,
    /// The current password; without it, the request needs a re-authentication proof
    /// (the only way for an account that has no password).
    pub password: Option<String>,
}

impl EmailChangeRequest {
    pub fn new(new_email: &str, password: Option<&str>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let new_email = f.email("new_email", new_email);
        let password = password.map(|p| f.secret("password", p, 1, SECRET_MAX));
        f.finish(Self { new_email, password })
    }
}

/// An address alone (`forgotPassword`, `requestEmailCode`).
pub fn email_only(email: &str) -> Result<String, DomainError> {
    let mut f = Fields::new();
    let email = f.email("email", email);
    f.finish(email)
}

/// An opaque token alone (`refreshToken`).
pub fn token_only(field: &str, token: &str) -> Result<String, DomainError> {
    let mut f = Fields::new();
    let token = f.secret(field, token, 1, TOKEN_MAX);
    f.finish(token)
}

/// A one-time code alone (`enableTotp`, `regenerateRecoveryCodes`).
pub fn code_only(code: &str) -> Result<String, DomainError> {
    let mut f = Fields::new();
    let code = f.secret("code", code, 1, CODE_MAX);
    f.finish(code)
}

/// `verifyEmailCode`.
#[derive(Debug, Clone)]
pub struct EmailCode {
    pub email: String,
    pub code: String,
}

impl EmailCode {
    pub fn new(email: &str, code: &str) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let email = f.email("email", email);
        let code = f.secret("code", code, 1, CODE_MAX);
        f.finish(Self { email, code })
    }
}

/// `changePassword` (customer and staff).
#[derive(Debug, Clone)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

impl ChangePassword {
    pub fn new(current: &str, new: &str) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let current_password = f.secret("current_password", current, 1, SECRET_MAX);
        let new_password = f.secret("new_password", new, 0, SECRET_MAX);
        f.finish(Self { current_password, new_password })
    }
}

/// A second factor as presented: a TOTP code or a recovery code, never both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactor {
    Code(String),
    Recovery(String),
}

impl SecondFactor {
    /// Exactly one of `code` and `recovery_code`.
    pub fn from_parts(code: Option<&str>, recovery_code: Option<&str>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let factor = match (code, recovery_code) {
            (Some(c), None) => SecondFactor::Code(f.secret("code", c, 1, CODE_MAX)),
            (None, Some(r)) => SecondFactor::Recovery(f.secret("recovery_code", r, 1, RECOVERY_CODE_MAX)),
            _ => {
                f.push(FieldError::new("code", "required", "give either code or recovery_code"));
                SecondFactor::Code(String::new())
            }
        };
        f.finish(factor)
    }
}

/// `loginMfa` (customer and staff).
#[derive(Debug, Clone)]
pub struct MfaStep {
    pub mfa_token: String,
    pub factor: SecondFactor,
}

impl MfaStep {
    pub fn new(mfa_token: &str, code: Option<&str>, recovery_code: Option<&str>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let mfa_token = f.secret("mfa_token", mfa_token, 1, MFA_TOKEN_MAX);
        let factor = SecondFactor::from_parts(code, recovery_code);
        let factor = match factor {
            Ok(factor) => factor,
            Err(DomainError::Rejected { fields, .. }) => {
                f.extend(fields);
                SecondFactor::Code(String::new())
            }
            Err(other) => return Err(other),
        };
        f.finish(Self { mfa_token, factor })
    }
}

/// `disableTotp` (customer and staff): the password and a second factor.
#[derive(Debug, Clone)]
pub struct DisableTotp {
    pub password: String,
    pub factor: SecondFactor,
}

impl DisableTotp {
    pub fn new(password: &str, code: Option<&str>, recovery_code: Option<&str>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let password = f.secret("password", password, 1, SECRET_MAX);
        let factor = match SecondFactor::from_parts(code, recovery_code) {
            Ok(factor) => factor,
            Err(DomainError::Rejected { fields, .. }) => {
                f.extend(fields);
                SecondFactor::Code(String::new())
            }
            Err(other) => return Err(other),
        };
        f.finish(Self { password, factor })
    }
}

/// A PATCH of a nullable field: `None` keeps it, `Some(None)` clears it.
pub type Patch<T> = Option<Option<T>>;

/// `updateMe`: display name, locale (BCP 47) and time zone (IANA).
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    pub display_name: Patch<String>,
    pub locale: Patch<String>,
    pub timezone: Patch<String>,
}

impl ProfileUpdate {
    pub fn new(display_name: Patch<&str>, locale: Patch<&str>, timezone: Patch<&str>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let display_name = display_name.map(|v| {
            v.map(|name| {
                let name = name.trim();
                if name.is_empty() || name.chars().count() > 64 {
                    f.push(FieldError::new("display_name", "invalid_format", "1-64 characters"));
                } else if let Some(e) = crate::text::control_char_error("display_name", name, false) {
                    f.push(e);
                }
                name.to_owned()
            })
        });
        let locale = locale.map(|v| {
            v.map(|locale| {
                if !(2..=35).contains(&locale.len()) || !locale.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                {
                    f.push(FieldError::new("locale", "invalid_format", "a BCP 47 tag such as en or zh-CN"));
                }
                locale.to_owned()
            })
        });
        let timezone = timezone.map(|v| {
            v.map(|tz| {
                if !timezone_well_formed(tz) {
                    f.push(FieldError::new("timezone", "invalid_format", "an IANA time zone such as Europe/Berlin"));
                }
                tz.to_owned()
            })
        });
        f.finish(Self { display_name, locale, timezone })
    }
}

/// An IANA zone name's shape: `Area/Location[/Sub]` or `UTC`, letters, digits, `_+-`, no
/// empty, `.` or `..` segment (so nothing path-like survives).
pub fn timezone_well_formed(tz: &str) -> bool {
    !tz.is_empty()
        && tz.len() <= 64
        && tz
            .split('/')
            .all(|seg| !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+-".contains(&b)))
}

/// `POST /auth/reauth`: exactly one proof of the account's owner.
#[derive(Debug, Clone)]
pub enum ReauthProof {
    Password(String),
    Totp(String),
    EmailCode(String),
}

impl ReauthProof {
    pub fn new(password: Option<&str>, code: Option<&str>, email_code: Option<&str>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let proof = match (password, code, email_code) {
            (Some(p), None, None) => ReauthProof::Password(f.secret("password", p, 1, SECRET_MAX)),
            (None, Some(c), None) => ReauthProof::Totp(f.secret("code", c, 1, CODE_MAX)),
            (None, None, Some(c)) => ReauthProof::EmailCode(f.secret("email_code", c, 1, CODE_MAX)),
            _ => {
                f.push(FieldError::new("password", "required", "give exactly one of password, code or email_code"));
                ReauthProof::Password(String::new())
            }
        };
        f.finish(proof)
    }
}

/// A staff reason: required, kept in the audit log (whitespace alone is no reason).
pub fn reason(raw: &str) -> Result<String, DomainError> {
    let mut f = Fields::new();
    let r = raw.trim();
    if r.is_empty() || r.chars().count() > 500 {
        f.push(FieldError::new("reason", "required", "say why (1 to 500 characters)"));
    } else if let Some(e) = crate::text::control_char_error("reason", r, true) {
        f.push(e);
    }
    f.finish(r.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: DomainError) -> Vec<(String, String)> {
        match e {
            DomainError::Rejected { fields, .. } => fields.into_iter().map(|f| (f.field, f.code)).collect(),
            other => panic!("not a validation error: {other}"),
        }
    }

    #[test]
    fn profile_fields_are_named_over_any_adapter() {
        let e = ProfileUpdate::new(Some(Some(&"x".repeat(65))), Some(Some("<script>")), Some(Some("../../etc/passwd")))
            .unwrap_err();
        let got = fields(e);
        assert_eq!(got.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(), ["display_name", "locale", "timezone"]);
        let e = ProfileUpdate::new(Some(Some("a\u{0}b")), None, None).unwrap_err();
        assert_eq!(fields(e), [("display_name".to_owned(), "invalid_format".to_owned())]);
        let ok = ProfileUpdate::new(Some(None), Some(Some("zh-CN")), Some(Some("America/Argentina/Buenos_Aires")));
        assert!(ok.is_ok());
    }

    #[test]
    fn timezones_have_no_path_segments() {
        for good in ["UTC", "Europe/Berlin", "Etc/GMT+3"] {
            assert!(timezone_well_formed(good), "{good}");
        }
        for bad in ["", "../x", "a//b", "/abs", "a/./b", "Europe/Berlin\u{0}"] {
            assert!(!timezone_well_formed(bad), "{bad}");
        }
    }

    #[test]
    fn exactly_one_second_factor() {
        assert_eq!(SecondFactor::from_parts(Some("123456"), None).ok(), Some(SecondFactor::Code("123456".into())));
        assert!(SecondFactor::from_parts(None, None).is_err());
        assert!(SecondFactor::from_parts(Some("1"), Some("2")).is_err());
        assert!(ReauthProof::new(Some("pw"), Some("1"), None).is_err());
        assert!(matches!(ReauthProof::new(None, None, Some("123456")), Ok(ReauthProof::EmailCode(_))));
    }

    #[test]
    fn reasons_are_required_and_clean() {
        assert_eq!(reason("  spam  ").ok().as_deref(), Some("spam"));
        assert!(reason("   ").is_err());
        assert!(reason("a\u{0}b").is_err());
    }
}
