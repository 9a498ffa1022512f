//! Pure rules of customer identity: addresses, domains, passwords, referral codes.

use crate::config::RegisterDomainConfig;
use crate::error::FieldError;
use crate::meta::{PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH};

/// Canonical form of an e-mail address: trimmed, lower-cased (ASCII and Unicode).
/// Returns None when it is not plausibly an address (one '@', non-empty parts, a dot in the
/// domain, no spaces, at most 254 characters).
pub fn normalize_email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() || email.chars().count() > 254 || email.chars().any(char::is_whitespace) {
        return None;
    }
    let (local, domain) = email.split_once('@')?;
    let valid_domain = !domain.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@');
    (!local.is_empty() && local.chars().count() <= 64 && valid_domain).then_some(email)
}

/// The domain part of a normalised address.
pub fn email_domain(email: &str) -> &str {
    email.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
}

/// Registration domain policy: an enabled allow-list must contain the domain (or a parent
/// domain); an enabled block-list must not.
pub fn domain_allowed(policy: &RegisterDomainConfig, email: &str) -> bool {
    let domain = email_domain(email);
    let matches = |entry: &String| {
        let entry = entry.trim().to_ascii_lowercase();
        domain == entry || domain.ends_with(&format!(".{entry}"))
    };
    if policy.enable_white_list && !policy.white_list.iter().any(matches) {
        return false;
    }
    !(policy.enable_black_list && policy.black_list.iter().any(matches))
}

/// Password policy (SECURITY.md §1.5): 8–128 characters, no composition rules, not the
/// address itself, not one of the most common passwords. Returns field errors for `field`.
pub fn check_password(field: &str, password: &str, email: Option<&str>) -> Vec<FieldError> {
    let len = password.chars().count() as u32;
    let mut errors = Vec::new();
    if len < PASSWORD_MIN_LENGTH {
        errors.push(FieldError::new(field, "too_short", format!("must be at least {PASSWORD_MIN_LENGTH} characters")));
    } else if len > PASSWORD_MAX_LENGTH {
        errors.push(FieldError::new(field, "too_long", format!("must be at most {PASSWORD_MAX_LENGTH} characters")));
    }
    if let Some(email) = email
        && (password.eq_ignore_ascii_case(email)
            || password.eq_ignore_ascii_case(email.split('@').next().unwrap_or("")))
    {
        errors.push(FieldError::new(field, "same_as_email", "must not be your e-mail address"));
    }
    if errors.is_empty() && is_common_password(password) {
        errors.push(FieldError::new(field, "too_common", "is one of the most common passwords; choose another"));
    }
    errors
}

/// Every password of 8–128 characters among the 30,000 most common ones (lower-cased, one
/// per line; 11,611 entries, so the 10,000 most common are all covered). Taken from the
/// frequency lists of zxcvbn 4.4.2 (MIT, see common_passwords.LICENSE). Scanned, not loaded
/// into a set: it is only consulted when a password is chosen, and costs no memory at rest.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

pub fn is_common_password(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON_PASSWORDS.lines().any(|common| common == lower)
}

/// Referral codes: 4–32 characters of letters, digits, '-' or '_'.
pub fn referral_code_well_formed(code: &str) -> bool {
    (4..=32).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(white: &[&str], black: &[&str]) -> RegisterDomainConfig {
        RegisterDomainConfig {
            enable_white_list: !white.is_empty(),
            white_list: white.iter().map(|s| (*s).to_owned()).collect(),
            enable_black_list: !black.is_empty(),
            black_list: black.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn emails_are_normalized_or_refused() {
        assert_eq!(normalize_email("  Alice@Example.COM ").as_deref(), Some("alice@example.com"));
        for bad in ["", "alice", "a@b", "a@@b.c", "a b@c.d", "@c.d", "a@.c.d", "a@c..d", "a@c.d."] {
            assert_eq!(normalize_email(bad), None, "{bad}");
        }
    }

    #[test]
    fn domain_lists_apply() {
        assert!(domain_allowed(&policy(&[], &[]), "a@x.com"));
        assert!(domain_allowed(&policy(&["x.com"], &[]), "a@mail.x.com"));
        assert!(!domain_allowed(&policy(&["x.com"], &[]), "a@y.com"));
        assert!(!domain_allowed(&policy(&[], &["spam.io"]), "a@spam.io"));
        assert!(domain_allowed(&policy(&[], &["spam.io"]), "a@notspam.io"));
    }

    #[test]
    fn password_policy_edges() {
        let codes = |p: &str| {
            check_password("password", p, Some("alice@x.com")).into_iter().map(|e| e.code).collect::<Vec<_>>()
        };
        assert_eq!(codes(&"a".repeat(7)), vec!["too_short"]);
        assert!(codes("correct horse").is_empty());
        assert!(codes(&"é".repeat(128)).is_empty(), "counted in characters, not bytes");
        assert_eq!(codes(&"a".repeat(129)), vec!["too_long"]);
        assert_eq!(codes("ALICE@X.COM"), vec!["same_as_email"]);
        assert_eq!(codes("Password123"), vec!["too_common"]);
        // Deep in the list, not just its head.
        for common in ["trustno1", "iloveyou2", "sunshine1", "charlie1", "1qaz2wsx"] {
            assert_eq!(codes(common), vec!["too_common"], "{common}");
        }
        assert!(COMMON_PASSWORDS.lines().count() > 10_000);
    }

    #[test]
    fn referral_codes() {
        assert!(referral_code_well_formed("FRIEND-2026"));
        assert!(!referral_code_well_formed("abc"));
        assert!(!referral_code_well_formed("has space"));
        assert!(!referral_code_well_formed(&"x".repeat(33)));
    }
}
