//! TOTP seeds and recovery codes of customers (`auth.totp`, `auth.recovery_codes`).

use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};
use crate::identity::second_factor::TotpRow;

pub async fn totp(c: &mut PgConnection, user_id: Uuid) -> DbResult<Option<TotpRow>> {
    Ok(sqlx::query_as!(
        TotpRow,
        r#"SELECT secret, enabled_at IS NOT NULL AS "enabled!", last_step FROM auth.totp WHERE user_id = $1"#,
        user_id
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn enabled(c: &mut PgConnection, user_id: Uuid) -> DbResult<bool> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM auth.totp WHERE user_id = $1 AND enabled_at IS NOT NULL) AS "e!""#,
        user_id
    )
    .fetch_one(ex(c))
    .await?)
}

/// Stores a new pending seed; false when TOTP is already enabled.
pub async fn put_pending(c: &mut PgConnection, user_id: Uuid, sealed: &str) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"INSERT INTO auth.totp (user_id, secret) VALUES ($1, $2)
           ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, last_step = NULL, created_at = now()
           WHERE auth.totp.enabled_at IS NULL"#,
        user_id,
        sealed
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records `step` as used; false when it (or a later one) was used already — this is also what
/// stops two concurrent uses of one code.
pub async fn use_step(c: &mut PgConnection, user_id: Uuid, step: i64) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"UPDATE auth.totp SET last_step = $2 WHERE user_id = $1 AND (last_step IS NULL OR last_step < $2)"#,
        user_id,
        step
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn enable(c: &mut PgConnection, user_id: Uuid) -> DbResult<bool> {
    let done =
        sqlx::query!(r#"UPDATE auth.totp SET enabled_at = now() WHERE user_id = $1 AND enabled_at IS NULL"#, user_id)
            .execute(ex(c))
            .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove(c: &mut PgConnection, user_id: Uuid) -> DbResult<()> {
    sqlx::query!(r#"DELETE FROM auth.totp WHERE user_id = $1"#, user_id).execute(ex(c)).await?;
    sqlx::query!(r#"DELETE FROM auth.recovery_codes WHERE user_id = $1"#, user_id).execute(ex(c)).await?;
    Ok(())
}

pub async fn replace_recovery_codes(c: &mut PgConnection, user_id: Uuid, hashes: &[String]) -> DbResult<()> {
    sqlx::query!(r#"DELETE FROM auth.recovery_codes WHERE user_id = $1"#, user_id).execute(ex(c)).await?;
    let ids: Vec<Uuid> = hashes.iter().map(|_| Uuid::now_v7()).collect();
    sqlx::query!(
        r#"INSERT INTO auth.recovery_codes (id, user_id, code_hash) SELECT id, $2, h FROM unnest($1::UUID[], $3::TEXT[]) AS t(id, h)"#,
        &ids,
        user_id,
        hashes
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

/// Unused recovery codes (id, Argon2id hash).
pub async fn unused_recovery_codes(c: &mut PgConnection, user_id: Uuid) -> DbResult<Vec<(Uuid, String)>> {
    let rows = sqlx::query!(
        r#"SELECT id, code_hash FROM auth.recovery_codes WHERE user_id = $1 AND used_at IS NULL"#,
        user_id
    )
    .fetch_all(ex(c))
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.code_hash)).collect())
}

/// Spends a recovery code once; false when a concurrent request spent it first.
pub async fn spend_recovery_code(c: &mut PgConnection, id: Uuid) -> DbResult<bool> {
    let done = sqlx::query!(r#"UPDATE auth.recovery_codes SET used_at = now() WHERE id = $1 AND used_at IS NULL"#, id)
        .execute(ex(c))
        .await?;
    Ok(done.rows_affected() == 1)
}
