//! Linked OAuth identities and the per-account method flags.

use helium_domain::auth::{CustomerStatus, LinkedIdentity};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

pub struct IdentityOwner {
    pub identity_id: Uuid,
    pub user_id: Uuid,
    pub status: CustomerStatus,
}

/// Which first factors an account has besides its linked identities.
pub struct MethodFlags {
    pub has_password: bool,
    pub email_code_enabled: bool,
}

pub async fn owner(c: &mut PgConnection, provider: &str, subject: &str) -> DbResult<Option<IdentityOwner>> {
    Ok(sqlx::query_as!(
        IdentityOwner,
        r#"SELECT i.id AS identity_id, i.user_id, u.status AS "status: CustomerStatus"
             FROM auth.oauth_identities i JOIN auth.users u ON u.id = i.user_id
            WHERE i.provider = $1 AND i.subject = $2"#,
        provider,
        subject
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Links an identity; `None` when (provider, subject) is already linked (to anyone).
pub async fn insert(
    c: &mut PgConnection,
    user_id: Uuid,
    provider: &str,
    subject: &str,
    email: Option<&str>,
) -> DbResult<Option<LinkedIdentity>> {
    Ok(sqlx::query_as!(
        LinkedIdentity,
        r#"INSERT INTO auth.oauth_identities (id, user_id, provider, subject, email, last_used_at)
           VALUES ($1, $2, $3, $4, $5, now())
           ON CONFLICT (provider, subject) DO NOTHING
           RETURNING id, provider, email, created_at, last_used_at"#,
        Uuid::now_v7(),
        user_id,
        provider,
        subject,
        email
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn touch(c: &mut PgConnection, id: Uuid) -> DbResult<()> {
    sqlx::query!(r#"UPDATE auth.oauth_identities SET last_used_at = now() WHERE id = $1"#, id).execute(ex(c)).await?;
    Ok(())
}

pub async fn get(c: &mut PgConnection, user_id: Uuid, id: Uuid) -> DbResult<Option<LinkedIdentity>> {
    Ok(sqlx::query_as!(
        LinkedIdentity,
        r#"SELECT id, provider, email, created_at, last_used_at
             FROM auth.oauth_identities WHERE id = $1 AND user_id = $2"#,
        id,
        user_id
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn list(c: &mut PgConnection, user_id: Uuid) -> DbResult<Vec<LinkedIdentity>> {
    Ok(sqlx::query_as!(
        LinkedIdentity,
        r#"SELECT id, provider, email, created_at, last_used_at
             FROM auth.oauth_identities WHERE user_id = $1 ORDER BY created_at, id"#,
        user_id
    )
    .fetch_all(ex(c))
    .await?)
}

pub async fn delete(c: &mut PgConnection, user_id: Uuid, id: Uuid) -> DbResult<bool> {
    let done = sqlx::query!(r#"DELETE FROM auth.oauth_identities WHERE id = $1 AND user_id = $2"#, id, user_id)
        .execute(ex(c))
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Locks the account row: method changes of one account run one at a time, so two
/// concurrent removals cannot both see "another method remains".
pub async fn lock_flags(c: &mut PgConnection, user_id: Uuid) -> DbResult<Option<MethodFlags>> {
    Ok(sqlx::query_as!(
        MethodFlags,
        r#"SELECT password_hash IS NOT NULL AS "has_password!", email_code_enabled
             FROM auth.users WHERE id = $1 FOR UPDATE"#,
        user_id
    )
    .fetch_optional(ex(c))
    .await?)
}

/// The same flags without a lock, for reading.
pub async fn flags(c: &mut PgConnection, user_id: Uuid) -> DbResult<Option<MethodFlags>> {
    Ok(sqlx::query_as!(
        MethodFlags,
        r#"SELECT password_hash IS NOT NULL AS "has_password!", email_code_enabled FROM auth.users WHERE id = $1"#,
        user_id
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn set_email_code_enabled(c: &mut PgConnection, user_id: Uuid, enabled: bool) -> DbResult<()> {
    sqlx::query!(
        r#"UPDATE auth.users SET email_code_enabled = $2, updated_at = now() WHERE id = $1"#,
        user_id,
        enabled
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

pub async fn email_code_enabled(c: &mut PgConnection, user_id: Uuid) -> DbResult<bool> {
    let row = sqlx::query!(r#"SELECT email_code_enabled FROM auth.users WHERE id = $1"#, user_id)
        .fetch_optional(ex(c))
        .await?;
    Ok(row.is_some_and(|r| r.email_code_enabled))
}
