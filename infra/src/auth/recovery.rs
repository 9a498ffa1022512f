//! Password reset, password change and e-mail code sign-in. Requests answer the same for
//! known, unknown and banned addresses; mail goes through the outbox so timing stays flat.

use chrono::Utc;
use helium_domain::auth::rules;
use helium_domain::events::{EmailTemplate, Event, types};
use helium_domain::{DomainError, ErrorCode};
use serde_json::json;
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::identity_store;
use super::service::{AuthService, ClientInfo, CustomerPrincipal, db, email_event, hold_address, internal};
use super::store::{self, Redeemed};
use super::{password, tokens};

/// Wrong codes before a code burns.
pub const MAX_CODE_ATTEMPTS: i32 = 5;

/// The account a link/code is for, when the address has an active one (banned and unknown
/// addresses get no mail, and the same answer).
async fn active_subject(tx: &mut sqlx::PgConnection, email: &str) -> Result<Option<Uuid>, DomainError> {
    let user = store::user_id_and_status(tx, email).await.map_err(db)?;
    Ok(user.filter(|(_, status)| status == "active").map(|(id, _)| id))
}

fn code_hash(email: &str, code: &str) -> Vec<u8> {
    tokens::token_hash(&format!("{email}:{code}"))
}

impl AuthService {
    /// Common part of every "send me a link/code" request: normalise, serialise per address,
    /// enforce the resend interval. Returns the normalised address and an open transaction.
    async fn begin_send(
        &self,
        email_raw: &str,
        purpose: &str,
    ) -> Result<
        Option<(String, sqlx::Transaction<'static, sqlx::Postgres>, super::service::SharedAuthConfig)>,
        DomainError,
    > {
        let Some(email) = rules::normalize_email(email_raw) else { return Ok(None) };
        let cfg = self.auth_config().await?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        hold_address(&mut tx, &cfg, &email, purpose).await?;
        Ok(Some((email, tx, cfg)))
    }

    /// E-mails a reset link when the address has an active account; answers the same otherwise.
    pub async fn forgot_password(&self, email_raw: &str) -> Result<(), DomainError> {
        let Some((email, mut tx, cfg)) = self.begin_send(email_raw, "password_reset").await? else { return Ok(()) };
        let token = tokens::opaque_token();
        let ttl = cfg.email_provider.magic_link_expire_after.0;
        let subject = active_subject(&mut tx, &email).await?;
        let expires = Utc::now() + chrono::Duration::seconds(ttl as i64);
        // A row exists either way, so the resend interval and the work done match.
        store::insert_one_time_token(
            &mut tx,
            &tokens::token_hash(&token),
            "magic_link",
            "password_reset",
            &email,
            subject,
            expires,
            &json!({}),
        )
        .await
        .map_err(db)?;
        if subject.is_some() {
            let event = email_event(
                &email,
                EmailTemplate::PasswordReset,
                json!({ "link": self.link("password/reset", &token), "expires_minutes": ttl / 60, "recipient": email }),
            )?;
            store::emit(&mut tx, &event).await.map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    /// Sets a new password from a reset link and ends every session of the account.
    pub async fn reset_password(&self, token: &str, new_password: &str) -> Result<(), DomainError> {
        Self::check_password("new_password", new_password, None)?;
        let hash = tokens::token_hash(token);
        let invalid = || DomainError::rejected(ErrorCode::LinkInvalid, "this link is invalid or was already used");
        let email = match store::peek_link(&self.pool, &hash, "password_reset").await.map_err(db)? {
            None => return Err(invalid()),
            Some((_, true)) => {
                return Err(DomainError::rejected(ErrorCode::LinkExpired, "this link has expired; request a new one"));
            }
            Some((email, false)) => email,
        };
        Self::check_password("new_password", new_password, Some(&email))?;
        let new_hash = password::hash(new_password.to_owned()).await.map_err(internal)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        match store::redeem_link(&mut tx, &hash, "password_reset").await.map_err(db)? {
            Redeemed::Ok { .. } => {}
            Redeemed::Expired => {
                tx.commit().await.map_err(db)?;
                return Err(DomainError::rejected(ErrorCode::LinkExpired, "this link has expired; request a new one"));
            }
            Redeemed::Unknown => return Err(invalid()),
        }
        let user_id = match store::user_id_and_status(&mut tx, &email).await.map_err(db)? {
            Some((id, status)) if status == "active" => id,
            _ => {
                tx.commit().await.map_err(db)?;
                return Err(invalid());
            }
        };
        store::set_password_hash(&mut tx, user_id, &new_hash).await.map_err(db)?;
        store::delete_links(&mut tx, &email, "password_reset").await.map_err(db)?;
        let revoked = store::revoke_all_sessions(&mut tx, user_id, None, "password_reset").await.map_err(db)?;
        store::bump_tokens_valid_after(&mut tx, user_id).await.map_err(db)?;
        self.password_changed_events(&mut tx, user_id, &email).await?;
        tx.commit().await.map_err(db)?;
        self.forget_sessions(&revoked).await;
        Ok(())
    }

    async fn password_changed_events(
        &self,
        tx: &mut sqlx::PgConnection,
        user_id: Uuid,
        email: &str,
    ) -> Result<(), DomainError> {
        let changed = Event::new(
            Uuid::now_v7(),
            types::USER_PASSWORD_CHANGED,
            user_id.to_string(),
            Utc::now(),
            json!({ "user_id": user_id }),
        );
        store::emit(tx, &changed).await.map_err(db)?;
        let notice = email_event(
            email,
            EmailTemplate::SecurityPasswordChanged,
            json!({ "occurred_at": Utc::now().to_rfc3339(), "recipient": email }),
        )?;
        store::emit(tx, &notice).await.map_err(db)
    }

    /// Changes the password after checking the current one; other sessions end.
    pub async fn change_password(
        &self,
        me: CustomerPrincipal,
        current: &str,
        new_password: &str,
    ) -> Result<(), DomainError> {
        let user = self.me(me.user_id).await?;
        let reauth = || DomainError::rejected(ErrorCode::ReauthFailed, "the current password is wrong");
        let Some(stored) = user.password_hash.clone() else { return Err(reauth()) };
        if password::verify(stored, current.to_owned()).await.map_err(internal)? == password::Verified::No {
            return Err(reauth());
        }
        Self::check_password("new_password", new_password, Some(&user.email))?;
        let new_hash = password::hash(new_password.to_owned()).await.map_err(internal)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        store::set_password_hash(&mut tx, me.user_id, &new_hash).await.map_err(db)?;
        store::delete_links(&mut tx, &user.email, "password_reset").await.map_err(db)?;
        let revoked = store::revoke_all_sessions(&mut tx, me.user_id, Some(me.session_id), "password_changed")
            .await
            .map_err(db)?;
        self.password_changed_events(&mut tx, me.user_id, &user.email).await?;
        tx.commit().await.map_err(db)?;
        self.forget_sessions(&revoked).await;
        Ok(())
    }

    /// E-mails a six-digit sign-in code to an active account; answers the same otherwise.
    pub async fn request_email_code(&self, email_raw: &str) -> Result<(), DomainError> {
        let Some((email, mut tx, cfg)) = self.begin_send(email_raw, "email_login").await? else { return Ok(()) };
        let code = tokens::numeric_code();
        let ttl = cfg.email_provider.otp_expire_after.0;
        let mut subject = active_subject(&mut tx, &email).await?;
        if let Some(id) = subject
            && !identity_store::email_code_enabled(&mut tx, id).await.map_err(db)?
        {
            // The owner turned e-mail codes off: answer alike, send nothing.
            subject = None;
        }
        store::delete_otps(&mut tx, &email, "email_login").await.map_err(db)?;
        let expires = Utc::now() + chrono::Duration::seconds(ttl as i64);
        store::insert_one_time_token(
            &mut tx,
            &code_hash(&email, &code),
            "otp",
            "email_login",
            &email,
            subject,
            expires,
            &json!({}),
        )
        .await
        .map_err(db)?;
        if subject.is_some() {
            let event = email_event(
                &email,
                EmailTemplate::SignInCode,
                json!({ "code": code, "expires_minutes": (ttl / 60).max(1), "recipient": email }),
            )?;
            store::emit(&mut tx, &event).await.map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    /// Signs in with an e-mailed code. Five wrong codes burn it.
    pub async fn verify_email_code(
        &self,
        email_raw: &str,
        code: &str,
        client: &ClientInfo,
    ) -> Result<super::mfa::LoginOutcome, DomainError> {
        let invalid = || DomainError::rejected(ErrorCode::InvalidCode, "wrong, expired or used code");
        let Some(email) = rules::normalize_email(email_raw) else { return Err(invalid()) };
        let cfg = self.auth_config().await?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let Some(row) = store::latest_otp_for_update(&mut tx, &email, "email_login").await.map_err(db)? else {
            return Err(invalid());
        };
        let presented = code_hash(&email, code.trim());
        let matches: bool = presented.ct_eq(&row.token_hash).into();
        if !matches || row.expires_at <= Utc::now() {
            let attempts = store::bump_otp_attempts(&mut tx, &row.token_hash).await.map_err(db)?;
            if attempts >= MAX_CODE_ATTEMPTS {
                store::expire_one_time_token(&mut tx, &row.token_hash).await.map_err(db)?;
            }
            tx.commit().await.map_err(db)?;
            return Err(invalid());
        }
        store::expire_one_time_token(&mut tx, &row.token_hash).await.map_err(db)?;
        let Some((user_id, status)) = store::user_id_and_status(&mut tx, &email).await.map_err(db)? else {
            tx.commit().await.map_err(db)?;
            return Err(invalid());
        };
        if !identity_store::email_code_enabled(&mut tx, user_id).await.map_err(db)? {
            tx.commit().await.map_err(db)?;
            return Err(invalid());
        }
        if status == "banned" {
            tx.commit().await.map_err(db)?;
            return Err(DomainError::rejected(ErrorCode::AccountBanned, "this account is banned"));
        }
        let outcome = self.finish_first_factor(&mut tx, &cfg, user_id, client).await?;
        tx.commit().await.map_err(db)?;
        Ok(outcome)
    }
}
