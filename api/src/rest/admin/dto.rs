//! Request and response bodies of the staff routes.

use chrono::{DateTime, Utc};
use helium_infra::staff::store::AdminRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminSetupRequest {
    /// The token of the setup link `helium-cli admin create` printed.
    #[validate(length(min = 1, max = 256, code = "required"))]
    pub token: String,
    #[validate(length(max = 1024, code = "too_long"))]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminLoginRequest {
    #[validate(length(min = 1, max = 254, code = "required"))]
    pub email: String,
    #[validate(length(min = 1, max = 1024, code = "required"))]
    pub password: String,
}

/// A staff token, or — TOTP on — `mfa_required: true` with a 300 s `mfa_token` for
/// `adminLoginMfa`. Staff tokens are not refreshed: sign in again when one expires.
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
}

impl From<helium_infra::staff::service::StaffLogin> for AdminLoginResult {
    fn from(l: helium_infra::staff::service::StaffLogin) -> Self {
        use helium_infra::staff::service::StaffLogin;
        match l {
            StaffLogin::Token { access_token, expires_in } => Self {
                mfa_required: false,
                mfa_token: None,
                access_token: Some(access_token),
                token_type: Some("Bearer".into()),
                expires_in: Some(expires_in),
            },
            StaffLogin::MfaRequired { mfa_token } => Self {
                mfa_required: true,
                mfa_token: Some(mfa_token),
                access_token: None,
                token_type: None,
                expires_in: None,
            },
        }
    }
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

impl From<AdminRow> for Admin {
    fn from(a: AdminRow) -> Self {
        Self {
            id: a.id,
            name: a.name,
            email: a.email,
            avatar_url: a.avatar_url,
            role: a.role,
            status: a.status,
            mfa_enabled: a.mfa_enabled,
            password_set: a.password_hash.is_some(),
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
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminUpdateMeRequest {
    /// Display name, 1 to 100 characters.
    #[validate(length(max = 1024, code = "too_long"))]
    pub name: Option<String>,
    /// An http(s) URL of at most 2048 characters, or `null`.
    #[serde(default, deserialize_with = "crate::rest::auth_dto::double_option")]
    #[schema(value_type = Option<String>)]
    pub avatar_url: Option<Option<String>>,
}

impl From<AdminUpdateMeRequest> for helium_infra::staff::mfa::ProfilePatch {
    fn from(r: AdminUpdateMeRequest) -> Self {
        Self { name: r.name, avatar_url: r.avatar_url }
    }
}
