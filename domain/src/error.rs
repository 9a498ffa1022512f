//! The closed vocabulary of machine-readable error codes shared by REST, gRPC and the CLI.
//!
//! Codes are stable API: clients branch on them. Each code is declared ONCE, in the table
//! below, with its title, its HTTP status and its gRPC code; the adapters in `helium-api`
//! only read the table.

use std::fmt;

/// gRPC status codes (the numeric values of `google.rpc.Code`), so the table can name them
/// without this crate depending on tonic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RpcCode {
    InvalidArgument = 3,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    Unauthenticated = 16,
}

macro_rules! error_codes {
    ($( $variant:ident = $code:literal, $status:literal, $rpc:ident, $title:literal; )+) => {
        /// Stable machine code carried in problem+json `code` and gRPC status metadata.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $($variant),+ }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code),+ }
            }

            /// Short human title used in problem documents.
            pub const fn title(self) -> &'static str {
                match self { $(ErrorCode::$variant => $title),+ }
            }

            /// The HTTP status REST answers with.
            pub const fn http_status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status),+ }
            }

            /// The gRPC status code gRPC answers with.
            pub const fn rpc_code(self) -> RpcCode {
                match self { $(ErrorCode::$variant => RpcCode::$rpc),+ }
            }
        }
    };
}

error_codes! {
    // Request shape and protocol.
    MalformedRequest = "malformed_request", 400, InvalidArgument, "Malformed request";
    InvalidCursor = "invalid_cursor", 400, InvalidArgument, "Invalid cursor";
    IdempotencyKeyMissing = "idempotency_key_missing", 400, InvalidArgument, "Idempotency-Key header required";
    IdempotencyKeyInvalid = "idempotency_key_invalid", 400, InvalidArgument, "Invalid Idempotency-Key header";
    MethodNotAllowed = "method_not_allowed", 405, Unimplemented, "Method not allowed";
    PayloadTooLarge = "payload_too_large", 413, InvalidArgument, "Payload too large";
    UnsupportedMediaType = "unsupported_media_type", 415, InvalidArgument, "Unsupported media type";
    ValidationFailed = "validation_failed", 422, InvalidArgument, "Validation failed";
    IdempotencyKeyReused = "idempotency_key_reused", 422, InvalidArgument, "Idempotency-Key reused with a different request";
    IdempotencyKeyInProgress = "idempotency_key_in_progress", 409, Aborted, "Request with this Idempotency-Key in progress";
    PreconditionFailed = "precondition_failed", 412, Aborted, "Precondition failed";
    RateLimited = "rate_limited", 429, ResourceExhausted, "Too many requests";
    InternalError = "internal_error", 500, Internal, "Internal server error";
    ServiceUnavailable = "service_unavailable", 503, Unavailable, "Service unavailable";
    // Authentication and authorization.
    Unauthenticated = "unauthenticated", 401, Unauthenticated, "Authentication required";
    TokenExpired = "token_expired", 401, Unauthenticated, "Access token expired";
    InvalidCredentials = "invalid_credentials", 401, Unauthenticated, "Invalid e-mail or password";
    NodeTokenInvalid = "node_token_invalid", 401, Unauthenticated, "Node token missing or wrong";
    RefreshTokenInvalid = "refresh_token_invalid", 401, Unauthenticated, "Refresh token invalid";
    RefreshTokenReused = "refresh_token_reused", 401, Unauthenticated, "Refresh token reused";
    MfaTokenInvalid = "mfa_token_invalid", 401, Unauthenticated, "MFA token invalid or expired";
    InvalidCode = "invalid_code", 401, Unauthenticated, "Invalid code";
    CodeAlreadyUsed = "code_already_used", 401, Unauthenticated, "Code already used";
    OauthExchangeFailed = "oauth_exchange_failed", 401, Unauthenticated, "OAuth sign-in failed";
    PermissionDenied = "permission_denied", 403, PermissionDenied, "Permission denied";
    MfaRequired = "mfa_required", 403, PermissionDenied, "Enable TOTP first";
    AccountBanned = "account_banned", 403, PermissionDenied, "Account banned";
    AccountDisabled = "account_disabled", 403, PermissionDenied, "Account disabled";
    RegistrationClosed = "registration_closed", 403, FailedPrecondition, "Registration is closed";
    ReauthFailed = "reauth_failed", 403, PermissionDenied, "Re-authentication failed";
    ReauthRequired = "reauth_required", 403, PermissionDenied, "Re-authentication required";
    RoleNotGrantable = "role_not_grantable", 403, PermissionDenied, "Role above your own";
    AffiliateDisabled = "affiliate_disabled", 403, PermissionDenied, "Referrals are off for this account";
    TooManyAttempts = "too_many_attempts", 429, ResourceExhausted, "Too many failed attempts";
    ResendTooSoon = "resend_too_soon", 429, ResourceExhausted, "Requested again too soon";
    // Lookups.
    NotFound = "not_found", 404, NotFound, "Not found";
    SubscriptionNotFound = "subscription_not_found", 404, NotFound, "No such subscription";
    NodeNotFound = "node_not_found", 404, NotFound, "No such node";
    OauthProviderUnknown = "oauth_provider_unknown", 404, NotFound, "OAuth provider not configured";
    // Single-use links and codes.
    LinkExpired = "link_expired", 410, FailedPrecondition, "Link expired";
    LinkInvalid = "link_invalid", 410, FailedPrecondition, "Link invalid or already used";
    InvitationUsed = "invitation_used", 410, FailedPrecondition, "Invitation already used";
    InvitationExpired = "invitation_expired", 410, FailedPrecondition, "Invitation expired";
    // Input refused by a rule.
    EmailDomainNotAllowed = "email_domain_not_allowed", 422, InvalidArgument, "E-mail domain not allowed";
    RedirectUriNotAllowed = "redirect_uri_not_allowed", 422, InvalidArgument, "Redirect URI not allowed";
    OauthEmailRequired = "oauth_email_required", 422, FailedPrecondition, "Provider gave no verified e-mail";
    OauthStateInvalid = "oauth_state_invalid", 400, InvalidArgument, "OAuth state invalid";
    SignatureInvalid = "signature_invalid", 400, InvalidArgument, "Gateway signature invalid";
    CurrencyMismatch = "currency_mismatch", 422, InvalidArgument, "Not the shop currency";
    ProductNotAvailable = "product_not_available", 422, FailedPrecondition, "Product not available";
    CouponNotFound = "coupon_not_found", 422, FailedPrecondition, "No such coupon";
    CouponInactive = "coupon_inactive", 422, FailedPrecondition, "Coupon deactivated";
    CouponNotStarted = "coupon_not_started", 422, FailedPrecondition, "Coupon not valid yet";
    CouponExpired = "coupon_expired", 422, FailedPrecondition, "Coupon expired";
    CouponUsageExhausted = "coupon_usage_exhausted", 422, FailedPrecondition, "Coupon used up";
    CouponUserLimitReached = "coupon_user_limit_reached", 422, FailedPrecondition, "You used this coupon as often as allowed";
    CouponMinAmountNotMet = "coupon_min_amount_not_met", 422, FailedPrecondition, "Order below the coupon's minimum";
    CouponNotApplicable = "coupon_not_applicable", 422, FailedPrecondition, "Coupon not valid for this product";
    CouponExceedsPrice = "coupon_exceeds_price", 422, FailedPrecondition, "Coupon would make the order free";
    PaymentMethodUnavailable = "payment_method_unavailable", 422, FailedPrecondition, "Payment method unavailable";
    PaymentMismatch = "payment_mismatch", 422, InvalidArgument, "Payment does not match the order";
    UrlNotAllowed = "url_not_allowed", 422, InvalidArgument, "URL not allowed";
    AssigneeInvalid = "assignee_invalid", 422, InvalidArgument, "Assignee is not eligible staff";
    PreferenceLocked = "preference_locked", 422, InvalidArgument, "This notification category cannot be turned off";
    GiftCardNotFound = "gift_card_not_found", 422, FailedPrecondition, "No such gift card";
    GiftCardExpired = "gift_card_expired", 422, FailedPrecondition, "Gift card expired";
    GiftCardDisabled = "gift_card_disabled", 422, FailedPrecondition, "Gift card disabled";
    TopUpOutOfRange = "top_up_out_of_range", 422, InvalidArgument, "Top-up amount out of range";
    // State conflicts.
    Conflict = "conflict", 409, Aborted, "Conflict";
    InvalidState = "invalid_state", 409, FailedPrecondition, "Wrong state for this action";
    MfaAlreadyEnabled = "mfa_already_enabled", 409, AlreadyExists, "MFA already enabled";
    MfaSetupRequired = "mfa_setup_required", 409, FailedPrecondition, "Set up MFA first";
    MfaNotEnabled = "mfa_not_enabled", 409, FailedPrecondition, "MFA not enabled";
    AccountExistsLinkRequired = "account_exists_link_required", 409, AlreadyExists, "Account exists: sign in, then link";
    OauthIdentityInUse = "oauth_identity_in_use", 409, AlreadyExists, "Identity linked to another account";
    PasswordAlreadySet = "password_already_set", 409, AlreadyExists, "Password already set";
    LastLoginMethod = "last_login_method", 409, FailedPrecondition, "Keep at least one sign-in method";
    AdminEmailTaken = "admin_email_taken", 409, AlreadyExists, "Staff address exists or invited";
    LastSuperAdmin = "last_super_admin", 409, FailedPrecondition, "Would leave no SuperAdmin";
    GroupNameTaken = "group_name_taken", 409, AlreadyExists, "Group name taken";
    GroupInUse = "group_in_use", 409, FailedPrecondition, "Group still in use";
    NodeIdTaken = "node_id_taken", 409, AlreadyExists, "Node id taken for this protocol";
    ServerHasClients = "server_has_clients", 409, FailedPrecondition, "Delete the server's clients first";
    MaxUnpaidOrdersReached = "max_unpaid_orders_reached", 409, ResourceExhausted, "Too many unpaid orders";
    OrderNotPayable = "order_not_payable", 409, FailedPrecondition, "Order cannot be paid";
    OrderNotCancellable = "order_not_cancellable", 409, FailedPrecondition, "Order cannot be cancelled";
    OrderNotRefundable = "order_not_refundable", 409, FailedPrecondition, "Order cannot be refunded";
    InsufficientFunds = "insufficient_funds", 409, FailedPrecondition, "Insufficient funds";
    InsufficientFrozenFunds = "insufficient_frozen_funds", 409, FailedPrecondition, "Insufficient frozen funds";
    CouponCodeTaken = "coupon_code_taken", 409, AlreadyExists, "Coupon code taken";
    CouponInUse = "coupon_in_use", 409, FailedPrecondition, "Coupon already used";
    SeriesArchived = "series_archived", 409, FailedPrecondition, "Package series archived";
    VersionAlreadyPublished = "version_already_published", 409, FailedPrecondition, "Version already published";
    GiftCardAlreadyRedeemed = "gift_card_already_redeemed", 409, AlreadyExists, "Gift card already redeemed";
    GiftCardExhausted = "gift_card_exhausted", 409, FailedPrecondition, "Gift card redemption limit reached";
    GiftCardCodeTaken = "gift_card_code_taken", 409, AlreadyExists, "Gift card code taken";
    EmailTaken = "email_taken", 409, AlreadyExists, "E-mail address in use";
    InviteCodeLimitReached = "invite_code_limit_reached", 409, FailedPrecondition, "Invite code limit reached";
    InsufficientCommission = "insufficient_commission", 409, FailedPrecondition, "Over the available commission";
    TicketClosed = "ticket_closed", 409, FailedPrecondition, "Ticket closed";
    InvalidTicketTransition = "invalid_ticket_transition", 409, FailedPrecondition, "Ticket status change refused";
    EndpointDisabled = "endpoint_disabled", 409, FailedPrecondition, "Webhook endpoint disabled";
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
    /// A dependency is down or overloaded (pool exhausted, Redis unreachable): 503.
    #[error("dependency unavailable: {0}")]
    Unavailable(String),
    /// The transaction lost a race the database detected (serialization failure, deadlock):
    /// running the whole use case again may succeed.
    #[error("transaction conflict: {0}")]
    Contention(String),
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

    /// A single invalid field.
    pub fn field(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, code, message)])
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::rejected(ErrorCode::NotFound, detail)
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            DomainError::Rejected { code, .. } | DomainError::Throttled { code, .. } => *code,
            DomainError::Unavailable(_) | DomainError::Contention(_) => ErrorCode::ServiceUnavailable,
            DomainError::Internal(_) => ErrorCode::InternalError,
        }
    }
}

/// `Ok(())` when no field failed, else one validation error naming them all.
pub fn fields_ok(errors: Vec<FieldError>) -> Result<(), DomainError> {
    if errors.is_empty() { Ok(()) } else { Err(DomainError::validation(errors)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_snake_case_with_a_title_and_status() {
        let mut seen = HashSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate code {s}");
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{s}");
            assert!(!code.title().is_empty());
            assert!((400..600).contains(&code.http_status()), "{s}");
        }
    }

    #[test]
    fn grpc_codes_follow_meaning_not_status() {
        assert_eq!(ErrorCode::ValidationFailed.rpc_code(), RpcCode::InvalidArgument);
        assert_eq!(ErrorCode::AdminEmailTaken.rpc_code(), RpcCode::AlreadyExists);
        assert_eq!(ErrorCode::LinkExpired.rpc_code(), RpcCode::FailedPrecondition);
        assert_eq!(ErrorCode::RateLimited.rpc_code(), RpcCode::ResourceExhausted);
        assert_eq!(ErrorCode::ServiceUnavailable.rpc_code(), RpcCode::Unavailable);
    }

    #[test]
    fn internal_errors_map_to_closed_codes() {
        assert_eq!(DomainError::Internal("x".into()).code(), ErrorCode::InternalError);
        assert_eq!(DomainError::Unavailable("x".into()).code(), ErrorCode::ServiceUnavailable);
        assert_eq!(DomainError::Contention("x".into()).code(), ErrorCode::ServiceUnavailable);
        let v = DomainError::validation(vec![FieldError::new("a", "required", "missing")]);
        assert_eq!(v.code(), ErrorCode::ValidationFailed);
    }
}
