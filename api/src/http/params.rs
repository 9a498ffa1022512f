//! Optional string parameters as clients send them (query strings, gRPC fields): empty means
//! absent, and typed values are checked with a 422 naming the parameter. REST and gRPC share them.

use chrono::{DateTime, Utc};
use helium_domain::FieldError;
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
