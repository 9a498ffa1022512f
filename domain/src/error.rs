//! The closed vocabulary of machine-readable error codes shared by REST, gRPC and the CLI.
//!
//! Codes are stable API: clients branch on them. The HTTP status and gRPC code
//! that go with each one are decided in `helium-api`; this crate only names them.

use std::fmt;

/// Stable machine code carried in problem+json `code` and gRPC status metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    MalformedRequest,
    InvalidCursor,
    IdempotencyKeyMissing,
    IdempotencyKeyInvalid,
    Unauthenticated,
    PermissionDenied,
    NotFound,
    MethodNotAllowed,
    IdempotencyKeyInProgress,
    Conflict,
    PreconditionFailed,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    IdempotencyKeyReused,
    RateLimited,
    InternalError,
    ServiceUnavailable,
    EmailDomainNotAllowed,
    RegistrationClosed,
    ResendTooSoon,
    LinkExpired,
    LinkInvalid,
    InvalidCredentials,
    AccountBanned,
    TokenExpired,
    RefreshTokenInvalid,
    RefreshTokenReused,
    ReauthFailed,
    InvalidCode,
    MfaAlreadyEnabled,
    MfaSetupRequired,
    MfaNotEnabled,
    MfaTokenInvalid,
    CodeAlreadyUsed,
    OauthStateInvalid,
    OauthExchangeFailed,
    OauthProviderUnknown,
    RedirectUriNotAllowed,
    OauthEmailRequired,
    AccountExistsLinkRequired,
    OauthIdentityInUse,
    PasswordAlreadySet,
    LastLoginMethod,
    TooManyAttempts,
    MfaRequired,
    AccountDisabled,
    RoleNotGrantable,
    AdminEmailTaken,
    LastSuperAdmin,
    InvitationUsed,
    InvitationExpired,
    InvalidState,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 53] = [
        ErrorCode::MalformedRequest,
        ErrorCode::InvalidCursor,
        ErrorCode::IdempotencyKeyMissing,
        ErrorCode::IdempotencyKeyInvalid,
        ErrorCode::Unauthenticated,
        ErrorCode::PermissionDenied,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::IdempotencyKeyInProgress,
        ErrorCode::Conflict,
        ErrorCode::PreconditionFailed,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::ValidationFailed,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::RateLimited,
        ErrorCode::InternalError,
        ErrorCode::ServiceUnavailable,
        ErrorCode::EmailDomainNotAllowed,
        ErrorCode::RegistrationClosed,
        ErrorCode::ResendTooSoon,
        ErrorCode::LinkExpired,
        ErrorCode::LinkInvalid,
        ErrorCode::InvalidCredentials,
        ErrorCode::AccountBanned,
        ErrorCode::TokenExpired,
        ErrorCode::RefreshTokenInvalid,
        ErrorCode::RefreshTokenReused,
        ErrorCode::ReauthFailed,
        ErrorCode::InvalidCode,
        ErrorCode::MfaAlreadyEnabled,
        ErrorCode::MfaSetupRequired,
        ErrorCode::MfaNotEnabled,
        ErrorCode::MfaTokenInvalid,
        ErrorCode::CodeAlreadyUsed,
        ErrorCode::OauthStateInvalid,
        ErrorCode::OauthExchangeFailed,
        ErrorCode::OauthProviderUnknown,
        ErrorCode::RedirectUriNotAllowed,
        ErrorCode::OauthEmailRequired,
        ErrorCode::AccountExistsLinkRequired,
        ErrorCode::OauthIdentityInUse,
        ErrorCode::PasswordAlreadySet,
        ErrorCode::LastLoginMethod,
        ErrorCode::TooManyAttempts,
        ErrorCode::MfaRequired,
        ErrorCode::AccountDisabled,
        ErrorCode::RoleNotGrantable,
        ErrorCode::AdminEmailTaken,
        ErrorCode::LastSuperAdmin,
        ErrorCode::InvitationUsed,
        ErrorCode::InvitationExpired,
        ErrorCode::InvalidState,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedRequest => "malformed_request",
            ErrorCode::InvalidCursor => "invalid_cursor",
            ErrorCode::IdempotencyKeyMissing => "idempotency_key_missing",
            ErrorCode::IdempotencyKeyInvalid => "idempotency_key_invalid",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::PermissionDenied => "permission_denied",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::IdempotencyKeyInProgress => "idempotency_key_in_progress",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PreconditionFailed => "precondition_failed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::InternalError => "internal_error",
            ErrorCode::ServiceUnavailable => "service_unavailable",
            ErrorCode::CodeAlreadyUsed => "code_already_used",
            ErrorCode::MfaTokenInvalid => "mfa_token_invalid",
            ErrorCode::MfaNotEnabled => "mfa_not_enabled",
            ErrorCode::MfaSetupRequired => "mfa_setup_required",
            ErrorCode::MfaAlreadyEnabled => "mfa_already_enabled",
            ErrorCode::InvalidCode => "invalid_code",
            ErrorCode::ReauthFailed => "reauth_failed",
            ErrorCode::RefreshTokenReused => "refresh_token_reused",
            ErrorCode::RefreshTokenInvalid => "refresh_token_invalid",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::AccountBanned => "account_banned",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::LinkInvalid => "link_invalid",
            ErrorCode::LinkExpired => "link_expired",
            ErrorCode::ResendTooSoon => "resend_too_soon",
            ErrorCode::RegistrationClosed => "registration_closed",
            ErrorCode::EmailDomainNotAllowed => "email_domain_not_allowed",
            ErrorCode::OauthStateInvalid => "oauth_state_invalid",
            ErrorCode::OauthExchangeFailed => "oauth_exchange_failed",
            ErrorCode::OauthProviderUnknown => "oauth_provider_unknown",
            ErrorCode::RedirectUriNotAllowed => "redirect_uri_not_allowed",
            ErrorCode::OauthEmailRequired => "oauth_email_required",
            ErrorCode::AccountExistsLinkRequired => "account_exists_link_required",
            ErrorCode::OauthIdentityInUse => "oauth_identity_in_use",
            ErrorCode::PasswordAlreadySet => "password_already_set",
            ErrorCode::LastLoginMethod => "last_login_method",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::MfaRequired => "mfa_required",
            ErrorCode::AccountDisabled => "account_disabled",
            ErrorCode::RoleNotGrantable => "role_not_grantable",
            ErrorCode::AdminEmailTaken => "admin_email_taken",
            ErrorCode::LastSuperAdmin => "last_super_admin",
            ErrorCode::InvitationUsed => "invitation_used",
            ErrorCode::InvitationExpired => "invitation_expired",
            ErrorCode::InvalidState => "invalid_state",
        }
    }

    /// Short human title used in problem documents.
    pub fn title(self) -> &'static str {
        match self {
            ErrorCode::MalformedRequest => "Malformed request",
            ErrorCode::InvalidCursor => "Invalid cursor",
            ErrorCode::IdempotencyKeyMissing => "Idempotency-Key header required",
            ErrorCode::IdempotencyKeyInvalid => "Invalid Idempotency-Key header",
            ErrorCode::Unauthenticated => "Authentication required",
            ErrorCode::PermissionDenied => "Permission denied",
            ErrorCode::NotFound => "Not found",
            ErrorCode::MethodNotAllowed => "Method not allowed",
            ErrorCode::IdempotencyKeyInProgress => "Request with this Idempotency-Key in progress",
            ErrorCode::Conflict => "Conflict",
            ErrorCode::PreconditionFailed => "Precondition failed",
            ErrorCode::PayloadTooLarge => "Payload too large",
            ErrorCode::UnsupportedMediaType => "Unsupported media type",
            ErrorCode::ValidationFailed => "Validation failed",
            ErrorCode::IdempotencyKeyReused => "Idempotency-Key reused with a different request",
            ErrorCode::RateLimited => "Too many requests",
            ErrorCode::InternalError => "Internal server error",
            ErrorCode::ServiceUnavailable => "Service unavailable",
            ErrorCode::CodeAlreadyUsed => "Code already used",
            ErrorCode::MfaTokenInvalid => "MFA token invalid or expired",
            ErrorCode::MfaNotEnabled => "MFA not enabled",
            ErrorCode::MfaSetupRequired => "Set up MFA first",
            ErrorCode::MfaAlreadyEnabled => "MFA already enabled",
            ErrorCode::InvalidCode => "Invalid code",
            ErrorCode::ReauthFailed => "Re-authentication failed",
            ErrorCode::RefreshTokenReused => "Refresh token reused",
            ErrorCode::RefreshTokenInvalid => "Refresh token invalid",
            ErrorCode::TokenExpired => "Access token expired",
            ErrorCode::AccountBanned => "Account banned",
            ErrorCode::InvalidCredentials => "Invalid e-mail or password",
            ErrorCode::LinkInvalid => "Link invalid or already used",
            ErrorCode::LinkExpired => "Link expired",
            ErrorCode::ResendTooSoon => "Requested again too soon",
            ErrorCode::RegistrationClosed => "Registration is closed",
            ErrorCode::EmailDomainNotAllowed => "E-mail domain not allowed",
            ErrorCode::OauthStateInvalid => "OAuth state invalid",
            ErrorCode::OauthExchangeFailed => "OAuth sign-in failed",
            ErrorCode::OauthProviderUnknown => "OAuth provider not configured",
            ErrorCode::RedirectUriNotAllowed => "Redirect URI not allowed",
            ErrorCode::OauthEmailRequired => "Provider gave no verified e-mail",
            ErrorCode::AccountExistsLinkRequired => "Account exists: sign in, then link",
            ErrorCode::OauthIdentityInUse => "Identity linked to another account",
            ErrorCode::PasswordAlreadySet => "Password already set",
            ErrorCode::LastLoginMethod => "Keep at least one sign-in method",
            ErrorCode::TooManyAttempts => "Too many failed attempts",
            ErrorCode::MfaRequired => "Enable TOTP first",
            ErrorCode::AccountDisabled => "Account disabled",
            ErrorCode::RoleNotGrantable => "Role above your own",
            ErrorCode::AdminEmailTaken => "Staff address exists or invited",
            ErrorCode::LastSuperAdmin => "Would leave no SuperAdmin",
            ErrorCode::InvitationUsed => "Invitation already used",
            ErrorCode::InvitationExpired => "Invitation expired",
            ErrorCode::InvalidState => "Wrong state for this action",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One offending input field: `field` is a JSON path such as `items[0].amount`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into() }
    }
}

/// The error every use case returns. Infrastructure failures are `Internal` and never
/// reach a client in detail; everything else carries a stable code.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("{code}: {detail}")]
    Rejected { code: ErrorCode, detail: String, fields: Vec<FieldError> },
    /// Refused for now; the caller may retry after `retry_after_secs`.
    #[error("{code}: retry after {retry_after_secs} s")]
    Throttled { code: ErrorCode, retry_after_secs: u64 },
    #[error("dependency unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl DomainError {
    pub fn rejected(code: ErrorCode, detail: impl Into<String>) -> Self {
        DomainError::Rejected { code, detail: detail.into(), fields: Vec::new() }
    }

    pub fn validation(fields: Vec<FieldError>) -> Self {
        DomainError::Rejected {
            code: ErrorCode::ValidationFailed,
            detail: "the request has invalid fields".to_owned(),
            fields,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            DomainError::Rejected { code, .. } | DomainError::Throttled { code, .. } => *code,
            DomainError::Unavailable(_) => ErrorCode::ServiceUnavailable,
            DomainError::Internal(_) => ErrorCode::InternalError,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{s}");
            assert!(!code.title().is_empty());
        }
    }

    #[test]
    fn internal_errors_map_to_closed_codes() {
        assert_eq!(DomainError::Internal("x".into()).code(), ErrorCode::InternalError);
        assert_eq!(DomainError::Unavailable("x".into()).code(), ErrorCode::ServiceUnavailable);
        let v = DomainError::validation(vec![FieldError::new("a", "required", "missing")]);
        assert_eq!(v.code(), ErrorCode::ValidationFailed);
    }
}
