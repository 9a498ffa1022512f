//! The data key: `DATA_ENCRYPTION_KEY` when set, else one generated once into the `keyring`
//! table. It seals TOTP seeds and e-mail secrets; it is loaded on the connection the use case
//! already holds (never a second pooled connection).

use std::sync::Arc;

use helium_domain::DomainError;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use tokio::sync::OnceCell;

use super::seal::Sealer;
use crate::db::{DbResult, ex};

/// Name of the generated key in `keyring`.
const KEY_NAME: &str = "totp-seed-v1";

/// Shared by every service that seals: cloned cheaply, loaded at most once per process.
#[derive(Debug, Clone, Default)]
pub struct DataKey(Arc<OnceCell<[u8; 32]>>);

impl DataKey {
    /// A key given by the operator (`DATA_ENCRYPTION_KEY`).
    pub fn fixed(key: [u8; 32]) -> Self {
        Self(Arc::new(OnceCell::new_with(Some(key))))
    }

    /// Loads (or generates) the key in a transaction of its own; servers and the CLI call it
    /// at start-up, so that later uses on read-only connections find it loaded.
    pub async fn load(&self, db: &crate::db::Db) -> Result<(), DomainError> {
        if self.0.initialized() {
            return Ok(());
        }
        let mut tx = db.begin().await?;
        self.sealer(&mut tx).await?;
        tx.commit().await.map_err(crate::db::DbError::from)?;
        Ok(())
    }

    /// The sealer, loading (or generating) the key on `conn` the first time.
    pub async fn sealer(&self, conn: &mut PgConnection) -> Result<Sealer, DomainError> {
        let key = self
            .0
            .get_or_try_init(|| async {
                let mut fresh = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rng(), &mut fresh);
                let stored = keyring_key(conn, KEY_NAME, &fresh).await?;
                <[u8; 32]>::try_from(stored.as_slice())
                    .map_err(|_| DomainError::Internal("keyring key has the wrong length".into()))
            })
            .await?;
        Ok(Sealer::new(key))
    }

    /// A 32-byte key for one purpose, derived from the data key: SHA-256(label ‖ data key).
    pub async fn derived(&self, conn: &mut PgConnection, label: &str) -> Result<[u8; 32], DomainError> {
        self.sealer(conn).await?;
        let key = self.0.get().ok_or_else(|| DomainError::Internal("data key not loaded".into()))?;
        let mut h = Sha256::new();
        h.update(label.as_bytes());
        h.update(key);
        Ok(h.finalize().into())
    }

    /// The sealer if the key is already known (no database needed).
    pub fn loaded(&self) -> Option<Sealer> {
        self.0.get().map(Sealer::new)
    }
}

/// The key `name`, generated from `fresh` on first use.
async fn keyring_key(conn: &mut PgConnection, name: &str, fresh: &[u8]) -> DbResult<Vec<u8>> {
    sqlx::query!(r#"INSERT INTO keyring (name, key) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING"#, name, fresh)
        .execute(ex(conn))
        .await?;
    Ok(sqlx::query_scalar!(r#"SELECT key FROM keyring WHERE name = $1"#, name).fetch_one(ex(conn)).await?)
}
