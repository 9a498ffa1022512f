//! `helium.v1.AffiliateService` and `AnnouncementService`: the staff market and notify routes
//! over gRPC, with REST's permissions, validation, audit and codes.

use chrono::{DateTime, Utc};
use helium_domain::admin::Permission;
use helium_domain::market::commands::{policy, status_filter};
use helium_infra::market::store::commissions::Filter;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use super::admin::{id, invalid, optional_id, staff, ts};
use super::shop::money;
use super::{err, pb};
use crate::http::rate_limit::RouteClass::{Read, Write};
use crate::rest::admin::affiliates as ra;
use crate::rest::admin::announcements as rn;
use crate::state::AppState;

/// An absent or empty id filter is no filter.
fn filter_id(raw: Option<String>, field: &str) -> Result<Option<Uuid>, Status> {
    optional_id(crate::http::params::present(raw), field)
}

fn instant(raw: Option<String>, field: &str) -> Result<Option<DateTime<Utc>>, Status> {
    crate::http::params::instant(field, raw).map_err(Status::from)
}

fn ids(raw: &[String], field: &str) -> Result<Vec<Uuid>, Status> {
    raw.iter().map(|s| s.trim().parse().map_err(|_| invalid(field, "invalid_format", "UUIDs"))).collect()
}

fn policy_pb(p: ra::AffiliatePolicy) -> pb::AffiliatePolicy {
    pb::AffiliatePolicy {
        user_id: p.user_id.to_string(),
        enabled: p.enabled,
        reward_rate: p.reward_rate,
        trigger_limit: p.trigger_limit,
        max_invite_codes: p.max_invite_codes,
        overrides: Some(pb::AffiliateOverrides {
            enabled: p.overrides.enabled,
            reward_rate: p.overrides.reward_rate,
            trigger_limit: p.overrides.trigger_limit,
            max_invite_codes: p.overrides.max_invite_codes,
        }),
        referrer_id: p.referrer_id.map(|r| r.to_string()),
    }
}

fn announcement_pb(a: rn::AdminAnnouncement) -> pb::AdminAnnouncement {
    pb::AdminAnnouncement {
        id: a.id.to_string(),
        title: a.title,
        body: a.body,
        group_ids: a.group_ids.iter().map(Uuid::to_string).collect(),
        pinned: a.pinned,
        priority: a.priority,
        publish_at: ts(a.publish_at),
        expires_at: a.expires_at.map(ts),
        email: a.email,
        email_category: a.email_category,
        emailed_at: a.emailed_at.map(ts),
        active: a.active,
        created_at: ts(a.created_at),
        updated_at: ts(a.updated_at),
    }
}

pub struct AffiliateGrpc {
    state: AppState,
}

impl AffiliateGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::affiliate_service_server::AffiliateService for AffiliateGrpc {
    async fn get_affiliate_policy(
        &self,
        req: Request<pb::AffiliateUserRequest>,
    ) -> Result<Response<pb::AffiliatePolicy>, Status> {
        staff(&self.state, &req, Permission::AffiliateRead, Read).await?;
        let user = id(&req.get_ref().user_id, "customer")?;
        let p: ra::AffiliatePolicy = self.state.market.affiliates.get(user).await.map_err(err)?.into();
        Ok(Response::new(policy_pb(p)))
    }

    async fn put_affiliate_policy(
        &self,
        req: Request<pb::PutAffiliatePolicyRequest>,
    ) -> Result<Response<pb::AffiliatePolicy>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::AffiliateWrite, Write).await?;
        let r = req.into_inner();
        let user = id(&r.user_id, "customer")?;
        let p = policy(r.enabled, r.reward_rate.as_deref(), r.trigger_limit, r.max_invite_codes).map_err(err)?;
        let p: ra::AffiliatePolicy = self.state.market.affiliates.put(&actor, user, &p).await.map_err(err)?.into();
        Ok(Response::new(policy_pb(p)))
    }

    async fn list_commissions(
        &self,
        req: Request<pb::AdminListCommissionsRequest>,
    ) -> Result<Response<pb::AdminCommissionPage>, Status> {
        staff(&self.state, &req, Permission::AffiliateWrite, Read).await?;
        let r = req.into_inner();
        let filter = Filter {
            beneficiary_id: filter_id(r.beneficiary_id, "beneficiary_id")?,
            referee_id: filter_id(r.referee_id, "referee_id")?,
            status: status_filter(crate::http::params::present(r.status).as_deref()).map_err(err)?,
        };
        let page = self.state.market.earnings.commissions(&filter, r.cursor.as_deref(), r.limit).await.map_err(err)?;
        let items = page
            .items
            .into_iter()
            .map(|c| {
                let c = ra::AdminCommission::from(c);
                pb::AdminCommission {
                    id: c.id.to_string(),
                    beneficiary_id: c.beneficiary_id.to_string(),
                    referee_id: c.referee_id.to_string(),
                    order_id: c.order_id.to_string(),
                    order_amount: money(c.order_amount.amount, &c.order_amount.currency),
                    rate: c.rate,
                    amount: money(c.amount.amount, &c.amount.currency),
                    status: c.status,
                    available_at: ts(c.available_at),
                    created_at: ts(c.created_at),
                    reversed_at: c.reversed_at.map(ts),
                }
            })
            .collect();
        Ok(Response::new(pb::AdminCommissionPage { items, next_cursor: page.next_cursor }))
    }
}

pub struct AnnouncementGrpc {
    state: AppState,
}

impl AnnouncementGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::announcement_service_server::AnnouncementService for AnnouncementGrpc {
    async fn list_announcements(
        &self,
        req: Request<pb::AdminListAnnouncementsRequest>,
    ) -> Result<Response<pb::AdminAnnouncementPage>, Status> {
        staff(&self.state, &req, Permission::AnnouncementsRead, Read).await?;
        let r = req.into_inner();
        let group = filter_id(r.group_id, "group_id")?;
        let page =
            self.state.notify.announcements.list(r.active, group, r.cursor.as_deref(), r.limit).await.map_err(err)?;
        Ok(Response::new(pb::AdminAnnouncementPage {
            items: page.items.into_iter().map(|a| announcement_pb(a.into())).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn create_announcement(
        &self,
        req: Request<pb::AnnouncementInput>,
    ) -> Result<Response<pb::AdminAnnouncement>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::AnnouncementsWrite, Write).await?;
        let r = req.into_inner();
        let body = rn::CreateAnnouncementRequest {
            group_ids: ids(&r.group_ids, "group_ids")?,
            publish_at: instant(r.publish_at, "publish_at")?,
            expires_at: instant(r.expires_at, "expires_at")?,
            title: r.title,
            body: r.body,
            pinned: r.pinned,
            priority: r.priority,
            email: r.email,
            email_category: r.email_category,
        };
        let input = rn::create_input(&body).map_err(err)?;
        let a = self.state.notify.announcements.create(&actor, &input).await.map_err(err)?;
        Ok(Response::new(announcement_pb(a.into())))
    }

    async fn get_announcement(
        &self,
        req: Request<pb::AdminAnnouncementIdRequest>,
    ) -> Result<Response<pb::AdminAnnouncement>, Status> {
        staff(&self.state, &req, Permission::AnnouncementsRead, Read).await?;
        let aid = id(&req.get_ref().id, "announcement")?;
        Ok(Response::new(announcement_pb(self.state.notify.announcements.get(aid).await.map_err(err)?.into())))
    }

    async fn update_announcement(
        &self,
        req: Request<pb::UpdateAnnouncementRequest>,
    ) -> Result<Response<pb::AdminAnnouncement>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::AnnouncementsWrite, Write).await?;
        let r = req.into_inner();
        let aid = id(&r.id, "announcement")?;
        let patch = rn::UpdateAnnouncementRequest {
            group_ids: if r.set_group_ids { Some(ids(&r.group_ids, "group_ids")?) } else { None },
            publish_at: instant(r.publish_at, "publish_at")?,
            expires_at: if r.clear_expires_at { Some(None) } else { instant(r.expires_at, "expires_at")?.map(Some) },
            title: r.title,
            body: r.body,
            pinned: r.pinned,
            priority: r.priority,
            email: r.email,
            email_category: r.email_category,
        };
        let now = self.state.notify.announcements.get(aid).await.map_err(err)?;
        let input = rn::update_input(&now, &patch).map_err(err)?;
        let a = self.state.notify.announcements.update(&actor, aid, &input).await.map_err(err)?;
        Ok(Response::new(announcement_pb(a.into())))
    }

    async fn delete_announcement(
        &self,
        req: Request<pb::AdminAnnouncementIdRequest>,
    ) -> Result<Response<pb::Empty>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::AnnouncementsWrite, Write).await?;
        let aid = id(&req.get_ref().id, "announcement")?;
        self.state.notify.announcements.delete(&actor, aid).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }
}
