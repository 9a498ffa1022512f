//! Secret values: generation, redaction for display, and restoring masked
//! values on update.
//!
//! Admin UIs only ever see [`SECRET_MASK`] in place of a secret. When such a
//! document is sent back unchanged, [`restore_masked_secrets`] puts the
//! stored values back so an edit to an unrelated field does not wipe keys.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ConfigKind;
use crate::error::FieldError;

/// What a secret is replaced with in redacted output.
pub const SECRET_MASK: &str = "********";

/// A secret string. Serializes as the plain string (documents must round
/// trip), but `Debug` prints the mask so secrets never end up in logs.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The actual secret, for signing keys etc. Named so uses stand out.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(SECRET_MASK)
    }
}

/// 48 random bytes as unpadded base64url: 64 URL/JSON-safe characters.
///
/// A draw that happens to look like a placeholder (e.g. contains
/// "change") is redrawn, so generated defaults always pass strict
/// validation. Attempts are bounded in case `rng` is degenerate.
pub fn generate_secret(rng: &mut (impl rand::RngCore + ?Sized)) -> String {
    let mut secret = String::new();
    for _ in 0..16 {
        let mut bytes = [0u8; 48];
        rng.fill_bytes(&mut bytes);
        secret = URL_SAFE_NO_PAD.encode(bytes);
        if !is_placeholder_secret(&secret) {
            break;
        }
    }
    secret
}

/// Literal example secrets from the seed data.
const SEED_EXAMPLES: [&str; 3] = [
    "your-jwt-secret-key-32-characters-long",
    "admin-jwt-secret-key-32-characters-long",
    "secure-random-token-for-vpn-servers",
];

/// True for values that were obviously copied from an example.
pub(crate) fn is_placeholder_secret(secret: &str) -> bool {
    let lower = secret.to_ascii_lowercase();
    lower.contains("your-") || lower.contains("change") || SEED_EXAMPLES.contains(&secret)
}

/// A copy of `value` with every present, non-empty secret replaced by
/// [`SECRET_MASK`]. Works on any value, valid or not.
pub fn redact(kind: ConfigKind, value: &Value) -> Value {
    let mut out = value.clone();
    for path in kind.secret_paths() {
        let segments: Vec<&str> = path.split('.').collect();
        redact_at(&mut out, &segments);
    }
    out
}

fn redact_at(value: &mut Value, segments: &[&str]) {
    let Some((first, rest)) = segments.split_first() else {
        let empty = matches!(value, Value::Null) || value.as_str() == Some("");
        if !empty {
            *value = Value::String(SECRET_MASK.to_owned());
        }
        return;
    };
    let (name, each) = split_segment(first);
    let Some(child) = value.as_object_mut().and_then(|m| m.get_mut(name)) else {
        return;
    };
    if each {
        for item in child.as_array_mut().into_iter().flatten() {
            redact_at(item, rest);
        }
    } else {
        redact_at(child, rest);
    }
}

/// Where `new` holds [`SECRET_MASK`] at a secret path, copy the value found
/// at the same path in `old`. Array entries (OAuth providers) are matched by
/// their `name`, case-insensitively, not by position, since the admin may
/// reorder, add or remove providers. Without a matching old value the mask
/// stays, and validation then rejects it.
pub fn restore_masked_secrets(kind: ConfigKind, new: &mut Value, old: &Value) {
    for path in kind.secret_paths() {
        let segments: Vec<&str> = path.split('.').collect();
        restore_at(new, Some(old), &segments);
    }
}

fn restore_at(new: &mut Value, old: Option<&Value>, segments: &[&str]) {
    let Some((first, rest)) = segments.split_first() else {
        if new.as_str() == Some(SECRET_MASK)
            && let Some(old) = old
        {
            *new = old.clone();
        }
        return;
    };
    let (name, each) = split_segment(first);
    let Some(child) = new.as_object_mut().and_then(|m| m.get_mut(name)) else {
        return;
    };
    let old_child = old.and_then(|o| o.get(name));
    if !each {
        restore_at(child, old_child, rest);
        return;
    }
    let old_items = old_child.and_then(Value::as_array);
    for item in child.as_array_mut().into_iter().flatten() {
        let matching = entry_name(item)
            .and_then(|n| old_items?.iter().find(|o| entry_name(o).is_some_and(|on| on.eq_ignore_ascii_case(n))));
        restore_at(item, matching, rest);
    }
}

/// A masked secret may only be kept while the place it is sent to stays the same: the mailer
/// password goes with its host, port and user name; an OAuth client secret with its provider's
/// issuer and client id. When one of those changes and the secret is still the mask, the
/// stored secret would be delivered to the new destination — so it must be entered again.
/// Returns one error per such secret, with its path under `value`.
pub fn masked_secrets_rebound(kind: ConfigKind, new: &Value, old: &Value) -> Vec<FieldError> {
    let is_mask = |v: Option<&Value>| v.and_then(Value::as_str) == Some(SECRET_MASK);
    let moved = |new: &Value, old: Option<&Value>, fields: &[&str]| {
        fields.iter().any(|f| new.get(*f) != old.and_then(|o| o.get(*f)))
    };
    let again =
        |field: String| FieldError::new(field, "required", "enter the secret again: where it is sent has changed");
    let mut errors = Vec::new();
    match kind {
        ConfigKind::Mailer => {
            if is_mask(new.get("password")) && moved(new, Some(old), &["host", "port", "username"]) {
                errors.push(again("value.password".to_owned()));
            }
        }
        ConfigKind::Auth => {
            let providers = |v: &Value| v.pointer("/oauth_providers/providers").and_then(Value::as_array).cloned();
            let old_providers = providers(old).unwrap_or_default();
            for (i, p) in providers(new).unwrap_or_default().iter().enumerate() {
                if !is_mask(p.get("client_secret")) {
                    continue;
                }
                let before = entry_name(p).and_then(|n| {
                    old_providers.iter().find(|o| entry_name(o).is_some_and(|on| on.eq_ignore_ascii_case(n)))
                });
                if before.is_some() && moved(p, before, &["issuer", "client_id"]) {
                    errors.push(again(format!("value.oauth_providers.providers[{i}].client_secret")));
                }
            }
        }
        ConfigKind::AdminJwt | ConfigKind::Telecom | ConfigKind::Shop | ConfigKind::Affiliate => {}
    }
    errors
}

fn entry_name(entry: &Value) -> Option<&str> {
    entry.get("name").and_then(Value::as_str)
}

/// `"providers[]"` -> `("providers", true)`, `"jwt"` -> `("jwt", false)`.
fn split_segment(segment: &str) -> (&str, bool) {
    match segment.strip_suffix("[]") {
        Some(name) => (name, true),
        None => (segment, false),
    }
}

#[cfg(test)]
mod rebinding {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_masked_secret_cannot_follow_a_new_destination() {
        let old = json!({"host": "smtp.a.test", "port": 587, "username": "u", "password": "s3cret"});
        let same = json!({"host": "smtp.a.test", "port": 587, "username": "u", "password": SECRET_MASK, "sender": "x"});
        assert!(masked_secrets_rebound(ConfigKind::Mailer, &same, &old).is_empty());
        let moved = json!({"host": "evil.test", "port": 587, "username": "u", "password": SECRET_MASK});
        let errors = masked_secrets_rebound(ConfigKind::Mailer, &moved, &old);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "value.password");
        let reentered = json!({"host": "evil.test", "port": 587, "username": "u", "password": "new one"});
        assert!(masked_secrets_rebound(ConfigKind::Mailer, &reentered, &old).is_empty());
        let old = json!({"oauth_providers": {"providers": [{"name": "corp", "issuer": "https://a.test", "client_id": "x", "client_secret": "s"}]}});
        let moved = json!({"oauth_providers": {"providers": [{"name": "Corp", "issuer": "https://evil.test", "client_id": "x", "client_secret": SECRET_MASK}]}});
        let errors = masked_secrets_rebound(ConfigKind::Auth, &moved, &old);
        assert_eq!(errors[0].field, "value.oauth_providers.providers[0].client_secret");
    }
}
