//! Payment methods (SuperAdmin): the merchant key is sealed at rest, never returned, never
//! logged; customers see only enabled methods' names and channels.

use std::sync::Arc;

use helium_domain::DomainError;
use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::shop::commands::{PaymentMethodInput, PaymentMethodPatch};
use helium_domain::shop::model::PaymentMethod;
use serde_json::json;
use uuid::Uuid;

use super::context::{ShopContext, not_found};
use super::store::methods;
use crate::audit;
use crate::paging::{Page, decode_cursor, page_limit, page_of};

fn snapshot(m: &PaymentMethod) -> serde_json::Value {
    json!({ "name": m.name, "channel": m.channel, "url": m.url, "pid": m.pid, "enabled": m.enabled, "sort": m.sort })
}

#[derive(Clone)]
pub struct Methods(pub(crate) Arc<ShopContext>);

impl Methods {
    pub async fn create(&self, actor: &Actor, cmd: &PaymentMethodInput) -> Result<PaymentMethod, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let id = Uuid::now_v7();
            let sealer = ctx.keys.sealer(tx).await?;
            let sealed =
                sealer.seal(cmd.key.as_bytes(), id.as_bytes()).map_err(|e| DomainError::Internal(e.to_string()))?;
            let m = methods::insert(tx, id, cmd, &sealed).await?;
            let change = Change::new(AuditAction::PaymentMethodCreate, "payment_method", id).after(snapshot(&m));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(m)
        })
    }

    pub async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        cmd: &PaymentMethodPatch,
    ) -> Result<PaymentMethod, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let before = methods::get(tx, id).await?.ok_or_else(|| not_found("payment method"))?;
            cmd.check_destination(&before.url)?;
            let sealed = match &cmd.key {
                Some(key) => {
                    let sealer = ctx.keys.sealer(tx).await?;
                    Some(sealer.seal(key.as_bytes(), id.as_bytes()).map_err(|e| DomainError::Internal(e.to_string()))?)
                }
                None => None,
            };
            let after =
                methods::update(tx, id, cmd, sealed.as_deref()).await?.ok_or_else(|| not_found("payment method"))?;
            let mut after_json = snapshot(&after);
            if cmd.key.is_some() {
                after_json["key"] = json!("rotated");
            }
            let change = Change::new(AuditAction::PaymentMethodUpdate, "payment_method", id)
                .before(snapshot(&before))
                .after(after_json);
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(after)
        })
    }

    /// Disables a method (kept for the payments that refer to it).
    pub async fn disable(&self, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let before = methods::get(tx, id).await?.ok_or_else(|| not_found("payment method"))?;
            let patch = PaymentMethodPatch { enabled: Some(false), ..Default::default() };
            methods::update(tx, id, &patch, None).await?;
            let change = Change::new(AuditAction::PaymentMethodDisable, "payment_method", id)
                .before(json!({ "enabled": before.enabled }))
                .after(json!({ "enabled": false }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(())
        })
    }

    pub async fn page(
        &self,
        enabled_only: bool,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<PaymentMethod>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = if enabled_only { "methods|enabled" } else { "methods|all" };
        let after = cursor.map(|c| decode_cursor(scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        Ok(page_of(methods::list(&mut c, enabled_only, after, limit + 1).await?, limit, scope, |m| {
            (m.created_at, m.id)
        }))
    }

    pub async fn get(&self, id: Uuid) -> Result<PaymentMethod, DomainError> {
        let mut c = self.0.db.conn().await?;
        methods::get(&mut c, id).await?.ok_or_else(|| not_found("payment method"))
    }
}
