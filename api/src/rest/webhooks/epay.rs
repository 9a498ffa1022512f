//! Epay notify (WIRE-FORMATS Part C.3): GET or form POST, signed with the merchant key of the
//! payment's own gateway account. `success` (plain text, exactly) once accepted, duplicates
//! included; anything else makes the gateway retry.

use axum::extract::{DefaultBodyLimit, Form, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use helium_domain::DomainError;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::http::problem::{ApiError, ProblemBody};
use crate::state::AppState;

/// Gateways send a dozen short fields; anything larger is not a notify.
pub const NOTIFY_MAX_BODY_BYTES: usize = 8 * 1024;
const MAX_PARAMS: usize = 32;

/// The notify fields (documentation; every received field takes part in the signature).
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EpayNotify {
    /// Merchant id.
    pub pid: String,
    /// The gateway's transaction id.
    pub trade_no: String,
    /// Our payment number.
    pub out_trade_no: String,
    /// `alipay`, `wxpay`…
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    pub name: Option<String>,
    /// Yuan, up to two decimals.
    pub money: String,
    /// Only `TRADE_SUCCESS` means paid.
    pub trade_status: String,
    pub param: Option<String>,
    /// MD5 signature, lower-case hex.
    pub sign: String,
    /// `MD5`.
    pub sign_type: Option<String>,
}

#[utoipa::path(
    post, path = "/webhooks/epay/notify", operation_id = "epayNotifyPost", tag = "webhooks",
    summary = "Epay payment notification (form POST)",
    security(()),
    description = "Verified with the merchant key of the payment's gateway account, then checked against the payment (pid, amount, status). Replays answer `success` without effect.",
    request_body(content = EpayNotify, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Accepted: exactly `success`", body = String, content_type = "text/plain"),
        (status = 400, description = "signature_invalid", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "payment_mismatch; validation_failed (NUL bytes, over-long values)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn epay_notify_post(
    State(state): State<AppState>,
    Form(params): Form<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    notify(&state, &params).await
}

#[utoipa::path(
    get, path = "/webhooks/epay/notify", operation_id = "epayNotifyGet", tag = "webhooks",
    summary = "Epay payment notification (query string)",
    security(()),
    description = "The same as `epayNotifyPost`, for gateways that call back with GET.",
    params(EpayNotify),
    responses(
        (status = 200, description = "Accepted: exactly `success`", body = String, content_type = "text/plain"),
        (status = 400, description = "signature_invalid", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "payment_mismatch; validation_failed (NUL bytes, over-long values)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn epay_notify_get(
    State(state): State<AppState>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    notify(&state, &params).await
}

async fn notify(state: &AppState, params: &[(String, String)]) -> Result<Response, ApiError> {
    if params.len() > MAX_PARAMS {
        return Err(DomainError::field("params", "too_many", "at most 32 parameters").into());
    }
    if let Some((k, _)) =
        params.iter().find(|(k, v)| k.contains('\0') || v.contains('\0') || k.len() > 64 || v.len() > 1024)
    {
        return Err(DomainError::field(
            k.replace('\0', ""),
            "invalid_format",
            "no NUL bytes; names ≤ 64, values ≤ 1024 bytes",
        )
        .into());
    }
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let settled = state.shop.checkout.epay_notify(&pairs).await?;
    tracing::info!(?settled, "epay notify accepted");
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "success").into_response())
}

/// The body cap for the notify routes.
pub fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(NOTIFY_MAX_BODY_BYTES)
}
