//! Delivery: on `order.paid`, a purchase or renewal becomes `delivered` and its entitlement
//! is announced as `order.delivered` (telecom turns it into a package); the customer gets the
//! payment e-mail. Idempotent: a redelivered event finds the order delivered already.

use helium_domain::events::{EmailTemplate, Event, types};
use helium_domain::shop::model::{OrderDelivered, OrderKind};
use helium_domain::shop::rules::yuan;
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::store::{catalog, orders};
use crate::events::consumer::{Handler, HandlerError};
use crate::events::outbox;
use crate::identity::keyring::DataKey;
use crate::mail::request::email_event;

#[derive(Deserialize)]
struct Paid {
    order_id: Uuid,
}

pub struct DeliveryHandler {
    pub keys: DataKey,
    pub public_url: String,
}

#[async_trait::async_trait]
impl Handler for DeliveryHandler {
    fn name(&self) -> &'static str {
        "shop_delivery"
    }

    fn event_types(&self) -> &'static [&'static str] {
        &[types::ORDER_PAID]
    }

    async fn handle(&self, tx: &mut PgConnection, event: &Event, _attempt: u32) -> Result<(), HandlerError> {
        let paid: Paid =
            serde_json::from_value(event.payload.clone()).map_err(|e| HandlerError::Permanent(e.to_string()))?;
        let Some(order) = orders::lock(tx, paid.order_id).await? else {
            return Err(HandlerError::Permanent(format!("order {} does not exist", paid.order_id)));
        };
        if order.kind == OrderKind::TopUp || !orders::mark_delivered(tx, order.id).await? {
            return Ok(());
        }
        let (Some(product_id), Some(version_id), Some(paid_at)) =
            (order.product_id, order.package_version_id, order.paid_at)
        else {
            return Err(HandlerError::Permanent(format!("order {} has no product version", order.id)));
        };
        let version = catalog::version(tx, version_id)
            .await?
            .ok_or_else(|| HandlerError::Permanent(format!("version {version_id} does not exist")))?;
        let delivered = OrderDelivered {
            order_id: order.id,
            user_id: order.user_id,
            product_id,
            package_version_id: version_id,
            terms: version.terms,
            paid_at,
            renewal: order.kind == OrderKind::Renewal,
        };
        let payload = serde_json::to_value(&delivered).map_err(|e| HandlerError::Permanent(e.to_string()))?;
        let announced =
            Event::new(Uuid::now_v7(), types::ORDER_DELIVERED, order.id.to_string(), chrono::Utc::now(), payload);
        outbox::append(tx, &announced).await?;
        if let Some(user) = crate::auth::store::users::by_id(tx, order.user_id).await? {
            let context = json!({
                "trade_no": order.trade_no,
                "product_name": order.product_name,
                "amount": format!("{} {}", yuan(order.total), order.currency),
                "order_url": format!("{}/orders/{}", self.public_url.trim_end_matches('/'), order.id),
            });
            let mail = email_event(tx, &self.keys, &user.email, EmailTemplate::OrderPaid, context, json!({})).await?;
            outbox::append(tx, &mail).await?;
        }
        Ok(())
    }
}
