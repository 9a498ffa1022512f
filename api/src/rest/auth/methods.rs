//! My ways to sign in (tag `auth`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use helium_domain::auth::commands::SECRET_MAX;
use helium_domain::auth::{LoginMethod as Method, PASSWORD_METHOD};
use helium_domain::text::Fields;

use super::dto::*;
use crate::http::customer::{Customer, ReauthToken};
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/v1/auth/methods", operation_id = "listLoginMethods", tag = "auth",
    summary = "My ways to sign in",
    security(("customerBearer" = [])),
    responses((status = 200, description = "Password, e-mail code and linked providers", body = LoginMethodPage))
)]
pub async fn list_login_methods(
    State(state): State<AppState>,
    Customer(me): Customer,
) -> Result<Json<LoginMethodPage>, ApiError> {
    let items = state.auth.methods.list(me.user_id).await?.into_iter().map(LoginMethod::from).collect();
    Ok(Json(LoginMethodPage { items, next_cursor: None }))
}

#[utoipa::path(
    post, path = "/api/v1/auth/methods/password", operation_id = "setPassword", tag = "auth",
    summary = "Give my account a password (when it has none)",
    description = "Needs a recent re-authentication (`X-Reauth-Token`); other sessions end and a security e-mail is sent.",
    security(("customerBearer" = [])),
    params(("X-Reauth-Token" = String, Header, description = "Proof of recent re-authentication (`reauthenticate`)")),
    request_body = SetPasswordRequest,
    responses(
        (status = 201, description = "Password set", body = LoginMethod),
        (status = 403, description = "reauth_required", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "password_already_set", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (password policy)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn set_password(
    State(state): State<AppState>,
    Customer(me): Customer,
    ReauthToken(proof): ReauthToken,
    JsonBody(req): JsonBody<SetPasswordRequest>,
) -> Result<(StatusCode, Json<LoginMethod>), ApiError> {
    let mut f = Fields::new();
    let password = f.secret("new_password", &req.new_password, 0, SECRET_MAX);
    f.finish(())?;
    state.auth.methods.set_password(me, proof.as_deref(), &password).await?;
    Ok((StatusCode::CREATED, Json(Method::Password.into())))
}

#[utoipa::path(
    delete, path = "/api/v1/auth/methods/{id}", operation_id = "removeLoginMethod", tag = "auth",
    summary = "Remove one of my ways to sign in",
    description = "Needs a recent re-authentication (`X-Reauth-Token`); other sessions end and a security e-mail is sent.",
    security(("customerBearer" = [])),
    params(
        ("id" = String, Path, description = "`password`, `email_code` or a linked identity's id"),
        ("X-Reauth-Token" = String, Header, description = "Proof of recent re-authentication (`reauthenticate`)"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "reauth_required", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "last_login_method", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn remove_login_method(
    State(state): State<AppState>,
    Customer(me): Customer,
    ReauthToken(proof): ReauthToken,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if id.len() > 64 {
        return Err(ApiError::not_found());
    }
    state.auth.methods.remove(me, proof.as_deref(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/auth/methods/password` is `removeLoginMethod` with id `password`; the
/// router needs it spelled out because `setPassword`'s static path shadows `{id}` there.
pub async fn remove_password_method(
    State(state): State<AppState>,
    Customer(me): Customer,
    ReauthToken(proof): ReauthToken,
) -> Result<StatusCode, ApiError> {
    state.auth.methods.remove(me, proof.as_deref(), PASSWORD_METHOD).await?;
    Ok(StatusCode::NO_CONTENT)
}
