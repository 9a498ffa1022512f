//! `GET user` body and the ETag rules shared by `config` and `user` (WIRE-FORMATS A.3, A.5).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::telecom::model::AgentUserId;

/// One entry of `{"users":[…]}`. Limits are `0` for unlimited, never `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeUser {
    pub id: AgentUserId,
    pub uuid: Uuid,
    /// Mbit/s.
    pub speed_limit: u32,
    /// Distinct online IPs.
    pub device_limit: u32,
}

/// Renders `{"users":[…]}` in ascending `id` order whatever the input order, so the bytes
/// (and the ETag) change exactly when the set does.
pub fn render_users(users: &[NodeUser]) -> Vec<u8> {
    let sorted = users.windows(2).all(|w| w[0].id <= w[1].id);
    let mut order: Vec<&NodeUser> = users.iter().collect();
    if !sorted {
        order.sort_by_key(|u| u.id);
    }
    let mut out = String::with_capacity(16 + users.len() * 96);
    out.push_str(r#"{"users":["#);
    let mut buf = Uuid::encode_buffer();
    for (i, u) in order.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let uuid = u.uuid.hyphenated().encode_lower(&mut buf);
        let _ = write!(
            out,
            r#"{{"id":{},"uuid":"{uuid}","speed_limit":{},"device_limit":{}}}"#,
            u.id.0, u.speed_limit, u.device_limit
        );
    }
    out.push_str("]}");
    out.into_bytes()
}

/// Strong ETag for a body: a pure function of the bytes (quotes included).
pub fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let mut tag = String::with_capacity(34);
    tag.push('"');
    for b in &digest[..16] {
        let _ = write!(tag, "{b:02x}");
    }
    tag.push('"');
    tag
}

/// Whether `If-None-Match` (`header`, raw value) matches `etag` (as returned by [`etag`]).
/// Absent or empty never matches; a comma-separated list matches when one member does,
/// quoted or bare, weak or strong; `*` matches.
pub fn if_none_match_matches(header: Option<&str>, etag: &str) -> bool {
    let Some(header) = header else { return false };
    let bare = etag.trim_matches('"');
    if bare.is_empty() {
        return false;
    }
    header.split(',').map(str::trim).filter(|t| !t.is_empty()).any(|t| {
        let t = t.strip_prefix("W/").unwrap_or(t);
        t == "*" || t.trim_matches('"') == bare
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: u64, n: u8) -> NodeUser {
        NodeUser { id: AgentUserId(id), uuid: Uuid::from_bytes([n; 16]), speed_limit: 0, device_limit: 3 }
    }

    #[test]
    fn users_render_sorted_and_typed() {
        let a = render_users(&[user(19, 2), user(7, 1)]);
        let b = render_users(&[user(7, 1), user(19, 2)]);
        assert_eq!(a, b);
        assert_eq!(
            String::from_utf8(a).unwrap(),
            r#"{"users":[{"id":7,"uuid":"01010101-0101-0101-0101-010101010101","speed_limit":0,"device_limit":3},{"id":19,"uuid":"02020202-0202-0202-0202-020202020202","speed_limit":0,"device_limit":3}]}"#
        );
        assert_eq!(render_users(&[]), br#"{"users":[]}"#);
    }

    #[test]
    fn etag_is_a_quoted_pure_function_of_the_bytes() {
        let t = etag(b"{}");
        assert_eq!(t, etag(b"{}"));
        assert_ne!(t, etag(b"{ }"));
        assert!(t.starts_with('"') && t.ends_with('"') && t.len() == 34);
    }

    #[test]
    fn if_none_match_rules() {
        let t = etag(b"x");
        let bare = t.trim_matches('"').to_owned();
        assert!(!if_none_match_matches(None, &t));
        assert!(!if_none_match_matches(Some(""), &t));
        assert!(!if_none_match_matches(Some("  "), &t));
        assert!(!if_none_match_matches(Some("\"\""), &t));
        assert!(if_none_match_matches(Some(&t), &t));
        assert!(if_none_match_matches(Some(&bare), &t));
        assert!(if_none_match_matches(Some(&format!("\"old\", W/{t}")), &t));
        assert!(!if_none_match_matches(Some("\"old\""), &t));
        assert!(if_none_match_matches(Some("*"), &t));
    }
}
