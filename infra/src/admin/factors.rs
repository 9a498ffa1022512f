//! Where staff keep their second factors (`staff.totp`, `staff.recovery_codes`), for the
//! shared check in `identity::second_factor`.

use sqlx::PgConnection;
use uuid::Uuid;

use super::store::mfa;
use crate::RedisHandle;
use crate::db::DbResult;
use crate::identity::second_factor::{FactorStore, TotpRow};

pub(crate) struct StaffFactors;

impl FactorStore for StaffFactors {
    async fn totp(&self, c: &mut PgConnection, owner: Uuid) -> DbResult<Option<TotpRow>> {
        mfa::totp(c, owner).await
    }
    async fn use_step(&self, c: &mut PgConnection, owner: Uuid, step: i64) -> DbResult<bool> {
        mfa::use_step(c, owner, step).await
    }
    async fn unused_recovery_codes(&self, c: &mut PgConnection, owner: Uuid) -> DbResult<Vec<(Uuid, String)>> {
        mfa::unused_recovery_codes(c, owner).await
    }
    async fn spend_recovery_code(&self, c: &mut PgConnection, id: Uuid) -> DbResult<bool> {
        mfa::spend_recovery_code(c, id).await
    }
    async fn replace_recovery_codes(&self, c: &mut PgConnection, owner: Uuid, hashes: &[String]) -> DbResult<()> {
        mfa::replace_recovery_codes(c, owner, hashes).await
    }
    fn failures_key(&self, redis: &RedisHandle, owner: Uuid) -> String {
        redis.key(&format!("staff:mfa:failures:{owner}"))
    }
}
