//! Request and response bodies of the customer identity routes. Requests reject unknown
//! fields (422); responses are allowlists — never a database row.

use chrono::{DateTime, Utc};
use helium_infra::auth::service::TokenPair as ServiceTokens;
use helium_infra::auth::store::UserRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[validate(length(min = 3, max = 254, code = "invalid_format"))]
    pub email: String,
    /// Code of the customer who referred you, if any.
    pub referral_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailSent {
    /// Always `email_sent`, whether or not the address has an account.
    pub status: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteRegistrationRequest {
    /// The token from the e-mailed link.
    #[validate(length(min = 1, max = 256, code = "required"))]
    pub token: String,
    #[validate(length(max = 1024, code = "too_long"))]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 254, code = "required"))]
    pub email: String,
    #[validate(length(min = 1, max = 1024, code = "required"))]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 256, code = "required"))]
    pub refresh_token: String,
}

/// Access JWT plus the opaque refresh token (rotated on every refresh).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Access token lifetime in seconds.
    pub expires_in: u64,
    pub refresh_token: String,
    /// The session's absolute end; refreshing does not extend it.
    pub refresh_expires_at: DateTime<Utc>,
}

impl From<ServiceTokens> for TokenPair {
    fn from(t: ServiceTokens) -> Self {
        TokenPair {
            access_token: t.access_token,
            token_type: "Bearer".to_owned(),
            expires_in: t.expires_in,
            refresh_token: t.refresh_token,
            refresh_expires_at: t.refresh_expires_at,
        }
    }
}

/// The signed-in customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub display_name: Option<String>,
    pub locale: Option<String>,
    pub timezone: Option<String>,
    pub mfa_enabled: bool,
    pub created_at: DateTime<Utc>,
}

impl Me {
    pub fn from_row(u: UserRow) -> Self {
        Me {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            locale: u.locale,
            timezone: u.timezone,
            mfa_enabled: u.mfa_enabled,
            created_at: u.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationCompleted {
    pub account: Me,
    /// Present when auto-login is on.
    pub tokens: Option<TokenPair>,
}

pub(crate) fn double_option<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// PATCH: an absent field is unchanged, `null` clears it.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMeRequest {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub display_name: Option<Option<String>>,
    /// BCP 47 tag, e.g. `en` or `zh-CN`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub locale: Option<Option<String>>,
    /// IANA zone, e.g. `Europe/Berlin`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub timezone: Option<Option<String>>,
}

/// One signed-in device.
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    pub id: Uuid,
    pub device: Option<String>,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    /// The session this request uses.
    pub current: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionPage {
    pub items: Vec<Session>,
    /// Always null: a customer has few sessions and gets them all.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    #[validate(length(min = 3, max = 254, code = "invalid_format"))]
    pub email: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The token from the e-mailed reset link.
    #[validate(length(min = 1, max = 256, code = "required"))]
    pub token: String,
    #[validate(length(max = 1024, code = "too_long"))]
    pub new_password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[validate(length(min = 1, max = 1024, code = "required"))]
    pub current_password: String,
    #[validate(length(max = 1024, code = "too_long"))]
    pub new_password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailCodeRequest {
    #[validate(length(min = 3, max = 254, code = "invalid_format"))]
    pub email: String,
    /// The six-digit code from the e-mail.
    #[validate(length(min = 1, max = 16, code = "invalid_format"))]
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    /// Always `accepted`: the same answer for every address.
    pub status: String,
}

/// Result of a first sign-in step: tokens, or — when the account has MFA on —
/// `mfa_required: true` with a short-lived `mfa_token` for `POST /api/v1/auth/login/mfa`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResult {
    pub mfa_required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_expires_at: Option<DateTime<Utc>>,
}

impl From<helium_infra::auth::mfa::LoginOutcome> for LoginResult {
    fn from(o: helium_infra::auth::mfa::LoginOutcome) -> Self {
        use helium_infra::auth::mfa::LoginOutcome;
        match o {
            LoginOutcome::Tokens(t) => LoginResult {
                mfa_required: false,
                mfa_token: None,
                access_token: Some(t.access_token),
                token_type: Some("Bearer".to_owned()),
                expires_in: Some(t.expires_in),
                refresh_token: Some(t.refresh_token),
                refresh_expires_at: Some(t.refresh_expires_at),
            },
            LoginOutcome::MfaRequired { mfa_token } => LoginResult {
                mfa_required: true,
                mfa_token: Some(mfa_token),
                access_token: None,
                token_type: None,
                expires_in: None,
                refresh_token: None,
                refresh_expires_at: None,
            },
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginMfaRequest {
    #[validate(length(min = 1, max = 2048, code = "required"))]
    pub mfa_token: String,
    /// A six-digit TOTP code (or give `recovery_code`).
    pub code: Option<String>,
    pub recovery_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TotpSetup {
    /// Base32 secret, shown once.
    pub secret: String,
    pub otpauth_uri: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCodeRequest {
    #[validate(length(min = 1, max = 16, code = "invalid_format"))]
    pub code: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableTotpRequest {
    pub code: Option<String>,
    pub recovery_code: Option<String>,
    #[validate(length(min = 1, max = 1024, code = "required"))]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Ten one-time codes, shown once.
    pub recovery_codes: Vec<String>,
}
