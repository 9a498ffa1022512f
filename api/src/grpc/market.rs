//! `helium.v1.MarketService`: the gRPC face of the customer market routes, over the same
//! services and validation.

use helium_domain::market::commands::{status_filter, withdraw_amount};
use helium_infra::market::store::commissions::Filter;
use tonic::{Request, Response, Status};

use super::admin::{id, ts};
use super::shop::{money, request_key, wallet};
use super::{customer, err, pb};
use crate::http::rate_limit::RouteClass::{Read, Write};
use crate::rest::market::dto;
use crate::state::AppState;

pub struct MarketGrpc {
    state: AppState,
}

impl MarketGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

fn code(k: helium_domain::market::model::InviteCode) -> pb::InviteCode {
    pb::InviteCode { id: k.id.to_string(), code: k.code, signups: k.signups, created_at: ts(k.created_at) }
}

#[tonic::async_trait]
impl pb::market_service_server::MarketService for MarketGrpc {
    async fn list_invite_codes(&self, req: Request<pb::PageRequest>) -> Result<Response<pb::InviteCodePage>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        let r = req.into_inner();
        let page = self.state.market.codes.list(me.user_id, r.cursor.as_deref(), r.limit).await.map_err(err)?;
        Ok(Response::new(pb::InviteCodePage {
            items: page.items.into_iter().map(code).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn create_invite_code(&self, req: Request<pb::Empty>) -> Result<Response<pb::InviteCode>, Status> {
        let me = customer(&self.state, &req, Write).await?;
        Ok(Response::new(code(self.state.market.codes.create(me.user_id).await.map_err(err)?)))
    }

    async fn delete_invite_code(&self, req: Request<pb::InviteCodeIdRequest>) -> Result<Response<pb::Empty>, Status> {
        let me = customer(&self.state, &req, Write).await?;
        let code_id = id(&req.get_ref().id, "invite code")?;
        self.state.market.codes.delete(me.user_id, code_id).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn get_referral_stats(&self, req: Request<pb::Empty>) -> Result<Response<pb::ReferralStats>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        let s: dto::ReferralStats = self.state.market.earnings.stats(me.user_id).await.map_err(err)?.into();
        Ok(Response::new(pb::ReferralStats {
            referred: s.referred,
            paying: s.paying,
            pending: money(s.pending.amount, &s.pending.currency),
            available: money(s.available.amount, &s.available.currency),
            withdrawn: money(s.withdrawn.amount, &s.withdrawn.currency),
            reward_rate: s.reward_rate,
            trigger_limit: s.trigger_limit,
            codes_max: s.codes_max,
            enabled: s.enabled,
        }))
    }

    async fn list_referrals(&self, req: Request<pb::PageRequest>) -> Result<Response<pb::ReferralPage>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        let r = req.into_inner();
        let page = self.state.market.earnings.referrals(me.user_id, r.cursor.as_deref(), r.limit).await.map_err(err)?;
        let items = page
            .items
            .into_iter()
            .map(|x| pb::Referral {
                masked_email: x.masked_email,
                joined_at: ts(x.joined_at),
                rewarded_orders: x.rewarded_orders,
            })
            .collect();
        Ok(Response::new(pb::ReferralPage { items, next_cursor: page.next_cursor }))
    }

    async fn list_commissions(
        &self,
        req: Request<pb::ListCommissionsRequest>,
    ) -> Result<Response<pb::CommissionPage>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        let r = req.into_inner();
        let status = status_filter(crate::http::params::present(r.status).as_deref()).map_err(err)?;
        let filter = Filter { beneficiary_id: Some(me.user_id), referee_id: None, status };
        let page = self.state.market.earnings.commissions(&filter, r.cursor.as_deref(), r.limit).await.map_err(err)?;
        let items = page
            .items
            .into_iter()
            .map(|c| {
                let c = dto::Commission::from(c);
                pb::Commission {
                    id: c.id.to_string(),
                    amount: money(c.amount.amount, &c.amount.currency),
                    status: c.status,
                    available_at: ts(c.available_at),
                    created_at: ts(c.created_at),
                }
            })
            .collect();
        Ok(Response::new(pb::CommissionPage { items, next_cursor: page.next_cursor }))
    }

    async fn withdraw_commission(
        &self,
        req: Request<pb::WithdrawCommissionRequest>,
    ) -> Result<Response<pb::CommissionWithdrawn>, Status> {
        let me = customer(&self.state, &req, Write).await?;
        let key = request_key(&req, &me, "WithdrawCommission")?;
        let amount = withdraw_amount(req.get_ref().amount).map_err(err)?;
        let w = self.state.market.earnings.withdraw(me.user_id, amount, Some(&key)).await.map_err(err)?;
        let withdrawn = money(w.amount, &w.wallet.currency);
        Ok(Response::new(pb::CommissionWithdrawn { withdrawn, wallet: Some(wallet(w.wallet)) }))
    }
}
