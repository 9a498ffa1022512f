//! Staff accounts for tests, made the way an operator makes them: `helium-cli admin create`'s
//! use case, the setup link, then — as every staff member must before writing — TOTP enrolled
//! through the API and a sign-in with the second step.

use axum::http::Method;
use helium_api::state::AppState;
use helium_domain::admin::Role;
use helium_domain::admin::commands::NewAdmin;
use helium_domain::audit::Actor;
use helium_domain::auth::commands::TokenPassword;
use serde_json::json;
use uuid::Uuid;

use super::Harness;
use super::totp::{base32_decode, now_step, totp};

pub const STAFF_PASSWORD: &str = "staff passphrase 42";

/// A signed-in staff member.
#[derive(Debug, Clone)]
pub struct StaffUser {
    pub id: Uuid,
    pub email: String,
    pub token: String,
    pub refresh_token: String,
    /// The TOTP seed, when enrolled.
    pub seed: Option<Vec<u8>>,
}

/// An account of `role` with its password set (CLI create + setup link): (id, e-mail).
pub async fn create_staff(state: &AppState, role: Role, name: &str) -> (Uuid, String) {
    let email = format!("{}-{}@staff.test", role.as_str(), Uuid::new_v4().simple());
    let cmd = NewAdmin::new(name, role.as_str(), Some(&email), None).expect("a valid staff account");
    let (admin, link) = state.admin.admins.create(&Actor::cli(), &cmd).await.expect("create staff");
    let token = link.rsplit("token=").next().expect("setup token");
    let setup = TokenPassword::new(token, STAFF_PASSWORD, "password").expect("setup command");
    state.admin.admins.complete_setup(&setup).await.expect("complete setup");
    (admin.id, email)
}

/// Signs in with the password only (an account without TOTP).
pub async fn password_sign_in(h: &Harness, email: &str) -> (String, String) {
    let r = h.post("/api/v1/admin/auth/login", json!({ "email": email, "password": STAFF_PASSWORD })).await;
    let body = r.ok(200);
    (
        body["access_token"].as_str().expect("access token").to_owned(),
        body["refresh_token"].as_str().unwrap_or_default().to_owned(),
    )
}

/// A staff member of `role` without TOTP: may read, not write.
pub async fn staff_without_mfa(h: &Harness, role: Role) -> StaffUser {
    let (id, email) = create_staff(&h.state, role, "Staff").await;
    let (token, refresh_token) = password_sign_in(h, &email).await;
    StaffUser { id, email, token, refresh_token, seed: None }
}

/// A staff member of `role` with TOTP on, signed in with both steps: may write.
pub async fn staff(h: &Harness, role: Role) -> StaffUser {
    let user = staff_without_mfa(h, role).await;
    enrol_totp(h, user).await
}

/// Turns TOTP on for a signed-in staff member and signs in again with both steps.
pub async fn enrol_totp(h: &Harness, user: StaffUser) -> StaffUser {
    let setup = h.authed(Method::POST, "/api/v1/admin/auth/mfa/totp/setup", &user.token, None).await;
    let seed = base32_decode(setup.ok(200)["secret"].as_str().expect("secret"));
    // The previous step must still be accepted when the request arrives: not at a step's very end.
    crate::support::totp::early_in_step(5).await;
    let code = totp(&seed, now_step() - 1);
    h.authed(Method::POST, "/api/v1/admin/auth/mfa/totp/enable", &user.token, Some(json!({ "code": code })))
        .await
        .ok(200);
    let challenge =
        h.post("/api/v1/admin/auth/login", json!({ "email": user.email, "password": STAFF_PASSWORD })).await;
    let mfa_token = challenge.ok(200)["mfa_token"].as_str().expect("an MFA challenge").to_owned();
    let signed_in = h
        .post("/api/v1/admin/auth/login/mfa", json!({ "mfa_token": mfa_token, "code": totp(&seed, now_step()) }))
        .await;
    let body = signed_in.ok(200);
    StaffUser {
        token: body["access_token"].as_str().expect("access token").to_owned(),
        refresh_token: body["refresh_token"].as_str().expect("refresh token").to_owned(),
        seed: Some(seed),
        ..user
    }
}
