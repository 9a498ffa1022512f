//! Helpers for the line-oriented formats (Surge, Surfboard, Quantumult X, Loon, Shadowrocket).

use std::fmt::Write as _;

use chrono::DateTime;

use super::view::SubscriptionUser;

const GB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Bytes as GB with two decimals.
pub(crate) fn gb(bytes: u64) -> String {
    #[expect(clippy::cast_precision_loss, reason = "display only, two decimals")]
    let v = bytes as f64 / GB;
    format!("{v:.2}")
}

/// `YYYY-MM-DD` (UTC) of the expiry, or `None` when it never expires.
pub(crate) fn expiry_date(user: &SubscriptionUser) -> Option<String> {
    let at = user.expire_at?;
    DateTime::from_timestamp(at, 0).map(|d| d.format("%Y-%m-%d").to_string())
}

/// Joins `items` with `sep` into `out`.
pub(crate) fn join_into<'a>(out: &mut String, items: impl IntoIterator<Item = &'a str>, sep: &str) {
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(item);
    }
}

/// Appends `, key=value` (Surge style).
pub(crate) fn kv(out: &mut String, sep: &str, key: &str, value: impl std::fmt::Display) {
    let _ = write!(out, "{sep}{key}={value}");
}
