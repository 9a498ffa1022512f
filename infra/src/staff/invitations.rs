//! Staff invitations: a SuperAdmin invites an address with a role; the e-mailed single-use
//! link (72 h by default) creates the account with the password its owner chooses.

use chrono::Utc;
use helium_domain::events::EmailTemplate;
use helium_domain::{DomainError, ErrorCode, FieldError};
use serde_json::json;
use uuid::Uuid;

use super::audit::{self, Actor, Change};
use super::invitation_store::{self, InvitationRow};
use super::service::{StaffPrincipal, StaffService, admin_snapshot, checked_name, parse_role};
use super::store::{self, AdminRow};
use crate::auth::service::{AuthService, db, email_event, internal};
use crate::auth::{password, tokens};

fn snapshot(i: &InvitationRow) -> serde_json::Value {
    json!({ "email": i.email, "name": i.name, "role": i.role, "expires_at": i.expires_at })
}

fn email_taken() -> DomainError {
    DomainError::rejected(ErrorCode::AdminEmailTaken, "this address already has a staff account or an open invitation")
}

impl StaffService {
    /// Invites `email` with `role` (never above the inviter's) and e-mails the link.
    pub async fn invite(
        &self,
        me: &StaffPrincipal,
        actor: &Actor,
        email_raw: &str,
        name: &str,
        role_raw: &str,
    ) -> Result<InvitationRow, DomainError> {
        let email = crate::auth::service::email_field(email_raw)?;
        let role = parse_role(role_raw)?;
        if !me.role.may_grant(role) {
            return Err(DomainError::rejected(ErrorCode::RoleNotGrantable, "you cannot grant a role above your own"));
        }
        let name = checked_name(name)?;
        let cfg = self.jwt_config().await?;
        let token = tokens::opaque_token();
        let ttl = cfg.invitation_expiration.0 as i64;
        let expires = Utc::now() + chrono::Duration::seconds(ttl);
        let mut tx = self.pool.begin().await.map_err(db)?;
        if invitation_store::email_is_staff(&mut tx, &email).await.map_err(db)? {
            return Err(email_taken());
        }
        invitation_store::retire_expired(&mut tx, &email).await.map_err(db)?;
        let inviter = match me.admin_id {
            Some(id) => store::admin_by_id(&mut *tx, id).await.map_err(db)?.map(|a| a.name),
            None => None,
        };
        let Some(inv) = invitation_store::insert(
            &mut tx,
            Uuid::now_v7(),
            &email,
            &name,
            role.as_str(),
            &tokens::token_hash(&token),
            me.admin_id,
            expires,
        )
        .await
        .map_err(db)?
        else {
            return Err(email_taken());
        };
        let mail = email_event(
            &email,
            EmailTemplate::AdminInvitation,
            json!({
                "link": self.link("invitations/accept", &token),
                "inviter_name": inviter.unwrap_or_else(|| "An administrator".to_owned()),
                "role": role.display_name(),
                "expires_hours": (ttl / 3600).max(1),
                "recipient": email,
            }),
        )?;
        crate::events::outbox::append(&mut tx, &mail).await.map_err(db)?;
        let change = Change {
            action: "invitation.create",
            target_type: "invitation",
            target_id: Some(inv.id.to_string()),
            before: None,
            after: Some(snapshot(&inv)),
            reason: None,
        };
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(inv)
    }

    /// The newest 500 invitations, optionally only those in `status` (pending, accepted,
    /// revoked or expired).
    pub async fn invitations(&self, status: Option<&str>) -> Result<Vec<InvitationRow>, DomainError> {
        if let Some(s) = status
            && !["pending", "accepted", "revoked", "expired"].contains(&s)
        {
            return Err(DomainError::validation(vec![FieldError::new(
                "status",
                "invalid_enum",
                "pending, accepted, revoked or expired",
            )]));
        }
        let now = Utc::now();
        let all = invitation_store::list(&self.pool).await.map_err(db)?;
        Ok(all.into_iter().filter(|i| status.is_none_or(|s| i.status(now) == s)).collect())
    }

    /// Revokes an open invitation; an accepted one answers 409 invitation_used.
    pub async fn revoke_invitation(&self, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let inv = invitation_store::for_update(&mut tx, id)
            .await
            .map_err(db)?
            .ok_or_else(|| DomainError::rejected(ErrorCode::NotFound, "no such invitation"))?;
        if inv.accepted_at.is_some() {
            return Err(DomainError::rejected(ErrorCode::InvitationUsed, "this invitation was already accepted"));
        }
        if inv.revoked_at.is_some() {
            return Ok(());
        }
        invitation_store::mark_revoked(&mut tx, id).await.map_err(db)?;
        let change = Change {
            action: "invitation.revoke",
            target_type: "invitation",
            target_id: Some(id.to_string()),
            before: Some(snapshot(&inv)),
            after: None,
            reason: None,
        };
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    /// Accepts an invitation once: creates the account with the chosen password.
    pub async fn accept_invitation(&self, token: &str, password_raw: &str) -> Result<AdminRow, DomainError> {
        AuthService::check_password("password", password_raw, None)?;
        let hash = password::hash(password_raw.to_owned()).await.map_err(internal)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let inv = invitation_store::by_token_for_update(&mut tx, &tokens::token_hash(token))
            .await
            .map_err(db)?
            .filter(|i| i.revoked_at.is_none())
            .ok_or_else(|| DomainError::rejected(ErrorCode::LinkInvalid, "this invitation link is invalid"))?;
        if inv.accepted_at.is_some() {
            return Err(DomainError::rejected(ErrorCode::InvitationUsed, "this invitation was already accepted"));
        }
        if inv.expires_at <= Utc::now() {
            return Err(DomainError::rejected(ErrorCode::InvitationExpired, "this invitation has expired"));
        }
        AuthService::check_password("password", password_raw, Some(&inv.email))?;
        let Some(admin) =
            store::insert_admin(&mut tx, Uuid::now_v7(), Some(&inv.email), &inv.name, None, &inv.role, Some(&hash))
                .await
                .map_err(db)?
        else {
            return Err(email_taken());
        };
        invitation_store::mark_accepted(&mut tx, inv.id, admin.id).await.map_err(db)?;
        let actor = Actor { kind: "admin", id: Some(admin.id), role: Some(admin.role.clone()), ..Actor::cli() };
        let change = Change {
            action: "invitation.accept",
            target_type: "admin",
            target_id: Some(admin.id.to_string()),
            before: None,
            after: Some(admin_snapshot(&admin)),
            reason: None,
        };
        audit::append(&mut tx, &actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(admin)
    }
}
