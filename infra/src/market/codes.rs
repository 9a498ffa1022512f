//! A customer's invite codes: create within the limit, list with sign-up counts, retire.

use std::sync::Arc;

use helium_domain::market::model::InviteCode;
use helium_domain::{DomainError, ErrorCode};
use rand::Rng;
use uuid::Uuid;

use super::context::{MarketContext, policy_of};
use super::store::codes;
use crate::db::ex;
use crate::paging::{Page, decode_cursor, page_limit, page_of};

#[derive(Clone)]
pub struct InviteCodes(pub(crate) Arc<MarketContext>);

/// No 0/O, 1/I/L: codes are read aloud and typed from screenshots.
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 8;

fn new_code() -> String {
    let mut rng = rand::rng();
    (0..CODE_LEN).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

pub(crate) fn disabled() -> DomainError {
    DomainError::rejected(ErrorCode::AffiliateDisabled, "referrals are off for this account")
}

impl InviteCodes {
    pub async fn list(
        &self,
        user_id: Uuid,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<InviteCode>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = format!("invite_codes|{user_id}");
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = codes::page(&mut c, user_id, after, limit + 1).await?;
        Ok(page_of(rows, limit, &scope, |k| (k.created_at, k.id)))
    }

    /// A new random code, refused past the customer's maximum (counted under a per-customer
    /// lock, so concurrent creates cannot pass it together).
    pub async fn create(&self, user_id: Uuid) -> Result<InviteCode, DomainError> {
        let cfg = self.0.affiliate_config().await?;
        crate::transaction!(self.0.db, |tx| {
            let policy = policy_of(tx, &cfg, user_id).await?;
            if !policy.enabled {
                return Err(disabled());
            }
            sqlx::query!(
                "SELECT pg_advisory_xact_lock(hashtextextended('invite_codes:' || $1::text, 0))",
                user_id.to_string()
            )
            .execute(ex(tx))
            .await
            .map_err(crate::db::DbError::from)?;
            if codes::count_live(tx, user_id).await? >= i64::from(policy.max_invite_codes) {
                return Err(DomainError::rejected(
                    ErrorCode::InviteCodeLimitReached,
                    format!("at most {} invite codes", policy.max_invite_codes),
                ));
            }
            for _ in 0..5 {
                if let Some(code) = codes::insert(tx, Uuid::now_v7(), user_id, &new_code()).await? {
                    return Ok(code);
                }
            }
            Err(DomainError::Internal("could not find a free invite code".into()))
        })
    }

    /// Retires one of the customer's codes; someone else's or an unknown one is 404.
    pub async fn delete(&self, user_id: Uuid, id: Uuid) -> Result<(), DomainError> {
        // A write: a transaction (a read connection is READ ONLY behind a pooler).
        if crate::transaction!(self.0.db, |tx| Ok(codes::retire(tx, user_id, id).await?))? {
            Ok(())
        } else {
            Err(DomainError::not_found("no such invite code"))
        }
    }
}
