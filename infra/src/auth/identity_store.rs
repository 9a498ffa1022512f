//! SQL of login methods: linked OAuth identities and the per-account method flags.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct IdentityRow {
    pub id: Uuid,
    pub provider: String,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

pub struct IdentityOwner {
    pub identity_id: Uuid,
    pub user_id: Uuid,
    pub status: String,
}

/// Which first factors an account has besides its linked identities (row locked).
pub struct MethodFlags {
    pub has_password: bool,
    pub email_code_enabled: bool,
}

pub async fn owner(tx: &mut PgConnection, provider: &str, subject: &str) -> Result<Option<IdentityOwner>, sqlx::Error> {
    sqlx::query_as!(
        IdentityOwner,
        r#"SELECT i.id AS identity_id, i.user_id, u.status
             FROM auth.oauth_identities i JOIN auth.users u ON u.id = i.user_id
            WHERE i.provider = $1 AND i.subject = $2"#,
        provider,
        subject
    )
    .fetch_optional(&mut *tx)
    .await
}

/// Links an identity; `None` when (provider, subject) is already linked (to anyone).
pub async fn insert(
    tx: &mut PgConnection,
    user_id: Uuid,
    provider: &str,
    subject: &str,
    email: Option<&str>,
) -> Result<Option<IdentityRow>, sqlx::Error> {
    sqlx::query_as!(
        IdentityRow,
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
    .fetch_optional(&mut *tx)
    .await
}

pub async fn touch(tx: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(r#"UPDATE auth.oauth_identities SET last_used_at = now() WHERE id = $1"#, id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

pub async fn get(tx: &mut PgConnection, user_id: Uuid, id: Uuid) -> Result<Option<IdentityRow>, sqlx::Error> {
    sqlx::query_as!(
        IdentityRow,
        r#"SELECT id, provider, email, created_at, last_used_at
             FROM auth.oauth_identities WHERE id = $1 AND user_id = $2"#,
        id,
        user_id
    )
    .fetch_optional(&mut *tx)
    .await
}

pub async fn list(tx: &mut PgConnection, user_id: Uuid) -> Result<Vec<IdentityRow>, sqlx::Error> {
    sqlx::query_as!(
        IdentityRow,
        r#"SELECT id, provider, email, created_at, last_used_at
             FROM auth.oauth_identities WHERE user_id = $1 ORDER BY created_at, id"#,
        user_id
    )
    .fetch_all(&mut *tx)
    .await
}

pub async fn delete(tx: &mut PgConnection, user_id: Uuid, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(r#"DELETE FROM auth.oauth_identities WHERE id = $1 AND user_id = $2"#, id, user_id)
        .execute(&mut *tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Locks the account row: method changes of one account run one at a time, so two
/// concurrent removals cannot both see "another method remains".
pub async fn lock_flags(tx: &mut PgConnection, user_id: Uuid) -> Result<Option<MethodFlags>, sqlx::Error> {
    sqlx::query_as!(
        MethodFlags,
        r#"SELECT password_hash IS NOT NULL AS "has_password!", email_code_enabled
             FROM auth.users WHERE id = $1 FOR UPDATE"#,
        user_id
    )
    .fetch_optional(&mut *tx)
    .await
}

/// The same flags without a lock, for reading.
pub async fn flags(tx: &mut PgConnection, user_id: Uuid) -> Result<Option<MethodFlags>, sqlx::Error> {
    sqlx::query_as!(
        MethodFlags,
        r#"SELECT password_hash IS NOT NULL AS "has_password!", email_code_enabled FROM auth.users WHERE id = $1"#,
        user_id
    )
    .fetch_optional(&mut *tx)
    .await
}

pub async fn set_email_code_enabled(tx: &mut PgConnection, user_id: Uuid, enabled: bool) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE auth.users SET email_code_enabled = $2, updated_at = now() WHERE id = $1"#,
        user_id,
        enabled
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn clear_password(tx: &mut PgConnection, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(r#"UPDATE auth.users SET password_hash = NULL, updated_at = now() WHERE id = $1"#, user_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

pub async fn email_code_enabled(tx: &mut PgConnection, user_id: Uuid) -> Result<bool, sqlx::Error> {
    let row = sqlx::query!(r#"SELECT email_code_enabled FROM auth.users WHERE id = $1"#, user_id)
        .fetch_optional(&mut *tx)
        .await?;
    Ok(row.is_some_and(|r| r.email_code_enabled))
}
