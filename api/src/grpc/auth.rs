//! `helium.v1.AuthService`: the gRPC face of the customer identity routes. It builds the same
//! commands as REST (`helium_domain::auth::commands`: one rule set, the same field errors),
//! applies the same rate-limit classes, and calls the same services — nothing more.

use helium_domain::DomainError;
use helium_domain::auth::commands::{
    self, ChangePassword, Credentials, DisableTotp, EmailCode, MfaStep, ProfileUpdate, ReauthProof, Register,
    TokenPassword,
};
use helium_domain::auth::{Customer, CustomerPrincipal, LoginMethod, LoginOutcome, TokenPair};
use helium_domain::text::Fields;
use tonic::{Request, Response, Status};

use super::{client, err, limit, pb};
use crate::http::problem::ApiError;
use crate::http::rate_limit::RouteClass::{self, Auth, Read, Write};
use crate::state::AppState;

pub struct AuthGrpc {
    state: AppState,
}

impl AuthGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    /// The signed-in customer of the call, counted in `class` like the REST route.
    async fn customer<T>(&self, req: &Request<T>, class: RouteClass) -> Result<CustomerPrincipal, Status> {
        super::customer(&self.state, req, class).await
    }
}

/// `x-reauth-token` metadata: the proof a sensitive change needs.
fn reauth_token<T>(req: &Request<T>) -> Option<String> {
    req.metadata().get("x-reauth-token").and_then(|v| v.to_str().ok()).map(|v| v.trim().to_owned())
}

fn tokens(t: TokenPair) -> pb::TokenPair {
    pb::TokenPair {
        access_token: t.access_token,
        token_type: "Bearer".to_owned(),
        expires_in: t.expires_in,
        refresh_token: t.refresh_token,
        refresh_expires_at: t.refresh_expires_at.to_rfc3339(),
    }
}

fn outcome(o: LoginOutcome) -> pb::LoginResult {
    match o {
        LoginOutcome::Tokens(t) => pb::LoginResult { mfa_required: false, mfa_token: None, tokens: Some(tokens(t)) },
        LoginOutcome::MfaRequired { mfa_token } => {
            pb::LoginResult { mfa_required: true, mfa_token: Some(mfa_token), tokens: None }
        }
    }
}

fn me(u: Customer) -> pb::Me {
    pb::Me {
        id: u.id.to_string(),
        email: u.email,
        display_name: u.display_name,
        locale: u.locale,
        timezone: u.timezone,
        mfa_enabled: u.mfa_enabled,
        created_at: u.created_at.to_rfc3339(),
    }
}

fn method(m: LoginMethod) -> pb::LoginMethod {
    let (id, kind) = (m.id(), m.kind().to_owned());
    match m {
        LoginMethod::Oauth(i) => pb::LoginMethod {
            id,
            kind,
            provider: Some(i.provider),
            email: i.email,
            created_at: Some(i.created_at.to_rfc3339()),
            last_used_at: i.last_used_at.map(|t| t.to_rfc3339()),
        },
        _ => pb::LoginMethod { id, kind, ..Default::default() },
    }
}

/// A PATCH field of a proto3 message: `clear` wins, else the value when present.
fn patch(value: &Option<String>, clear: bool) -> Option<Option<&str>> {
    if clear { Some(None) } else { value.as_deref().map(Some) }
}

/// `code`, `state` and `binding` of an OAuth callback, shaped like REST's.
fn callback(r: &pb::OauthCallbackRequest) -> Result<(String, String, Option<String>), DomainError> {
    let mut f = Fields::new();
    let code = f.secret("code", &r.code, 1, 2048);
    let state = f.secret("state", &r.state, 1, 256);
    let binding = (!r.binding.is_empty()).then(|| f.secret("binding", &r.binding, 1, 256));
    f.finish((code, state, binding))
}

#[tonic::async_trait]
impl pb::auth_service_server::AuthService for AuthGrpc {
    async fn register(&self, req: Request<pb::RegisterRequest>) -> Result<Response<pb::EmailSent>, Status> {
        limit(&self.state, &req, Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        let cmd = Register::new(&r.email, r.referral_code.as_deref()).map_err(err)?;
        self.state.auth.registration.register(&cmd, &info).await.map_err(err)?;
        Ok(Response::new(pb::EmailSent { status: "email_sent".into() }))
    }

    async fn complete_registration(
        &self,
        req: Request<pb::CompleteRegistrationRequest>,
    ) -> Result<Response<pb::RegistrationCompleted>, Status> {
        limit(&self.state, &req, Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        let cmd = TokenPassword::new(&r.token, &r.password, "password").map_err(err)?;
        let (user, pair) = self.state.auth.registration.complete(&cmd, &info).await.map_err(err)?;
        Ok(Response::new(pb::RegistrationCompleted { account: Some(me(user)), tokens: Some(tokens(pair)) }))
    }

    async fn login(&self, req: Request<pb::LoginRequest>) -> Result<Response<pb::LoginResult>, Status> {
        limit(&self.state, &req, Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        let cmd = Credentials::new(&r.email, &r.password).map_err(err)?;
        Ok(Response::new(outcome(self.state.auth.sign_in.login(&cmd, &info).await.map_err(err)?)))
    }

    async fn login_mfa(&self, req: Request<pb::LoginMfaRequest>) -> Result<Response<pb::TokenPair>, Status> {
        limit(&self.state, &req, Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        let cmd = MfaStep::new(&r.mfa_token, r.code.as_deref(), r.recovery_code.as_deref()).map_err(err)?;
        Ok(Response::new(tokens(self.state.auth.sign_in.login_mfa(&cmd, &info).await.map_err(err)?)))
    }

    async fn refresh_token(&self, req: Request<pb::RefreshTokenRequest>) -> Result<Response<pb::TokenPair>, Status> {
        limit(&self.state, &req, Auth).await?;
        let token = commands::token_only("refresh_token", &req.get_ref().refresh_token).map_err(err)?;
        Ok(Response::new(tokens(self.state.auth.sign_in.refresh(&token).await.map_err(err)?)))
    }

    async fn forgot_password(&self, req: Request<pb::EmailRequest>) -> Result<Response<pb::Accepted>, Status> {
        limit(&self.state, &req, Auth).await?;
        let info = client(&req);
        let email = commands::email_only(&req.get_ref().email).map_err(err)?;
        self.state.auth.recovery.forgot_password(&email, &info).await.map_err(err)?;
        Ok(Response::new(pb::Accepted { status: "accepted".into() }))
    }

    async fn reset_password(&self, req: Request<pb::ResetPasswordRequest>) -> Result<Response<pb::Empty>, Status> {
        limit(&self.state, &req, Auth).await?;
        let r = req.into_inner();
        let cmd = TokenPassword::new(&r.token, &r.new_password, "new_password").map_err(err)?;
        self.state.auth.recovery.reset_password(&cmd).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn change_password(&self, req: Request<pb::ChangePasswordRequest>) -> Result<Response<pb::Empty>, Status> {
        let who = self.customer(&req, Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        let cmd = ChangePassword::new(&r.current_password, &r.new_password).map_err(err)?;
        self.state.auth.recovery.change_password(who, &cmd, &info).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn request_email_change(
        &self,
        req: Request<pb::RequestEmailChangeRequest>,
    ) -> Result<Response<pb::EmailSent>, Status> {
        let who = self.customer(&req, Auth).await?;
        let info = client(&req);
        let proof = reauth_token(&req);
        let r = req.into_inner();
        // proto3: an empty password is no password (then the x-reauth-token proof counts).
        let password = Some(r.password.as_str()).filter(|p| !p.is_empty());
        let cmd = commands::EmailChangeRequest::new(&r.new_email, password).map_err(err)?;
        let email_change = &self.state.auth.email_change;
        email_change
            .request(who, &cmd.new_email, cmd.password.as_deref(), proof.as_deref(), &info)
            .await
            .map_err(err)?;
        Ok(Response::new(pb::EmailSent { status: "email_sent".into() }))
    }

    async fn confirm_email_change(
        &self,
        req: Request<pb::ConfirmEmailChangeRequest>,
    ) -> Result<Response<pb::Empty>, Status> {
        let who = self.customer(&req, Auth).await?;
        let token = commands::token_only("token", &req.get_ref().token).map_err(err)?;
        self.state.auth.email_change.confirm(who, &token).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn request_email_code(&self, req: Request<pb::EmailRequest>) -> Result<Response<pb::Accepted>, Status> {
        limit(&self.state, &req, Auth).await?;
        let info = client(&req);
        let email = commands::email_only(&req.get_ref().email).map_err(err)?;
        self.state.auth.sign_in.request_email_code(&email, &info).await.map_err(err)?;
        Ok(Response::new(pb::Accepted { status: "accepted".into() }))
    }

    async fn verify_email_code(
        &self,
        req: Request<pb::VerifyEmailCodeRequest>,
    ) -> Result<Response<pb::LoginResult>, Status> {
        limit(&self.state, &req, Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        let cmd = EmailCode::new(&r.email, &r.code).map_err(err)?;
        Ok(Response::new(outcome(self.state.auth.sign_in.verify_email_code(&cmd, &info).await.map_err(err)?)))
    }

    async fn list_sessions(&self, req: Request<pb::Empty>) -> Result<Response<pb::SessionList>, Status> {
        let who = self.customer(&req, Read).await?;
        let items = self
            .state
            .auth
            .sessions
            .list(who.user_id)
            .await
            .map_err(err)?
            .into_iter()
            .map(|s| pb::Session {
                current: s.id == who.session_id,
                id: s.id.to_string(),
                device: s.device,
                ip: s.ip,
                created_at: s.created_at.to_rfc3339(),
                last_used_at: s.last_used_at.to_rfc3339(),
            })
            .collect();
        Ok(Response::new(pb::SessionList { items }))
    }

    async fn revoke_session(&self, req: Request<pb::RevokeSessionRequest>) -> Result<Response<pb::Empty>, Status> {
        let who = self.customer(&req, Write).await?;
        let id = req.get_ref().id.trim().parse().map_err(|_| Status::from(ApiError::not_found()))?;
        self.state.auth.sessions.revoke(who.user_id, id).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn logout(&self, req: Request<pb::Empty>) -> Result<Response<pb::Empty>, Status> {
        let who = self.customer(&req, Write).await?;
        self.state.auth.sessions.revoke(who.user_id, who.session_id).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn logout_all(&self, req: Request<pb::Empty>) -> Result<Response<pb::Empty>, Status> {
        let who = self.customer(&req, Write).await?;
        self.state.auth.sessions.logout_all(who.user_id).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn get_me(&self, req: Request<pb::Empty>) -> Result<Response<pb::Me>, Status> {
        let who = self.customer(&req, Read).await?;
        Ok(Response::new(me(self.state.auth.profile.me(who.user_id).await.map_err(err)?)))
    }

    async fn update_me(&self, req: Request<pb::UpdateMeRequest>) -> Result<Response<pb::Me>, Status> {
        let who = self.customer(&req, Write).await?;
        let r = req.into_inner();
        let cmd = ProfileUpdate::new(
            patch(&r.display_name, r.clear_display_name),
            patch(&r.locale, r.clear_locale),
            patch(&r.timezone, r.clear_timezone),
        )
        .map_err(err)?;
        Ok(Response::new(me(self.state.auth.profile.update(who.user_id, cmd).await.map_err(err)?)))
    }

    async fn setup_totp(&self, req: Request<pb::Empty>) -> Result<Response<pb::TotpSetup>, Status> {
        let who = self.customer(&req, Auth).await?;
        let t = self.state.auth.mfa.setup_totp(who).await.map_err(err)?;
        Ok(Response::new(pb::TotpSetup { secret: t.secret, otpauth_uri: t.otpauth_uri }))
    }

    async fn enable_totp(&self, req: Request<pb::TotpCodeRequest>) -> Result<Response<pb::RecoveryCodes>, Status> {
        let who = self.customer(&req, Auth).await?;
        let code = commands::code_only(&req.get_ref().code).map_err(err)?;
        let recovery_codes = self.state.auth.mfa.enable_totp(who, &code).await.map_err(err)?;
        Ok(Response::new(pb::RecoveryCodes { recovery_codes }))
    }

    async fn disable_totp(&self, req: Request<pb::DisableTotpRequest>) -> Result<Response<pb::Empty>, Status> {
        let who = self.customer(&req, Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        let cmd = DisableTotp::new(&r.password, r.code.as_deref(), r.recovery_code.as_deref()).map_err(err)?;
        self.state.auth.mfa.disable_totp(who, &cmd, &info).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn regenerate_recovery_codes(
        &self,
        req: Request<pb::TotpCodeRequest>,
    ) -> Result<Response<pb::RecoveryCodes>, Status> {
        let who = self.customer(&req, Auth).await?;
        let code = commands::code_only(&req.get_ref().code).map_err(err)?;
        let recovery_codes = self.state.auth.mfa.regenerate_recovery_codes(who, &code).await.map_err(err)?;
        Ok(Response::new(pb::RecoveryCodes { recovery_codes }))
    }

    async fn get_oauth_authorization_url(
        &self,
        req: Request<pb::OauthAuthorizeRequest>,
    ) -> Result<Response<pb::AuthorizationUrl>, Status> {
        limit(&self.state, &req, Auth).await?;
        let link_user = if req.metadata().contains_key("authorization") {
            Some(self.customer(&req, Auth).await?.user_id)
        } else {
            None
        };
        let r = req.into_inner();
        let start = self
            .state
            .auth
            .oauth
            .authorization_url(&r.provider, r.redirect_uri.as_deref(), link_user)
            .await
            .map_err(err)?;
        Ok(Response::new(pb::AuthorizationUrl { authorization_url: start.authorization_url, binding: start.binding }))
    }

    async fn complete_oauth_login(
        &self,
        req: Request<pb::OauthCallbackRequest>,
    ) -> Result<Response<pb::LoginResult>, Status> {
        limit(&self.state, &req, Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        let (code, state, binding) = callback(&r).map_err(err)?;
        let outcome_ = self.state.auth.oauth.login(&r.provider, &code, &state, binding.as_deref(), &info).await;
        Ok(Response::new(outcome(outcome_.map_err(err)?)))
    }

    async fn list_login_methods(&self, req: Request<pb::Empty>) -> Result<Response<pb::LoginMethodList>, Status> {
        let who = self.customer(&req, Read).await?;
        let items = self.state.auth.methods.list(who.user_id).await.map_err(err)?.into_iter().map(method).collect();
        Ok(Response::new(pb::LoginMethodList { items }))
    }

    async fn link_oauth_method(
        &self,
        req: Request<pb::OauthCallbackRequest>,
    ) -> Result<Response<pb::LoginMethod>, Status> {
        let who = self.customer(&req, Auth).await?;
        let proof = reauth_token(&req);
        let r = req.into_inner();
        let (code, state, binding) = callback(&r).map_err(err)?;
        let row = self
            .state
            .auth
            .oauth
            .link(who, proof.as_deref(), &r.provider, &code, &state, binding.as_deref())
            .await
            .map_err(err)?;
        Ok(Response::new(method(LoginMethod::Oauth(row))))
    }

    async fn set_password(&self, req: Request<pb::SetPasswordRequest>) -> Result<Response<pb::LoginMethod>, Status> {
        let who = self.customer(&req, Auth).await?;
        let proof = reauth_token(&req);
        let mut f = Fields::new();
        let password = f.secret("new_password", &req.get_ref().new_password, 0, commands::SECRET_MAX);
        f.finish(()).map_err(err)?;
        self.state.auth.methods.set_password(who, proof.as_deref(), &password).await.map_err(err)?;
        Ok(Response::new(method(LoginMethod::Password)))
    }

    async fn remove_login_method(
        &self,
        req: Request<pb::RemoveLoginMethodRequest>,
    ) -> Result<Response<pb::Empty>, Status> {
        let who = self.customer(&req, Auth).await?;
        let proof = reauth_token(&req);
        let id = req.get_ref().id.trim();
        if id.is_empty() || id.len() > 64 {
            return Err(ApiError::not_found().into());
        }
        self.state.auth.methods.remove(who, proof.as_deref(), id).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn reauthenticate(&self, req: Request<pb::ReauthRequest>) -> Result<Response<pb::ReauthGrant>, Status> {
        let who = self.customer(&req, Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        let proof = ReauthProof::new(r.password.as_deref(), r.code.as_deref(), r.email_code.as_deref()).map_err(err)?;
        let grant = self.state.auth.reauth.confirm(who, &proof, &info).await.map_err(err)?;
        Ok(Response::new(pb::ReauthGrant { reauth_token: grant.reauth_token, expires_in: grant.expires_in }))
    }

    async fn send_reauth_code(&self, req: Request<pb::Empty>) -> Result<Response<pb::Accepted>, Status> {
        let who = self.customer(&req, Auth).await?;
        self.state.auth.reauth.send_code(who, &client(&req)).await.map_err(err)?;
        Ok(Response::new(pb::Accepted { status: "accepted".into() }))
    }
}
