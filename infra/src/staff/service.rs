//! Staff identity use cases: accounts (CLI and API), setup links, sign-in, authentication of
//! staff JWTs and API keys. Every write appends its audit row in the same transaction.

use chrono::{DateTime, Utc};
use helium_domain::admin::{Permission, Role};
use helium_domain::auth::rules;
use helium_domain::config::{AdminJwtConfig, ConfigKind, ModuleConfig};
use helium_domain::{DomainError, ErrorCode, FieldError};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use super::audit::{self, Actor, Change};
use super::store::{self, AdminRow};
use crate::ConfigStore;
use crate::auth::service::{AuthService, ClientInfo, db, internal};
use crate::auth::{attempts, password, tokens};

/// Lifetime of the setup link `helium-cli admin create` prints.
pub const SETUP_LINK_SECS: i64 = 24 * 3600;
pub const ADMIN_TYP: &str = "admin";
pub const ADMIN_MFA_TYP: &str = "admin_mfa";
pub const API_KEY_PREFIX: &str = "hel_key_";

#[derive(Clone)]
pub struct StaffService {
    pub pool: PgPool,
    pub config: ConfigStore,
    /// Base URL of the admin console; setup and invitation links point there.
    pub admin_url: String,
    /// Shared with customer identity: the key sealing TOTP seeds.
    pub data_key: std::sync::Arc<tokio::sync::OnceCell<[u8; 32]>>,
    pub redis: crate::RedisHandle,
}

/// An authenticated staff request: a human session or an API key.
#[derive(Debug, Clone)]
pub struct StaffPrincipal {
    pub role: Role,
    pub admin_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub api_key_id: Option<Uuid>,
    /// An API key's optional narrowing of its role.
    pub key_permissions: Option<Vec<Permission>>,
    pub mfa_enabled: bool,
}

impl StaffPrincipal {
    pub fn can(&self, p: Permission) -> bool {
        if !self.role.can(p) {
            return false;
        }
        match (&self.api_key_id, &self.key_permissions) {
            (None, _) => true,
            (Some(_), _) if p.human_only() => false,
            (Some(_), Some(list)) => list.contains(&p),
            (Some(_), None) => true,
        }
    }

    /// Everything this principal may do, by name (for `adminGetMe`).
    pub fn permission_names(&self) -> Vec<String> {
        Permission::ALL.into_iter().filter(|p| self.can(*p)).map(|p| p.as_str().to_owned()).collect()
    }

    /// The audit actor for this principal and request.
    pub fn actor(&self, client: &ClientInfo, request_id: Option<String>) -> Actor {
        Actor {
            kind: if self.api_key_id.is_some() { "api_key" } else { "admin" },
            id: self.api_key_id.or(self.admin_id),
            role: Some(self.role.as_str().to_owned()),
            request_id,
            ip: client.ip.clone(),
            user_agent: client.device.clone(),
        }
    }
}

/// Result of the first staff sign-in step.
#[derive(Debug, Clone)]
pub enum StaffLogin {
    Token { access_token: String, expires_in: u64 },
    MfaRequired { mfa_token: String },
}

pub fn role_of(row: &AdminRow) -> Result<Role, DomainError> {
    Role::parse(&row.role).ok_or_else(|| internal(format!("unknown stored role {}", row.role)))
}

/// The error for a role that is none of the four.
pub(super) fn invalid_role() -> FieldError {
    FieldError::new(
        "role",
        "invalid_enum",
        "Invalid admin role: use super_admin, moderator, customer_support or support_bot",
    )
}

pub(super) fn parse_role(raw: &str) -> Result<Role, DomainError> {
    Role::parse(raw).ok_or_else(|| DomainError::validation(vec![invalid_role()]))
}

/// What is wrong with the name of a staff account or API key, if anything: it must have 1 to
/// 100 characters once trimmed.
pub(super) fn name_error(name: &str) -> Option<FieldError> {
    let name = name.trim();
    (name.is_empty() || name.chars().count() > 100)
        .then(|| FieldError::new("name", "invalid_format", "1 to 100 characters"))
}

/// A staff account's name, trimmed and checked.
pub(super) fn checked_name(raw: &str) -> Result<String, DomainError> {
    match name_error(raw) {
        Some(e) => Err(DomainError::validation(vec![e])),
        None => Ok(raw.trim().to_owned()),
    }
}

fn not_found() -> DomainError {
    DomainError::rejected(ErrorCode::NotFound, "no such admin")
}

pub(super) fn unauthenticated() -> DomainError {
    DomainError::rejected(ErrorCode::Unauthenticated, "sign in as staff to use this operation")
}

/// Fields an audit row may show of an admin (never hashes).
pub fn admin_snapshot(a: &AdminRow) -> serde_json::Value {
    json!({ "name": a.name, "email": a.email, "role": a.role, "status": a.status, "avatar_url": a.avatar_url })
}

impl StaffService {
    pub async fn jwt_config(&self) -> Result<AdminJwtConfig, DomainError> {
        match self.config.module_arc(ConfigKind::AdminJwt).await.as_deref() {
            Ok(ModuleConfig::AdminJwt(c)) => Ok(c.clone()),
            Ok(_) => Err(internal("admin-jwt config has the wrong shape")),
            Err(e) => Err(DomainError::Unavailable(format!("admin-jwt config: {e}"))),
        }
    }

    pub(super) fn link(&self, path: &str, token: &str) -> String {
        format!("{}/{path}?token={token}", self.admin_url.trim_end_matches('/'))
    }

    /// Creates an account without a password and returns it with a single-use setup link
    /// (24 h). The link is shown once, by the caller, and never stored in clear.
    pub async fn create_admin(
        &self,
        actor: &Actor,
        name: &str,
        role_raw: &str,
        email: Option<&str>,
        avatar_url: Option<&str>,
    ) -> Result<(AdminRow, String), DomainError> {
        let role = parse_role(role_raw)?;
        let name = checked_name(name)?;
        let email = email.map(crate::auth::service::email_field).transpose()?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let Some(admin) =
            store::insert_admin(&mut tx, Uuid::now_v7(), email.as_deref(), &name, avatar_url, role.as_str(), None)
                .await
                .map_err(db)?
        else {
            return Err(DomainError::rejected(ErrorCode::AdminEmailTaken, "a staff account with this e-mail exists"));
        };
        let token = tokens::opaque_token();
        let expires = Utc::now() + chrono::Duration::seconds(SETUP_LINK_SECS);
        store::insert_setup_token(&mut tx, &tokens::token_hash(&token), admin.id, expires).await.map_err(db)?;
        let change = Change {
            action: "admin.create",
            target_type: "admin",
            target_id: Some(admin.id.to_string()),
            before: None,
            after: Some(admin_snapshot(&admin)),
            reason: None,
        };
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok((admin, self.link("setup", &token)))
    }

    pub async fn list_admins(
        &self,
        role: Option<Role>,
        status: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AdminRow>, DomainError> {
        store::list_admins(&self.pool, role.map(Role::as_str), status, limit, offset).await.map_err(db)
    }

    pub async fn get_admin(&self, id: Uuid) -> Result<AdminRow, DomainError> {
        store::admin_by_id(&self.pool, id).await.map_err(db)?.ok_or_else(not_found)
    }

    /// Deletes an account; the last active SuperAdmin cannot go.
    pub async fn delete_admin(&self, actor: &Actor, id: Uuid) -> Result<AdminRow, DomainError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let supers = store::lock_and_count_super_admins(&mut tx).await.map_err(db)?;
        let admin = store::admin_for_update(&mut tx, id).await.map_err(db)?.ok_or_else(not_found)?;
        if admin.role == Role::SuperAdmin.as_str() && admin.status == "active" && supers <= 1 {
            return Err(DomainError::rejected(ErrorCode::LastSuperAdmin, "this is the last active SuperAdmin"));
        }
        store::delete_admin(&mut tx, id).await.map_err(db)?;
        let change = Change {
            action: "admin.delete",
            target_type: "admin",
            target_id: Some(id.to_string()),
            before: Some(admin_snapshot(&admin)),
            after: None,
            reason: None,
        };
        audit::append(&mut tx, actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(admin)
    }

    /// Sets the first password from a setup link (single use, 24 h).
    pub async fn complete_setup(&self, token: &str, password_raw: &str) -> Result<(), DomainError> {
        AuthService::check_password("password", password_raw, None)?;
        let hash = password::hash(password_raw.to_owned()).await.map_err(internal)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let Some((admin_id, expires_at)) =
            store::take_setup_token(&mut tx, &tokens::token_hash(token)).await.map_err(db)?
        else {
            return Err(DomainError::rejected(ErrorCode::LinkInvalid, "this link is invalid or was already used"));
        };
        if expires_at <= Utc::now() {
            tx.commit().await.map_err(db)?;
            return Err(DomainError::rejected(ErrorCode::LinkExpired, "this setup link has expired"));
        }
        let admin = store::admin_for_update(&mut tx, admin_id).await.map_err(db)?.ok_or_else(not_found)?;
        if let Some(email) = &admin.email {
            AuthService::check_password("password", password_raw, Some(email))?;
        }
        store::set_password(&mut tx, admin_id, &hash).await.map_err(db)?;
        let actor = Actor { kind: "admin", id: Some(admin_id), role: Some(admin.role.clone()), ..Actor::cli() };
        let change = Change {
            action: "admin.setup",
            target_type: "admin",
            target_id: Some(admin_id.to_string()),
            before: None,
            after: Some(json!({ "password": "********" })),
            reason: None,
        };
        audit::append(&mut tx, &actor, change).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    fn sign(
        &self,
        cfg: &AdminJwtConfig,
        admin_id: Uuid,
        sid: Uuid,
        typ: &str,
        ttl: i64,
    ) -> Result<String, DomainError> {
        let now = Utc::now().timestamp();
        let audience = if typ == ADMIN_TYP { cfg.audience.clone() } else { format!("{}_mfa", cfg.audience) };
        let claims = tokens::AccessClaims {
            iss: cfg.issuer.clone(),
            aud: audience,
            sub: admin_id.to_string(),
            sid: sid.to_string(),
            jti: Uuid::now_v7().to_string(),
            iat: now,
            nbf: now,
            exp: now + ttl,
            typ: typ.to_owned(),
        };
        tokens::sign(&claims, cfg.secret.expose()).map_err(internal)
    }

    /// Opens a staff session and signs its JWT.
    pub(super) async fn open_session(
        &self,
        cfg: &AdminJwtConfig,
        admin_id: Uuid,
        client: &ClientInfo,
    ) -> Result<StaffLogin, DomainError> {
        let ttl = cfg.token_expiration.0 as i64;
        let sid = Uuid::now_v7();
        let mut tx = self.pool.begin().await.map_err(db)?;
        let device: Option<String> = client.device.as_ref().map(|d| d.chars().take(200).collect());
        let expires = Utc::now() + chrono::Duration::seconds(ttl);
        store::create_session(&mut tx, sid, admin_id, device.as_deref(), client.ip.as_deref(), expires)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(StaffLogin::Token { access_token: self.sign(cfg, admin_id, sid, ADMIN_TYP, ttl)?, expires_in: ttl as u64 })
    }

    /// E-mail + password, at most `attempts::PASSWORD` failures per address and window.
    pub async fn login(
        &self,
        email_raw: &str,
        password_raw: &str,
        client: &ClientInfo,
    ) -> Result<StaffLogin, DomainError> {
        let key = crate::auth::service::password_attempts_key(&self.redis, "staff:login", email_raw);
        attempts::allow(&self.redis, &key, attempts::PASSWORD).await?;
        let result = self.login_checked(email_raw, password_raw, client).await;
        attempts::settle(&self.redis, &key, &result).await;
        result
    }

    /// Disabled accounts answer 403 only after the password verified.
    async fn login_checked(
        &self,
        email_raw: &str,
        password_raw: &str,
        client: &ClientInfo,
    ) -> Result<StaffLogin, DomainError> {
        let invalid = || DomainError::rejected(ErrorCode::InvalidCredentials, "wrong e-mail or password");
        if password_raw.chars().count() > 128 {
            return Err(invalid());
        }
        let cfg = self.jwt_config().await?;
        let admin = match rules::normalize_email(email_raw) {
            Some(email) => store::admin_by_email(&self.pool, &email).await.map_err(db)?,
            None => None,
        };
        let Some((admin, stored)) = admin.and_then(|a| a.password_hash.clone().map(|h| (a, h))) else {
            password::dummy_verify(password_raw.to_owned()).await.map_err(internal)?;
            return Err(invalid());
        };
        match password::verify(stored, password_raw.to_owned()).await.map_err(internal)? {
            password::Verified::No => return Err(invalid()),
            password::Verified::YesNeedsRehash => {
                let new_hash = password::hash(password_raw.to_owned()).await.map_err(internal)?;
                let mut tx = self.pool.begin().await.map_err(db)?;
                store::set_password(&mut tx, admin.id, &new_hash).await.map_err(db)?;
                tx.commit().await.map_err(db)?;
            }
            password::Verified::Yes => {}
        }
        if admin.status != "active" {
            return Err(DomainError::rejected(ErrorCode::AccountDisabled, "this staff account is disabled"));
        }
        if admin.mfa_enabled {
            let mfa_token = self.sign(&cfg, admin.id, Uuid::nil(), ADMIN_MFA_TYP, 300)?;
            return Ok(StaffLogin::MfaRequired { mfa_token });
        }
        self.open_session(&cfg, admin.id, client).await
    }

    /// Verifies a staff JWT or API key and the account behind it (revocation is immediate).
    pub async fn authenticate(&self, credential: &str) -> Result<StaffPrincipal, DomainError> {
        if credential.starts_with(API_KEY_PREFIX) {
            return self.authenticate_key(credential).await;
        }
        let cfg = self.jwt_config().await?;
        let claims = tokens::verify(credential, cfg.secret.expose(), &cfg.issuer, &cfg.audience, ADMIN_TYP).map_err(
            |e| match e {
                tokens::JwtError::Expired => DomainError::rejected(ErrorCode::TokenExpired, "the staff token expired"),
                tokens::JwtError::Invalid => unauthenticated(),
            },
        )?;
        let admin_id: Uuid = claims.sub.parse().map_err(|_| unauthenticated())?;
        let session_id: Uuid = claims.sid.parse().map_err(|_| unauthenticated())?;
        let state =
            store::session_state(&self.pool, admin_id, session_id).await.map_err(db)?.ok_or_else(unauthenticated)?;
        if !state.session_live || claims.iat < state.tokens_valid_after.timestamp() {
            return Err(unauthenticated());
        }
        if state.status != "active" {
            return Err(DomainError::rejected(ErrorCode::AccountDisabled, "this staff account is disabled"));
        }
        let role = Role::parse(&state.role).ok_or_else(unauthenticated)?;
        Ok(StaffPrincipal {
            role,
            admin_id: Some(admin_id),
            session_id: Some(session_id),
            api_key_id: None,
            key_permissions: None,
            mfa_enabled: state.mfa_enabled,
        })
    }

    async fn authenticate_key(&self, key: &str) -> Result<StaffPrincipal, DomainError> {
        let row = super::key_store::by_hash(&self.pool, &tokens::token_hash(key)).await.map_err(db)?;
        let Some(row) = row else { return Err(unauthenticated()) };
        let now = Utc::now();
        if row.revoked_at.is_some() || row.expires_at.is_some_and(|e: DateTime<Utc>| e <= now) {
            return Err(unauthenticated());
        }
        let role = Role::parse(&row.role).ok_or_else(unauthenticated)?;
        let key_permissions = row.permissions.map(|list| list.iter().filter_map(|p| Permission::parse(p)).collect());
        if row.last_used_at.is_none_or(|t| now - t > chrono::Duration::seconds(60)) {
            super::key_store::touch(&self.pool, row.id).await.map_err(db)?;
        }
        Ok(StaffPrincipal {
            role,
            admin_id: row.created_by,
            session_id: None,
            api_key_id: Some(row.id),
            key_permissions,
            mfa_enabled: false,
        })
    }

    /// Ends this staff session.
    pub async fn logout(&self, me: &StaffPrincipal) -> Result<(), DomainError> {
        if let Some(sid) = me.session_id {
            store::revoke_session(&self.pool, sid).await.map_err(db)?;
        }
        Ok(())
    }

    /// Whether `me` must enable TOTP before writing (per `admin-jwt.mfa_required_roles`).
    pub async fn mfa_required(&self, me: &StaffPrincipal) -> Result<bool, DomainError> {
        if me.api_key_id.is_some() || me.mfa_enabled {
            return Ok(false);
        }
        let cfg = self.jwt_config().await?;
        Ok(cfg.mfa_required_roles.iter().any(|r| Role::parse(r) == Some(me.role)))
    }
}
