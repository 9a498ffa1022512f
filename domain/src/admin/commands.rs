//! Validated inputs of staff identity, built by REST, gRPC and the CLI alike.

use chrono::{DateTime, Utc};

use super::{Permission, Role};
use crate::error::{DomainError, FieldError};
use crate::text::Fields;

/// Longest accepted `avatar_url`.
pub const AVATAR_URL_MAX: usize = 2048;

/// The error for a role that is none of the four.
pub fn invalid_role() -> FieldError {
    FieldError::new(
        "role",
        "invalid_enum",
        "Invalid admin role: use super_admin, moderator, customer_support or support_bot",
    )
}

pub fn parse_role(raw: &str) -> Result<Role, DomainError> {
    Role::parse(raw).ok_or_else(|| DomainError::validation(vec![invalid_role()]))
}

/// The name of a staff account or API key: 1 to 100 characters once trimmed.
fn name(f: &mut Fields, raw: &str) -> String {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 100 {
        f.push(FieldError::new("name", "invalid_format", "1 to 100 characters"));
    } else if let Some(e) = crate::text::control_char_error("name", name, false) {
        f.push(e);
    }
    name.to_owned()
}

/// `helium-cli admin create` and `adminCreateInvitation` without the e-mail check.
#[derive(Debug, Clone)]
pub struct NewAdmin {
    pub name: String,
    pub role: Role,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
}

impl NewAdmin {
    pub fn new(
        name_raw: &str,
        role_raw: &str,
        email: Option<&str>,
        avatar_url: Option<&str>,
    ) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let role = Role::parse(role_raw);
        if role.is_none() {
            f.push(invalid_role());
        }
        let name = name(&mut f, name_raw);
        let email = email.map(|e| f.email("email", e));
        let avatar_url = avatar_url.and_then(|u| avatar(&mut f, u));
        f.finish(Self { name, role: role.unwrap_or(Role::SupportBot), email, avatar_url })
    }
}

/// An absolute http(s) URL without whitespace, at most `AVATAR_URL_MAX` characters.
fn avatar(f: &mut Fields, raw: &str) -> Option<String> {
    let url = raw.trim();
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).unwrap_or("");
    if rest.is_empty() || url.len() > AVATAR_URL_MAX || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        f.push(FieldError::new("avatar_url", "invalid_format", "an http(s) URL of at most 2048 characters"));
        return None;
    }
    Some(url.to_owned())
}

/// `adminUpdateMe`: `None` leaves a field unchanged; `avatar_url: Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ProfilePatch {
    pub name: Option<String>,
    pub avatar_url: Option<Option<String>>,
}

impl ProfilePatch {
    pub fn new(name_raw: Option<&str>, avatar_url: Option<Option<&str>>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let name = name_raw.map(|n| name(&mut f, n));
        let avatar_url = avatar_url.map(|v| v.and_then(|u| avatar(&mut f, u)));
        f.finish(Self { name, avatar_url })
    }
}

/// `adminUpdateAdmin`: `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AdminPatch {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

impl AdminPatch {
    pub fn new(name_raw: Option<&str>, role_raw: Option<&str>, disabled: Option<bool>) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let name = name_raw.map(|n| name(&mut f, n));
        let role = role_raw.and_then(|r| {
            let role = Role::parse(r);
            if role.is_none() {
                f.push(invalid_role());
            }
            role
        });
        f.finish(Self { name, role, disabled })
    }
}

/// `adminCreateInvitation`.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub email: String,
    pub name: String,
    pub role: Role,
}

impl NewInvitation {
    pub fn new(email: &str, name_raw: &str, role_raw: &str) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let email = f.email("email", email);
        let role = Role::parse(role_raw);
        if role.is_none() {
            f.push(invalid_role());
        }
        let name = name(&mut f, name_raw);
        f.finish(Self { email, name, role: role.unwrap_or(Role::SupportBot) })
    }
}

/// `adminCreateApiKey`: the role and optional narrowing list are checked against each other;
/// the creator's reach is checked by the use case.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub name: String,
    pub role: Role,
    /// Narrows the role; `None` gives the key every non-human-only permission of its role.
    pub permissions: Option<Vec<Permission>>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl NewApiKey {
    pub fn new(
        name_raw: &str,
        role_raw: &str,
        permissions: Option<&[String]>,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Self, DomainError> {
        let mut f = Fields::new();
        let name = name(&mut f, name_raw);
        let role = Role::parse(role_raw);
        if role.is_none() {
            f.push(invalid_role());
        }
        if expires_at.is_some_and(|e| e <= now) {
            f.push(FieldError::new("expires_at", "out_of_range", "must be in the future"));
        }
        let Some(role) = role.filter(|_| f.is_empty()) else {
            return Err(f.finish(()).err().unwrap_or_else(|| DomainError::validation(Vec::new())));
        };
        let permissions = permissions.map(|p| checked_permissions(role, p)).transpose()?;
        Ok(Self { name, role, permissions, expires_at })
    }
}

/// Checks the optional permission list: each known, within `role`, not human-only.
/// Every offender is named as `permissions[i]` (422).
pub fn checked_permissions(role: Role, raw: &[String]) -> Result<Vec<Permission>, DomainError> {
    let mut f = Fields::new();
    if raw.is_empty() {
        f.push(FieldError::new(
            "permissions",
            "too_short",
            "name at least one permission, or leave the field out for the whole role",
        ));
    }
    let mut out: Vec<Permission> = Vec::new();
    for (i, p) in raw.iter().enumerate() {
        let field = format!("permissions[{i}]");
        match Permission::parse(p) {
            None => f.push(FieldError::new(field, "invalid_enum", "unknown permission")),
            Some(p) if p.human_only() => f.push(FieldError::new(
                field,
                "invalid_enum",
                format!("`{}` is human-only: an API key never holds it", p.as_str()),
            )),
            Some(p) if !role.can(p) => f.push(FieldError::new(
                field,
                "invalid_enum",
                format!("`{}` is not a permission of the role {}", p.as_str(), role.as_str()),
            )),
            Some(p) => {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    f.finish(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn permission_lists_are_known_within_the_role_and_never_human_only() {
        let ok = checked_permissions(Role::Moderator, &strings(&["orders.read", "tickets.reply", "orders.read"]));
        assert_eq!(ok.ok(), Some(vec![Permission::OrdersRead, Permission::TicketsReply]));
        let bad =
            checked_permissions(Role::Moderator, &strings(&["orders.read", "nope", "admins.manage", "orders.refund"]));
        let Err(DomainError::Rejected { code, fields, .. }) = bad else { panic!("accepted") };
        assert_eq!(code, ErrorCode::ValidationFailed);
        let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(named, ["permissions[1]", "permissions[2]", "permissions[3]"]);
        assert!(checked_permissions(Role::SuperAdmin, &[]).is_err());
        for p in Permission::ALL.into_iter().filter(|p| p.human_only()) {
            assert!(checked_permissions(Role::SuperAdmin, &strings(&[p.as_str()])).is_err(), "{p:?}");
        }
    }

    #[test]
    fn profile_fields_are_checked() {
        let p = ProfilePatch::new(Some("  Ada  "), None).unwrap();
        assert_eq!(p.name.as_deref(), Some("Ada"));
        assert!(ProfilePatch::new(Some("   "), None).is_err());
        assert!(ProfilePatch::new(Some(&"x".repeat(101)), None).is_err());
        let p = ProfilePatch::new(None, Some(Some("https://cdn.test/a.png"))).unwrap();
        assert_eq!(p.avatar_url, Some(Some("https://cdn.test/a.png".to_owned())));
        assert_eq!(ProfilePatch::new(None, Some(None)).unwrap().avatar_url, Some(None));
        for bad in ["ftp://x.test/a", "https://", "javascript:alert(1)", "https://a b.test"] {
            assert!(ProfilePatch::new(None, Some(Some(bad))).is_err(), "{bad}");
        }
        let long = format!("https://x.test/{}", "a".repeat(2048));
        assert!(ProfilePatch::new(None, Some(Some(&long))).is_err());
    }
}
