//! Request and response bodies of the staff routes.

use chrono::{DateTime, Utc};
use helium_domain::admin::{self as model, StaffLogin};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminSetupRequest {
    /// The token of the setup link `helium-cli admin create` printed.
    pub token: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminLoginRequest {
    pub email: String,
    pub password: String,
}

/// A 15-minute staff access token with the session's refresh token (rotated by
/// `adminRefreshToken`), or — TOTP on — `mfa_required: true` with a 300 s `mfa_token` for
/// `adminLoginMfa`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminLoginResult {
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
}

impl From<StaffLogin> for AdminLoginResult {
    fn from(l: StaffLogin) -> Self {
        match l {
            StaffLogin::Token { access_token, expires_in, refresh_token } => Self {
                mfa_required: false,
                mfa_token: None,
                access_token: Some(access_token),
                token_type: Some("Bearer".into()),
                expires_in: Some(expires_in),
                refresh_token,
            },
            StaffLogin::MfaRequired { mfa_token } => Self {
                mfa_required: true,
                mfa_token: Some(mfa_token),
                access_token: None,
                token_type: None,
                expires_in: None,
                refresh_token: None,
            },
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminRefreshRequest {
    pub refresh_token: String,
}

/// A staff account (never its password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct Admin {
    pub id: Uuid,
    pub name: String,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    /// `super_admin`, `moderator`, `customer_support` or `support_bot`.
    pub role: String,
    /// `active` or `disabled`.
    pub status: String,
    pub mfa_enabled: bool,
    /// False until the account set its password (setup link or invitation).
    pub password_set: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<model::Admin> for Admin {
    fn from(a: model::Admin) -> Self {
        Self {
            id: a.id,
            name: a.name,
            email: a.email,
            avatar_url: a.avatar_url,
            role: a.role.as_str().to_owned(),
            status: a.status.as_str().to_owned(),
            mfa_enabled: a.mfa_enabled,
            password_set: a.password_set,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// The signed-in staff member and what they may do.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminMe {
    #[serde(flatten)]
    pub admin: Admin,
    pub permissions: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RolePermissions {
    pub role: String,
    pub permissions: Vec<String>,
}

/// The role → permission table (API.md §3), default deny.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleMatrix {
    pub roles: Vec<RolePermissions>,
    /// Permissions an API key can never hold.
    pub human_only: Vec<String>,
}

/// PATCH of the signed-in admin's profile: an absent field is unchanged, `avatar_url: null`
/// removes the avatar. Role and status are changed by a SuperAdmin (`adminUpdateAdmin`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminUpdateMeRequest {
    /// Display name, 1 to 100 characters.
    pub name: Option<String>,
    /// An http(s) URL of at most 2048 characters, or `null`.
    #[serde(default, deserialize_with = "crate::rest::auth::dto::double_option")]
    #[schema(value_type = Option<String>)]
    pub avatar_url: Option<Option<String>>,
}
