//! `helium.v1.WebhookService`: the gRPC face of the staff routes of REST tag `webhooks`
//! (outgoing webhooks). Same permission (`webhooks.manage`), rate-limit class, commands, use
//! cases and error codes as REST — nothing more.

use helium_domain::admin::Permission::WebhooksManage as P;
use helium_domain::notify::webhooks::{EndpointPatch, NewEndpoint};
use helium_infra::notify::webhooks::endpoints::DeliveryView;
use helium_infra::notify::webhooks::store::Endpoint;
use tonic::{Request, Response, Status};

use super::admin::{id, staff, ts};
use super::{err, pb};
use crate::http::params;
use crate::http::rate_limit::RouteClass::{Read, Write};
use crate::rest::admin::webhooks::{event_type_filter, status_filter};
use crate::state::AppState;

fn endpoint(e: Endpoint) -> pb::WebhookEndpoint {
    pb::WebhookEndpoint {
        id: e.id.to_string(),
        url: e.url,
        description: e.description,
        event_types: e.event_types,
        enabled: e.enabled,
        previous_secret_expires_at: e.previous_secret_expires_at.map(ts),
        secret_rotated_at: e.secret_rotated_at.map(ts),
        created_at: ts(e.created_at),
        updated_at: ts(e.updated_at),
    }
}

fn delivery(v: DeliveryView) -> pb::WebhookDelivery {
    let d = v.delivery;
    pb::WebhookDelivery {
        id: d.id.to_string(),
        endpoint_id: d.endpoint_id.to_string(),
        event_id: d.event_id.to_string(),
        event_type: d.event_type,
        message_id: d.message_id,
        status: d.status.as_str().to_owned(),
        attempts: d.attempts,
        next_attempt_at: d.next_attempt_at.map(ts),
        last_attempt_at: d.last_attempt_at.map(ts),
        last_status_code: d.last_status_code,
        last_error: d.last_error,
        delivered_at: d.delivered_at.map(ts),
        created_at: ts(d.created_at),
        attempt_log: v
            .attempts
            .into_iter()
            .map(|a| pb::WebhookAttempt {
                attempt: a.attempt,
                attempted_at: ts(a.attempted_at),
                status_code: a.status_code,
                latency_ms: a.latency_ms,
                response_excerpt: a.response_excerpt,
                error: a.error,
            })
            .collect(),
    }
}

pub struct WebhookGrpc {
    state: AppState,
}

impl WebhookGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::webhook_service_server::WebhookService for WebhookGrpc {
    async fn list_webhook_endpoints(
        &self,
        req: Request<pb::ListWebhookEndpointsRequest>,
    ) -> Result<Response<pb::WebhookEndpointPage>, Status> {
        staff(&self.state, &req, P, Read).await?;
        let r = req.into_inner();
        let cursor = params::present(r.cursor);
        let page = self.state.webhooks.endpoints.list(cursor.as_deref(), r.limit).await.map_err(err)?;
        Ok(Response::new(pb::WebhookEndpointPage {
            items: page.items.into_iter().map(endpoint).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn create_webhook_endpoint(
        &self,
        req: Request<pb::CreateWebhookEndpointRequest>,
    ) -> Result<Response<pb::WebhookEndpointCreated>, Status> {
        let (_, actor) = staff(&self.state, &req, P, Write).await?;
        let r = req.into_inner();
        let cmd = NewEndpoint::new(
            &r.url,
            r.description.as_deref(),
            &r.event_types,
            r.enabled.unwrap_or(true),
            self.state.webhooks.endpoints.allow_loopback(),
        )
        .map_err(err)?;
        let (e, secret) = self.state.webhooks.endpoints.create(&actor, &cmd).await.map_err(err)?;
        Ok(Response::new(pb::WebhookEndpointCreated { endpoint: Some(endpoint(e)), secret }))
    }

    async fn get_webhook_endpoint(
        &self,
        req: Request<pb::WebhookEndpointIdRequest>,
    ) -> Result<Response<pb::WebhookEndpoint>, Status> {
        staff(&self.state, &req, P, Read).await?;
        let e = self.state.webhooks.endpoints.get(id(&req.get_ref().id, "endpoint")?).await.map_err(err)?;
        Ok(Response::new(endpoint(e)))
    }

    async fn update_webhook_endpoint(
        &self,
        req: Request<pb::UpdateWebhookEndpointRequest>,
    ) -> Result<Response<pb::WebhookEndpoint>, Status> {
        let (_, actor) = staff(&self.state, &req, P, Write).await?;
        let r = req.into_inner();
        let endpoint_id = id(&r.id, "endpoint")?;
        let description = if r.clear_description { Some(None) } else { r.description.as_deref().map(Some) };
        let patch = EndpointPatch::new(
            r.url.as_deref(),
            description,
            r.set_event_types.then_some(r.event_types.as_slice()),
            r.enabled,
            self.state.webhooks.endpoints.allow_loopback(),
        )
        .map_err(err)?;
        let e = self.state.webhooks.endpoints.update(&actor, endpoint_id, &patch).await.map_err(err)?;
        Ok(Response::new(endpoint(e)))
    }

    async fn delete_webhook_endpoint(
        &self,
        req: Request<pb::WebhookEndpointIdRequest>,
    ) -> Result<Response<pb::Empty>, Status> {
        let (_, actor) = staff(&self.state, &req, P, Write).await?;
        let endpoint_id = id(&req.get_ref().id, "endpoint")?;
        self.state.webhooks.endpoints.delete(&actor, endpoint_id).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn rotate_webhook_secret(
        &self,
        req: Request<pb::RotateWebhookSecretRequest>,
    ) -> Result<Response<pb::WebhookSecret>, Status> {
        let (_, actor) = staff(&self.state, &req, P, Write).await?;
        let r = req.into_inner();
        let endpoint_id = id(&r.id, "endpoint")?;
        let (e, secret) = self.state.webhooks.endpoints.rotate(&actor, endpoint_id, r.grace_secs).await.map_err(err)?;
        Ok(Response::new(pb::WebhookSecret {
            secret,
            previous_secret_expires_at: e.previous_secret_expires_at.map(ts),
        }))
    }

    async fn send_test_webhook(
        &self,
        req: Request<pb::WebhookEndpointIdRequest>,
    ) -> Result<Response<pb::WebhookDeliveryQueued>, Status> {
        let (_, actor) = staff(&self.state, &req, P, Write).await?;
        let endpoint_id = id(&req.get_ref().id, "endpoint")?;
        let delivery_id = self.state.webhooks.endpoints.send_test(&actor, endpoint_id).await.map_err(err)?;
        Ok(Response::new(pb::WebhookDeliveryQueued { delivery_id: delivery_id.to_string() }))
    }

    async fn list_webhook_deliveries(
        &self,
        req: Request<pb::ListWebhookDeliveriesRequest>,
    ) -> Result<Response<pb::WebhookDeliveryPage>, Status> {
        staff(&self.state, &req, P, Read).await?;
        let r = req.into_inner();
        let endpoint_id = id(&r.id, "endpoint")?;
        let status = status_filter(r.status)?;
        let event_type = event_type_filter(r.event_type)?;
        let cursor = params::present(r.cursor);
        let page = self
            .state
            .webhooks
            .endpoints
            .deliveries(endpoint_id, status, event_type.as_deref(), cursor.as_deref(), r.limit)
            .await
            .map_err(err)?;
        Ok(Response::new(pb::WebhookDeliveryPage {
            items: page.items.into_iter().map(delivery).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn retry_webhook_delivery(
        &self,
        req: Request<pb::RetryWebhookDeliveryRequest>,
    ) -> Result<Response<pb::WebhookDeliveryQueued>, Status> {
        let (_, actor) = staff(&self.state, &req, P, Write).await?;
        let r = req.into_inner();
        let endpoint_id = id(&r.id, "endpoint")?;
        let delivery_id = id(&r.delivery_id, "delivery")?;
        self.state.webhooks.endpoints.retry(&actor, endpoint_id, delivery_id).await.map_err(err)?;
        Ok(Response::new(pb::WebhookDeliveryQueued { delivery_id: delivery_id.to_string() }))
    }
}
