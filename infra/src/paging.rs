//! Keyset pagination shared by every list (API.md §1): `limit` 1–100 (default 20), newest
//! first by `(created_at, id)`, and an opaque cursor bound to the list and its filters.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use helium_domain::{DomainError, ErrorCode, FieldError};
use uuid::Uuid;

pub const DEFAULT_PAGE_LIMIT: i64 = 20;
pub const MAX_PAGE_LIMIT: i64 = 100;

/// `limit` of a list: 1–100, 20 when absent (API.md §1).
pub fn page_limit(limit: Option<i64>) -> Result<i64, DomainError> {
    match limit {
        None => Ok(DEFAULT_PAGE_LIMIT),
        Some(n) if (1..=MAX_PAGE_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(DomainError::validation(vec![FieldError::new("limit", "out_of_range", "1 to 100")])),
    }
}

/// An opaque keyset cursor: the `(created_at, id)` of a page's last row, bound to `scope`
/// (the list and its filters).
pub fn encode_cursor(scope: &str, at: DateTime<Utc>, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{scope}|{}|{id}", at.timestamp_micros()))
}

/// Reads a cursor of `encode_cursor`; a foreign one, or one of other filters, is 400 invalid_cursor.
pub fn decode_cursor(scope: &str, raw: &str) -> Result<(DateTime<Utc>, Uuid), DomainError> {
    decode_key(scope, raw)
}

/// A cursor over `(created_at, sequence number)` keys (ledger entries).
pub fn encode_seq_cursor(scope: &str, at: DateTime<Utc>, seq: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{scope}|{}|{seq}", at.timestamp_micros()))
}

pub fn decode_seq_cursor(scope: &str, raw: &str) -> Result<(DateTime<Utc>, i64), DomainError> {
    decode_key(scope, raw)
}

fn decode_key<K: std::str::FromStr>(scope: &str, raw: &str) -> Result<(DateTime<Utc>, K), DomainError> {
    let invalid = || DomainError::rejected(ErrorCode::InvalidCursor, "this cursor is unknown or its filters changed");
    let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let mut parts = text.rsplitn(3, '|');
    let (Some(key), Some(micros), Some(bound)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    if bound != scope {
        return Err(invalid());
    }
    let at = micros.parse::<i64>().ok().and_then(DateTime::from_timestamp_micros).ok_or_else(invalid)?;
    Ok((at, key.parse::<K>().map_err(|_| invalid())?))
}

/// One page of a list and the cursor of the next (none at the end).
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Cuts the `limit + 1` rows fetched to `limit` and makes the next cursor from the last one kept.
pub fn page_of<T>(mut rows: Vec<T>, limit: i64, scope: &str, key: impl Fn(&T) -> (DateTime<Utc>, Uuid)) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(0);
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|r| {
            let (at, id) = key(r);
            encode_cursor(scope, at, id)
        })
    } else {
        None
    };
    Page { items: rows, next_cursor }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_stay_bound_to_their_filters() {
        let at = DateTime::from_timestamp_micros(1_790_000_000_123_456).unwrap_or_default();
        let id = Uuid::now_v7();
        let c = encode_cursor("admins:moderator:", at, id);
        assert_eq!(decode_cursor("admins:moderator:", &c).ok(), Some((at, id)));
        for (scope, raw) in [("admins::", c.as_str()), ("admins:moderator:", "not a cursor"), ("x", "")] {
            let err = decode_cursor(scope, raw).err().map(|e| e.code());
            assert_eq!(err, Some(ErrorCode::InvalidCursor), "{scope} {raw}");
        }
    }

    #[test]
    fn limits_are_one_to_a_hundred() {
        assert_eq!(page_limit(None).ok(), Some(20));
        assert_eq!(page_limit(Some(100)).ok(), Some(100));
        for bad in [0, -1, 101] {
            assert_eq!(page_limit(Some(bad)).err().map(|e| e.code()), Some(ErrorCode::ValidationFailed));
        }
    }
}
