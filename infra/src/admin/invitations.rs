//! Staff invitations: a SuperAdmin invites an address with a role; the e-mailed single-use
//! link (72 h by default) creates the account with the password its owner chooses.

use std::sync::Arc;

use chrono::Utc;
use helium_domain::admin::commands::NewInvitation;
use helium_domain::admin::{Admin, Invitation, InvitationStatus, StaffPrincipal};
use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::auth::commands::TokenPassword;
use helium_domain::events::EmailTemplate;
use helium_domain::{DomainError, ErrorCode, FieldError};
use serde_json::json;
use uuid::Uuid;

use super::context::{AdminContext, admin_snapshot};
use super::store::admins;
use super::store::invitations::{self, NewInvitation as Row};
use crate::audit;
use crate::auth::registration::{check_password, email_field};
use crate::events::outbox;
use crate::identity::{password, tokens};
use crate::mail::email_event;
use crate::paging::{Page, decode_cursor, page_limit, page_of};

fn snapshot(i: &Invitation) -> serde_json::Value {
    json!({ "email": i.email, "name": i.name, "role": i.role.as_str(), "expires_at": i.expires_at })
}

fn email_taken() -> DomainError {
    DomainError::rejected(ErrorCode::AdminEmailTaken, "this address already has a staff account or an open invitation")
}

#[derive(Clone)]
pub struct Invitations(pub(crate) Arc<AdminContext>);

impl Invitations {
    /// Invites an address with a role (never above the inviter's) and e-mails the link.
    pub async fn invite(
        &self,
        me: &StaffPrincipal,
        actor: &Actor,
        cmd: &NewInvitation,
    ) -> Result<Invitation, DomainError> {
        let email = email_field(&cmd.email)?;
        if !me.role.may_grant(cmd.role) {
            return Err(DomainError::rejected(ErrorCode::RoleNotGrantable, "you cannot grant a role above your own"));
        }
        let ctx = &self.0;
        let cfg = ctx.jwt_config().await?;
        let token = tokens::opaque_token();
        let ttl = cfg.invitation_expiration.0 as i64;
        crate::transaction!(ctx.db, |tx| {
            if admins::email_taken(tx, &email).await? {
                return Err(email_taken());
            }
            invitations::retire_expired(tx, &email).await?;
            let inviter = match me.admin_id {
                Some(id) => admins::by_id(tx, id).await?.map(|a| a.name),
                None => None,
            };
            let hash = tokens::token_hash(&token);
            let row = Row {
                id: Uuid::now_v7(),
                email: &email,
                name: &cmd.name,
                role: cmd.role,
                token_hash: &hash,
                invited_by: me.admin_id,
                expires_at: Utc::now() + chrono::Duration::seconds(ttl),
            };
            let Some(inv) = invitations::insert(tx, &row).await? else { return Err(email_taken()) };
            let mail = email_event(
                tx,
                &ctx.keys,
                &email,
                EmailTemplate::AdminInvitation,
                json!({
                    "inviter_name": inviter.unwrap_or_else(|| "An administrator".to_owned()),
                    "role": cmd.role.display_name(),
                    "expires_hours": (ttl / 3600).max(1),
                    "recipient": email,
                }),
                json!({ "link": ctx.link("invitations/accept", &token) }),
            )
            .await?;
            outbox::append(tx, &mail).await?;
            audit::append(
                tx,
                &ctx.keys,
                actor,
                Change::new(AuditAction::InvitationCreate, "invitation", inv.id).after(snapshot(&inv)),
            )
            .await?;
            Ok(inv)
        })
    }

    /// Invitations newest first, optionally only those in `status` (pending, accepted,
    /// revoked or expired); `limit` 1–100 like every list.
    pub async fn page(
        &self,
        status: Option<&str>,
        limit: Option<i64>,
        cursor: Option<&str>,
    ) -> Result<Page<Invitation>, DomainError> {
        let status = status
            .map(|s| {
                InvitationStatus::parse(s).ok_or_else(|| {
                    DomainError::validation(vec![FieldError::new(
                        "status",
                        "invalid_enum",
                        "pending, accepted, revoked or expired",
                    )])
                })
            })
            .transpose()?;
        let limit = page_limit(limit)?;
        let scope = format!("invitations:{}", status.map_or("", InvitationStatus::as_str));
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = invitations::page(&mut c, status.map(InvitationStatus::as_str), after, limit + 1).await?;
        Ok(page_of(rows, limit, &scope, |i| (i.created_at, i.id)))
    }

    /// Revokes an open invitation; an accepted one answers `invitation_used`.
    pub async fn revoke(&self, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let inv =
                invitations::for_update(tx, id).await?.ok_or_else(|| DomainError::not_found("no such invitation"))?;
            if inv.accepted_at.is_some() {
                return Err(DomainError::rejected(ErrorCode::InvitationUsed, "this invitation was already accepted"));
            }
            if inv.revoked_at.is_some() {
                return Ok(());
            }
            invitations::mark_revoked(tx, id).await?;
            audit::append(
                tx,
                &ctx.keys,
                actor,
                Change::new(AuditAction::InvitationRevoke, "invitation", id).before(snapshot(&inv)),
            )
            .await?;
            Ok(())
        })
    }

    /// Accepts an invitation once: creates the account with the chosen password.
    pub async fn accept(&self, cmd: &TokenPassword) -> Result<Admin, DomainError> {
        let ctx = &self.0;
        check_password("password", &cmd.password, None)?;
        let hash = password::hash(cmd.password.clone()).await?;
        crate::transaction!(ctx.db, |tx| {
            let inv = invitations::by_token_for_update(tx, &tokens::token_hash(&cmd.token))
                .await?
                .filter(|i| i.revoked_at.is_none())
                .ok_or_else(|| DomainError::rejected(ErrorCode::LinkInvalid, "this invitation link is invalid"))?;
            if inv.accepted_at.is_some() {
                return Err(DomainError::rejected(ErrorCode::InvitationUsed, "this invitation was already accepted"));
            }
            if inv.expires_at <= Utc::now() {
                return Err(DomainError::rejected(ErrorCode::InvitationExpired, "this invitation has expired"));
            }
            check_password("password", &cmd.password, Some(&inv.email))?;
            let Some(admin) =
                admins::insert(tx, Uuid::now_v7(), Some(&inv.email), &inv.name, None, inv.role, Some(&hash)).await?
            else {
                return Err(email_taken());
            };
            invitations::mark_accepted(tx, inv.id, admin.id).await?;
            let actor = Actor::admin(admin.id, admin.role.as_str());
            audit::append(
                tx,
                &ctx.keys,
                &actor,
                Change::new(AuditAction::InvitationAccept, "admin", admin.id).after(admin_snapshot(&admin)),
            )
            .await?;
            Ok(admin)
        })
    }
}
