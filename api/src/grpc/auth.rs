//! `helium.v1.AuthService`: the gRPC face of the customer identity routes. It converts
//! messages and calls the same `AuthService` as REST — nothing more.

use crate::http::rate_limit::RouteClass;
use helium_domain::ErrorCode;
use helium_infra::auth::methods::{EMAIL_CODE_METHOD, LoginMethod, PASSWORD_METHOD};
use helium_infra::auth::mfa::LoginOutcome;
use helium_infra::auth::service::{CustomerPrincipal, TokenPair as Tokens};
use helium_infra::auth::store::UserRow;
use tonic::{Request, Response, Status};

use super::{client, err, pb};
use crate::http::problem::ApiError;
use crate::rest::auth_mfa::factor;
use crate::state::AppState;

pub struct AuthGrpc {
    state: AppState,
}

impl AuthGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }

    async fn customer<T>(&self, req: &Request<T>) -> Result<CustomerPrincipal, Status> {
        let token = req
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(crate::http::customer::bearer_token)
            .map(str::to_owned)
            .ok_or_else(|| Status::from(ApiError::new(ErrorCode::Unauthenticated, "sign in to use this operation")))?;
        Ok(self.state.auth.authenticate(&token).await.map_err(ApiError::from)?)
    }
}

fn tokens(t: Tokens) -> pb::TokenPair {
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

fn me(u: UserRow) -> pb::Me {
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
    match m {
        LoginMethod::Password | LoginMethod::EmailCode => {
            let id = if matches!(m, LoginMethod::Password) { PASSWORD_METHOD } else { EMAIL_CODE_METHOD };
            pb::LoginMethod { id: id.into(), kind: id.into(), ..Default::default() }
        }
        LoginMethod::Oauth(i) => pb::LoginMethod {
            id: i.id.to_string(),
            kind: "oauth".into(),
            provider: Some(i.provider),
            email: i.email,
            created_at: Some(i.created_at.to_rfc3339()),
            last_used_at: i.last_used_at.map(|t| t.to_rfc3339()),
        },
    }
}

fn patch(value: Option<String>, clear: bool) -> Option<Option<String>> {
    if clear { Some(None) } else { value.map(Some) }
}

#[tonic::async_trait]
impl pb::auth_service_server::AuthService for AuthGrpc {
    async fn register(&self, req: Request<pb::RegisterRequest>) -> Result<Response<pb::EmailSent>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let r = req.into_inner();
        self.state.auth.register(&r.email, r.referral_code.as_deref()).await.map_err(err)?;
        Ok(Response::new(pb::EmailSent { status: "email_sent".into() }))
    }

    async fn complete_registration(
        &self,
        req: Request<pb::CompleteRegistrationRequest>,
    ) -> Result<Response<pb::RegistrationCompleted>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        let (user, pair) = self.state.auth.complete_registration(&r.token, &r.password, &info).await.map_err(err)?;
        Ok(Response::new(pb::RegistrationCompleted { account: Some(me(user)), tokens: Some(tokens(pair)) }))
    }

    async fn login(&self, req: Request<pb::LoginRequest>) -> Result<Response<pb::LoginResult>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        Ok(Response::new(outcome(self.state.auth.login(&r.email, &r.password, &info).await.map_err(err)?)))
    }

    async fn login_mfa(&self, req: Request<pb::LoginMfaRequest>) -> Result<Response<pb::TokenPair>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        let factor = factor(&r.code, &r.recovery_code)?;
        Ok(Response::new(tokens(self.state.auth.login_mfa(&r.mfa_token, factor, &info).await.map_err(err)?)))
    }

    async fn refresh_token(&self, req: Request<pb::RefreshTokenRequest>) -> Result<Response<pb::TokenPair>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        Ok(Response::new(tokens(self.state.auth.refresh(&req.into_inner().refresh_token).await.map_err(err)?)))
    }

    async fn forgot_password(&self, req: Request<pb::EmailRequest>) -> Result<Response<pb::Accepted>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        self.state.auth.forgot_password(&req.into_inner().email).await.map_err(err)?;
        Ok(Response::new(pb::Accepted { status: "accepted".into() }))
    }

    async fn reset_password(&self, req: Request<pb::ResetPasswordRequest>) -> Result<Response<pb::Empty>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let r = req.into_inner();
        self.state.auth.reset_password(&r.token, &r.new_password).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn change_password(&self, req: Request<pb::ChangePasswordRequest>) -> Result<Response<pb::Empty>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let who = self.customer(&req).await?;
        let r = req.into_inner();
        self.state.auth.change_password(who, &r.current_password, &r.new_password).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn request_email_code(&self, req: Request<pb::EmailRequest>) -> Result<Response<pb::Accepted>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        self.state.auth.request_email_code(&req.into_inner().email).await.map_err(err)?;
        Ok(Response::new(pb::Accepted { status: "accepted".into() }))
    }

    async fn verify_email_code(
        &self,
        req: Request<pb::VerifyEmailCodeRequest>,
    ) -> Result<Response<pb::LoginResult>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        Ok(Response::new(outcome(self.state.auth.verify_email_code(&r.email, &r.code, &info).await.map_err(err)?)))
    }

    async fn list_sessions(&self, req: Request<pb::Empty>) -> Result<Response<pb::SessionList>, Status> {
        let who = self.customer(&req).await?;
        let items = self
            .state
            .auth
            .list_sessions(who.user_id)
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
        let who = self.customer(&req).await?;
        let id = req
            .into_inner()
            .id
            .parse()
            .map_err(|_| Status::from(ApiError::new(ErrorCode::NotFound, "no such session")))?;
        self.state.auth.revoke_session(who.user_id, id).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn logout(&self, req: Request<pb::Empty>) -> Result<Response<pb::Empty>, Status> {
        let who = self.customer(&req).await?;
        self.state.auth.revoke_session(who.user_id, who.session_id).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn logout_all(&self, req: Request<pb::Empty>) -> Result<Response<pb::Empty>, Status> {
        let who = self.customer(&req).await?;
        self.state.auth.logout_all(who.user_id).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn get_me(&self, req: Request<pb::Empty>) -> Result<Response<pb::Me>, Status> {
        let who = self.customer(&req).await?;
        Ok(Response::new(me(self.state.auth.me(who.user_id).await.map_err(err)?)))
    }

    async fn update_me(&self, req: Request<pb::UpdateMeRequest>) -> Result<Response<pb::Me>, Status> {
        let who = self.customer(&req).await?;
        let r = req.into_inner();
        let user = self
            .state
            .auth
            .update_me(
                who.user_id,
                patch(r.display_name, r.clear_display_name),
                patch(r.locale, r.clear_locale),
                patch(r.timezone, r.clear_timezone),
            )
            .await
            .map_err(err)?;
        Ok(Response::new(me(user)))
    }

    async fn setup_totp(&self, req: Request<pb::Empty>) -> Result<Response<pb::TotpSetup>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let me = self.customer(&req).await?;
        let t = self.state.auth.setup_totp(me).await.map_err(err)?;
        Ok(Response::new(pb::TotpSetup { secret: t.secret, otpauth_uri: t.otpauth_uri }))
    }

    async fn enable_totp(&self, req: Request<pb::TotpCodeRequest>) -> Result<Response<pb::RecoveryCodes>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let me = self.customer(&req).await?;
        let recovery_codes = self.state.auth.enable_totp(me, &req.into_inner().code).await.map_err(err)?;
        Ok(Response::new(pb::RecoveryCodes { recovery_codes }))
    }

    async fn disable_totp(&self, req: Request<pb::DisableTotpRequest>) -> Result<Response<pb::Empty>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let me = self.customer(&req).await?;
        let r = req.into_inner();
        let f = factor(&r.code, &r.recovery_code)?;
        self.state.auth.disable_totp(me, f, &r.password).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn regenerate_recovery_codes(
        &self,
        req: Request<pb::TotpCodeRequest>,
    ) -> Result<Response<pb::RecoveryCodes>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let me = self.customer(&req).await?;
        let recovery_codes =
            self.state.auth.regenerate_recovery_codes(me, &req.into_inner().code).await.map_err(err)?;
        Ok(Response::new(pb::RecoveryCodes { recovery_codes }))
    }

    async fn get_oauth_authorization_url(
        &self,
        req: Request<pb::OauthAuthorizeRequest>,
    ) -> Result<Response<pb::AuthorizationUrl>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let link_user =
            if req.metadata().contains_key("authorization") { Some(self.customer(&req).await?.user_id) } else { None };
        let r = req.into_inner();
        let authorization_url = self
            .state
            .auth
            .oauth_authorization_url(&r.provider, r.redirect_uri.as_deref(), link_user)
            .await
            .map_err(err)?;
        Ok(Response::new(pb::AuthorizationUrl { authorization_url }))
    }

    async fn complete_oauth_login(
        &self,
        req: Request<pb::OauthCallbackRequest>,
    ) -> Result<Response<pb::LoginResult>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        Ok(Response::new(outcome(
            self.state.auth.oauth_login(&r.provider, &r.code, &r.state, &info).await.map_err(err)?,
        )))
    }

    async fn list_login_methods(&self, req: Request<pb::Empty>) -> Result<Response<pb::LoginMethodList>, Status> {
        let me = self.customer(&req).await?;
        let items = self.state.auth.login_methods(me.user_id).await.map_err(err)?.into_iter().map(method).collect();
        Ok(Response::new(pb::LoginMethodList { items }))
    }

    async fn link_oauth_method(
        &self,
        req: Request<pb::OauthCallbackRequest>,
    ) -> Result<Response<pb::LoginMethod>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let me = self.customer(&req).await?;
        let r = req.into_inner();
        let row = self.state.auth.oauth_link(me.user_id, &r.provider, &r.code, &r.state).await.map_err(err)?;
        Ok(Response::new(method(LoginMethod::Oauth(row))))
    }

    async fn set_password(&self, req: Request<pb::SetPasswordRequest>) -> Result<Response<pb::LoginMethod>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let me = self.customer(&req).await?;
        self.state.auth.set_password(me.user_id, &req.into_inner().new_password).await.map_err(err)?;
        Ok(Response::new(method(LoginMethod::Password)))
    }

    async fn remove_login_method(
        &self,
        req: Request<pb::RemoveLoginMethodRequest>,
    ) -> Result<Response<pb::Empty>, Status> {
        let me = self.customer(&req).await?;
        self.state.auth.remove_login_method(me.user_id, &req.into_inner().id).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }
}
