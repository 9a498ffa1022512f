//! Staff management of webhook endpoints. The secret is shown once (create, rotate), kept
//! sealed under the data key (bound to the endpoint id) and never logged, audited or answered
//! again. Every write is audited in its own transaction.

use std::sync::Arc;

use chrono::Utc;
use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::events::types;
use helium_domain::notify::webhooks::{
    DeliveryStatus, EndpointPatch, NewEndpoint, SECRET_BYTES, format_secret, grace_secs,
};
use helium_domain::{DomainError, ErrorCode};
use rand::RngCore;
use serde_json::json;
use uuid::Uuid;

use super::WebhookContext;
use super::store::{self, Attempt, Delivery, Endpoint, NewDelivery};
use crate::audit;
use crate::paging::{Page, decode_cursor, page_limit, page_of};

fn not_found() -> DomainError {
    DomainError::not_found("no such webhook endpoint")
}

fn disabled() -> DomainError {
    DomainError::rejected(ErrorCode::EndpointDisabled, "this webhook endpoint is disabled")
}

/// What the audit log keeps of an endpoint: never the secret.
fn endpoint_json(e: &Endpoint) -> serde_json::Value {
    json!({ "url": e.url, "description": e.description, "event_types": e.event_types, "enabled": e.enabled })
}

fn fresh_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    format_secret(&bytes)
}

fn internal(e: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(e.to_string())
}

/// The body every receiver gets: `{type, timestamp, data}`.
pub fn message_body(event_type: &str, at: chrono::DateTime<Utc>, data: &serde_json::Value) -> String {
    json!({ "type": event_type, "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true), "data": data })
        .to_string()
}

/// `webhook-id` of a delivery: stable across its attempts.
pub fn message_id(delivery_id: Uuid) -> String {
    format!("msg_{}", delivery_id.simple())
}

/// A delivery with its attempts, oldest first.
#[derive(Debug, Clone)]
pub struct DeliveryView {
    pub delivery: Delivery,
    pub attempts: Vec<Attempt>,
}

#[derive(Clone)]
pub struct Endpoints(pub(crate) Arc<WebhookContext>);

impl Endpoints {
    /// Whether loopback/http endpoints are allowed (tests only).
    pub fn allow_loopback(&self) -> bool {
        self.0.settings.allow_loopback
    }

    /// The endpoint and its secret, shown this once.
    pub async fn create(&self, actor: &Actor, cmd: &NewEndpoint) -> Result<(Endpoint, String), DomainError> {
        let ctx = &self.0;
        let secret = fresh_secret();
        crate::transaction!(ctx.db, |tx| {
            let id = Uuid::now_v7();
            let sealed = ctx.keys.sealer(tx).await?.seal(secret.as_bytes(), id.as_bytes()).map_err(internal)?;
            let e = store::insert_endpoint(tx, id, cmd, &sealed).await?;
            let change =
                Change::new(AuditAction::WebhookEndpointCreate, "webhook_endpoint", id).after(endpoint_json(&e));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok((e, secret.clone()))
        })
    }

    pub async fn get(&self, id: Uuid) -> Result<Endpoint, DomainError> {
        let mut c = self.0.db.conn().await?;
        store::endpoint(&mut c, id).await?.ok_or_else(not_found)
    }

    pub async fn list(&self, cursor: Option<&str>, limit: Option<i64>) -> Result<Page<Endpoint>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = "webhook_endpoints";
        let after = cursor.map(|c| decode_cursor(scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = store::endpoints(&mut c, after, limit + 1).await?;
        Ok(page_of(rows, limit, scope, |e| (e.created_at, e.id)))
    }

    pub async fn update(&self, actor: &Actor, id: Uuid, patch: &EndpointPatch) -> Result<Endpoint, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let before = store::endpoint(tx, id).await?.ok_or_else(not_found)?;
            let after = store::update_endpoint(tx, id, patch).await?.ok_or_else(not_found)?;
            let change = Change::new(AuditAction::WebhookEndpointUpdate, "webhook_endpoint", id)
                .before(endpoint_json(&before))
                .after(endpoint_json(&after));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(after)
        })
    }

    /// Removes the endpoint with its deliveries and their attempts.
    pub async fn delete(&self, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let before = store::endpoint(tx, id).await?.ok_or_else(not_found)?;
            if !store::delete_endpoint(tx, id).await? {
                return Err(not_found());
            }
            let change =
                Change::new(AuditAction::WebhookEndpointDelete, "webhook_endpoint", id).before(endpoint_json(&before));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(())
        })
    }

    /// A new secret, shown this once; the old one keeps signing for `grace` seconds (default
    /// a day, at most a week; 0 ends it now). Only one old secret is kept: rotating again
    /// during a grace ends the older one.
    pub async fn rotate(&self, actor: &Actor, id: Uuid, grace: Option<i64>) -> Result<(Endpoint, String), DomainError> {
        let grace = grace_secs(grace)?;
        let ctx = &self.0;
        let secret = fresh_secret();
        crate::transaction!(ctx.db, |tx| {
            let old = store::sealed_secret(tx, id).await?.ok_or_else(not_found)?;
            let sealed = ctx.keys.sealer(tx).await?.seal(secret.as_bytes(), id.as_bytes()).map_err(internal)?;
            let previous = (grace > 0).then_some(old.as_str());
            let e = store::rotate(tx, id, &sealed, previous, grace).await?.ok_or_else(not_found)?;
            let change = Change::new(AuditAction::WebhookSecretRotate, "webhook_endpoint", id)
                .after(json!({ "grace_secs": grace, "previous_secret_expires_at": e.previous_secret_expires_at }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok((e, secret.clone()))
        })
    }

    /// Queues a `webhook.test` message to this endpoint only; its delivery id.
    pub async fn send_test(&self, actor: &Actor, id: Uuid) -> Result<Uuid, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let e = store::endpoint(tx, id).await?.ok_or_else(not_found)?;
            if !e.enabled {
                return Err(disabled());
            }
            let delivery_id = Uuid::now_v7();
            let event_id = Uuid::now_v7();
            let data = json!({ "endpoint_id": id, "message": "This is a test message from Helium." });
            let body = message_body(types::WEBHOOK_TEST, Utc::now(), &data);
            let msg = message_id(delivery_id);
            let d = NewDelivery {
                id: delivery_id,
                endpoint_id: id,
                event_id,
                event_type: types::WEBHOOK_TEST,
                message_id: &msg,
                body: &body,
            };
            store::insert_delivery(tx, &d).await?;
            let change = Change::new(AuditAction::WebhookTestSend, "webhook_endpoint", id)
                .after(json!({ "delivery_id": delivery_id }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(delivery_id)
        })
    }

    pub async fn deliveries(
        &self,
        endpoint_id: Uuid,
        status: Option<DeliveryStatus>,
        event_type: Option<&str>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<DeliveryView>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = format!("webhook_deliveries|{endpoint_id}|{status:?}|{event_type:?}");
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        store::endpoint(&mut c, endpoint_id).await?.ok_or_else(not_found)?;
        let rows = store::deliveries(&mut c, endpoint_id, status, event_type, after, limit + 1).await?;
        let page = page_of(rows, limit, &scope, |d| (d.created_at, d.id));
        let ids: Vec<Uuid> = page.items.iter().map(|d| d.id).collect();
        let mut attempts = store::attempts(&mut c, &ids).await?;
        let items = page
            .items
            .into_iter()
            .map(|delivery| {
                let (mine, rest): (Vec<Attempt>, Vec<Attempt>) =
                    std::mem::take(&mut attempts).into_iter().partition(|a| a.delivery_id == delivery.id);
                attempts = rest;
                DeliveryView { delivery, attempts: mine }
            })
            .collect();
        Ok(Page { items, next_cursor: page.next_cursor })
    }

    /// Makes a delivery due now (a new back-off series); 409 when the endpoint is disabled.
    pub async fn retry(&self, actor: &Actor, endpoint_id: Uuid, delivery_id: Uuid) -> Result<(), DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let e = store::endpoint(tx, endpoint_id).await?.ok_or_else(not_found)?;
            let d = store::delivery(tx, endpoint_id, delivery_id)
                .await?
                .ok_or_else(|| DomainError::not_found("no such delivery"))?;
            if !e.enabled {
                return Err(disabled());
            }
            store::requeue(tx, endpoint_id, delivery_id).await?;
            let change = Change::new(AuditAction::WebhookDeliveryRetry, "webhook_delivery", delivery_id)
                .before(json!({ "status": d.status.as_str(), "attempts": d.attempts }))
                .after(json!({ "endpoint_id": endpoint_id, "status": "pending" }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(())
        })
    }
}
