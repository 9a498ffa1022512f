//! Subscription credentials: a 256-bit token per customer (found by its keyed hash, shown to
//! its owner from a sealed copy) and the proxy UUID agents and apps use.

use std::sync::Arc;

use base64::Engine;
use helium_domain::DomainError;
use helium_domain::audit::{Actor, AuditAction, Change};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::TelecomContext;
use super::store::subscriptions::{self as store, SubscriptionRow};
use crate::audit;

/// Derivation label of the token lookup key (shared with `documents`).
pub(crate) const HASH_LABEL: &str = "helium subscription tokens v1";

/// A customer's subscription as its owner sees it.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub row: SubscriptionRow,
    pub token: String,
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The lookup hash of a token (HMAC-SHA-256 under a key derived from the data key).
pub fn token_hash(key: &[u8; 32], token: &str) -> Result<Vec<u8>, DomainError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|e| DomainError::Internal(e.to_string()))?;
    mac.update(token.as_bytes());
    Ok(mac.finalize().into_bytes().to_vec())
}

#[derive(Clone)]
pub struct Subscriptions(pub(crate) Arc<TelecomContext>);

impl Subscriptions {
    /// The customer's credentials, made on first use.
    pub async fn of(&self, user_id: Uuid) -> Result<Credentials, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let row = ensure(tx, &ctx.keys, user_id).await?;
            let token = open(tx, &ctx.keys, &row).await?;
            Ok(Credentials { row, token })
        })
    }

    /// A new token and proxy UUID; the old token answers 404 and the old UUID leaves every
    /// node list at once. Staff rotations are audited.
    pub async fn rotate(&self, user_id: Uuid, staff: Option<(&Actor, &str)>) -> Result<Credentials, DomainError> {
        let ctx = &self.0;
        let creds = crate::transaction!(ctx.db, |tx| {
            if crate::auth::store::users::by_id(tx, user_id).await?.is_none() {
                return Err(DomainError::not_found("no such customer"));
            }
            ensure(tx, &ctx.keys, user_id).await?;
            let (token, hash, sealed) = fresh_token(tx, &ctx.keys, user_id).await?;
            store::rotate(tx, user_id, Uuid::new_v4(), &hash, &sealed).await?;
            if let Some((actor, reason)) = staff {
                let change = Change::new(AuditAction::SubscriptionRotate, "customer", user_id).reason(reason);
                audit::append(tx, &ctx.keys, actor, change).await?;
            }
            let row = store::of_user(tx, user_id)
                .await?
                .ok_or_else(|| DomainError::Internal("rotated row vanished".into()))?;
            Ok(Credentials { row, token })
        })?;
        ctx.snapshots.bump().await;
        Ok(creds)
    }

    /// Whose token this is; `None` for unknown or rotated tokens.
    pub async fn resolve(&self, token: &str) -> Result<Option<(Vec<u8>, SubscriptionRow)>, DomainError> {
        if token.is_empty() || token.len() > 128 {
            return Ok(None);
        }
        let mut tx = self.0.db.begin().await?;
        let key = self.0.keys.derived(&mut tx, HASH_LABEL).await?;
        let hash = token_hash(&key, token)?;
        let row = store::by_token_hash(&mut tx, &hash).await?;
        tx.commit().await.map_err(crate::db::DbError::from)?;
        Ok(row.map(|r| (hash, r)))
    }
}

/// A new token with its lookup hash and its sealed copy (bound to the customer).
async fn fresh_token(
    tx: &mut PgConnection,
    keys: &crate::identity::keyring::DataKey,
    user_id: Uuid,
) -> Result<(String, Vec<u8>, String), DomainError> {
    let token = new_token();
    let key = keys.derived(tx, HASH_LABEL).await?;
    let sealer = keys.sealer(tx).await?;
    let sealed = sealer.seal(token.as_bytes(), user_id.as_bytes()).map_err(|e| DomainError::Internal(e.to_string()))?;
    let hash = token_hash(&key, &token)?;
    Ok((token, hash, sealed))
}

/// The row, created with a fresh token and UUID when missing.
pub(crate) async fn ensure(
    tx: &mut PgConnection,
    keys: &crate::identity::keyring::DataKey,
    user_id: Uuid,
) -> Result<SubscriptionRow, DomainError> {
    if let Some(row) = store::of_user(tx, user_id).await? {
        return Ok(row);
    }
    let (_, hash, sealed) = fresh_token(tx, keys, user_id).await?;
    store::insert(tx, user_id, Uuid::new_v4(), &hash, &sealed).await?;
    store::of_user(tx, user_id).await?.ok_or_else(|| DomainError::Internal("subscription row vanished".into()))
}

async fn open(
    tx: &mut PgConnection,
    keys: &crate::identity::keyring::DataKey,
    row: &SubscriptionRow,
) -> Result<String, DomainError> {
    let sealer = keys.sealer(tx).await?;
    let plain =
        sealer.open(&row.token_sealed, row.user_id.as_bytes()).map_err(|e| DomainError::Internal(e.to_string()))?;
    String::from_utf8(plain).map_err(|e| DomainError::Internal(e.to_string()))
}
