//! Login methods: password, e-mail code and linked OAuth identities. An account always keeps
//! at least one; changes to one account's methods are serialised on its row, need a recent
//! re-authentication, e-mail the owner, and end the other sessions when a credential changed.

use std::sync::Arc;

use chrono::Utc;
use helium_domain::auth::{CustomerPrincipal, EMAIL_CODE_METHOD, LoginMethod, PASSWORD_METHOD};
use helium_domain::events::EmailTemplate;
use helium_domain::{DomainError, ErrorCode};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::AuthContext;
use super::reauth;
use super::recovery::password_changed;
use super::registration::check_password;
use super::session_cache;
use super::store::{identities, sessions, users};
use crate::events::outbox;
use crate::identity::password;
use crate::mail::email_event;

fn not_found() -> DomainError {
    DomainError::not_found("no such login method")
}

/// The method a removal names, once it is known to exist.
enum Removal {
    Password,
    EmailCode,
    Identity(Uuid),
}

/// The security e-mail of a method change.
async fn method_changed(
    ctx: &AuthContext,
    c: &mut PgConnection,
    email: &str,
    change: &str,
    method: &str,
) -> Result<(), DomainError> {
    let notice = email_event(
        c,
        &ctx.keys,
        email,
        EmailTemplate::SecurityMethodChanged,
        json!({ "change": change, "method": method, "occurred_at": Utc::now().to_rfc3339(), "recipient": email }),
        json!({}),
    )
    .await?;
    Ok(outbox::append(c, &notice).await?)
}

#[derive(Clone)]
pub struct Methods(pub(crate) Arc<AuthContext>);

impl Methods {
    pub async fn list(&self, user_id: Uuid) -> Result<Vec<LoginMethod>, DomainError> {
        let mut c = self.0.db.conn().await?;
        let flags = identities::flags(&mut c, user_id).await?.ok_or_else(not_found)?;
        let mut methods = Vec::new();
        if flags.has_password {
            methods.push(LoginMethod::Password);
        }
        if flags.email_code_enabled {
            methods.push(LoginMethod::EmailCode);
        }
        methods.extend(identities::list(&mut c, user_id).await?.into_iter().map(LoginMethod::Oauth));
        Ok(methods)
    }

    /// Gives a password to an account that has none (OAuth or e-mail-code only).
    pub async fn set_password(
        &self,
        me: CustomerPrincipal,
        reauth_proof: Option<&str>,
        new_password: &str,
    ) -> Result<(), DomainError> {
        let ctx = &self.0;
        let cfg = ctx.auth_config().await?;
        reauth::require(&cfg, me, reauth_proof)?;
        let email = {
            let mut c = ctx.db.conn().await?;
            users::by_id(&mut c, me.user_id).await?.ok_or_else(not_found)?.email
        };
        check_password("new_password", new_password, Some(&email))?;
        let hash = password::hash(new_password.to_owned()).await?;
        let revoked = crate::transaction!(ctx.db, |tx| {
            let flags = identities::lock_flags(tx, me.user_id).await?.ok_or_else(not_found)?;
            if flags.has_password {
                return Err(DomainError::rejected(
                    ErrorCode::PasswordAlreadySet,
                    "this account has a password; change it instead",
                ));
            }
            users::set_password_hash(tx, me.user_id, Some(&hash)).await?;
            let revoked = sessions::revoke_all(tx, me.user_id, Some(me.session_id), "password_set").await?;
            password_changed(ctx, tx, me.user_id, &email).await?;
            Ok(revoked)
        })?;
        session_cache::forget(ctx, &revoked).await;
        Ok(())
    }

    /// Removes a method (`password`, `email_code` or a linked identity's id) after a recent
    /// re-authentication; refuses to remove the last one.
    pub async fn remove(
        &self,
        me: CustomerPrincipal,
        reauth_proof: Option<&str>,
        method_id: &str,
    ) -> Result<(), DomainError> {
        let ctx = &self.0;
        let cfg = ctx.auth_config().await?;
        reauth::require(&cfg, me, reauth_proof)?;
        let revoked = crate::transaction!(ctx.db, |tx| {
            let flags = identities::lock_flags(tx, me.user_id).await?.ok_or_else(not_found)?;
            let linked = identities::list(tx, me.user_id).await?;
            let total = usize::from(flags.has_password) + usize::from(flags.email_code_enabled) + linked.len();
            let (method, name) = match method_id {
                PASSWORD_METHOD if flags.has_password => (Removal::Password, PASSWORD_METHOD.to_owned()),
                EMAIL_CODE_METHOD if flags.email_code_enabled => (Removal::EmailCode, EMAIL_CODE_METHOD.to_owned()),
                other => match Uuid::parse_str(other).ok().and_then(|id| linked.iter().find(|i| i.id == id)) {
                    Some(i) => (Removal::Identity(i.id), i.provider.clone()),
                    None => return Err(not_found()),
                },
            };
            if total <= 1 {
                return Err(DomainError::rejected(
                    ErrorCode::LastLoginMethod,
                    "this is the account's last way to sign in; add another first",
                ));
            }
            match method {
                Removal::Password => users::set_password_hash(tx, me.user_id, None).await?,
                Removal::EmailCode => identities::set_email_code_enabled(tx, me.user_id, false).await?,
                Removal::Identity(id) => {
                    identities::delete(tx, me.user_id, id).await?;
                }
            }
            let user = users::by_id(tx, me.user_id).await?.ok_or_else(not_found)?;
            method_changed(ctx, tx, &user.email, "removed", &name).await?;
            Ok(sessions::revoke_all(tx, me.user_id, Some(me.session_id), "login_method_removed").await?)
        })?;
        session_cache::forget(ctx, &revoked).await;
        Ok(())
    }
}
