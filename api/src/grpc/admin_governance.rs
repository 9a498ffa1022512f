//! `helium.v1.AuditService`, `ConfigService` and `CustomersService`: the gRPC face of the
//! staff routes of REST tags `audit`, `config` and `customers`. Same permission per operation
//! and rate-limit class as REST (`admin::staff`), same commands, same use cases — nothing more.

use helium_domain::admin::Permission;
use helium_domain::audit::AuditEntry;
use helium_domain::auth::CustomerAccount;
use helium_domain::auth::commands::reason;
use helium_infra::admin::governance::MaskedConfig;
use serde_json::Value;
use tonic::{Request, Response, Status};

use super::admin::{id, invalid, staff, ts};
use super::err;
use super::pb;
use crate::http::params;
use crate::http::rate_limit::RouteClass::{Read, Write};
use crate::state::AppState;

fn json(v: Option<Value>) -> Option<String> {
    v.map(|v| v.to_string())
}

// ---- AuditService --------------------------------------------------------------------------

fn audit_event(r: AuditEntry) -> pb::AuditEvent {
    pb::AuditEvent {
        id: r.id.to_string(),
        at: ts(r.at),
        actor: Some(pb::AuditActor { r#type: r.actor_type, id: r.actor_id.map(|u| u.to_string()), role: r.actor_role }),
        action: r.action,
        target: Some(pb::AuditTarget { r#type: r.target_type, id: r.target_id }),
        before: json(r.before),
        after: json(r.after),
        reason: r.reason,
        request_id: r.request_id,
        ip: r.ip,
        user_agent: r.user_agent,
    }
}

pub struct AuditGrpc {
    state: AppState,
}

impl AuditGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::audit_service_server::AuditService for AuditGrpc {
    async fn list_audit_events(
        &self,
        req: Request<pb::ListAuditEventsRequest>,
    ) -> Result<Response<pb::AuditEventPage>, Status> {
        staff(&self.state, &req, Permission::AuditRead, Read).await?;
        let r = req.into_inner();
        let filter = params::audit_filter(r.actor_id, r.action, r.target_type, r.target_id, r.from, r.to)?;
        let cursor = params::present(r.cursor);
        let page = self.state.admin.governance.audit_page(&filter, cursor.as_deref(), r.limit).await.map_err(err)?;
        Ok(Response::new(pb::AuditEventPage {
            items: page.items.into_iter().map(audit_event).collect(),
            next_cursor: page.next_cursor,
        }))
    }
}

// ---- ConfigService -------------------------------------------------------------------------

fn document(c: MaskedConfig) -> pb::ConfigDocument {
    pb::ConfigDocument { key: c.key.to_owned(), version: c.version, value: c.value.to_string() }
}

pub struct ConfigGrpc {
    state: AppState,
}

impl ConfigGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::config_service_server::ConfigService for ConfigGrpc {
    async fn list_config(&self, req: Request<pb::Empty>) -> Result<Response<pb::ConfigSummaryList>, Status> {
        staff(&self.state, &req, Permission::ConfigManage, Read).await?;
        let items = self
            .state
            .admin
            .governance
            .list_config()
            .await
            .map_err(err)?
            .into_iter()
            .map(|c| pb::ConfigSummary { key: c.key, version: c.version, updated_at: ts(c.updated_at) })
            .collect();
        Ok(Response::new(pb::ConfigSummaryList { items }))
    }

    async fn get_config(&self, req: Request<pb::ConfigKeyRequest>) -> Result<Response<pb::ConfigDocument>, Status> {
        staff(&self.state, &req, Permission::ConfigManage, Read).await?;
        Ok(Response::new(document(self.state.admin.governance.get_config(&req.get_ref().key).await.map_err(err)?)))
    }

    async fn put_config(&self, req: Request<pb::PutConfigRequest>) -> Result<Response<pb::ConfigDocument>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::ConfigManage, Write).await?;
        let r = req.into_inner();
        let value: Value = serde_json::from_str(&r.value)
            .map_err(|_| invalid("value", "invalid_format", "the whole document as a JSON string"))?;
        let doc =
            self.state.admin.governance.put_config(&actor, &r.key, value, r.expected_version).await.map_err(err)?;
        Ok(Response::new(document(doc)))
    }
}

// ---- CustomersService ----------------------------------------------------------------------

fn summary(c: CustomerAccount) -> pb::CustomerSummary {
    pb::CustomerSummary {
        id: c.id.to_string(),
        email: c.email,
        display_name: c.display_name,
        status: c.status.as_str().to_owned(),
        mfa_enabled: c.mfa_enabled,
        created_at: ts(c.created_at),
        updated_at: ts(c.updated_at),
    }
}

pub struct CustomersGrpc {
    state: AppState,
}

impl CustomersGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::customers_service_server::CustomersService for CustomersGrpc {
    async fn list_customers(
        &self,
        req: Request<pb::ListCustomersRequest>,
    ) -> Result<Response<pb::CustomerPage>, Status> {
        staff(&self.state, &req, Permission::CustomersRead, Read).await?;
        let r = req.into_inner();
        let page = self
            .state
            .auth
            .customers
            .page(r.q.as_deref(), r.status.as_deref(), r.limit, r.cursor.as_deref())
            .await
            .map_err(err)?;
        Ok(Response::new(pb::CustomerPage {
            items: page.items.into_iter().map(summary).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn get_customer(&self, req: Request<pb::CustomerIdRequest>) -> Result<Response<pb::CustomerDetail>, Status> {
        staff(&self.state, &req, Permission::CustomersRead, Read).await?;
        let customer = id(&req.get_ref().id, "customer")?;
        let d = self.state.auth.customers.details(customer).await.map_err(err)?;
        let mut login_methods = Vec::new();
        if d.account.has_password {
            login_methods.push(pb::CustomerLoginMethod { kind: "password".into(), provider: None, last_used_at: None });
        }
        if d.account.email_code_enabled {
            login_methods.push(pb::CustomerLoginMethod {
                kind: "email_code".into(),
                provider: None,
                last_used_at: None,
            });
        }
        login_methods.extend(d.identities.into_iter().map(|i| pb::CustomerLoginMethod {
            kind: "oauth".into(),
            provider: Some(i.provider),
            last_used_at: i.last_used_at.map(ts),
        }));
        let sessions = d
            .sessions
            .into_iter()
            .map(|s| pb::CustomerSessionInfo {
                id: s.id.to_string(),
                device: s.device,
                ip: s.ip,
                created_at: ts(s.created_at),
                last_used_at: ts(s.last_used_at),
            })
            .collect();
        Ok(Response::new(pb::CustomerDetail { account: Some(summary(d.account)), login_methods, sessions }))
    }

    async fn ban_customer(
        &self,
        req: Request<pb::CustomerReasonRequest>,
    ) -> Result<Response<pb::CustomerSummary>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::CustomersBan, Write).await?;
        let r = req.into_inner();
        let customer = id(&r.id, "customer")?;
        let why = reason(&r.reason).map_err(err)?;
        let row = self.state.auth.customers.set_banned(&actor, customer, true, &why).await.map_err(err)?;
        Ok(Response::new(summary(row)))
    }

    async fn unban_customer(
        &self,
        req: Request<pb::CustomerReasonRequest>,
    ) -> Result<Response<pb::CustomerSummary>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::CustomersBan, Write).await?;
        let r = req.into_inner();
        let customer = id(&r.id, "customer")?;
        let why = reason(&r.reason).map_err(err)?;
        let row = self.state.auth.customers.set_banned(&actor, customer, false, &why).await.map_err(err)?;
        Ok(Response::new(summary(row)))
    }

    async fn reset_customer_mfa(&self, req: Request<pb::CustomerReasonRequest>) -> Result<Response<pb::Empty>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::CustomersMfaReset, Write).await?;
        let r = req.into_inner();
        let customer = id(&r.id, "customer")?;
        let why = reason(&r.reason).map_err(err)?;
        self.state.auth.customers.reset_mfa(&actor, customer, &why).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn revoke_customer_sessions(
        &self,
        req: Request<pb::CustomerIdRequest>,
    ) -> Result<Response<pb::Empty>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::CustomersBan, Write).await?;
        let customer = id(&req.get_ref().id, "customer")?;
        self.state.auth.customers.revoke_sessions(&actor, customer).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }
}
