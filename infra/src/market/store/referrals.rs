//! `market.referrals` and `market.policies`.

use chrono::{DateTime, Utc};
use helium_domain::market::model::PolicyOverride;
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

/// Records who referred `referee`; `false` when they already have a referrer (never changes).
pub async fn link(c: &mut PgConnection, referee: Uuid, referrer: Uuid, code_id: Uuid) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"INSERT INTO market.referrals (referee_id, referrer_id, code_id) VALUES ($1, $2, $3)
           ON CONFLICT (referee_id) DO NOTHING"#,
        referee,
        referrer,
        code_id
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn referrer_of(c: &mut PgConnection, referee: Uuid) -> DbResult<Option<Uuid>> {
    Ok(sqlx::query_scalar!("SELECT referrer_id FROM market.referrals WHERE referee_id = $1", referee)
        .fetch_optional(ex(c))
        .await?)
}

/// The referrer, with the referral row locked: commissions for one referee are counted
/// against the trigger limit one at a time.
pub async fn lock(c: &mut PgConnection, referee: Uuid) -> DbResult<Option<Uuid>> {
    Ok(sqlx::query_scalar!("SELECT referrer_id FROM market.referrals WHERE referee_id = $1 FOR UPDATE", referee)
        .fetch_optional(ex(c))
        .await?)
}

/// Sign-ups on one code since `since` (farming alert).
pub async fn signups_since(c: &mut PgConnection, code_id: Uuid, since: DateTime<Utc>) -> DbResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM market.referrals WHERE code_id = $1 AND created_at >= $2"#,
        code_id,
        since
    )
    .fetch_one(ex(c))
    .await?)
}

/// The customer's registration time and the referral code they registered with, if any.
pub async fn registration(c: &mut PgConnection, user_id: Uuid) -> DbResult<Option<(DateTime<Utc>, Option<String>)>> {
    Ok(sqlx::query!("SELECT created_at, referral_code FROM auth.users WHERE id = $1", user_id)
        .fetch_optional(ex(c))
        .await?
        .map(|r| (r.created_at, r.referral_code)))
}

/// (referred, paying) of a referrer.
pub async fn counts(c: &mut PgConnection, referrer: Uuid) -> DbResult<(i64, i64)> {
    let r = sqlx::query!(
        r#"SELECT count(*) AS "referred!",
                  count(*) FILTER (WHERE EXISTS (
                      SELECT 1 FROM market.commissions m
                      WHERE m.referee_id = r.referee_id AND m.beneficiary_id = r.referrer_id AND m.status <> 'reversed'
                  )) AS "paying!"
           FROM market.referrals r WHERE r.referrer_id = $1"#,
        referrer
    )
    .fetch_one(ex(c))
    .await?;
    Ok((r.referred, r.paying))
}

#[derive(Debug, Clone)]
pub struct ReferralRow {
    pub referee_id: Uuid,
    pub email: String,
    pub joined_at: DateTime<Utc>,
    pub rewarded_orders: i64,
}

/// A referrer's referees, newest first, after `(joined_at, referee_id)`.
pub async fn page(
    c: &mut PgConnection,
    referrer: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<ReferralRow>> {
    let (at, id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(sqlx::query_as!(
        ReferralRow,
        r#"SELECT r.referee_id, u.email, r.created_at AS joined_at,
                  (SELECT count(*) FROM market.commissions m
                   WHERE m.referee_id = r.referee_id AND m.beneficiary_id = r.referrer_id
                     AND m.status <> 'reversed') AS "rewarded_orders!"
           FROM market.referrals r JOIN auth.users u ON u.id = r.referee_id
           WHERE r.referrer_id = $1
             AND ($2::timestamptz IS NULL OR (r.created_at, r.referee_id) < ($2, $3::uuid))
           ORDER BY r.created_at DESC, r.referee_id DESC LIMIT $4"#,
        referrer,
        at,
        id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

pub async fn policy(c: &mut PgConnection, user_id: Uuid) -> DbResult<Option<PolicyOverride>> {
    Ok(sqlx::query_as!(
        PolicyOverride,
        "SELECT enabled, reward_rate, trigger_limit, max_invite_codes FROM market.policies WHERE user_id = $1",
        user_id
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn put_policy(c: &mut PgConnection, user_id: Uuid, p: &PolicyOverride) -> DbResult<()> {
    let rate: Option<Decimal> = p.reward_rate;
    sqlx::query!(
        r#"INSERT INTO market.policies (user_id, enabled, reward_rate, trigger_limit, max_invite_codes)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (user_id) DO UPDATE SET enabled = EXCLUDED.enabled, reward_rate = EXCLUDED.reward_rate,
               trigger_limit = EXCLUDED.trigger_limit, max_invite_codes = EXCLUDED.max_invite_codes, updated_at = now()"#,
        user_id,
        p.enabled,
        rate,
        p.trigger_limit,
        p.max_invite_codes
    )
    .execute(ex(c))
    .await?;
    Ok(())
}
