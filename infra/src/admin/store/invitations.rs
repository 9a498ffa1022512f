//! Staff invitations.

use chrono::{DateTime, Utc};
use helium_domain::admin::{Invitation, Role};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

pub struct NewInvitation<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub token_hash: &'a [u8],
    pub invited_by: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
}

/// `None` when the address already has an open invitation.
pub async fn insert(c: &mut PgConnection, i: &NewInvitation<'_>) -> DbResult<Option<Invitation>> {
    Ok(sqlx::query_as!(
        Invitation,
        r#"INSERT INTO staff.invitations (id, email, name, role, token_hash, invited_by, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (email) WHERE accepted_at IS NULL AND revoked_at IS NULL DO NOTHING
           RETURNING id, email, name, role AS "role: Role", invited_by, created_at, expires_at, accepted_at,
                     revoked_at, admin_id"#,
        i.id,
        i.email,
        i.name,
        i.role.as_str(),
        i.token_hash,
        i.invited_by,
        i.expires_at
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Open invitations of the address that expired stop blocking a new one.
pub async fn retire_expired(c: &mut PgConnection, email: &str) -> DbResult<()> {
    sqlx::query!(
        r#"UPDATE staff.invitations SET revoked_at = expires_at
            WHERE email = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at <= now()"#,
        email
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

/// Newest first, keyset-paged, optionally of one status at `now`.
pub async fn page(
    c: &mut PgConnection,
    status: Option<&str>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<Invitation>> {
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(sqlx::query_as!(
        Invitation,
        r#"SELECT id, email, name, role AS "role: Role", invited_by, created_at, expires_at, accepted_at, revoked_at, admin_id
             FROM staff.invitations
            WHERE ($1::text IS NULL OR $1 = CASE
                      WHEN accepted_at IS NOT NULL THEN 'accepted'
                      WHEN revoked_at IS NOT NULL THEN 'revoked'
                      WHEN expires_at <= now() THEN 'expired'
                      ELSE 'pending' END)
              AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT $4"#,
        status,
        after_at,
        after_id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

pub async fn for_update(c: &mut PgConnection, id: Uuid) -> DbResult<Option<Invitation>> {
    Ok(sqlx::query_as!(
        Invitation,
        r#"SELECT id, email, name, role AS "role: Role", invited_by, created_at, expires_at, accepted_at, revoked_at, admin_id
             FROM staff.invitations WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn by_token_for_update(c: &mut PgConnection, hash: &[u8]) -> DbResult<Option<Invitation>> {
    Ok(sqlx::query_as!(
        Invitation,
        r#"SELECT id, email, name, role AS "role: Role", invited_by, created_at, expires_at, accepted_at, revoked_at, admin_id
             FROM staff.invitations WHERE token_hash = $1 FOR UPDATE"#,
        hash
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn mark_revoked(c: &mut PgConnection, id: Uuid) -> DbResult<()> {
    sqlx::query!("UPDATE staff.invitations SET revoked_at = now() WHERE id = $1", id).execute(ex(c)).await?;
    Ok(())
}

pub async fn mark_accepted(c: &mut PgConnection, id: Uuid, admin_id: Uuid) -> DbResult<()> {
    sqlx::query!("UPDATE staff.invitations SET accepted_at = now(), admin_id = $2 WHERE id = $1", id, admin_id)
        .execute(ex(c))
        .await?;
    Ok(())
}
