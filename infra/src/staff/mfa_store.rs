//! SQL of staff TOTP MFA: the sealed seed, its replay guard (`last_step`) and recovery codes.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

pub use crate::auth::mfa_store::TotpRow;

pub async fn totp<'e>(db: impl sqlx::PgExecutor<'e>, admin_id: Uuid) -> Result<Option<TotpRow>, sqlx::Error> {
    sqlx::query_as!(
        TotpRow,
        r#"SELECT secret, enabled_at IS NOT NULL AS "enabled!", last_step FROM staff.totp WHERE admin_id = $1"#,
        admin_id
    )
    .fetch_optional(db)
    .await
}

/// Staff tokens (and MFA challenges) issued before this instant are dead.
pub async fn tokens_valid_after<'e>(
    db: impl sqlx::PgExecutor<'e>,
    admin_id: Uuid,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT tokens_valid_after FROM staff.admins WHERE id = $1"#, admin_id)
        .fetch_optional(db)
        .await
}

/// Stores a new pending seed; false when TOTP is already enabled.
pub async fn put_pending(tx: &mut PgConnection, admin_id: Uuid, sealed: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"INSERT INTO staff.totp (admin_id, secret) VALUES ($1, $2)
           ON CONFLICT (admin_id) DO UPDATE SET secret = EXCLUDED.secret, last_step = NULL, created_at = now()
           WHERE staff.totp.enabled_at IS NULL"#,
        admin_id,
        sealed
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records `step` as used; false when it (or a later one) was used already — this is also what
/// stops two concurrent uses of one code.
pub async fn use_step(tx: &mut PgConnection, admin_id: Uuid, step: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"UPDATE staff.totp SET last_step = $2 WHERE admin_id = $1 AND (last_step IS NULL OR last_step < $2)"#,
        admin_id,
        step
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn enable(tx: &mut PgConnection, admin_id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"UPDATE staff.totp SET enabled_at = now() WHERE admin_id = $1 AND enabled_at IS NULL"#,
        admin_id
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove(tx: &mut PgConnection, admin_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(r#"DELETE FROM staff.totp WHERE admin_id = $1"#, admin_id).execute(&mut *tx).await?;
    sqlx::query!(r#"DELETE FROM staff.recovery_codes WHERE admin_id = $1"#, admin_id).execute(&mut *tx).await?;
    Ok(())
}

pub async fn replace_recovery_codes(
    tx: &mut PgConnection,
    admin_id: Uuid,
    hashes: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query!(r#"DELETE FROM staff.recovery_codes WHERE admin_id = $1"#, admin_id).execute(&mut *tx).await?;
    let ids: Vec<Uuid> = hashes.iter().map(|_| Uuid::now_v7()).collect();
    sqlx::query!(
        r#"INSERT INTO staff.recovery_codes (id, admin_id, code_hash) SELECT id, $2, h FROM unnest($1::UUID[], $3::TEXT[]) AS t(id, h)"#,
        &ids,
        admin_id,
        hashes
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Unused recovery codes (id, Argon2id hash).
pub async fn unused_recovery_codes<'e>(
    db: impl sqlx::PgExecutor<'e>,
    admin_id: Uuid,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id, code_hash FROM staff.recovery_codes WHERE admin_id = $1 AND used_at IS NULL"#,
        admin_id
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.code_hash)).collect())
}

/// Spends a recovery code once; false when a concurrent request spent it first.
pub async fn spend_recovery_code(tx: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(r#"UPDATE staff.recovery_codes SET used_at = now() WHERE id = $1 AND used_at IS NULL"#, id)
        .execute(&mut *tx)
        .await?;
    Ok(done.rows_affected() == 1)
}
