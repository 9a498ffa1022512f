//! Gift cards: bulk batches (codes of 128 random bits, exported once as CSV) and special
//! branded codes with a redemption limit. A code is kept as a keyed hash (the lookup) and
//! sealed (the export); it travels in bodies only and is never logged. Redemption is
//! exactly-once per card and customer, and the card's counter is guarded.

use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::client::ClientInfo;
use helium_domain::wallet::commands::{NewBatch, NewSpecialCard, normalize_code};
use helium_domain::wallet::model::{GiftCard, GiftCardBatch, GiftCardKind, PostingKind, Redemption, Wallet};
use helium_domain::wallet::rules::lines;
use helium_domain::{DomainError, ErrorCode};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde_json::json;
use sha2::Sha256;
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::WalletContext;
use super::ledger::{Posting, post};
use super::store::gift_cards::{self as store, NewCard};
use super::store::{ledger, wallets};
use super::wallets::actor_ref;
use crate::audit;
use crate::identity::attempts;
use crate::paging::{Page, decode_cursor, page_limit, page_of};

const HASH_LABEL: &str = "helium gift card codes v1";
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// 128 random bits as 26 base32 characters.
fn random_code() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let (mut out, mut acc, mut bits) = (String::with_capacity(26), 0u32, 0u32);
    for b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((acc >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((acc << (5 - bits)) & 31) as usize]));
    }
    out
}

/// A code as printed on a card: groups of four.
pub fn display_code(code: &str) -> String {
    code.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
}

fn hint(code: &str) -> String {
    code.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect()
}

fn code_hash(key: &[u8; 32], code: &str) -> Result<Vec<u8>, DomainError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|e| DomainError::Internal(e.to_string()))?;
    mac.update(code.as_bytes());
    Ok(mac.finalize().into_bytes().to_vec())
}

fn card_json(g: &GiftCard) -> serde_json::Value {
    json!({
        "kind": g.kind, "code_hint": g.code_hint, "value": g.value, "max_redemptions": g.max_redemptions,
        "expires_at": g.expires_at, "disabled": g.disabled,
    })
}

/// What a redemption credited.
#[derive(Debug, Clone)]
pub struct Redeemed {
    pub credited: i64,
    pub wallet: Wallet,
}

#[derive(Clone)]
pub struct GiftCards(pub(crate) Arc<WalletContext>);

impl GiftCards {
    /// Creates `count` codes of `value` in one transaction, audited. The codes are only ever
    /// shown by [`GiftCards::export`].
    pub async fn create_batch(&self, actor: &Actor, cmd: &NewBatch) -> Result<GiftCardBatch, DomainError> {
        let ctx = &self.0;
        let currency = ctx.shop_config().await?.currency;
        let batch = GiftCardBatch {
            id: Uuid::now_v7(),
            name: cmd.name.clone(),
            count: cmd.count,
            value: cmd.value,
            currency: currency.clone(),
            expires_at: cmd.expires_at,
            created_by: actor_ref(actor),
            created_at: Utc::now(),
            exported_at: None,
        };
        crate::transaction!(ctx.db, |tx| {
            let key = ctx.keys.derived(tx, HASH_LABEL).await?;
            let sealer = ctx.keys.sealer(tx).await?;
            store::insert_batch(tx, &batch).await?;
            let mut owned = Vec::with_capacity(cmd.count as usize);
            for _ in 0..cmd.count {
                let id = Uuid::now_v7();
                let code = random_code();
                let sealed =
                    sealer.seal(code.as_bytes(), id.as_bytes()).map_err(|e| DomainError::Internal(e.to_string()))?;
                owned.push((id, code_hash(&key, &code)?, sealed, hint(&code)));
            }
            let cards: Vec<NewCard<'_>> = owned
                .iter()
                .map(|(id, hash, sealed, hint)| NewCard {
                    id: *id,
                    batch_id: Some(batch.id),
                    kind: GiftCardKind::Batch,
                    code_hash: hash,
                    code_sealed: sealed,
                    code_hint: hint,
                    value: cmd.value,
                    currency: &currency,
                    max_redemptions: 1,
                    expires_at: cmd.expires_at,
                })
                .collect();
            for chunk in cards.chunks(1000) {
                if !store::insert_cards(tx, chunk).await? {
                    // 128 random bits do not collide; if they ever do, the whole batch is redone.
                    return Err(DomainError::Contention("gift card code collision".into()));
                }
            }
            let change = Change::new(AuditAction::GiftCardBatchCreate, "gift_card_batch", batch.id).after(json!({
                "name": batch.name, "count": batch.count, "value": batch.value, "expires_at": batch.expires_at,
            }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(batch.clone())
        })
    }

    /// The batch's codes as CSV (`code,value,currency,expires_at`), once: a second export is
    /// 409 `invalid_state`. Audited.
    pub async fn export(&self, actor: &Actor, batch_id: Uuid) -> Result<String, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let batch = store::batch(tx, batch_id).await?.ok_or_else(|| DomainError::not_found("no such batch"))?;
            if !store::mark_exported(tx, batch_id).await? {
                return Err(DomainError::rejected(ErrorCode::InvalidState, "this batch was already exported"));
            }
            let sealer = ctx.keys.sealer(tx).await?;
            let mut csv = String::from("code,value,currency,expires_at\n");
            for (id, sealed) in store::sealed_codes(tx, batch_id).await? {
                let code = sealer.open(&sealed, id.as_bytes()).map_err(|e| DomainError::Internal(e.to_string()))?;
                let code = String::from_utf8(code).map_err(|e| DomainError::Internal(e.to_string()))?;
                let expires = batch.expires_at.map(|e| e.to_rfc3339()).unwrap_or_default();
                let _ = writeln!(csv, "{},{},{},{expires}", display_code(&code), batch.value, batch.currency);
            }
            let change = Change::new(AuditAction::GiftCardBatchExport, "gift_card_batch", batch_id)
                .after(json!({ "count": batch.count }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(csv)
        })
    }

    /// A special (branded) code; an existing code is 409 `gift_card_code_taken`.
    pub async fn create_special(&self, actor: &Actor, cmd: &NewSpecialCard) -> Result<GiftCard, DomainError> {
        let ctx = &self.0;
        let currency = ctx.shop_config().await?.currency;
        crate::transaction!(ctx.db, |tx| {
            let key = ctx.keys.derived(tx, HASH_LABEL).await?;
            let sealer = ctx.keys.sealer(tx).await?;
            let id = Uuid::now_v7();
            let hash = code_hash(&key, &cmd.code)?;
            let sealed =
                sealer.seal(cmd.code.as_bytes(), id.as_bytes()).map_err(|e| DomainError::Internal(e.to_string()))?;
            let card = NewCard {
                id,
                batch_id: None,
                kind: GiftCardKind::Special,
                code_hash: &hash,
                code_sealed: &sealed,
                code_hint: &hint(&cmd.code),
                value: cmd.value,
                currency: &currency,
                max_redemptions: cmd.max_redemptions,
                expires_at: cmd.expires_at,
            };
            if !store::insert_cards(tx, std::slice::from_ref(&card)).await? {
                return Err(DomainError::rejected(ErrorCode::GiftCardCodeTaken, "this code exists"));
            }
            let created = store::get(tx, id).await?.ok_or_else(|| DomainError::Internal("card vanished".into()))?;
            audit::append(
                tx,
                &ctx.keys,
                actor,
                Change::new(AuditAction::GiftCardSpecialCreate, "gift_card", id).after(card_json(&created)),
            )
            .await?;
            Ok(created)
        })
    }

    /// Redeems `code` (normalised) into the customer's wallet. Wrong codes are throttled per
    /// account and address; a retried request (same `request_key`) answers like the first.
    pub async fn redeem(
        &self,
        user_id: Uuid,
        code: &str,
        client: &ClientInfo,
        request_key: Option<&str>,
    ) -> Result<Redeemed, DomainError> {
        let ctx = &self.0;
        // Whatever the adapter: the code as printed, typed or pasted, normalised here.
        let code = &helium_domain::wallet::commands::redeem_code(code)?;
        let limits = attempts::gift_card_limits(&ctx.redis, &user_id.to_string(), client.ip.as_deref());
        attempts::refuse_if_spent(&ctx.redis, &limits).await?;
        let currency = ctx.shop_config().await?.currency;
        let actor = format!("customer:{user_id}");
        let result = crate::transaction!(ctx.db, |tx| {
            if let Some(key) = request_key
                && ledger::posting_by_request(tx, key).await?.is_some()
            {
                return replayed(tx, user_id).await;
            }
            let key = ctx.keys.derived(tx, HASH_LABEL).await?;
            let Some(card) = store::by_hash(tx, &code_hash(&key, code)?).await? else {
                return Ok(Err(DomainError::rejected(ErrorCode::GiftCardNotFound, "no gift card has this code")));
            };
            usable(&card, Utc::now())?;
            let posted = post(
                tx,
                &Posting {
                    user_id,
                    kind: PostingKind::GiftCard,
                    lines: &lines(PostingKind::GiftCard, card.value),
                    reason: Some(&format!("gift card …{}", card.code_hint)),
                    order_id: None,
                    actor: &actor,
                    request_key,
                    currency: &currency,
                },
            )
            .await?;
            if !store::insert_redemption(tx, card.id, user_id, posted.posting_id).await? {
                return Err(DomainError::rejected(
                    ErrorCode::GiftCardAlreadyRedeemed,
                    "you already redeemed this card",
                ));
            }
            if !store::take_redemption(tx, card.id).await? {
                return Err(if card.kind == GiftCardKind::Batch {
                    DomainError::rejected(ErrorCode::GiftCardAlreadyRedeemed, "this card was already redeemed")
                } else {
                    DomainError::rejected(ErrorCode::GiftCardExhausted, "this code reached its redemption limit")
                });
            }
            Ok(Ok(Redeemed { credited: card.value, wallet: posted.wallet }))
        })?;
        if let Err(e) = &result
            && e.code() == ErrorCode::GiftCardNotFound
        {
            attempts::count_failure(&ctx.redis, &limits).await;
        }
        result
    }

    pub async fn page(
        &self,
        batch_id: Option<Uuid>,
        status: Option<&str>,
        redeemed_by: Option<Uuid>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<GiftCard>, DomainError> {
        if let Some(s) = status
            && !["active", "redeemed", "expired", "disabled"].contains(&s)
        {
            return Err(DomainError::field("status", "invalid_enum", "active, redeemed, expired or disabled"));
        }
        let limit = page_limit(limit)?;
        let scope = format!(
            "gift_cards|{}|{}|{}",
            batch_id.map(|b| b.to_string()).unwrap_or_default(),
            status.unwrap_or_default(),
            redeemed_by.map(|b| b.to_string()).unwrap_or_default()
        );
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = store::page(&mut c, batch_id, status, redeemed_by, after, limit + 1).await?;
        Ok(page_of(rows, limit, &scope, |g| (g.created_at, g.id)))
    }

    pub async fn batches(&self, cursor: Option<&str>, limit: Option<i64>) -> Result<Page<GiftCardBatch>, DomainError> {
        let limit = page_limit(limit)?;
        let after = cursor.map(|c| decode_cursor("gift_card_batches", c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = store::batches(&mut c, after, limit + 1).await?;
        Ok(page_of(rows, limit, "gift_card_batches", |b| (b.created_at, b.id)))
    }

    pub async fn get(&self, id: Uuid) -> Result<(GiftCard, Vec<Redemption>), DomainError> {
        let mut c = self.0.db.conn().await?;
        let card = store::get(&mut c, id).await?.ok_or_else(|| DomainError::not_found("no such gift card"))?;
        let redemptions = store::redemptions(&mut c, id).await?;
        Ok((card, redemptions))
    }

    /// Staff: the card a code belongs to (the code travels in the body, never a URL).
    pub async fn lookup(&self, code: &str) -> Result<(GiftCard, Vec<Redemption>), DomainError> {
        let mut tx = self.0.db.begin().await?;
        let key = self.0.keys.derived(&mut tx, HASH_LABEL).await?;
        let card = store::by_hash(&mut tx, &code_hash(&key, &normalize_code(code))?)
            .await?
            .ok_or_else(|| DomainError::not_found("no gift card has this code"))?;
        let redemptions = store::redemptions(&mut tx, card.id).await?;
        tx.commit().await.map_err(crate::db::DbError::from)?;
        Ok((card, redemptions))
    }

    /// Disables or re-enables a card, or changes its expiry; a fully redeemed card is 409.
    pub async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        disabled: Option<bool>,
        expires_at: Option<Option<DateTime<Utc>>>,
    ) -> Result<GiftCard, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let before = store::get(tx, id).await?.ok_or_else(|| DomainError::not_found("no such gift card"))?;
            if before.redemptions >= before.max_redemptions {
                return Err(DomainError::rejected(ErrorCode::GiftCardAlreadyRedeemed, "this card is used up"));
            }
            let after = store::update(tx, id, disabled, expires_at)
                .await?
                .ok_or_else(|| DomainError::not_found("no such gift card"))?;
            let change = Change::new(AuditAction::GiftCardUpdate, "gift_card", id)
                .before(card_json(&before))
                .after(card_json(&after));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(after)
        })
    }
}

/// The answer to a retried redemption: what the wallet holds now.
async fn replayed(tx: &mut PgConnection, user_id: Uuid) -> Result<Result<Redeemed, DomainError>, DomainError> {
    let wallet = wallets::get(tx, user_id).await?.ok_or_else(|| DomainError::Internal("wallet vanished".into()))?;
    Ok(Err(DomainError::rejected(
        ErrorCode::GiftCardAlreadyRedeemed,
        format!("already redeemed (balance {})", wallet.available),
    )))
}

fn usable(card: &GiftCard, now: DateTime<Utc>) -> Result<(), DomainError> {
    if card.disabled {
        return Err(DomainError::rejected(ErrorCode::GiftCardDisabled, "this gift card is disabled"));
    }
    if card.expires_at.is_some_and(|e| e <= now) {
        return Err(DomainError::rejected(ErrorCode::GiftCardExpired, "this gift card has expired"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_128_bits_of_base32_in_groups() {
        let a = random_code();
        assert_eq!(a.len(), 26);
        assert!(a.bytes().all(|b| BASE32.contains(&b)));
        assert_ne!(a, random_code());
        let shown = display_code(&a);
        assert_eq!(normalize_code(&shown), a);
        assert_eq!(hint("ABCDEFGH"), "EFGH");
    }
}
