//! SQL of TOTP MFA: the sealed seed, its replay guard (`last_step`) and recovery codes.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub struct TotpRow {
    pub secret: String,
    pub enabled: bool,
    pub last_step: Option<i64>,
}

pub async fn totp<'e>(db: impl sqlx::PgExecutor<'e>, user_id: Uuid) -> Result<Option<TotpRow>, sqlx::Error> {
    sqlx::query_as!(
        TotpRow,
        r#"SELECT secret, enabled_at IS NOT NULL AS "enabled!", last_step FROM auth.totp WHERE user_id = $1"#,
        user_id
    )
    .fetch_optional(db)
    .await
}

pub async fn mfa_enabled<'e>(db: impl sqlx::PgExecutor<'e>, user_id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM auth.totp WHERE user_id = $1 AND enabled_at IS NOT NULL) AS "e!""#,
        user_id
    )
    .fetch_one(db)
    .await
}

/// Access tokens (and MFA challenges) issued before this instant are dead.
pub async fn tokens_valid_after<'e>(
    db: impl sqlx::PgExecutor<'e>,
    user_id: Uuid,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT tokens_valid_after FROM auth.users WHERE id = $1"#, user_id).fetch_optional(db).await
}

/// Stores a new pending seed; false when TOTP is already enabled.
pub async fn put_pending(pool: &PgPool, user_id: Uuid, sealed: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"INSERT INTO auth.totp (user_id, secret) VALUES ($1, $2)
           ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, last_step = NULL, created_at = now()
           WHERE auth.totp.enabled_at IS NULL"#,
        user_id,
        sealed
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records `step` as used; false when it (or a later one) was used already — this is also what
/// stops two concurrent uses of one code.
pub async fn use_step(tx: &mut PgConnection, user_id: Uuid, step: i64) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"UPDATE auth.totp SET last_step = $2 WHERE user_id = $1 AND (last_step IS NULL OR last_step < $2)"#,
        user_id,
        step
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn enable(tx: &mut PgConnection, user_id: Uuid) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query!(r#"UPDATE auth.totp SET enabled_at = now() WHERE user_id = $1 AND enabled_at IS NULL"#, user_id)
            .execute(&mut *tx)
            .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn remove(tx: &mut PgConnection, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(r#"DELETE FROM auth.totp WHERE user_id = $1"#, user_id).execute(&mut *tx).await?;
    sqlx::query!(r#"DELETE FROM auth.recovery_codes WHERE user_id = $1"#, user_id).execute(&mut *tx).await?;
    Ok(())
}

pub async fn replace_recovery_codes(
    tx: &mut PgConnection,
    user_id: Uuid,
    hashes: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query!(r#"DELETE FROM auth.recovery_codes WHERE user_id = $1"#, user_id).execute(&mut *tx).await?;
    let ids: Vec<Uuid> = hashes.iter().map(|_| Uuid::now_v7()).collect();
    sqlx::query!(
        r#"INSERT INTO auth.recovery_codes (id, user_id, code_hash) SELECT id, $2, h FROM unnest($1::UUID[], $3::TEXT[]) AS t(id, h)"#,
        &ids,
        user_id,
        hashes
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Unused recovery codes (id, Argon2id hash).
pub async fn unused_recovery_codes<'e>(
    db: impl sqlx::PgExecutor<'e>,
    user_id: Uuid,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT id, code_hash FROM auth.recovery_codes WHERE user_id = $1 AND used_at IS NULL"#,
        user_id
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.code_hash)).collect())
}

/// Spends a recovery code once; false when a concurrent request spent it first.
pub async fn spend_recovery_code(tx: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(r#"UPDATE auth.recovery_codes SET used_at = now() WHERE id = $1 AND used_at IS NULL"#, id)
        .execute(&mut *tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The data-encryption key `name`, generated on first use.
pub async fn keyring_key(pool: &PgPool, name: &str, fresh: &[u8]) -> Result<Vec<u8>, sqlx::Error> {
    sqlx::query!(r#"INSERT INTO keyring (name, key) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING"#, name, fresh)
        .execute(pool)
        .await?;
    sqlx::query_scalar!(r#"SELECT key FROM keyring WHERE name = $1"#, name).fetch_one(pool).await
}
