//! Packages: a delivered order queues one; exactly one is active per customer; the next in
//! purchase order activates when the active one expires, runs out of traffic or is
//! cancelled — on the push that used it up and by the cron sweep. Every such change bumps
//! the snapshot epoch so node lists and subscriptions follow.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::events::{Event, types};
use helium_domain::shop::model::{OrderDelivered, OrderRefunded};
use helium_domain::telecom::package::{Package, PackageStatus};
use helium_domain::{DomainError, ErrorCode};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::{TelecomContext, not_found};
use super::snapshots::Snapshots;
use super::store::packages::{self as store, NewPackage};
use crate::audit;
use crate::events::consumer::{Handler, HandlerError};
use crate::events::outbox;
use crate::paging::{Page, decode_cursor, page_limit, page_of};

/// A customer's usage right now.
#[derive(Debug, Clone)]
pub struct Usage {
    pub active: Option<Package>,
    pub queued: Vec<Package>,
}

#[derive(Clone)]
pub struct Packages(pub(crate) Arc<TelecomContext>);

fn event(event_type: &str, p: &Package, extra: serde_json::Value) -> Event {
    let mut payload = json!({
        "package_id": p.id, "user_id": p.user_id, "product_id": p.product_id, "order_id": p.order_id,
        "expires_at": p.expires_at,
    });
    if let (Some(o), Some(e)) = (payload.as_object_mut(), extra.as_object()) {
        o.extend(e.clone());
    }
    Event::new(Uuid::now_v7(), event_type, p.id.to_string(), Utc::now(), payload)
}

/// Activates the next queued package when none is active (the caller holds the user lock).
async fn activate_next(tx: &mut PgConnection, user_id: Uuid) -> Result<Option<Package>, DomainError> {
    let Some(p) = store::activate_next(tx, user_id).await? else { return Ok(None) };
    outbox::append(tx, &event(types::PACKAGE_ACTIVATED, &p, json!({}))).await?;
    Ok(Some(p))
}

/// Ends a package and activates the next one, in the caller's transaction.
async fn end_and_advance(
    tx: &mut PgConnection,
    id: Uuid,
    user_id: Uuid,
    status: PackageStatus,
    reason: &str,
) -> Result<Option<Package>, DomainError> {
    store::lock_user(tx, user_id).await?;
    let Some(ended) = store::end(tx, id, status, reason).await? else { return Ok(None) };
    outbox::append(tx, &event(types::PACKAGE_CONSUMED, &ended, json!({ "status": status, "reason": reason }))).await?;
    activate_next(tx, user_id).await?;
    Ok(Some(ended))
}

/// A change made inside a consumer's transaction is committed by the consumer after the
/// handler returns: bump now, and again shortly after, so a snapshot rebuilt in between
/// (from data not yet committed) does not survive.
fn bump_after_commit(snapshots: &Arc<Snapshots>) {
    let s = snapshots.clone();
    tokio::spawn(async move {
        for wait in [Duration::from_millis(0), Duration::from_secs(1), Duration::from_secs(5)] {
            tokio::time::sleep(wait).await;
            s.bump().await;
        }
    });
}

impl Packages {
    pub async fn page(
        &self,
        user_id: Option<Uuid>,
        status: Option<PackageStatus>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<Package>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = format!("packages|{user_id:?}|{status:?}");
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = store::page(&mut c, user_id, status, after, limit + 1).await?;
        Ok(page_of(rows, limit, &scope, |p| (p.created_at, p.id)))
    }

    pub async fn get(&self, user_id: Option<Uuid>, id: Uuid) -> Result<Package, DomainError> {
        let mut c = self.0.db.conn().await?;
        store::get(&mut c, id, user_id).await?.ok_or_else(|| not_found("package"))
    }

    pub async fn usage(&self, user_id: Uuid) -> Result<Usage, DomainError> {
        let mut c = self.0.db.conn().await?;
        let active = store::active(&mut c, user_id).await?;
        let queued = store::queued(&mut c, user_id).await?;
        Ok(Usage { active, queued })
    }

    /// Where each package stands: 0 = active, 1… = queue order, `None` = ended.
    pub async fn positions(&self, packages: &[Package]) -> Result<Vec<Option<i64>>, DomainError> {
        let mut users: Vec<Uuid> =
            packages.iter().filter(|p| p.status == PackageStatus::InQueue).map(|p| p.user_id).collect();
        users.sort_unstable();
        users.dedup();
        let queue: std::collections::HashMap<Uuid, i64> = if users.is_empty() {
            Default::default()
        } else {
            let mut c = self.0.db.conn().await?;
            store::queue_positions(&mut c, &users).await?.into_iter().collect()
        };
        Ok(packages
            .iter()
            .map(|p| match p.status {
                PackageStatus::Active => Some(0),
                PackageStatus::InQueue => queue.get(&p.id).copied(),
                _ => None,
            })
            .collect())
    }

    /// Staff cancel a queued or active package (the next one activates), with a reason.
    pub async fn cancel_by_staff(&self, actor: &Actor, id: Uuid, reason: &str) -> Result<Package, DomainError> {
        let ctx = &self.0;
        let ended = crate::transaction!(ctx.db, |tx| {
            let p = store::get(tx, id, None).await?.ok_or_else(|| not_found("package"))?;
            let Some(ended) = end_and_advance(tx, id, p.user_id, PackageStatus::Cancelled, reason).await? else {
                return Err(DomainError::rejected(
                    ErrorCode::InvalidState,
                    "only queued or active packages can be cancelled",
                ));
            };
            let change = Change::new(AuditAction::PackageCancel, "package", id)
                .before(json!({ "status": p.status }))
                .after(json!({ "status": "cancelled" }))
                .reason(reason);
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(ended)
        })?;
        ctx.snapshots.bump().await;
        Ok(ended)
    }

    /// Ends what expired or ran out of traffic and activates what is next; returns how many
    /// ended. `users` limits the sweep to those customers (after a push), else all.
    pub async fn sweep(&self, batch: i64) -> Result<u64, DomainError> {
        let spent = {
            let mut c = self.0.db.conn().await?;
            store::spent(&mut c, batch).await?
        };
        let mut ended = 0;
        for (id, user_id, why) in spent {
            let done = crate::transaction!(self.0.db, |tx| {
                end_and_advance(tx, id, user_id, PackageStatus::Consumed, &why).await
            })?;
            ended += u64::from(done.is_some());
        }
        if ended > 0 {
            self.0.snapshots.bump().await;
        }
        Ok(ended)
    }

    /// Announces packages ending within `lead` (`package.expiring`, once each).
    pub async fn announce_expiring(&self, lead: Duration, batch: i64) -> Result<u64, DomainError> {
        crate::transaction!(self.0.db, |tx| {
            let soon = store::take_expiring(tx, lead.as_secs_f64(), batch).await?;
            for p in &soon {
                outbox::append(tx, &event(types::PACKAGE_EXPIRING, p, json!({}))).await?;
            }
            Ok(soon.len() as u64)
        })
    }

    /// Resets the usage of packages whose reset day came (monthly policies).
    pub async fn reset_due(&self) -> Result<u64, DomainError> {
        let now = Utc::now();
        let due: Vec<Uuid> = {
            let mut c = self.0.db.conn().await?;
            store::resettable(&mut c)
                .await?
                .into_iter()
                .filter(|(_, policy, activated, last)| {
                    let policy = helium_domain::shop::commands::parse_traffic_reset(policy);
                    let reset = policy.and_then(|p| helium_domain::telecom::package::last_reset(p, *activated, now));
                    reset.is_some_and(|r| last.is_none_or(|l| l < r))
                })
                .map(|(id, ..)| id)
                .collect()
        };
        if due.is_empty() {
            return Ok(0);
        }
        let n = crate::transaction!(self.0.db, |tx| Ok(store::reset_usage(tx, &due).await?))?;
        self.0.snapshots.bump().await;
        Ok(n)
    }
}

/// `order.delivered` → a queued package with the version's terms (activated at once when
/// the customer has none active), and the customer's subscription credentials.
pub struct DeliverPackages(pub Arc<TelecomContext>);

#[async_trait::async_trait]
impl Handler for DeliverPackages {
    fn name(&self) -> &'static str {
        "telecom_packages"
    }

    fn event_types(&self) -> &'static [&'static str] {
        &[types::ORDER_DELIVERED, types::ORDER_REFUNDED]
    }

    async fn handle(&self, tx: &mut PgConnection, event: &Event, _attempt: u32) -> Result<(), HandlerError> {
        let permanent = |e: serde_json::Error| HandlerError::Permanent(e.to_string());
        if event.event_type == types::ORDER_REFUNDED {
            let refunded: OrderRefunded = serde_json::from_value(event.payload.clone()).map_err(permanent)?;
            if refunded.cancel_package
                && let Some(p) = store::by_order(tx, refunded.order_id).await?
            {
                let reason = format!("refunded: {}", refunded.reason);
                end_and_advance(tx, p.id, p.user_id, PackageStatus::Cancelled, &reason).await?;
                bump_after_commit(&self.0.snapshots);
            }
            return Ok(());
        }
        let d: OrderDelivered = serde_json::from_value(event.payload.clone()).map_err(permanent)?;
        store::lock_user(tx, d.user_id).await?;
        let name = crate::shop::store::catalog::version(tx, d.package_version_id)
            .await?
            .map(|v| format!("v{}", v.version))
            .unwrap_or_default();
        let product_name: Option<String> = sqlx::query_scalar("SELECT name FROM shop.products WHERE id = $1")
            .bind(d.product_id)
            .fetch_optional(crate::db::ex(tx))
            .await
            .map_err(|e| HandlerError::Transient(e.to_string()))?;
        let label = product_name.unwrap_or(name);
        let reset = serde_json::to_value(d.terms.traffic_reset).map_err(permanent)?;
        let new = NewPackage {
            id: Uuid::now_v7(),
            user_id: d.user_id,
            order_id: d.order_id,
            product_id: d.product_id,
            version_id: d.package_version_id,
            name: &label,
            terms: &d.terms,
            traffic_reset: reset.as_str().unwrap_or("none"),
        };
        if !store::insert_queued(tx, &new).await? {
            return Ok(());
        }
        super::subscriptions::ensure(tx, &self.0.keys, d.user_id).await?;
        if activate_next(tx, d.user_id).await?.is_some() {
            bump_after_commit(&self.0.snapshots);
        }
        Ok(())
    }
}
