//! `wallet.gift_cards`, batches and redemptions.

use chrono::{DateTime, Utc};
use helium_domain::wallet::model::{GiftCard, GiftCardBatch, GiftCardKind, Redemption};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

/// A new card's stored form.
#[derive(Debug, Clone)]
pub struct NewCard<'a> {
    pub id: Uuid,
    pub batch_id: Option<Uuid>,
    pub kind: GiftCardKind,
    pub code_hash: &'a [u8],
    pub code_sealed: &'a str,
    pub code_hint: &'a str,
    pub value: i64,
    pub currency: &'a str,
    pub max_redemptions: i32,
    pub expires_at: Option<DateTime<Utc>>,
}

pub async fn insert_batch(c: &mut PgConnection, b: &GiftCardBatch) -> DbResult<()> {
    sqlx::query!(
        r#"INSERT INTO wallet.gift_card_batches (id, name, count, value, currency, expires_at, created_by, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"#,
        b.id,
        b.name,
        b.count,
        b.value,
        b.currency,
        b.expires_at,
        b.created_by,
        b.created_at
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

/// Many cards in one statement; `false` when a code hash already exists (nothing inserted).
pub async fn insert_cards(c: &mut PgConnection, cards: &[NewCard<'_>]) -> DbResult<bool> {
    let ids: Vec<Uuid> = cards.iter().map(|k| k.id).collect();
    let batch: Vec<Option<Uuid>> = cards.iter().map(|k| k.batch_id).collect();
    let kinds: Vec<GiftCardKind> = cards.iter().map(|k| k.kind).collect();
    let hashes: Vec<Vec<u8>> = cards.iter().map(|k| k.code_hash.to_vec()).collect();
    let sealed: Vec<String> = cards.iter().map(|k| k.code_sealed.to_owned()).collect();
    let hints: Vec<String> = cards.iter().map(|k| k.code_hint.to_owned()).collect();
    let values: Vec<i64> = cards.iter().map(|k| k.value).collect();
    let currencies: Vec<String> = cards.iter().map(|k| k.currency.to_owned()).collect();
    let max: Vec<i32> = cards.iter().map(|k| k.max_redemptions).collect();
    let expires: Vec<Option<DateTime<Utc>>> = cards.iter().map(|k| k.expires_at).collect();
    let done = sqlx::query!(
        r#"INSERT INTO wallet.gift_cards
               (id, batch_id, kind, code_hash, code_sealed, code_hint, value, currency, max_redemptions, expires_at)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bytea[], $5::text[], $6::text[],
                                $7::bigint[], $8::text[], $9::int[], $10::timestamptz[])
           ON CONFLICT (code_hash) DO NOTHING"#,
        &ids,
        &batch as &[Option<Uuid>],
        &kinds as &[GiftCardKind],
        &hashes,
        &sealed,
        &hints,
        &values,
        &currencies,
        &max,
        &expires as &[Option<DateTime<Utc>>]
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == cards.len() as u64)
}

pub async fn by_hash(c: &mut PgConnection, hash: &[u8]) -> DbResult<Option<GiftCard>> {
    Ok(sqlx::query_as!(
        GiftCard,
        r#"SELECT id, batch_id, kind AS "kind: GiftCardKind", code_hint, value, currency, max_redemptions, redemptions,
                  expires_at, disabled, created_at, updated_at
             FROM wallet.gift_cards WHERE code_hash = $1"#,
        hash
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn get(c: &mut PgConnection, id: Uuid) -> DbResult<Option<GiftCard>> {
    Ok(sqlx::query_as!(
        GiftCard,
        r#"SELECT id, batch_id, kind AS "kind: GiftCardKind", code_hint, value, currency, max_redemptions, redemptions,
                  expires_at, disabled, created_at, updated_at
             FROM wallet.gift_cards WHERE id = $1"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Records one redemption by `user_id`; `false` when they already redeemed this card.
pub async fn insert_redemption(c: &mut PgConnection, card: Uuid, user_id: Uuid, posting_id: Uuid) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"INSERT INTO wallet.gift_card_redemptions (gift_card_id, user_id, posting_id) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING"#,
        card,
        user_id,
        posting_id
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Counts one redemption unless the card is used up, disabled or expired: the guarded counter.
pub async fn take_redemption(c: &mut PgConnection, card: Uuid) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"UPDATE wallet.gift_cards SET redemptions = redemptions + 1, updated_at = now()
            WHERE id = $1 AND redemptions < max_redemptions AND NOT disabled
              AND (expires_at IS NULL OR expires_at > now())"#,
        card
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn redemptions(c: &mut PgConnection, card: Uuid) -> DbResult<Vec<Redemption>> {
    Ok(sqlx::query_as!(
        Redemption,
        r#"SELECT user_id, posting_id, created_at FROM wallet.gift_card_redemptions
            WHERE gift_card_id = $1 ORDER BY created_at"#,
        card
    )
    .fetch_all(ex(c))
    .await?)
}

pub async fn update(
    c: &mut PgConnection,
    id: Uuid,
    disabled: Option<bool>,
    expires_at: Option<Option<DateTime<Utc>>>,
) -> DbResult<Option<GiftCard>> {
    Ok(sqlx::query_as!(
        GiftCard,
        r#"UPDATE wallet.gift_cards
              SET disabled = coalesce($2, disabled),
                  expires_at = CASE WHEN $3 THEN $4 ELSE expires_at END,
                  updated_at = now()
            WHERE id = $1
        RETURNING id, batch_id, kind AS "kind: GiftCardKind", code_hint, value, currency, max_redemptions, redemptions,
                  expires_at, disabled, created_at, updated_at"#,
        id,
        disabled,
        expires_at.is_some(),
        expires_at.flatten()
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Staff list: newest first, optionally of one batch, status and redeemer.
pub async fn page(
    c: &mut PgConnection,
    batch_id: Option<Uuid>,
    status: Option<&str>,
    redeemed_by: Option<Uuid>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<GiftCard>> {
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(sqlx::query_as!(
        GiftCard,
        r#"SELECT g.id, g.batch_id, g.kind AS "kind: GiftCardKind", g.code_hint, g.value, g.currency,
                  g.max_redemptions, g.redemptions, g.expires_at, g.disabled, g.created_at, g.updated_at
             FROM wallet.gift_cards g
            WHERE ($1::uuid IS NULL OR g.batch_id = $1)
              AND ($2::text IS NULL
                   OR ($2 = 'disabled' AND g.disabled)
                   OR ($2 = 'expired' AND NOT g.disabled AND g.expires_at <= now())
                   OR ($2 = 'redeemed' AND g.redemptions >= g.max_redemptions)
                   OR ($2 = 'active' AND NOT g.disabled AND g.redemptions < g.max_redemptions
                       AND (g.expires_at IS NULL OR g.expires_at > now())))
              AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM wallet.gift_card_redemptions r
                                                WHERE r.gift_card_id = g.id AND r.user_id = $3))
              AND ($4::timestamptz IS NULL OR (g.created_at, g.id) < ($4, $5))
            ORDER BY g.created_at DESC, g.id DESC LIMIT $6"#,
        batch_id,
        status,
        redeemed_by,
        after_at,
        after_id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

pub async fn batch(c: &mut PgConnection, id: Uuid) -> DbResult<Option<GiftCardBatch>> {
    Ok(sqlx::query_as!(
        GiftCardBatch,
        r#"SELECT id, name, count, value, currency, expires_at, created_by, created_at, exported_at
             FROM wallet.gift_card_batches WHERE id = $1"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn batches(
    c: &mut PgConnection,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<GiftCardBatch>> {
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(sqlx::query_as!(
        GiftCardBatch,
        r#"SELECT id, name, count, value, currency, expires_at, created_by, created_at, exported_at
             FROM wallet.gift_card_batches
            WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1, $2))
            ORDER BY created_at DESC, id DESC LIMIT $3"#,
        after_at,
        after_id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

/// Marks a batch exported; `false` when it already was (the CSV goes out once).
pub async fn mark_exported(c: &mut PgConnection, id: Uuid) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"UPDATE wallet.gift_card_batches SET exported_at = now() WHERE id = $1 AND exported_at IS NULL"#,
        id
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

/// (id, sealed code) of every card of a batch, in creation order.
pub async fn sealed_codes(c: &mut PgConnection, batch_id: Uuid) -> DbResult<Vec<(Uuid, String)>> {
    let rows =
        sqlx::query!(r#"SELECT id, code_sealed FROM wallet.gift_cards WHERE batch_id = $1 ORDER BY id"#, batch_id)
            .fetch_all(ex(c))
            .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.code_sealed)).collect())
}
