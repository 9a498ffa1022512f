//! Staff authentication and authorization. Every admin route is declared with the permission
//! it needs (`rest::admin::staff_route`); `guard` verifies the staff JWT or API key, checks the
//! permission against the role table (default deny) and the MFA rule, and leaves the
//! principal for the `Staff` and `Audit` extractors.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use helium_domain::ErrorCode;
use helium_domain::admin::Permission;
use helium_domain::admin::StaffPrincipal;
use helium_domain::audit::Actor;

use super::customer::{Client, bearer_token};
use super::problem::ApiError;
use super::request_id::RequestId;
use crate::state::AppState;

/// `X-API-Key: <key>` or `Authorization: Bearer <staff JWT | key>`.
pub fn credential(headers: &HeaderMap) -> Option<String> {
    if let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()).map(str::trim)
        && !key.is_empty()
    {
        return Some(key.to_owned());
    }
    bearer_token(headers.get(header::AUTHORIZATION)?.to_str().ok()?).map(str::to_owned)
}

/// Authenticates a staff credential and checks `permission` (and, for writes, the MFA rule):
/// the one decision HTTP and gRPC share.
pub async fn authorize(
    state: &AppState,
    credential: Option<&str>,
    permission: Permission,
    write: bool,
) -> Result<StaffPrincipal, ApiError> {
    let Some(cred) = credential else {
        return Err(ApiError::new(ErrorCode::Unauthenticated, "sign in as staff to use this operation"));
    };
    let principal = state.admin.auth.authenticate(cred).await?;
    if !principal.can(permission) {
        tracing::warn!(permission = permission.as_str(), role = principal.role.as_str(), "staff permission denied");
        return Err(ApiError::new(
            ErrorCode::PermissionDenied,
            format!("this needs the `{}` permission", permission.as_str()),
        ));
    }
    if write && permission != Permission::SelfService && state.admin.auth.mfa_required(&principal) {
        return Err(ApiError::new(ErrorCode::MfaRequired, "turn on TOTP before making changes"));
    }
    Ok(principal)
}

pub async fn guard(permission: Permission, mut req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let Some(state) = req.extensions().get::<AppState>().cloned() else {
        return ApiError::internal().into_response();
    };
    let cred = credential(req.headers());
    let write = req.method() != Method::GET || permission.reveals_secrets();
    let principal = match authorize(&state, cred.as_deref(), permission, write).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let id = principal.api_key_id.map(|k| format!("api_key:{k}")).or(principal.admin_id.map(|a| format!("admin:{a}")));
    if let Some(id) = id {
        req.extensions_mut().insert(super::Principal(id));
    }
    req.extensions_mut().insert(principal);
    next.run(req).await
}

/// The staff principal the guard admitted.
pub struct Staff(pub StaffPrincipal);

impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<StaffPrincipal>()
            .cloned()
            .map(Staff)
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "sign in as staff to use this operation"))
    }
}

/// The staff principal plus who/where for the audit row of a write.
pub struct Audited {
    pub me: StaffPrincipal,
    pub actor: Actor,
}

impl FromRequestParts<AppState> for Audited {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Staff(me) = Staff::from_request_parts(parts, state).await?;
        let Ok(Client(client)) = Client::from_request_parts(parts, state).await;
        let request_id = parts.extensions.get::<RequestId>().map(|r| r.0.clone());
        let actor = me.actor(&client, request_id);
        Ok(Audited { me, actor })
    }
}
