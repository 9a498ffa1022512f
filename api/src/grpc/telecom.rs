//! `helium.v1.TelecomService`: the gRPC face of the customer telecom routes. The answers are
//! the REST bodies (built by the same functions), mapped field for field.

use tonic::{Request, Response, Status};

use super::admin::{id, ts};
use super::{customer, pb};
use crate::http::rate_limit::RouteClass::{Auth, Read};
use crate::rest::telecom::customer as rest;
use crate::rest::telecom::dto;
use crate::state::AppState;

fn package(p: dto::Package) -> pb::Package {
    pb::Package {
        id: p.id.to_string(),
        user_id: p.user_id.to_string(),
        order_id: p.order_id.map(|o| o.to_string()),
        product_id: p.product_id.map(|o| o.to_string()),
        name: p.name,
        status: p.status,
        position: p.position,
        traffic_bytes: p.traffic_bytes,
        used: p.used,
        upload: p.upload,
        download: p.download,
        duration_days: p.duration_days,
        speed_limit_mbps: p.speed_limit_mbps,
        device_limit: p.device_limit,
        traffic_reset: p.traffic_reset,
        activated_at: p.activated_at.map(ts),
        expires_at: p.expires_at.map(ts),
        ended_at: p.ended_at.map(ts),
        end_reason: p.end_reason,
        created_at: ts(p.created_at),
    }
}

fn subscription(s: dto::Subscription) -> pb::Subscription {
    pb::Subscription {
        token: s.token,
        links: s
            .links
            .into_iter()
            .map(|l| pb::SubscriptionLink { endpoint_name: l.endpoint_name, url: l.url })
            .collect(),
        created_at: ts(s.created_at),
        rotated_at: s.rotated_at.map(ts),
    }
}

pub struct TelecomGrpc {
    state: AppState,
}

impl TelecomGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::telecom_service_server::TelecomService for TelecomGrpc {
    async fn list_my_packages(
        &self,
        req: Request<pb::ListPackagesRequest>,
    ) -> Result<Response<pb::PackagePage>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        let r = req.into_inner();
        let page = rest::my_packages(&self.state, me.user_id, r.status, r.cursor, r.limit).await?;
        Ok(Response::new(pb::PackagePage {
            items: page.items.into_iter().map(package).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn get_my_package(&self, req: Request<pb::PackageIdRequest>) -> Result<Response<pb::Package>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        let p = rest::my_package(&self.state, me.user_id, id(&req.get_ref().id, "package")?).await?;
        Ok(Response::new(package(p)))
    }

    async fn get_usage(&self, req: Request<pb::Empty>) -> Result<Response<pb::Usage>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        let u = rest::usage(&self.state, me.user_id).await?;
        Ok(Response::new(pb::Usage {
            active_package: u.active_package.map(package),
            upload: u.upload,
            download: u.download,
            remaining: u.remaining,
            expires_at: u.expires_at.map(ts),
            queued: u.queued.into_iter().map(package).collect(),
        }))
    }

    async fn get_subscription(&self, req: Request<pb::Empty>) -> Result<Response<pb::Subscription>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        let creds = self.state.telecom.subscriptions.of(me.user_id).await.map_err(super::err)?;
        Ok(Response::new(subscription(rest::subscription(&self.state, creds).await?)))
    }

    async fn rotate_subscription_token(&self, req: Request<pb::Empty>) -> Result<Response<pb::Subscription>, Status> {
        let me = customer(&self.state, &req, Auth).await?;
        let creds = self.state.telecom.subscriptions.rotate(me.user_id, None).await.map_err(super::err)?;
        Ok(Response::new(subscription(rest::subscription(&self.state, creds).await?)))
    }

    async fn list_subscription_links(
        &self,
        req: Request<pb::ListSubscriptionLinksRequest>,
    ) -> Result<Response<pb::AppLinkList>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        let links = rest::app_links(&self.state, me.user_id, req.into_inner().endpoint_name).await?;
        let items = links
            .items
            .into_iter()
            .map(|l| pb::AppLink {
                endpoint_name: l.endpoint_name,
                format: l.format,
                url: l.url,
                import_url: l.import_url,
            })
            .collect();
        Ok(Response::new(pb::AppLinkList { items }))
    }

    async fn list_my_nodes(&self, req: Request<pb::Empty>) -> Result<Response<pb::MyNodeList>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        let nodes = rest::my_nodes(&self.state, me.user_id).await?;
        let items = nodes
            .items
            .into_iter()
            .map(|n| pb::MyNode {
                id: n.id.to_string(),
                name: n.name,
                region: n.region,
                protocol: n.protocol,
                rate: n.rate,
                online: n.online,
            })
            .collect();
        Ok(Response::new(pb::MyNodeList { items }))
    }
}
