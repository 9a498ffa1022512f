//! `shop.coupons` and `shop.coupon_uses`.

use chrono::{DateTime, Utc};
use helium_domain::shop::commands::{CouponInput, CouponPatch};
use helium_domain::shop::model::{Coupon, DiscountType};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

pub async fn insert(c: &mut PgConnection, id: Uuid, k: &CouponInput) -> DbResult<Coupon> {
    Ok(sqlx::query_as!(
        Coupon,
        r#"INSERT INTO shop.coupons (id, code, discount_type, rate, amount, starts_at, ends_at, max_uses,
                                    max_uses_per_user, min_amount, product_ids, active)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        RETURNING id, code, discount_type AS "discount_type: DiscountType", rate, amount, starts_at, ends_at, max_uses,
                  max_uses_per_user, min_amount, product_ids, active, uses, ever_used, created_at, updated_at"#,
        id,
        k.code,
        k.discount_type as DiscountType,
        k.rate,
        k.amount,
        k.starts_at,
        k.ends_at,
        k.max_uses,
        k.max_uses_per_user,
        k.min_amount,
        &k.product_ids,
        k.active
    )
    .fetch_one(ex(c))
    .await?)
}

pub async fn get(c: &mut PgConnection, id: Uuid) -> DbResult<Option<Coupon>> {
    Ok(sqlx::query_as!(
        Coupon,
        r#"SELECT id, code, discount_type AS "discount_type: DiscountType", rate, amount, starts_at, ends_at, max_uses,
                  max_uses_per_user, min_amount, product_ids, active, uses, ever_used, created_at, updated_at
             FROM shop.coupons WHERE id = $1"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn by_code(c: &mut PgConnection, code: &str) -> DbResult<Option<Coupon>> {
    Ok(sqlx::query_as!(
        Coupon,
        r#"SELECT id, code, discount_type AS "discount_type: DiscountType", rate, amount, starts_at, ends_at, max_uses,
                  max_uses_per_user, min_amount, product_ids, active, uses, ever_used, created_at, updated_at
             FROM shop.coupons WHERE upper(code) = upper($1)"#,
        code
    )
    .fetch_optional(ex(c))
    .await?)
}

/// The coupon, locked for the rest of the transaction (its counters change under this lock).
pub async fn lock_by_code(c: &mut PgConnection, code: &str) -> DbResult<Option<Coupon>> {
    Ok(sqlx::query_as!(
        Coupon,
        r#"SELECT id, code, discount_type AS "discount_type: DiscountType", rate, amount, starts_at, ends_at, max_uses,
                  max_uses_per_user, min_amount, product_ids, active, uses, ever_used, created_at, updated_at
             FROM shop.coupons WHERE upper(code) = upper($1) FOR UPDATE"#,
        code
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Live uses of a coupon by one customer.
pub async fn uses_by(c: &mut PgConnection, coupon_id: Uuid, user_id: Uuid) -> DbResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM shop.coupon_uses WHERE coupon_id = $1 AND user_id = $2 AND released_at IS NULL"#,
        coupon_id,
        user_id
    )
    .fetch_one(ex(c))
    .await?)
}

/// Takes one use (guarded by `max_uses`) and records it for the order; `false` when used up.
pub async fn take_use(c: &mut PgConnection, coupon_id: Uuid, order_id: Uuid, user_id: Uuid) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"UPDATE shop.coupons SET uses = uses + 1, ever_used = true
            WHERE id = $1 AND (max_uses IS NULL OR uses < max_uses)"#,
        coupon_id
    )
    .execute(ex(c))
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query!(
        r#"INSERT INTO shop.coupon_uses (order_id, coupon_id, user_id) VALUES ($1, $2, $3)"#,
        order_id,
        coupon_id,
        user_id
    )
    .execute(ex(c))
    .await?;
    Ok(true)
}

/// Gives an order's coupon use back, exactly once (a second call finds it released).
pub async fn release_use(c: &mut PgConnection, order_id: Uuid) -> DbResult<bool> {
    let released = sqlx::query_scalar!(
        r#"UPDATE shop.coupon_uses SET released_at = now() WHERE order_id = $1 AND released_at IS NULL
        RETURNING coupon_id"#,
        order_id
    )
    .fetch_optional(ex(c))
    .await?;
    let Some(coupon_id) = released else { return Ok(false) };
    sqlx::query!(r#"UPDATE shop.coupons SET uses = uses - 1 WHERE id = $1"#, coupon_id).execute(ex(c)).await?;
    Ok(true)
}

pub async fn update(c: &mut PgConnection, id: Uuid, p: &CouponPatch) -> DbResult<Option<Coupon>> {
    Ok(sqlx::query_as!(
        Coupon,
        r#"UPDATE shop.coupons
              SET active = coalesce($2, active),
                  ends_at = coalesce($3, ends_at),
                  max_uses = CASE WHEN $4 THEN $5 ELSE max_uses END,
                  max_uses_per_user = coalesce($6, max_uses_per_user),
                  updated_at = now()
            WHERE id = $1
        RETURNING id, code, discount_type AS "discount_type: DiscountType", rate, amount, starts_at, ends_at, max_uses,
                  max_uses_per_user, min_amount, product_ids, active, uses, ever_used, created_at, updated_at"#,
        id,
        p.active,
        p.ends_at,
        p.max_uses.is_some(),
        p.max_uses.flatten(),
        p.max_uses_per_user
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Deletes a never-used coupon; `false` when it was used (or is gone).
pub async fn delete_unused(c: &mut PgConnection, id: Uuid) -> DbResult<bool> {
    let done = sqlx::query!(r#"DELETE FROM shop.coupons WHERE id = $1 AND NOT ever_used"#, id).execute(ex(c)).await?;
    Ok(done.rows_affected() == 1)
}

pub async fn page(
    c: &mut PgConnection,
    active: Option<bool>,
    q: Option<&str>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<Coupon>> {
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(sqlx::query_as!(
        Coupon,
        r#"SELECT id, code, discount_type AS "discount_type: DiscountType", rate, amount, starts_at, ends_at, max_uses,
                  max_uses_per_user, min_amount, product_ids, active, uses, ever_used, created_at, updated_at
             FROM shop.coupons
            WHERE ($1::boolean IS NULL OR active = $1)
              AND ($2::text IS NULL OR strpos(upper(code), upper($2)) > 0)
              AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))
            ORDER BY created_at DESC, id DESC LIMIT $5"#,
        active,
        q,
        after_at,
        after_id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}
