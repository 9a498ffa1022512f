//! Optional string parameters as clients send them (query strings, gRPC fields): empty means
//! absent, and typed values are checked with a 422 naming the parameter. REST and gRPC share them.

use chrono::{DateTime, Utc};
use helium_domain::FieldError;
use helium_domain::audit::AuditFilter;
use uuid::Uuid;

use super::problem::ApiError;

fn invalid(field: &str, code: &str, message: &str) -> ApiError {
    ApiError::validation(vec![FieldError::new(field, code, message).into()])
}

/// Empty (or blank) counts as absent.
pub fn present(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

/// An RFC 3339 instant.
pub fn instant(field: &str, raw: Option<String>) -> Result<Option<DateTime<Utc>>, ApiError> {
    present(raw)
        .map(|s| {
            DateTime::parse_from_rfc3339(s.trim())
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| invalid(field, "invalid_format", "an RFC 3339 timestamp, e.g. 2026-01-31T12:00:00Z"))
        })
        .transpose()
}

pub fn uuid(field: &str, raw: Option<String>) -> Result<Option<Uuid>, ApiError> {
    present(raw).map(|s| s.trim().parse::<Uuid>().map_err(|_| invalid(field, "invalid_format", "a UUID"))).transpose()
}

pub fn integer(field: &str, raw: Option<String>, message: &str) -> Result<Option<i64>, ApiError> {
    present(raw).map(|s| s.trim().parse::<i64>().map_err(|_| invalid(field, "invalid_type", message))).transpose()
}

/// The audit filters as clients send them (empty = absent), checked alike for REST and gRPC.
pub fn audit_filter(
    actor_id: Option<String>,
    action: Option<String>,
    target_type: Option<String>,
    target_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<AuditFilter, ApiError> {
    Ok(AuditFilter {
        actor_id: uuid("actor_id", actor_id)?,
        action: text("action", action)?,
        target_type: text("target_type", target_type)?,
        target_id: text("target_id", target_id)?,
        from: instant("from", from)?,
        to: instant("to", to)?,
    })
}

/// A free-text filter: absent when blank, at most 200 characters, no control characters.
pub fn text(field: &str, raw: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(v) = present(raw) else { return Ok(None) };
    let mut f = helium_domain::text::Fields::new();
    let v = f.line(field, &v, 1, 200);
    f.finish(Some(v)).map_err(ApiError::from)
}
