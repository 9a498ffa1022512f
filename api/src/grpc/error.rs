//! The one error type (`ApiError`) as a `tonic::Status`: the gRPC code follows the HTTP
//! status and the machine code travels in metadata, exactly as REST's problem `code`.

use axum::http::StatusCode;
use tonic::Code;
use tonic::metadata::MetadataValue;

use crate::http::problem::ApiError;

pub const CODE_METADATA: &str = "x-helium-code";

pub fn grpc_code(status: StatusCode) -> Code {
    match status.as_u16() {
        400 | 413 | 415 | 422 => Code::InvalidArgument,
        401 => Code::Unauthenticated,
        403 => Code::PermissionDenied,
        404 | 410 => Code::NotFound,
        405 => Code::Unimplemented,
        409 => Code::Aborted,
        412 => Code::FailedPrecondition,
        429 => Code::ResourceExhausted,
        503 => Code::Unavailable,
        _ => Code::Internal,
    }
}

impl From<ApiError> for tonic::Status {
    fn from(e: ApiError) -> Self {
        let message = e.detail.clone().unwrap_or_else(|| e.code.title().to_owned());
        let mut status = tonic::Status::new(grpc_code(e.status), message);
        if let Ok(v) = MetadataValue::try_from(e.code.as_str()) {
            status.metadata_mut().insert(CODE_METADATA, v);
        }
        if let Some(secs) = e.retry_after
            && let Ok(v) = MetadataValue::try_from(secs.to_string())
        {
            status.metadata_mut().insert("retry-after", v);
        }
        status
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use helium_domain::ErrorCode;

    #[test]
    fn status_carries_the_rest_code() {
        let s: tonic::Status = ApiError::unavailable(5).into();
        assert_eq!(s.code(), Code::Unavailable);
        assert_eq!(s.metadata().get(CODE_METADATA).and_then(|v| v.to_str().ok()), Some("service_unavailable"));
        let s: tonic::Status = ApiError::new(ErrorCode::ValidationFailed, "bad").into();
        assert_eq!(s.code(), Code::InvalidArgument);
    }
}
