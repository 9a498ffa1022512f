//! SQL of staff invitations. Only the SHA-256 of an invitation token is stored.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct InvitationRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub invited_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub admin_id: Option<Uuid>,
}

impl InvitationRow {
    /// `pending`, `accepted`, `revoked` or `expired`.
    pub fn status(&self, now: DateTime<Utc>) -> &'static str {
        if self.accepted_at.is_some() {
            "accepted"
        } else if self.revoked_at.is_some() {
            "revoked"
        } else if self.expires_at <= now {
            "expired"
        } else {
            "pending"
        }
    }
}

/// `None` when the address already has an open invitation.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    tx: &mut PgConnection,
    id: Uuid,
    email: &str,
    name: &str,
    role: &str,
    token_hash: &[u8],
    invited_by: Option<Uuid>,
    expires_at: DateTime<Utc>,
) -> Result<Option<InvitationRow>, sqlx::Error> {
    sqlx::query_as!(
        InvitationRow,
        r#"INSERT INTO staff.invitations (id, email, name, role, token_hash, invited_by, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (email) WHERE accepted_at IS NULL AND revoked_at IS NULL DO NOTHING
           RETURNING id, email, name, role, invited_by, created_at, expires_at, accepted_at, revoked_at, admin_id"#,
        id,
        email,
        name,
        role,
        token_hash,
        invited_by,
        expires_at
    )
    .fetch_optional(&mut *tx)
    .await
}

/// Open invitations past their expiry stop blocking the address.
pub async fn retire_expired(tx: &mut PgConnection, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE staff.invitations SET revoked_at = expires_at
            WHERE email = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at <= now()"#,
        email
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn email_is_staff(tx: &mut PgConnection, email: &str) -> Result<bool, sqlx::Error> {
    let n = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM staff.admins WHERE email = $1"#, email)
        .fetch_one(&mut *tx)
        .await?;
    Ok(n > 0)
}

pub async fn list(pool: &PgPool) -> Result<Vec<InvitationRow>, sqlx::Error> {
    sqlx::query_as!(
        InvitationRow,
        r#"SELECT id, email, name, role, invited_by, created_at, expires_at, accepted_at, revoked_at, admin_id
             FROM staff.invitations ORDER BY created_at DESC, id DESC LIMIT 500"#
    )
    .fetch_all(pool)
    .await
}

pub async fn for_update(tx: &mut PgConnection, id: Uuid) -> Result<Option<InvitationRow>, sqlx::Error> {
    sqlx::query_as!(
        InvitationRow,
        r#"SELECT id, email, name, role, invited_by, created_at, expires_at, accepted_at, revoked_at, admin_id
             FROM staff.invitations WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await
}

/// The invitation a token names, locked: concurrent accepts of one link run one at a time.
pub async fn by_token_for_update(tx: &mut PgConnection, hash: &[u8]) -> Result<Option<InvitationRow>, sqlx::Error> {
    sqlx::query_as!(
        InvitationRow,
        r#"SELECT id, email, name, role, invited_by, created_at, expires_at, accepted_at, revoked_at, admin_id
             FROM staff.invitations WHERE token_hash = $1 FOR UPDATE"#,
        hash
    )
    .fetch_optional(&mut *tx)
    .await
}

pub async fn mark_revoked(tx: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE staff.invitations SET revoked_at = now() WHERE id = $1", id).execute(&mut *tx).await?;
    Ok(())
}

pub async fn mark_accepted(tx: &mut PgConnection, id: Uuid, admin_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE staff.invitations SET accepted_at = now(), admin_id = $2 WHERE id = $1", id, admin_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
