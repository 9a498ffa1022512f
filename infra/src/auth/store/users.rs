//! Accounts: creation, lookup, password hashes, profile, revocation instant.

use chrono::{DateTime, Utc};
use helium_domain::auth::{Customer, CustomerStatus};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

/// What password sign-in needs of an account.
#[derive(Debug, Clone)]
pub struct Credential {
    pub id: Uuid,
    pub email: String,
    pub password_hash: Option<String>,
    pub status: CustomerStatus,
}

/// Creates the account; None when the address is taken.
pub async fn insert(
    c: &mut PgConnection,
    id: Uuid,
    email: &str,
    password_hash: Option<&str>,
    referral_code: Option<&str>,
) -> DbResult<Option<Customer>> {
    Ok(sqlx::query_as!(
        Customer,
        r#"INSERT INTO auth.users (id, email, password_hash, referral_code) VALUES ($1, $2, $3, $4)
           ON CONFLICT (email) DO NOTHING
           RETURNING id, email, display_name, locale, timezone, status AS "status: CustomerStatus", created_at,
                     false AS "mfa_enabled!""#,
        id,
        email,
        password_hash,
        referral_code
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn exists(c: &mut PgConnection, email: &str) -> DbResult<bool> {
    Ok(sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM auth.users WHERE email = $1) AS "e!""#, email)
        .fetch_one(ex(c))
        .await?)
}

pub async fn by_id(c: &mut PgConnection, id: Uuid) -> DbResult<Option<Customer>> {
    Ok(sqlx::query_as!(
        Customer,
        r#"SELECT id, email, display_name, locale, timezone, status AS "status: CustomerStatus", created_at,
                  EXISTS (SELECT 1 FROM auth.totp t WHERE t.user_id = auth.users.id AND t.enabled_at IS NOT NULL) AS "mfa_enabled!"
           FROM auth.users WHERE id = $1"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

/// The account of an address with what password sign-in needs.
pub async fn credential_by_email(c: &mut PgConnection, email: &str) -> DbResult<Option<Credential>> {
    Ok(sqlx::query_as!(
        Credential,
        r#"SELECT id, email, password_hash, status AS "status: CustomerStatus" FROM auth.users WHERE email = $1"#,
        email
    )
    .fetch_optional(ex(c))
    .await?)
}

/// The same by id (re-authentication of a signed-in customer).
pub async fn credential_by_id(c: &mut PgConnection, id: Uuid) -> DbResult<Option<Credential>> {
    Ok(sqlx::query_as!(
        Credential,
        r#"SELECT id, email, password_hash, status AS "status: CustomerStatus" FROM auth.users WHERE id = $1"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Switches the account's address; `false` when the account is gone.
pub async fn set_email(c: &mut PgConnection, user_id: Uuid, email: &str) -> DbResult<bool> {
    let done = sqlx::query!("UPDATE auth.users SET email = $2, updated_at = now() WHERE id = $1", user_id, email)
        .execute(ex(c))
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_password_hash(c: &mut PgConnection, user_id: Uuid, hash: Option<&str>) -> DbResult<()> {
    sqlx::query!(r#"UPDATE auth.users SET password_hash = $2, updated_at = now() WHERE id = $1"#, user_id, hash)
        .execute(ex(c))
        .await?;
    Ok(())
}

pub async fn set_display_name(c: &mut PgConnection, user_id: Uuid, name: &str) -> DbResult<()> {
    sqlx::query!(r#"UPDATE auth.users SET display_name = $2, updated_at = now() WHERE id = $1"#, user_id, name)
        .execute(ex(c))
        .await?;
    Ok(())
}

/// PATCH semantics: `Some(None)` clears a field, `None` keeps it.
pub async fn update_profile(
    c: &mut PgConnection,
    user_id: Uuid,
    display_name: Option<Option<String>>,
    locale: Option<Option<String>>,
    timezone: Option<Option<String>>,
) -> DbResult<Option<Customer>> {
    Ok(sqlx::query_as!(
        Customer,
        r#"UPDATE auth.users SET
             display_name = CASE WHEN $2 THEN $3 ELSE display_name END,
             locale = CASE WHEN $4 THEN $5 ELSE locale END,
             timezone = CASE WHEN $6 THEN $7 ELSE timezone END,
             updated_at = now()
           WHERE id = $1
           RETURNING id, email, display_name, locale, timezone, status AS "status: CustomerStatus", created_at,
                     EXISTS (SELECT 1 FROM auth.totp t WHERE t.user_id = auth.users.id AND t.enabled_at IS NOT NULL) AS "mfa_enabled!""#,
        user_id,
        display_name.is_some(),
        display_name.flatten(),
        locale.is_some(),
        locale.flatten(),
        timezone.is_some(),
        timezone.flatten()
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Access tokens issued before now stop working (iat check).
pub async fn bump_tokens_valid_after(c: &mut PgConnection, user_id: Uuid) -> DbResult<()> {
    sqlx::query!(r#"UPDATE auth.users SET tokens_valid_after = now(), updated_at = now() WHERE id = $1"#, user_id)
        .execute(ex(c))
        .await?;
    Ok(())
}

/// Access tokens (and MFA challenges) issued before this instant are dead.
pub async fn tokens_valid_after(c: &mut PgConnection, user_id: Uuid) -> DbResult<Option<DateTime<Utc>>> {
    Ok(sqlx::query_scalar!(r#"SELECT tokens_valid_after FROM auth.users WHERE id = $1"#, user_id)
        .fetch_optional(ex(c))
        .await?)
}

/// The account of an address and its status.
pub async fn id_and_status(c: &mut PgConnection, email: &str) -> DbResult<Option<(Uuid, CustomerStatus)>> {
    let row = sqlx::query!(r#"SELECT id, status AS "status: CustomerStatus" FROM auth.users WHERE email = $1"#, email)
        .fetch_optional(ex(c))
        .await?;
    Ok(row.map(|r| (r.id, r.status)))
}

/// Serialises changes to one account's sign-in methods (row lock).
pub async fn lock(c: &mut PgConnection, user_id: Uuid) -> DbResult<bool> {
    Ok(sqlx::query!(r#"SELECT id FROM auth.users WHERE id = $1 FOR UPDATE"#, user_id)
        .fetch_optional(ex(c))
        .await?
        .is_some())
}
