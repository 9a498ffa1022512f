//! Customer identity routes (tag `auth`): registration, sign-in, tokens, sessions, profile.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helium_domain::FieldError;
use uuid::Uuid;

use super::auth_dto::*;
use crate::http::customer::{Client, Customer};
use crate::http::json::ValidatedJson;
use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

#[utoipa::path(
    post, path = "/api/v1/auth/register", operation_id = "register", tag = "auth",
    summary = "Start registration: e-mail a sign-up link",
    description = "Always answers 202 with the same body, whether or not the address has an account (an existing account is e-mailed a sign-in/reset notice instead of a link).",
    security(()),
    request_body = RegisterRequest,
    responses(
        (status = 202, description = "E-mail queued", body = EmailSent),
        (status = 403, description = "registration_closed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed, email_domain_not_allowed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "resend_too_soon, rate_limited (Retry-After)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn register(
    State(state): State<AppState>,
    ValidatedJson(req): ValidatedJson<RegisterRequest>,
) -> Result<Response, ApiError> {
    state.auth.register(&req.email, req.referral_code.as_deref()).await?;
    Ok((StatusCode::ACCEPTED, Json(EmailSent { status: "email_sent".to_owned() })).into_response())
}

#[utoipa::path(
    post, path = "/api/v1/auth/register/complete", operation_id = "completeRegistration", tag = "auth",
    summary = "Finish registration from the e-mailed link",
    security(()),
    request_body = CompleteRegistrationRequest,
    responses(
        (status = 201, description = "Account created and signed in", body = RegistrationCompleted),
        (status = 410, description = "link_expired, link_invalid", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed (password policy)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn complete_registration(
    State(state): State<AppState>,
    Client(client): Client,
    ValidatedJson(req): ValidatedJson<CompleteRegistrationRequest>,
) -> Result<Response, ApiError> {
    let (user, tokens) = state.auth.complete_registration(&req.token, &req.password, &client).await?;
    let body = RegistrationCompleted { account: Me::from_row(user), tokens: Some(tokens.into()) };
    let mut res = (StatusCode::CREATED, Json(body)).into_response();
    res.headers_mut().insert(header::LOCATION, HeaderValue::from_static("/api/v1/me"));
    Ok(res)
}

#[utoipa::path(
    post, path = "/api/v1/auth/login", operation_id = "login", tag = "auth",
    summary = "Sign in with e-mail and password",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in, or an MFA challenge", body = LoginResult),
        (status = 401, description = "invalid_credentials", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "account_banned", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited; too_many_attempts (10 wrong passwords for this address in 15 min)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    ValidatedJson(req): ValidatedJson<LoginRequest>,
) -> Result<Json<LoginResult>, ApiError> {
    Ok(Json(state.auth.login(&req.email, &req.password, &client).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/auth/token/refresh", operation_id = "refreshToken", tag = "auth",
    summary = "Rotate the refresh token and get a new access token",
    description = "Each refresh token works once. Presenting one that was already rotated revokes the whole session (401 refresh_token_reused).",
    security(()),
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New token pair", body = TokenPair),
        (status = 401, description = "refresh_token_invalid, refresh_token_reused", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "account_banned", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn refresh_token(
    State(state): State<AppState>,
    ValidatedJson(req): ValidatedJson<RefreshRequest>,
) -> Result<Json<TokenPair>, ApiError> {
    Ok(Json(state.auth.refresh(&req.refresh_token).await?.into()))
}

#[utoipa::path(
    get, path = "/api/v1/auth/sessions", operation_id = "listSessions", tag = "auth",
    summary = "List my signed-in sessions",
    security(("customerBearer" = [])),
    responses(
        (status = 200, description = "Live sessions, newest first", body = SessionPage),
        (status = 401, description = "unauthenticated, token_expired", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn list_sessions(
    State(state): State<AppState>,
    Customer(me): Customer,
) -> Result<Json<SessionPage>, ApiError> {
    let items = state
        .auth
        .list_sessions(me.user_id)
        .await?
        .into_iter()
        .map(|s| Session {
            current: s.id == me.session_id,
            id: s.id,
            device: s.device,
            ip: s.ip,
            created_at: s.created_at,
            last_used_at: s.last_used_at,
        })
        .collect();
    Ok(Json(SessionPage { items, next_cursor: None }))
}

#[utoipa::path(
    delete, path = "/api/v1/auth/sessions/{id}", operation_id = "revokeSession", tag = "auth",
    summary = "Sign out one of my sessions",
    security(("customerBearer" = [])),
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 204, description = "Revoked; its tokens stop working at once"),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "not_found (also another user's session)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn revoke_session(
    State(state): State<AppState>,
    Customer(me): Customer,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.auth.revoke_session(me.user_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/api/v1/auth/logout", operation_id = "logout", tag = "auth",
    summary = "Sign out this session",
    security(("customerBearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn logout(State(state): State<AppState>, Customer(me): Customer) -> Result<StatusCode, ApiError> {
    state.auth.revoke_session(me.user_id, me.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post, path = "/api/v1/auth/logout-all", operation_id = "logoutAll", tag = "auth",
    summary = "Sign out everywhere",
    description = "Revokes every session and every access token already issued.",
    security(("customerBearer" = [])),
    responses(
        (status = 204, description = "Every session ended"),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn logout_all(State(state): State<AppState>, Customer(me): Customer) -> Result<StatusCode, ApiError> {
    state.auth.logout_all(me.user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get, path = "/api/v1/me", operation_id = "getMe", tag = "auth",
    summary = "My account",
    security(("customerBearer" = [])),
    responses(
        (status = 200, description = "The signed-in customer", body = Me),
        (status = 401, description = "unauthenticated, token_expired", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn get_me(State(state): State<AppState>, Customer(me): Customer) -> Result<Json<Me>, ApiError> {
    Ok(Json(Me::from_row(state.auth.me(me.user_id).await?)))
}

fn profile_errors(req: &UpdateMeRequest) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(Some(name)) = &req.display_name
        && (name.trim().is_empty() || name.chars().count() > 64)
    {
        errors.push(FieldError::new("display_name", "invalid_format", "1-64 characters"));
    }
    if let Some(Some(locale)) = &req.locale
        && (!(2..=35).contains(&locale.len()) || !locale.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    {
        errors.push(FieldError::new("locale", "invalid_format", "a BCP 47 tag such as en or zh-CN"));
    }
    if let Some(Some(tz)) = &req.timezone
        && (tz.is_empty() || tz.len() > 64 || !tz.bytes().all(|b| b.is_ascii_alphanumeric() || b"/_+-".contains(&b)))
    {
        errors.push(FieldError::new("timezone", "invalid_format", "an IANA time zone such as Europe/Berlin"));
    }
    errors
}

#[utoipa::path(
    patch, path = "/api/v1/me", operation_id = "updateMe", tag = "auth",
    summary = "Update my profile",
    description = "Merge semantics: absent fields are unchanged, `null` clears. Unknown or privileged fields are rejected with 422.",
    security(("customerBearer" = [])),
    request_body = UpdateMeRequest,
    responses(
        (status = 200, description = "Updated account", body = Me),
        (status = 401, description = "unauthenticated", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn update_me(
    State(state): State<AppState>,
    Customer(me): Customer,
    ValidatedJson(req): ValidatedJson<UpdateMeRequest>,
) -> Result<Json<Me>, ApiError> {
    let errors = profile_errors(&req);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors.into_iter().map(Into::into).collect()));
    }
    let user = state.auth.update_me(me.user_id, req.display_name, req.locale, req.timezone).await?;
    Ok(Json(Me::from_row(user)))
}
