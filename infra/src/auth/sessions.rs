//! Access-token checks on every customer request, and the customer's own session list.

use std::sync::Arc;

use helium_domain::auth::{CustomerPrincipal, CustomerStatus, Session};
use helium_domain::{DomainError, ErrorCode};
use uuid::Uuid;

use super::context::AuthContext;
use super::session_cache;
use super::signin::{self, banned};
use super::store::{sessions, users};
use crate::identity::tokens;

fn unauthenticated() -> DomainError {
    DomainError::rejected(ErrorCode::Unauthenticated, "sign in to use this operation")
}

fn expired() -> DomainError {
    DomainError::rejected(ErrorCode::TokenExpired, "the access token expired; refresh it")
}

#[derive(Clone)]
pub struct Sessions(pub(crate) Arc<AuthContext>);

impl Sessions {
    /// Verifies an access token and checks its session and account are still good
    /// (revocation is immediate: a cached check is dropped whenever either changes).
    pub async fn authenticate(&self, access_token: &str) -> Result<CustomerPrincipal, DomainError> {
        let ctx = &self.0;
        let cfg = ctx.auth_config().await?;
        let claims =
            signin::verify(&cfg, access_token, tokens::ACCESS_TYP, &cfg.jwt.access_audience, expired, unauthenticated)?;
        let (Ok(user_id), Ok(session_id)) = (claims.sub.parse::<Uuid>(), claims.sid.parse::<Uuid>()) else {
            return Err(unauthenticated());
        };
        let state = session_cache::state(ctx, session_id).await?.ok_or_else(unauthenticated)?;
        if state.user_id != user_id || !state.session_live || claims.iat < state.tokens_valid_after.timestamp() {
            return Err(unauthenticated());
        }
        if state.user_status == CustomerStatus::Banned {
            return Err(banned());
        }
        Ok(CustomerPrincipal { user_id, session_id })
    }

    pub async fn list(&self, user_id: Uuid) -> Result<Vec<Session>, DomainError> {
        let mut c = self.0.db.conn().await?;
        Ok(sessions::live(&mut c, user_id).await?)
    }

    /// Revokes one of the caller's sessions; another user's session is "not found".
    pub async fn revoke(&self, user_id: Uuid, session_id: Uuid) -> Result<(), DomainError> {
        let ctx = &self.0;
        let revoked =
            crate::transaction!(ctx.db, |tx| Ok(sessions::revoke(tx, user_id, session_id, "user_revoked").await?))?;
        if !revoked {
            return Err(DomainError::not_found("no such session"));
        }
        session_cache::forget(ctx, &[session_id]).await;
        Ok(())
    }

    /// Ends every session, and makes every access token already issued invalid at once.
    pub async fn logout_all(&self, user_id: Uuid) -> Result<(), DomainError> {
        let ctx = &self.0;
        let ids = crate::transaction!(ctx.db, |tx| {
            let ids = sessions::revoke_all(tx, user_id, None, "logout_all").await?;
            users::bump_tokens_valid_after(tx, user_id).await?;
            Ok(ids)
        })?;
        session_cache::forget(ctx, &ids).await;
        Ok(())
    }
}
