//! `helium.v1.SupportService` (customers) and `helium.v1.AdminSupportService` (staff): the
//! gRPC face of REST tag `support`. Same commands, permissions, rate-limit classes and use
//! cases as the REST routes — nothing more.

use helium_domain::admin::Permission;
use helium_domain::support::commands::{NewTicket, StatusChange, message_body, status_filter};
use helium_domain::support::model as m;
use helium_domain::support::rules;
use helium_infra::support::store::tickets::TicketFilter;
use tonic::{Request, Response, Status};

use super::admin::{id, optional_id, staff, ts};
use super::{customer, err, pb};
use crate::http::rate_limit::RouteClass::{Read, Write};
use crate::state::AppState;

fn ticket(t: m::Ticket) -> pb::Ticket {
    pb::Ticket {
        id: t.id.to_string(),
        subject: t.subject,
        status: t.status.as_str().to_owned(),
        priority: t.priority.as_str().to_owned(),
        order_id: t.order_id.map(|o| o.to_string()),
        created_at: ts(t.created_at),
        updated_at: ts(t.updated_at),
        closed_at: t.closed_at.map(ts),
    }
}

fn message(msg: m::TicketMessage) -> pb::TicketMessage {
    let author = if msg.author_type.is_staff() { "staff" } else { "customer" };
    pb::TicketMessage {
        id: msg.id.to_string(),
        author: author.to_owned(),
        body: msg.body,
        created_at: ts(msg.created_at),
    }
}

fn admin_ticket(t: m::Ticket) -> pb::AdminTicket {
    pb::AdminTicket {
        id: t.id.to_string(),
        user_id: t.user_id.to_string(),
        subject: t.subject,
        status: t.status.as_str().to_owned(),
        priority: t.priority.as_str().to_owned(),
        order_id: t.order_id.map(|o| o.to_string()),
        assignee_id: t.assignee_id.map(|a| a.to_string()),
        created_at: ts(t.created_at),
        updated_at: ts(t.updated_at),
        closed_at: t.closed_at.map(ts),
    }
}

fn admin_message(msg: m::TicketMessage) -> pb::AdminTicketMessage {
    pb::AdminTicketMessage {
        id: msg.id.to_string(),
        author_type: msg.author_type.as_str().to_owned(),
        author_id: msg.author_id.to_string(),
        internal: msg.internal,
        body: msg.body,
        created_at: ts(msg.created_at),
    }
}

pub struct SupportGrpc {
    state: AppState,
}

impl SupportGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::support_service_server::SupportService for SupportGrpc {
    async fn create_ticket(&self, req: Request<pb::CreateTicketRequest>) -> Result<Response<pb::Ticket>, Status> {
        let me = customer(&self.state, &req, Write).await?;
        let r = req.into_inner();
        let order_id = optional_id(r.order_id, "order_id")?;
        let cmd = NewTicket::new(&r.subject, &r.body, &r.priority, order_id).map_err(err)?;
        let (t, _) = self.state.support.tickets.create(me.user_id, &cmd).await.map_err(err)?;
        Ok(Response::new(ticket(t)))
    }

    async fn list_tickets(&self, req: Request<pb::ListTicketsRequest>) -> Result<Response<pb::TicketPage>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        let r = req.into_inner();
        let status = status_filter(r.status.as_deref().filter(|s| !s.trim().is_empty())).map_err(err)?;
        let page =
            self.state.support.tickets.list(me.user_id, status, r.cursor.as_deref(), r.limit).await.map_err(err)?;
        Ok(Response::new(pb::TicketPage {
            items: page.items.into_iter().map(ticket).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn get_ticket(&self, req: Request<pb::TicketIdRequest>) -> Result<Response<pb::TicketDetail>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        let (t, msgs) =
            self.state.support.tickets.get(me.user_id, id(&req.get_ref().id, "ticket")?).await.map_err(err)?;
        Ok(Response::new(pb::TicketDetail {
            ticket: Some(ticket(t)),
            messages: msgs.into_iter().map(message).collect(),
        }))
    }

    async fn reply_ticket(&self, req: Request<pb::ReplyTicketRequest>) -> Result<Response<pb::TicketMessage>, Status> {
        let me = customer(&self.state, &req, Write).await?;
        let r = req.into_inner();
        let ticket_id = id(&r.id, "ticket")?;
        let body = message_body(&r.body).map_err(err)?;
        let msg = self.state.support.tickets.reply(me.user_id, ticket_id, &body).await.map_err(err)?;
        Ok(Response::new(message(msg)))
    }

    async fn close_ticket(&self, req: Request<pb::TicketIdRequest>) -> Result<Response<pb::Ticket>, Status> {
        let me = customer(&self.state, &req, Write).await?;
        let t = self.state.support.tickets.close(me.user_id, id(&req.get_ref().id, "ticket")?).await.map_err(err)?;
        Ok(Response::new(ticket(t)))
    }
}

pub struct AdminSupportGrpc {
    state: AppState,
}

impl AdminSupportGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::admin_support_service_server::AdminSupportService for AdminSupportGrpc {
    async fn admin_list_tickets(
        &self,
        req: Request<pb::AdminListTicketsRequest>,
    ) -> Result<Response<pb::AdminTicketPage>, Status> {
        staff(&self.state, &req, Permission::TicketsRead, Read).await?;
        let r = req.into_inner();
        let f = TicketFilter::for_staff(
            r.status.as_deref(),
            r.priority.as_deref(),
            r.assignee_id.as_deref(),
            r.user_id.as_deref(),
            r.q.as_deref(),
        )
        .map_err(err)?;
        let page = self.state.support.staff.list(&f, r.cursor.as_deref(), r.limit).await.map_err(err)?;
        Ok(Response::new(pb::AdminTicketPage {
            items: page.items.into_iter().map(admin_ticket).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn admin_get_ticket(
        &self,
        req: Request<pb::TicketIdRequest>,
    ) -> Result<Response<pb::AdminTicketDetail>, Status> {
        staff(&self.state, &req, Permission::TicketsRead, Read).await?;
        let (t, msgs) = self.state.support.staff.get(id(&req.get_ref().id, "ticket")?).await.map_err(err)?;
        Ok(Response::new(pb::AdminTicketDetail {
            ticket: Some(admin_ticket(t)),
            messages: msgs.into_iter().map(admin_message).collect(),
        }))
    }

    async fn admin_reply_ticket(
        &self,
        req: Request<pb::AdminReplyTicketRequest>,
    ) -> Result<Response<pb::AdminTicketMessage>, Status> {
        let (me, actor) = staff(&self.state, &req, Permission::TicketsReply, Write).await?;
        let r = req.into_inner();
        let ticket_id = id(&r.id, "ticket")?;
        if r.internal {
            rules::may_write_note(&me).map_err(err)?;
        }
        let body = message_body(&r.body).map_err(err)?;
        let msg = self.state.support.staff.reply(&actor, ticket_id, &body, r.internal).await.map_err(err)?;
        Ok(Response::new(admin_message(msg)))
    }

    async fn admin_assign_ticket(
        &self,
        req: Request<pb::AssignTicketRequest>,
    ) -> Result<Response<pb::AdminTicket>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::TicketsManage, Write).await?;
        let r = req.into_inner();
        let ticket_id = id(&r.id, "ticket")?;
        let assignee = optional_id(r.assignee_id, "assignee_id")?;
        let t = self.state.support.staff.assign(&actor, ticket_id, assignee).await.map_err(err)?;
        Ok(Response::new(admin_ticket(t)))
    }

    async fn admin_set_ticket_status(
        &self,
        req: Request<pb::SetTicketStatusRequest>,
    ) -> Result<Response<pb::AdminTicket>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::TicketsManage, Write).await?;
        let r = req.into_inner();
        let ticket_id = id(&r.id, "ticket")?;
        let cmd = StatusChange::new(&r.status, r.note.as_deref()).map_err(err)?;
        let t = self.state.support.staff.set_status(&actor, ticket_id, &cmd).await.map_err(err)?;
        Ok(Response::new(admin_ticket(t)))
    }
}
