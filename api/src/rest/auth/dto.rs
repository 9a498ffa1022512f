//! Request and response bodies of the customer identity routes. Requests reject unknown
//! fields (422); responses are allowlists — never a database row.

use chrono::{DateTime, Utc};
use helium_domain::auth::{self as model, Customer};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub email: String,
    /// Code of the customer who referred you, if any.
    pub referral_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailSent {
    /// Always `email_sent`, whether or not the address has an account.
    pub status: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteRegistrationRequest {
    /// The token from the e-mailed link.
    pub token: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
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

impl From<model::TokenPair> for TokenPair {
    fn from(t: model::TokenPair) -> Self {
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

impl From<Customer> for Me {
    fn from(u: Customer) -> Self {
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

pub fn double_option<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// PATCH: an absent field is unchanged, `null` clears it.
#[derive(Debug, Default, Deserialize, ToSchema)]
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The token from the e-mailed reset link.
    pub token: String,
    pub new_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailCodeRequest {
    pub email: String,
    /// The six-digit code from the e-mail.
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

impl From<model::LoginOutcome> for LoginResult {
    fn from(o: model::LoginOutcome) -> Self {
        use model::LoginOutcome;
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginMfaRequest {
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCodeRequest {
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableTotpRequest {
    pub code: Option<String>,
    pub recovery_code: Option<String>,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Ten one-time codes, shown once.
    pub recovery_codes: Vec<String>,
}

impl From<model::TotpSetup> for TotpSetup {
    fn from(s: model::TotpSetup) -> Self {
        TotpSetup { secret: s.secret, otpauth_uri: s.otpauth_uri }
    }
}

impl From<model::Session> for Session {
    fn from(s: model::Session) -> Self {
        Session {
            id: s.id,
            device: s.device,
            ip: s.ip,
            created_at: s.created_at,
            last_used_at: s.last_used_at,
            current: false,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeQuery {
    /// Where the provider sends the browser back; must be in the provider's allow list.
    /// The provider's configured `redirect_uri` when absent.
    pub redirect_uri: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorizationUrl {
    /// Send the browser here. Valid for the configured `challenge_expiration`, once.
    pub authorization_url: String,
    /// A secret of the client that started the flow: keep it (memory, sessionStorage) and send
    /// it back with the callback. Browsers also get it as the `__Host-helium_oauth` cookie.
    pub binding: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OauthCallbackRequest {
    /// `code` from the provider's redirect.
    pub code: String,
    /// `state` from the provider's redirect.
    pub state: String,
    /// The `binding` `getOauthAuthorizationUrl` returned; may be left out when the browser
    /// sends the `__Host-helium_oauth` cookie instead.
    #[serde(default)]
    pub binding: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPasswordRequest {
    pub new_password: String,
}

/// One way to sign in.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginMethod {
    /// `password`, `email_code`, or the linked identity's id.
    pub id: String,
    /// `password`, `email_code` or `oauth`.
    pub kind: String,
    /// The provider of an `oauth` method.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The provider account's verified e-mail, when it shared one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<model::LoginMethod> for LoginMethod {
    fn from(m: model::LoginMethod) -> Self {
        let (id, kind) = (m.id(), m.kind().to_owned());
        match m {
            model::LoginMethod::Oauth(i) => Self {
                id,
                kind,
                provider: Some(i.provider),
                email: i.email,
                created_at: Some(i.created_at),
                last_used_at: i.last_used_at,
            },
            _ => Self { id, kind, provider: None, email: None, created_at: None, last_used_at: None },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginMethodPage {
    pub items: Vec<LoginMethod>,
    /// Always null: an account has few methods.
    pub next_cursor: Option<String>,
}

/// Exactly one proof that the caller is the account's owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReauthRequest {
    /// The current password.
    #[serde(default)]
    pub password: Option<String>,
    /// A TOTP code (accounts with MFA).
    #[serde(default)]
    pub code: Option<String>,
    /// The code `sendReauthCode` e-mailed (accounts without a password).
    #[serde(default)]
    pub email_code: Option<String>,
}

/// A short-lived proof of recent re-authentication, for this session only.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReauthGrant {
    /// Send it as `X-Reauth-Token` with a sensitive change (set or remove a sign-in method,
    /// link a provider, change the e-mail address).
    pub reauth_token: String,
    /// Seconds it stays valid.
    pub expires_in: u64,
}
