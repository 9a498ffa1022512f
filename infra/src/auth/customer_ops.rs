//! Staff operations on customer accounts: search, inspect, ban/unban, MFA reset, sign-out
//! everywhere. Each write carries a reason, takes effect on the customer's next request
//! and appends its audit row in the same transaction.

use chrono::Utc;
use helium_domain::events::{EmailTemplate, Event, types};
use helium_domain::{DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use super::customer_admin_store::{self as admin_store, CustomerRow, LiveSession};
use super::identity_store::{self, IdentityRow};
use super::service::{AuthService, db, email_event};
use super::{mfa_store, store};
use crate::paging::{Page, decode_cursor, page_limit, page_of};
use crate::staff::audit::{self, Actor, Change};

/// Everything staff may see of one account (never hashes or secrets).
pub struct CustomerDetails {
    pub account: CustomerRow,
    pub identities: Vec<IdentityRow>,
    pub sessions: Vec<LiveSession>,
}

fn not_found() -> DomainError {
    DomainError::rejected(ErrorCode::NotFound, "no such customer")
}

/// A staff reason: required, kept in the audit log (whitespace alone is no reason).
fn required_reason(raw: &str) -> Result<&str, DomainError> {
    let r = raw.trim();
    if r.is_empty() || r.chars().count() > 500 {
        return Err(DomainError::validation(vec![helium_domain::FieldError::new(
            "reason",
            "required",
            "say why (1 to 500 characters)",
        )]));
    }
    Ok(r)
}

fn state_json(c: &CustomerRow) -> serde_json::Value {
    json!({ "status": c.status, "mfa_enabled": c.mfa_enabled })
}

impl AuthService {
    /// Customer search for staff: `q` matches an id, or part of an e-mail or display name;
    /// `status` is `active` or `banned`; newest first, cursor bound to the filters.
    pub async fn customers_page(
        &self,
        q: Option<&str>,
        status: Option<&str>,
        limit: Option<i64>,
        cursor: Option<&str>,
    ) -> Result<Page<CustomerRow>, DomainError> {
        if !matches!(status, None | Some("active" | "banned")) {
            return Err(DomainError::validation(vec![helium_domain::FieldError::new(
                "status",
                "invalid_enum",
                "active or banned",
            )]));
        }
        let limit = page_limit(limit)?;
        let q = q.map(str::trim).filter(|q| !q.is_empty());
        let scope = format!("customers|{}|{}", q.unwrap_or_default(), status.unwrap_or_default());
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let rows = admin_store::search(&self.pool, q, status, after, limit + 1).await.map_err(db)?;
        Ok(page_of(rows, limit, &scope, |c| (c.created_at, c.id)))
    }

    pub async fn customer_details(&self, id: Uuid) -> Result<CustomerDetails, DomainError> {
        let account = admin_store::get(&self.pool, id).await.map_err(db)?.ok_or_else(not_found)?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let identities = identity_store::list(&mut conn, id).await.map_err(db)?;
        let sessions = admin_store::live_sessions(&self.pool, id).await.map_err(db)?;
        Ok(CustomerDetails { account, identities, sessions })
    }

    /// Bans (`banned = true`) or unbans an account. A ban revokes every session at once.
    pub async fn set_customer_banned(
        &self,
        actor: &Actor,
        id: Uuid,
        banned: bool,
        reason: &str,
    ) -> Result<CustomerRow, DomainError> {
        let reason = required_reason(reason)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let before = admin_store::lock(&mut tx, id).await.map_err(db)?.ok_or_else(not_found)?;
        let wanted = if banned { "banned" } else { "active" };
        if before.status == wanted {
            return Err(DomainError::rejected(ErrorCode::InvalidState, format!("the account is already {wanted}")));
        }
        admin_store::set_status(&mut tx, id, wanted).await.map_err(db)?;
        let revoked = if banned {
            store::revoke_all_sessions(&mut tx, id, None, "banned").await.map_err(db)?
        } else {
            Vec::new()
        };
        let after = admin_store::get(&mut *tx, id).await.map_err(db)?.ok_or_else(not_found)?;
        let change = Change {
            action: if banned { "customer.ban" } else { "customer.unban" },
            target_type: "customer",
            target_id: Some(id.to_string()),
            before: Some(state_json(&before)),
            after: Some(state_json(&after)),
            reason: Some(reason),
        };
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        // The cached session checks of this account carry the old status: drop them all.
        let all: Vec<Uuid> =
            admin_store::live_sessions(&self.pool, id).await.map_err(db)?.iter().map(|s| s.id).collect();
        self.forget_sessions(&[revoked, all].concat()).await;
        Ok(after)
    }

    /// Removes TOTP and recovery codes (after the seed's verified-recovery flow) and tells
    /// the customer by e-mail.
    pub async fn reset_customer_mfa(&self, actor: &Actor, id: Uuid, reason: &str) -> Result<(), DomainError> {
        let reason = required_reason(reason)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let before = admin_store::lock(&mut tx, id).await.map_err(db)?.ok_or_else(not_found)?;
        if !before.mfa_enabled {
            return Err(DomainError::rejected(ErrorCode::MfaNotEnabled, "this account has no MFA to reset"));
        }
        mfa_store::remove(&mut tx, id).await.map_err(db)?;
        let changed = Event::new(
            Uuid::now_v7(),
            types::USER_MFA_CHANGED,
            id.to_string(),
            Utc::now(),
            json!({ "user_id": id, "enabled": false, "by": "staff" }),
        );
        store::emit(&mut tx, &changed).await.map_err(db)?;
        let notice = email_event(
            &before.email,
            EmailTemplate::SecurityMfaChanged,
            json!({ "enabled": false, "occurred_at": Utc::now().to_rfc3339(), "recipient": before.email }),
        )?;
        store::emit(&mut tx, &notice).await.map_err(db)?;
        let change = Change {
            action: "customer.mfa_reset",
            target_type: "customer",
            target_id: Some(id.to_string()),
            before: Some(json!({ "mfa_enabled": true })),
            after: Some(json!({ "mfa_enabled": false })),
            reason: Some(reason),
        };
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    /// Ends every session of the account.
    pub async fn revoke_customer_sessions(&self, actor: &Actor, id: Uuid) -> Result<usize, DomainError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        admin_store::lock(&mut tx, id).await.map_err(db)?.ok_or_else(not_found)?;
        let revoked = store::revoke_all_sessions(&mut tx, id, None, "staff").await.map_err(db)?;
        store::bump_tokens_valid_after(&mut tx, id).await.map_err(db)?;
        let change = Change {
            action: "customer.sessions_revoke",
            target_type: "customer",
            target_id: Some(id.to_string()),
            before: Some(json!({ "live_sessions": revoked.len() })),
            after: Some(json!({ "live_sessions": 0 })),
            reason: None,
        };
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        self.forget_sessions(&revoked).await;
        Ok(revoked.len())
    }
}
