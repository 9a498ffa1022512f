//! Module configuration documents for staff (tag `config`): secrets are always masked on the
//! way out, and a masked secret sent back keeps its stored value.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use chrono::{DateTime, Utc};
use helium_domain::ErrorCode;
use helium_infra::admin::governance::MaskedConfig;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::{Audited, Staff};
use crate::state::AppState;

/// A configuration document without its value.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigSummary {
    /// `auth`, `admin-jwt`, `telecom`, `shop`, `affiliate` or `mailer`.
    pub key: String,
    /// Bumped by every change; the document's `ETag`.
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigSummaryList {
    pub items: Vec<ConfigSummary>,
}

/// A configuration document; every secret reads `********`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigDocument {
    pub key: String,
    pub version: i64,
    #[schema(value_type = Object)]
    pub value: Value,
}

/// The whole new document. Secrets left as `********` keep their stored value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutConfigRequest {
    #[schema(value_type = Object)]
    pub value: Value,
}

/// The document with its `ETag: "<version>"`.
fn document(c: MaskedConfig) -> (HeaderMap, Json<ConfigDocument>) {
    let mut headers = HeaderMap::new();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", c.version)) {
        headers.insert(header::ETAG, etag);
    }
    (headers, Json(ConfigDocument { key: c.key.to_owned(), version: c.version, value: c.value }))
}

/// `If-Match`: absent or `*` → no precondition; `"<version>"` (or `W/"<version>"`) → that
/// version. Anything else can match no version: 412.
fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let stale = || ApiError::new(ErrorCode::PreconditionFailed, "If-Match does not name the current version");
    let tag = raw.to_str().map_err(|_| stale())?.trim();
    if tag == "*" {
        return Ok(None);
    }
    let tag = tag.strip_prefix("W/").unwrap_or(tag);
    let tag = tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(tag);
    tag.parse::<i64>().map(Some).map_err(|_| stale())
}

#[utoipa::path(
    get, path = "/api/v1/admin/config", operation_id = "adminListConfig", tag = "config",
    summary = "List the module configuration documents",
    responses(
        (status = 200, description = "Every document's key and version", body = ConfigSummaryList),
        (status = 403, description = "permission_denied (staff JWT of a SuperAdmin only)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_list_config(
    State(state): State<AppState>,
    Staff(_me): Staff,
) -> Result<Json<ConfigSummaryList>, ApiError> {
    let items = state
        .admin
        .governance
        .list_config()
        .await?
        .into_iter()
        .map(|c| ConfigSummary { key: c.key, version: c.version, updated_at: c.updated_at })
        .collect();
    Ok(Json(ConfigSummaryList { items }))
}

#[utoipa::path(
    get, path = "/api/v1/admin/config/{key}", operation_id = "adminGetConfig", tag = "config",
    summary = "Read one module configuration document (secrets masked)",
    description = "Secrets read `********`. The `ETag` header carries the version for `If-Match` on adminPutConfig.",
    params(("key" = String, Path, description = "auth, admin-jwt, telecom, shop, affiliate or mailer (aliases admin_jwt, market)")),
    responses(
        (status = 200, description = "The document", body = ConfigDocument,
            headers(("ETag" = String, description = "`\"<version>\"`"))),
        (status = 403, description = "permission_denied (staff JWT of a SuperAdmin only)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not_found (no such document)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_get_config(
    State(state): State<AppState>,
    Staff(_me): Staff,
    Path(key): Path<String>,
) -> Result<(HeaderMap, Json<ConfigDocument>), ApiError> {
    Ok(document(state.admin.governance.get_config(&key).await?))
}

#[utoipa::path(
    put, path = "/api/v1/admin/config/{key}", operation_id = "adminPutConfig", tag = "config",
    summary = "Replace one module configuration document",
    description = "Send the whole document. Secrets left as `********` keep their stored value. The document must \
                   pass the service's validation (placeholder secrets are refused); errors name the field as \
                   `value.<path>`. `If-Match` is optional: when present and not the current version (`ETag` of \
                   adminGetConfig) the change is refused with 412. The change and its `config.update` audit row \
                   commit together; every process applies it within 5 s.",
    params(
        ("key" = String, Path, description = "auth, admin-jwt, telecom, shop, affiliate or mailer (aliases admin_jwt, market)"),
        ("If-Match" = Option<String>, Header, description = "`\"<version>\"` from the ETag; `*` or absent: no check"),
    ),
    request_body = PutConfigRequest,
    responses(
        (status = 200, description = "The new document (secrets masked)", body = ConfigDocument,
            headers(("ETag" = String, description = "`\"<version>\"` of the new document"))),
        (status = 400, description = "malformed_request", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "permission_denied (staff JWT of a SuperAdmin only), mfa_required", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not_found (no such document)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 412, description = "precondition_failed (If-Match is not the current version)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed, naming the field as `value.<path>`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_put_config(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(key): Path<String>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<PutConfigRequest>,
) -> Result<(HeaderMap, Json<ConfigDocument>), ApiError> {
    let expected = if_match(&headers)?;
    Ok(document(state.admin.governance.put_config(&actor, &key, req.value, expected).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::IF_MATCH, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn if_match_forms() {
        assert_eq!(if_match(&HeaderMap::new()).unwrap(), None);
        assert_eq!(if_match(&with("*")).unwrap(), None);
        assert_eq!(if_match(&with("\"7\"")).unwrap(), Some(7));
        assert_eq!(if_match(&with("W/\"7\"")).unwrap(), Some(7));
        assert_eq!(if_match(&with(" 7 ")).unwrap(), Some(7));
        assert_eq!(if_match(&with("\"abc\"")).unwrap_err().code, ErrorCode::PreconditionFailed);
    }
}
