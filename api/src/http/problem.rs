//! RFC 9457 problem+json: the one error shape every HTTP response uses.
//!
//! Handlers return `ApiError`; its `IntoResponse` only stashes the error in the response
//! extensions. `render_problems` (outermost middleware, which knows the request id) writes
//! the body, and also rewrites any plain-text error axum produced on its own.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use helium_domain::{DomainError, ErrorCode, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

use super::request_id::RequestId;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// One invalid input field.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[schema(as = ProblemFieldError)]
pub struct ProblemField {
    /// JSON path of the offending field, e.g. `items[0].amount`.
    pub field: String,
    /// Machine code: required, unknown_field, invalid_type, invalid_format, too_short, ...
    pub code: String,
    pub message: String,
}

/// RFC 9457 problem document shared by every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct ProblemBody {
    /// `urn:helium:problem:<code>`
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable error code.
    pub code: String,
    /// The request's `x-request-id`, for support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// An error answered to a client.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub detail: Option<String>,
    pub errors: Vec<ProblemField>,
    /// Seconds for `Retry-After` on 429/503.
    pub retry_after: Option<u64>,
}

/// The HTTP status of a code, from the one error table (`helium_domain::error`).
pub fn status_for(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self { status: status_for(code), code, detail: Some(detail.into()), errors: Vec::new(), retry_after: None }
    }

    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound, "no resource at this path")
    }

    pub fn internal() -> Self {
        Self::new(ErrorCode::InternalError, "an unexpected error occurred; quote the request id to support")
    }

    pub fn unavailable(retry_after: u64) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(ErrorCode::ServiceUnavailable, "a dependency is unavailable; retry later")
        }
    }

    pub fn validation(errors: Vec<ProblemField>) -> Self {
        Self { errors, ..Self::new(ErrorCode::ValidationFailed, "the request has invalid fields") }
    }

    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    fn body(&self, request_id: Option<String>) -> ProblemBody {
        ProblemBody {
            type_: format!("urn:helium:problem:{}", self.code.as_str()),
            title: self.code.title().to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.as_str().to_owned(),
            request_id,
            errors: self.errors.clone(),
        }
    }

    /// The complete response (used by the renderer and outside the HTTP stack, e.g. tests).
    pub fn to_response(&self, request_id: Option<String>) -> Response {
        let body = serde_json::to_vec(&self.body(request_id)).unwrap_or_default();
        let mut res = Response::new(Body::from(body));
        *res.status_mut() = self.status;
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_CONTENT_TYPE));
        if let Some(secs) = self.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

impl From<FieldError> for ProblemField {
    fn from(f: FieldError) -> Self {
        ProblemField { field: f.field, code: f.code, message: f.message }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Rejected { code, detail, fields } => {
                ApiError { errors: fields.into_iter().map(Into::into).collect(), ..ApiError::new(code, detail) }
            }
            DomainError::Throttled { code, retry_after_secs } => {
                ApiError::new(code, "requested again too soon; retry after the indicated delay")
                    .with_retry_after(retry_after_secs)
            }
            DomainError::Unavailable(cause) | DomainError::Contention(cause) => {
                tracing::warn!(%cause, "dependency unavailable");
                ApiError::unavailable(5)
            }
            DomainError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                ApiError::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = self.to_response(None);
        res.extensions_mut().insert(self);
        res
    }
}

/// Outermost middleware: renders stashed `ApiError`s with the request id and converts any
/// non-problem error response (axum's own text rejections, 405s, panics) into problem+json.
/// Marks a deliberately empty error response (a subscription app gets a bare 403 for an
/// account that may not be served, WIRE-FORMATS B.1): left as it is.
#[derive(Debug, Clone, Copy)]
pub struct BareStatus;

pub async fn render_problems(req: Request, next: Next) -> Response {
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) || res.extensions().get::<BareStatus>().is_some() {
        return res;
    }
    let error = match res.extensions().get::<ApiError>() {
        Some(e) => e.clone(),
        None => {
            let is_problem = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ct| ct.starts_with(PROBLEM_CONTENT_TYPE));
            if is_problem {
                return res;
            }
            error_for_bare_status(status)
        }
    };
    let allow = res.headers().get(header::ALLOW).cloned();
    let mut out = error.to_response(request_id);
    if let Some(allow) = allow {
        out.headers_mut().insert(header::ALLOW, allow);
    }
    out
}

/// Maps a status produced outside our handlers to the matching problem.
fn error_for_bare_status(status: StatusCode) -> ApiError {
    let (code, detail) = match status {
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "no resource at this path"),
        StatusCode::METHOD_NOT_ALLOWED => (ErrorCode::MethodNotAllowed, "this path does not accept this method"),
        StatusCode::PAYLOAD_TOO_LARGE => (ErrorCode::PayloadTooLarge, "the request body is larger than allowed"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            (ErrorCode::UnsupportedMediaType, "expected Content-Type: application/json")
        }
        StatusCode::UNPROCESSABLE_ENTITY => (ErrorCode::ValidationFailed, "the request has invalid fields"),
        StatusCode::TOO_MANY_REQUESTS => (ErrorCode::RateLimited, "too many requests"),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT => {
            (ErrorCode::ServiceUnavailable, "the service could not answer in time; retry later")
        }
        s if s.is_client_error() => (ErrorCode::MalformedRequest, "the request could not be understood"),
        _ => (ErrorCode::InternalError, "an unexpected error occurred; quote the request id to support"),
    };
    let mut e = ApiError::new(code, detail);
    e.status = status;
    e
}

/// Handler for unmatched paths.
pub async fn not_found_fallback() -> ApiError {
    ApiError::not_found()
}

/// Handler for paths that exist without this method.
pub async fn method_not_allowed_fallback() -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed, "this path does not accept this method")
}

/// `CatchPanicLayer` callback: a generic 500, no internals.
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    ApiError::internal().into_response()
}
