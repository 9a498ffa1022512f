//! Changing my e-mail address (tag `auth`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use helium_domain::auth::commands::{EmailChangeRequest, token_only};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::customer::{Client, Customer, ReauthToken};
use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestEmailChangeRequest {
    pub new_email: String,
    /// My current password (re-authentication). Without it, send a proof of recent
    /// re-authentication in `X-Reauth-Token` (accounts without a password must).
    #[schema(format = Password)]
    pub password: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailChangeRequested {
    /// Always `email_sent`, whether or not the address can be used (it is not revealed here).
    pub status: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmEmailChangeRequest {
    /// The token of the link e-mailed to the new address.
    pub token: String,
}

#[utoipa::path(
    post, path = "/api/v1/me/email", operation_id = "requestEmailChange", tag = "auth",
    summary = "Ask to change my e-mail address",
    description = "Checks my password (or, without one, the re-authentication proof in `X-Reauth-Token`), e-mails a single-use confirmation link to the new address and a notice to the current one. The answer is the same whether or not another account uses the new address (that is refused at confirmation).",
    security(("customerBearer" = [])),
    params(("X-Reauth-Token" = Option<String>, Header, description = "Proof of recent re-authentication (`reauthenticate`), when no password is sent")),
    request_body = RequestEmailChangeRequest,
    responses(
        (status = 202, description = "Link sent", body = EmailChangeRequested),
        (status = 403, description = "reauth_failed, reauth_required", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed; email_domain_not_allowed", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "resend_too_soon, too_many_attempts", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn request_email_change(
    State(state): State<AppState>,
    Customer(me): Customer,
    Client(client): Client,
    ReauthToken(proof): ReauthToken,
    JsonBody(req): JsonBody<RequestEmailChangeRequest>,
) -> Result<(StatusCode, Json<EmailChangeRequested>), ApiError> {
    let cmd = EmailChangeRequest::new(&req.new_email, req.password.as_deref())?;
    state.auth.email_change.request(me, &cmd.new_email, cmd.password.as_deref(), proof.as_deref(), &client).await?;
    Ok((StatusCode::ACCEPTED, Json(EmailChangeRequested { status: "email_sent".into() })))
}

#[utoipa::path(
    post, path = "/api/v1/me/email/confirm", operation_id = "confirmEmailChange", tag = "auth",
    summary = "Confirm my new e-mail address",
    description = "Signed in as the account that asked. Switches the address and ends my other sessions.",
    security(("customerBearer" = [])),
    request_body = ConfirmEmailChangeRequest,
    responses(
        (status = 204, description = "Changed"),
        (status = 409, description = "email_taken", body = ProblemBody, content_type = "application/problem+json"),
        (status = 410, description = "link_expired, link_invalid", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn confirm_email_change(
    State(state): State<AppState>,
    Customer(me): Customer,
    JsonBody(req): JsonBody<ConfirmEmailChangeRequest>,
) -> Result<StatusCode, ApiError> {
    let token = token_only("token", &req.token)?;
    state.auth.email_change.confirm(me, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}
