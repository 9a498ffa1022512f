//! `helium.v1.AuthService`: the gRPC face of the customer identity routes. It converts
//! messages and calls the same `AuthService` as REST — nothing more.

use helium_domain::ErrorCode;
use helium_infra::auth::mfa::{LoginOutcome, SecondFactor};
use helium_infra::auth::service::{ClientInfo, CustomerPrincipal, TokenPair as Tokens};
use helium_infra::auth::store::UserRow;
use tonic::{Request, Response, Status};

use super::pb;
use crate::http::problem::ApiError;
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

fn client<T>(req: &Request<T>) -> ClientInfo {
    ClientInfo {
        device: req.metadata().get("user-agent").and_then(|v| v.to_str().ok()).map(str::to_owned),
        ip: req.remote_addr().map(|a| a.ip().to_string()),
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

fn err(e: helium_domain::DomainError) -> Status {
    ApiError::from(e).into()
}

fn patch(value: Option<String>, clear: bool) -> Option<Option<String>> {
    if clear { Some(None) } else { value.map(Some) }
}

#[tonic::async_trait]
impl pb::auth_service_server::AuthService for AuthGrpc {
    async fn register(&self, req: Request<pb::RegisterRequest>) -> Result<Response<pb::EmailSent>, Status> {
        let r = req.into_inner();
        self.state.auth.register(&r.email, r.referral_code.as_deref()).await.map_err(err)?;
        Ok(Response::new(pb::EmailSent { status: "email_sent".into() }))
    }

    async fn complete_registration(
        &self,
        req: Request<pb::CompleteRegistrationRequest>,
    ) -> Result<Response<pb::RegistrationCompleted>, Status> {
        let info = client(&req);
        let r = req.into_inner();
        let (user, pair) = self.state.auth.complete_registration(&r.token, &r.password, &info).await.map_err(err)?;
        Ok(Response::new(pb::RegistrationCompleted { account: Some(me(user)), tokens: Some(tokens(pair)) }))
    }

    async fn login(&self, req: Request<pb::LoginRequest>) -> Result<Response<pb::LoginResult>, Status> {
        let info = client(&req);
        let r = req.into_inner();
        Ok(Response::new(outcome(self.state.auth.login(&r.email, &r.password, &info).await.map_err(err)?)))
    }

    async fn login_mfa(&self, req: Request<pb::LoginMfaRequest>) -> Result<Response<pb::TokenPair>, Status> {
        let info = client(&req);
        let r = req.into_inner();
        let factor = match (r.code.as_deref(), r.recovery_code.as_deref()) {
            (Some(c), None) => SecondFactor::Code(c),
            (None, Some(rc)) => SecondFactor::Recovery(rc),
            _ => {
                return Err(
                    ApiError::new(ErrorCode::ValidationFailed, "give exactly one of code or recovery_code").into()
                );
            }
        };
        Ok(Response::new(tokens(self.state.auth.login_mfa(&r.mfa_token, factor, &info).await.map_err(err)?)))
    }

    async fn refresh_token(&self, req: Request<pb::RefreshTokenRequest>) -> Result<Response<pb::TokenPair>, Status> {
        Ok(Response::new(tokens(self.state.auth.refresh(&req.into_inner().refresh_token).await.map_err(err)?)))
    }

    async fn forgot_password(&self, req: Request<pb::EmailRequest>) -> Result<Response<pb::Accepted>, Status> {
        self.state.auth.forgot_password(&req.into_inner().email).await.map_err(err)?;
        Ok(Response::new(pb::Accepted { status: "accepted".into() }))
    }

    async fn reset_password(&self, req: Request<pb::ResetPasswordRequest>) -> Result<Response<pb::Empty>, Status> {
        let r = req.into_inner();
        self.state.auth.reset_password(&r.token, &r.new_password).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn change_password(&self, req: Request<pb::ChangePasswordRequest>) -> Result<Response<pb::Empty>, Status> {
        let who = self.customer(&req).await?;
        let r = req.into_inner();
        self.state.auth.change_password(who, &r.current_password, &r.new_password).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn request_email_code(&self, req: Request<pb::EmailRequest>) -> Result<Response<pb::Accepted>, Status> {
        self.state.auth.request_email_code(&req.into_inner().email).await.map_err(err)?;
        Ok(Response::new(pb::Accepted { status: "accepted".into() }))
    }

    async fn verify_email_code(
        &self,
        req: Request<pb::VerifyEmailCodeRequest>,
    ) -> Result<Response<pb::LoginResult>, Status> {
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
}
