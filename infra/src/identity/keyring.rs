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

/// Name of the fingerprint of the key in use: every process that opens this database must
/// use the same key (a server with DATA_ENCRYPTION_KEY and a CLI without it would otherwise
/// seal and chain the audit log with two different keys).
const CHECK_NAME: &str = "data-key-check-v1";

/// Shared by every service that seals: cloned cheaply, loaded at most once per process.
#[derive(Clone, Default)]
pub struct DataKey {
    configured: Option<[u8; 32]>,
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
        Self { configured: Some(key), loaded: Arc::default() }
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
                    Some(key) => key,
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
