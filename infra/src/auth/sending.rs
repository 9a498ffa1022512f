//! The gate every "send me a link or code" request passes: serialised per (purpose, address)
//! in the caller's transaction, the resend interval, and the hourly caps per address and per
//! client address. Also the registration domain rules every way of signing up obeys.

use helium_domain::auth::rules;
use helium_domain::config::AuthConfig;
use helium_domain::{DomainError, ErrorCode};
use sqlx::PgConnection;

use super::context::AuthContext;
use super::store::one_time;
use crate::identity::sends;

/// Holds `(purpose, email)` for this transaction and refuses a send that comes too soon or
/// over a cap (the same answer for known and unknown addresses).
pub async fn hold_address(
    ctx: &AuthContext,
    c: &mut PgConnection,
    cfg: &AuthConfig,
    email: &str,
    purpose: &str,
    ip: Option<&str>,
) -> Result<(), DomainError> {
    one_time::lock_address(c, purpose, email).await?;
    let interval = cfg.email_provider.resend_interval.0 as i64;
    if let Some(wait) = one_time::resend_wait(c, email, purpose, interval).await? {
        return Err(DomainError::Throttled { code: ErrorCode::ResendTooSoon, retry_after_secs: wait.max(1) as u64 });
    }
    sends::count(&ctx.redis, &[sends::per_address(&ctx.redis, email), sends::per_ip(&ctx.redis, ip)]).await
}

/// Whether a new account may be opened for `email` (closed registration, domain lists).
pub fn registration_allowed(cfg: &AuthConfig, email: &str) -> Result<(), DomainError> {
    let domains = &cfg.email_provider.register_domain;
    if domains.enable_white_list && domains.white_list.is_empty() {
        return Err(DomainError::rejected(ErrorCode::RegistrationClosed, "registration is closed"));
    }
    if !rules::domain_allowed(domains, email) {
        return Err(DomainError::rejected(ErrorCode::EmailDomainNotAllowed, "this e-mail domain cannot register"));
    }
    Ok(())
}
