//! The data key seals TOTP seeds, e-mailed secrets, merchant and webhook secrets, and keys the
//! lookup hashes and the audit chain. With `DATA_ENCRYPTION_KEY` set it is kept wrapped
//! (sealed) under that key in `keyring_wrapped` (envelope encryption): rotating
//! `DATA_ENCRYPTION_KEY` re-wraps one row and changes nothing else. Without it, the data key is
//! generated once into the `keyring` table (development). It is loaded on the connection the
//! use case already holds (never a second pooled connection).
//!
//! Deployments from before the wrapping used `DATA_ENCRYPTION_KEY` itself as the data key: on
//! their first start the key is wrapped under itself, so everything sealed so far still opens.

use std::sync::Arc;

use helium_domain::DomainError;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use tokio::sync::OnceCell;

use super::seal::Sealer;
use crate::db::{DbResult, ex};

/// Name of the generated key in `keyring`.
const KEY_NAME: &str = "totp-seed-v1";

/// Name of the wrapped data key in `keyring_wrapped`.
const WRAPPED_NAME: &str = "data-key-v1";
/// What a wrapped data key is bound to (its AEAD associated data).
const WRAP_BINDING: &[u8] = b"helium wrapped data key v1";

/// Name of the fingerprint of the key in use: every process that opens this database must
/// use the same key (a server with DATA_ENCRYPTION_KEY and a CLI without it would otherwise
/// seal and chain the audit log with two different keys).
const CHECK_NAME: &str = "data-key-check-v1";

/// Shared by every service that seals: cloned cheaply, loaded at most once per process.
#[derive(Clone, Default)]
pub struct DataKey {
    /// DATA_ENCRYPTION_KEY: wraps the data key.
    configured: Option<[u8; 32]>,
    /// DATA_ENCRYPTION_KEY_PREVIOUS: the wrapping key being replaced (during a rotation).
    previous: Option<[u8; 32]>,
    loaded: Arc<OnceCell<[u8; 32]>>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(********)")
    }
}

impl DataKey {
    /// A key given by the operator (`DATA_ENCRYPTION_KEY`).
    pub fn fixed(key: [u8; 32]) -> Self {
        Self::rotating(key, None)
    }

    /// `DATA_ENCRYPTION_KEY` with, during a rotation, `DATA_ENCRYPTION_KEY_PREVIOUS`: the data
    /// key still wrapped under the previous key is re-wrapped under the new one on first load.
    pub fn rotating(key: [u8; 32], previous: Option<[u8; 32]>) -> Self {
        Self { configured: Some(key), previous, loaded: Arc::default() }
    }

    /// From the operator's settings: none (a generated key), or a key and maybe its predecessor.
    pub fn from_settings(key: Option<[u8; 32]>, previous: Option<[u8; 32]>) -> Self {
        key.map_or_else(Self::default, |k| Self::rotating(k, previous))
    }

    /// Loads (or generates) the key in a transaction of its own; servers and the CLI call it
    /// at start-up, so that later uses on read-only connections find it loaded.
    pub async fn load(&self, db: &crate::db::Db) -> Result<(), DomainError> {
        if self.loaded.initialized() {
            return Ok(());
        }
        let mut tx = db.begin().await?;
        self.sealer(&mut tx).await?;
        tx.commit().await.map_err(crate::db::DbError::from)?;
        Ok(())
    }

    /// The sealer, loading (or generating) the key on `conn` the first time and checking it
    /// is the key this database was sealed with.
    pub async fn sealer(&self, conn: &mut PgConnection) -> Result<Sealer, DomainError> {
        let key = self
            .loaded
            .get_or_try_init(|| async {
                let key = match self.configured {
                    Some(kek) => self.unwrap(conn, kek).await?,
                    None => {
                        let mut fresh = [0u8; 32];
                        rand::RngCore::fill_bytes(&mut rand::rng(), &mut fresh);
                        let stored = keyring_key(conn, KEY_NAME, &fresh).await?;
                        <[u8; 32]>::try_from(stored.as_slice())
                            .map_err(|_| DomainError::Internal("keyring key has the wrong length".into()))?
                    }
                };
                let check = fingerprint(&key);
                if keyring_key(conn, CHECK_NAME, &check).await? != check {
                    return Err(DomainError::Internal(
                        "the data key differs from the one this database was sealed with: every process must use \
                         the same DATA_ENCRYPTION_KEY (or none)"
                            .into(),
                    ));
                }
                Ok(key)
            })
            .await?;
        Ok(Sealer::new(key))
    }

    /// A 32-byte key for one purpose, derived from the data key: SHA-256(label ‖ data key).
    pub async fn derived(&self, conn: &mut PgConnection, label: &str) -> Result<[u8; 32], DomainError> {
        self.sealer(conn).await?;
        let key = self.loaded.get().ok_or_else(|| DomainError::Internal("data key not loaded".into()))?;
        let mut h = Sha256::new();
        h.update(label.as_bytes());
        h.update(key);
        Ok(h.finalize().into())
    }
}

impl DataKey {
    /// The data key wrapped under `kek` (re-wrapped from the previous key during a rotation;
    /// wrapped for the first time on a deployment that predates wrapping).
    async fn unwrap(&self, conn: &mut PgConnection, kek: [u8; 32]) -> Result<[u8; 32], DomainError> {
        let internal = |e: &dyn std::fmt::Display| DomainError::Internal(format!("data key: {e}"));
        let wrap = |dek: &[u8; 32], kek: &[u8; 32]| Sealer::new(kek).seal(dek, WRAP_BINDING).map_err(|e| internal(&e));
        let open = |sealed: &str, kek: &[u8; 32]| -> Option<[u8; 32]> {
            Sealer::new(kek).open(sealed, WRAP_BINDING).ok().and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
        };
        match wrapped(conn).await? {
            Some(sealed) => {
                if let Some(dek) = open(&sealed, &kek) {
                    return Ok(dek);
                }
                let Some(dek) = self.previous.and_then(|prev| open(&sealed, &prev)) else {
                    return Err(DomainError::Internal(
                        "DATA_ENCRYPTION_KEY does not open this database's data key: every process must use the same \
                         key; while rotating it, set DATA_ENCRYPTION_KEY_PREVIOUS to the key being replaced"
                            .into(),
                    ));
                };
                store_wrapped(conn, &wrap(&dek, &kek)?).await?;
                tracing::info!("data key re-wrapped under the new DATA_ENCRYPTION_KEY");
                Ok(dek)
            }
            None => {
                // The first DATA_ENCRYPTION_KEY is the data key (as in releases before the
                // wrapping, whose sealed values it opens; tooling that knows the key opens
                // e-mailed secrets with it): the configured one, or the previous one when it
                // is being rotated out right now. A rotation changes which key unwraps it; a
                // retired key that leaked with a copy of the database still opens that copy
                // (re-sealing under a fresh data key is not built). A key generated into
                // `keyring` is not adopted: the fingerprint check refuses a configured key there.
                let dek = self.previous.unwrap_or(kek);
                store_wrapped(conn, &wrap(&dek, &kek)?).await?;
                Ok(dek)
            }
        }
    }
}

/// The wrapped data key, locked until the caller's transaction ends (two processes starting
/// together re-wrap it once).
async fn wrapped(conn: &mut PgConnection) -> DbResult<Option<String>> {
    Ok(sqlx::query_scalar!(r#"SELECT sealed FROM keyring_wrapped WHERE name = $1 FOR UPDATE"#, WRAPPED_NAME)
        .fetch_optional(ex(conn))
        .await?)
}

async fn store_wrapped(conn: &mut PgConnection, sealed: &str) -> DbResult<()> {
    sqlx::query!(
        r#"INSERT INTO keyring_wrapped (name, sealed) VALUES ($1, $2)
           ON CONFLICT (name) DO UPDATE SET sealed = EXCLUDED.sealed, updated_at = now()"#,
        WRAPPED_NAME,
        sealed
    )
    .execute(ex(conn))
    .await?;
    Ok(())
}

/// Identifies a key without revealing it.
fn fingerprint(key: &[u8; 32]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"helium data key check v1");
    h.update(key);
    h.finalize().to_vec()
}

/// The key `name`, generated from `fresh` on first use.
async fn keyring_key(conn: &mut PgConnection, name: &str, fresh: &[u8]) -> DbResult<Vec<u8>> {
    sqlx::query!(r#"INSERT INTO keyring (name, key) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING"#, name, fresh)
        .execute(ex(conn))
        .await?;
    Ok(sqlx::query_scalar!(r#"SELECT key FROM keyring WHERE name = $1"#, name).fetch_one(ex(conn)).await?)
}
