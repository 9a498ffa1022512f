//! Staff operations on customer accounts: search, inspect, ban/unban, MFA reset, sign-out
//! everywhere. Each write carries a reason, takes effect on the customer's next request and
//! appends its audit row in the same transaction.

use std::sync::Arc;

use chrono::Utc;
use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::auth::{CustomerAccount, CustomerDetails, CustomerStatus};
use helium_domain::events::{Event, types};
use helium_domain::{DomainError, ErrorCode, FieldError};
use serde_json::json;
use uuid::Uuid;

use super::context::AuthContext;
use super::mfa::mfa_changed;
use super::session_cache;
use super::store::{customers, identities, mfa, sessions, users};
use crate::audit;
use crate::events::outbox;
use crate::paging::{Page, decode_cursor, page_limit, page_of};

fn not_found() -> DomainError {
    DomainError::not_found("no such customer")
}

fn state_json(c: &CustomerAccount) -> serde_json::Value {
    json!({ "status": c.status.as_str(), "mfa_enabled": c.mfa_enabled })
}

#[derive(Clone)]
pub struct CustomerAccounts(pub(crate) Arc<AuthContext>);

impl CustomerAccounts {
    /// Customer search for staff: `q` matches an id, or part of an e-mail or display name;
    /// `status` is `active` or `banned`; newest first, cursor bound to the filters.
    pub async fn page(
        &self,
        q: Option<&str>,
        status: Option<&str>,
        limit: Option<i64>,
        cursor: Option<&str>,
    ) -> Result<Page<CustomerAccount>, DomainError> {
        let status = status
            .map(|s| {
                CustomerStatus::parse(s).ok_or_else(|| {
                    DomainError::validation(vec![FieldError::new("status", "invalid_enum", "active or banned")])
                })
            })
            .transpose()?;
        let limit = page_limit(limit)?;
        let q = q.map(str::trim).filter(|q| !q.is_empty());
        if let Some(raw) = q {
            // Bounded and free of control characters (a NUL never reaches PostgreSQL).
            let mut f = helium_domain::text::Fields::new();
            f.line("q", raw, 1, 254);
            f.finish(())?;
        }
        let scope = format!("customers|{}|{}", q.unwrap_or_default(), status.map_or("", CustomerStatus::as_str));
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = customers::search(&mut c, q, status, after, limit + 1).await?;
        Ok(page_of(rows, limit, &scope, |c| (c.created_at, c.id)))
    }

    /// One account with its linked identities and live sessions, on one connection.
    pub async fn details(&self, id: Uuid) -> Result<CustomerDetails, DomainError> {
        let mut c = self.0.db.conn().await?;
        let account = customers::get(&mut c, id).await?.ok_or_else(not_found)?;
        let identities = identities::list(&mut c, id).await?;
        let sessions = sessions::live(&mut c, id).await?;
        Ok(CustomerDetails { account, identities, sessions })
    }

    /// Bans (`banned = true`) or unbans an account. A ban revokes every session at once.
    pub async fn set_banned(
        &self,
        actor: &Actor,
        id: Uuid,
        banned: bool,
        reason: &str,
    ) -> Result<CustomerAccount, DomainError> {
        let ctx = &self.0;
        let wanted = if banned { CustomerStatus::Banned } else { CustomerStatus::Active };
        let (after, to_forget) = crate::transaction!(ctx.db, |tx| {
            let before = customers::lock(tx, id).await?.ok_or_else(not_found)?;
            if before.status == wanted {
                return Err(DomainError::rejected(
                    ErrorCode::InvalidState,
                    format!("the account is already {}", wanted.as_str()),
                ));
            }
            // Every cached session check of this account carries the old status: drop them all.
            let live = sessions::live_ids(tx, id).await?;
            customers::set_status(tx, id, wanted).await?;
            if banned {
                sessions::revoke_all(tx, id, None, "banned").await?;
            }
            let after = customers::get(tx, id).await?.ok_or_else(not_found)?;
            let action = if banned { AuditAction::CustomerBan } else { AuditAction::CustomerUnban };
            let change = Change::new(action, "customer", id)
                .before(state_json(&before))
                .after(state_json(&after))
                .reason(reason);
            audit::append(tx, &ctx.keys, actor, change).await?;
            // Nodes and subscriptions stop (or resume) serving the account on this event.
            let event_type = if banned { types::USER_BANNED } else { types::USER_UNBANNED };
            let payload = json!({ "user_id": id, "reason": reason });
            outbox::append(tx, &Event::new(Uuid::now_v7(), event_type, id.to_string(), Utc::now(), payload)).await?;
            Ok((after, live))
        })?;
        session_cache::forget(ctx, &to_forget).await;
        Ok(after)
    }

    /// Removes TOTP and recovery codes (after the seed's verified-recovery flow) and tells
    /// the customer by e-mail.
    pub async fn reset_mfa(&self, actor: &Actor, id: Uuid, reason: &str) -> Result<(), DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let before = customers::lock(tx, id).await?.ok_or_else(not_found)?;
            if !before.mfa_enabled {
                return Err(DomainError::rejected(ErrorCode::MfaNotEnabled, "this account has no MFA to reset"));
            }
            mfa::remove(tx, id).await?;
            mfa_changed(ctx, tx, id, &before.email, false, true).await?;
            let change = Change::new(AuditAction::CustomerMfaReset, "customer", id)
                .before(json!({ "mfa_enabled": true }))
                .after(json!({ "mfa_enabled": false }))
                .reason(reason);
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(())
        })
    }

    /// Ends every session of the account.
    pub async fn revoke_sessions(&self, actor: &Actor, id: Uuid) -> Result<usize, DomainError> {
        let ctx = &self.0;
        let revoked = crate::transaction!(ctx.db, |tx| {
            customers::lock(tx, id).await?.ok_or_else(not_found)?;
            let revoked = sessions::revoke_all(tx, id, None, "staff").await?;
            users::bump_tokens_valid_after(tx, id).await?;
            let change = Change::new(AuditAction::CustomerSessionsRevoke, "customer", id)
                .before(json!({ "live_sessions": revoked.len() }))
                .after(json!({ "live_sessions": 0 }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(revoked)
        })?;
        session_cache::forget(ctx, &revoked).await;
        Ok(revoked.len())
    }
}
