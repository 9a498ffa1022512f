//! My profile (tag `auth`).

use axum::Json;
use axum::extract::State;
use helium_domain::auth::commands::ProfileUpdate;

use super::dto::*;
use crate::http::customer::Customer;
use crate::http::json::JsonBody;
use crate::http::problem::ApiError;
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/v1/me", operation_id = "getMe", tag = "auth",
    summary = "My account",
    security(("customerBearer" = [])),
    responses((status = 200, description = "The signed-in customer", body = Me))
)]
pub async fn get_me(State(state): State<AppState>, Customer(me): Customer) -> Result<Json<Me>, ApiError> {
    Ok(Json(state.auth.profile.me(me.user_id).await?.into()))
}

#[utoipa::path(
    patch, path = "/api/v1/me", operation_id = "updateMe", tag = "auth",
    summary = "Update my profile",
    description = "Merge semantics: absent fields are unchanged, `null` clears. Unknown or privileged fields are rejected with 422; so are a display name over 64 characters, a locale that is not a BCP 47 tag and a time zone that is not an IANA name.",
    security(("customerBearer" = [])),
    request_body = UpdateMeRequest,
    responses((status = 200, description = "Updated account", body = Me))
)]
pub async fn update_me(
    State(state): State<AppState>,
    Customer(me): Customer,
    JsonBody(req): JsonBody<UpdateMeRequest>,
) -> Result<Json<Me>, ApiError> {
    let cmd = ProfileUpdate::new(
        req.display_name.as_ref().map(|v| v.as_deref()),
        req.locale.as_ref().map(|v| v.as_deref()),
        req.timezone.as_ref().map(|v| v.as_deref()),
    )?;
    Ok(Json(state.auth.profile.update(me.user_id, cmd).await?.into()))
}
