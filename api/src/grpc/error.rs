//! The one error type (`ApiError`) as a `tonic::Status`: the gRPC code comes from the error
//! table (`helium_domain::error`), the machine code travels in `x-helium-code` metadata, and
//! field errors in `google.rpc.BadRequest` details (field path, our field code as `reason`).

use tonic::Code;
use tonic::metadata::{MetadataMap, MetadataValue};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

use crate::http::problem::ApiError;

pub const CODE_METADATA: &str = "x-helium-code";

pub fn grpc_code(code: helium_domain::ErrorCode) -> Code {
    Code::from_i32(code.rpc_code() as i32)
}

impl From<ApiError> for tonic::Status {
    fn from(e: ApiError) -> Self {
        let message = e.detail.clone().unwrap_or_else(|| e.code.title().to_owned());
        let mut metadata = MetadataMap::new();
        if let Ok(v) = MetadataValue::try_from(e.code.as_str()) {
            metadata.insert(CODE_METADATA, v);
        }
        if let Some(secs) = e.retry_after
            && let Ok(v) = MetadataValue::try_from(secs.to_string())
        {
            metadata.insert("retry-after", v);
        }
        let code = grpc_code(e.code);
        if e.errors.is_empty() {
            return tonic::Status::with_metadata(code, message, metadata);
        }
        let violations: Vec<FieldViolation> = e
            .errors
            .into_iter()
            .map(|f| {
                let mut v = FieldViolation::new(f.field, f.message);
                v.reason = f.code;
                v
            })
            .collect();
        tonic::Status::with_error_details_and_metadata(
            code,
            message,
            ErrorDetails::with_bad_request(violations),
            metadata,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::problem::ProblemField;
    use helium_domain::ErrorCode;

    #[test]
    fn status_carries_the_rest_code_and_fields() {
        let s: tonic::Status = ApiError::unavailable(5).into();
        assert_eq!(s.code(), Code::Unavailable);
        assert_eq!(s.metadata().get(CODE_METADATA).and_then(|v| v.to_str().ok()), Some("service_unavailable"));
        let e = ApiError::validation(vec![ProblemField {
            field: "display_name".into(),
            code: "too_long".into(),
            message: "at most 100 characters".into(),
        }]);
        let s: tonic::Status = e.into();
        assert_eq!(s.code(), Code::InvalidArgument);
        let details = s.get_details_bad_request().expect("BadRequest details");
        assert_eq!(details.field_violations[0].field, "display_name");
        assert_eq!(details.field_violations[0].reason, "too_long");
        let s: tonic::Status = ApiError::new(ErrorCode::AdminEmailTaken, "taken").into();
        assert_eq!(s.code(), Code::AlreadyExists);
    }
}
