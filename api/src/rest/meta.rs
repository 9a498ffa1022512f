//! `GET /api/v1/meta`: public facts a frontend needs before sign-in.

use axum::Json;
use axum::extract::State;
use helium_domain::config::{ConfigKind, ModuleConfig};
use helium_domain::meta::{self, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, SUBSCRIPTION_FORMATS};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::problem::ApiError;
use crate::rest::config_error;
use crate::state::AppState;

/// Password rules enforced at registration, reset and change.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordPolicy {
    pub min_length: u32,
    pub max_length: u32,
}

/// Deployment facts for clients.
#[derive(Debug, Serialize, ToSchema)]
pub struct Meta {
    /// Server build version.
    pub helium_version: String,
    /// REST API version (path prefix `/api/<api_version>`).
    pub api_version: String,
    /// Whether new accounts can register.
    pub registration_open: bool,
    /// Enabled OAuth provider names (path segments of the OAuth routes).
    pub oauth_providers: Vec<String>,
    pub password_policy: PasswordPolicy,
    /// Subscription client formats, as `?flag=` values of `/subscribe/{token}`.
    pub subscription_formats: Vec<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/meta",
    operation_id = "getMeta",
    tag = "meta",
    summary = "Deployment facts for clients",
    description = "Helium and API versions, whether registration is open, enabled OAuth providers, the password policy and the supported subscription formats. Public; cached.",
    security(()),
    responses(
        (status = 200, description = "Deployment facts", body = Meta),
    )
)]
pub async fn get_meta(State(state): State<AppState>) -> Result<Json<Meta>, ApiError> {
    load_meta(&state).await.map(Json)
}

/// Shared by REST and gRPC.
pub async fn load_meta(state: &AppState) -> Result<Meta, ApiError> {
    let auth = match state.config.module(ConfigKind::Auth).await.map_err(config_error)? {
        ModuleConfig::Auth(a) => a,
        _ => return Err(ApiError::internal()),
    };
    let public = meta::public_meta(&auth);
    Ok(Meta {
        helium_version: env!("CARGO_PKG_VERSION").to_owned(),
        api_version: "v1".to_owned(),
        registration_open: public.registration_open,
        oauth_providers: public.oauth_providers,
        password_policy: PasswordPolicy { min_length: PASSWORD_MIN_LENGTH, max_length: PASSWORD_MAX_LENGTH },
        subscription_formats: SUBSCRIPTION_FORMATS.iter().map(|s| (*s).to_owned()).collect(),
    })
}
