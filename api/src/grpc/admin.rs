//! `helium.v1.AdminService`: the gRPC face of the staff routes of REST tag `admin`. Every RPC
//! makes REST's own permission/MFA decision (`http::staff::authorize`, same permission as its
//! route), applies the same request rules (the REST DTO's `Validate`) and calls the same
//! `StaffService` use case — nothing more. The shared helpers serve `admin_governance` too.

use crate::http::rate_limit::RouteClass;
use chrono::{DateTime, Utc};
use helium_domain::admin::{Permission, Role};
use helium_domain::{ErrorCode, FieldError};
use helium_infra::staff::admins::AdminPatch;
use helium_infra::staff::api_keys::NewApiKey;
use helium_infra::staff::audit::Actor;
use helium_infra::staff::invitation_store::InvitationRow;
use helium_infra::staff::key_store::ApiKeyRow;
use helium_infra::staff::service::{StaffLogin, StaffPrincipal};
use helium_infra::staff::store::AdminRow;
use tonic::{Request, Response, Status};
use uuid::Uuid;
use validator::Validate;

use super::{client, err, pb};
use crate::http::json::flatten;
use crate::http::problem::ApiError;
use crate::rest::admin::admins::AdminUpdateRequest;
use crate::rest::admin::api_keys::ApiKeyCreateRequest;
use crate::rest::admin::dto::{AdminLoginRequest, AdminSetupRequest, AdminUpdateMeRequest};
use crate::rest::admin::invitations::{AcceptInvitationRequest, CreateInvitationRequest};
use crate::rest::auth_dto::{ChangePasswordRequest, DisableTotpRequest, LoginMfaRequest, TotpCodeRequest};
use crate::rest::auth_mfa::factor;
use crate::state::AppState;

// ---- shared by the staff adapters ----------------------------------------------------------

/// Authenticates the call's staff credential (`authorization: Bearer …` or `x-api-key`
/// metadata) and checks `permission` — and for a write the MFA rule — exactly as the REST
/// guard does. Returns the principal and the audit actor for the call.
pub async fn staff<T>(
    state: &AppState,
    req: &Request<T>,
    permission: Permission,
    write: bool,
) -> Result<(StaffPrincipal, Actor), Status> {
    let headers = req.metadata().clone().into_headers();
    let credential = crate::http::staff::credential(&headers);
    let principal = crate::http::staff::authorize(state, credential.as_deref(), permission, write).await?;
    let actor = principal.actor(&client(req), Some(request_id(req)));
    Ok((principal, actor))
}

/// `x-request-id` metadata when REST would accept it as a header, else a new UUID v7.
fn request_id<T>(req: &Request<T>) -> String {
    req.metadata()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| crate::http::request_id::acceptable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::now_v7().to_string())
}

/// The REST body's `validator` rules, answered as REST does (422 → InvalidArgument).
pub fn valid<T: Validate>(dto: T) -> Result<T, Status> {
    dto.validate().map_err(|e| Status::from(ApiError::validation(flatten(&e, ""))))?;
    Ok(dto)
}

/// A 422 naming one field.
pub fn invalid(field: &str, code: &str, message: &str) -> Status {
    ApiError::validation(vec![FieldError::new(field, code, message).into()]).into()
}

/// An id from a message; a malformed one names nothing that exists.
pub fn id(raw: &str, what: &str) -> Result<Uuid, Status> {
    raw.trim().parse().map_err(|_| Status::from(ApiError::new(ErrorCode::NotFound, format!("no such {what}"))))
}

pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

// ---- conversions ---------------------------------------------------------------------------

fn admin(a: AdminRow) -> pb::Admin {
    pb::Admin {
        id: a.id.to_string(),
        password_set: a.password_hash.is_some(),
        name: a.name,
        email: a.email,
        avatar_url: a.avatar_url,
        role: a.role,
        status: a.status,
        mfa_enabled: a.mfa_enabled,
        created_at: ts(a.created_at),
        updated_at: ts(a.updated_at),
    }
}

fn me(principal: &StaffPrincipal, a: AdminRow) -> pb::AdminMe {
    let permissions = principal.permission_names();
    pb::AdminMe { admin: Some(admin(a)), permissions }
}

fn login(l: StaffLogin) -> pb::AdminLoginResult {
    match l {
        StaffLogin::Token { access_token, expires_in } => pb::AdminLoginResult {
            mfa_required: false,
            mfa_token: None,
            access_token: Some(access_token),
            token_type: Some("Bearer".into()),
            expires_in: Some(expires_in),
        },
        StaffLogin::MfaRequired { mfa_token } => {
            pb::AdminLoginResult { mfa_required: true, mfa_token: Some(mfa_token), ..Default::default() }
        }
    }
}

fn invitation(i: InvitationRow) -> pb::StaffInvitation {
    pb::StaffInvitation {
        status: i.status(Utc::now()).to_owned(),
        id: i.id.to_string(),
        email: i.email,
        name: i.name,
        role: i.role,
        invited_by: i.invited_by.map(|u| u.to_string()),
        created_at: ts(i.created_at),
        expires_at: ts(i.expires_at),
        accepted_at: i.accepted_at.map(ts),
        admin_id: i.admin_id.map(|u| u.to_string()),
    }
}

fn permissions(p: Option<Vec<String>>) -> Option<pb::ApiKeyPermissions> {
    p.map(|items| pb::ApiKeyPermissions { items })
}

fn api_key(k: ApiKeyRow) -> pb::ApiKey {
    pb::ApiKey {
        id: k.id.to_string(),
        name: k.name,
        prefix: k.prefix,
        role: k.role,
        permissions: permissions(k.permissions),
        created_at: ts(k.created_at),
        expires_at: k.expires_at.map(ts),
        last_used_at: k.last_used_at.map(ts),
        revoked_at: k.revoked_at.map(ts),
    }
}

// ---- the service ---------------------------------------------------------------------------

pub struct AdminGrpc {
    state: AppState,
}

impl AdminGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::admin_service_server::AdminService for AdminGrpc {
    async fn login(&self, req: Request<pb::AdminLoginRequest>) -> Result<Response<pb::AdminLoginResult>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        let r = valid(AdminLoginRequest { email: r.email, password: r.password })?;
        Ok(Response::new(login(self.state.staff.login(&r.email, &r.password, &info).await.map_err(err)?)))
    }

    async fn login_mfa(
        &self,
        req: Request<pb::AdminLoginMfaRequest>,
    ) -> Result<Response<pb::AdminLoginResult>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        let r = valid(LoginMfaRequest { mfa_token: r.mfa_token, code: r.code, recovery_code: r.recovery_code })?;
        let f = factor(&r.code, &r.recovery_code)?;
        Ok(Response::new(login(self.state.staff.login_mfa(&r.mfa_token, f, &info).await.map_err(err)?)))
    }

    async fn complete_setup(&self, req: Request<pb::AdminSetupRequest>) -> Result<Response<pb::Empty>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let r = req.into_inner();
        let r = valid(AdminSetupRequest { token: r.token, password: r.password })?;
        self.state.staff.complete_setup(&r.token, &r.password).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn logout(&self, req: Request<pb::Empty>) -> Result<Response<pb::Empty>, Status> {
        let (me, _) = staff(&self.state, &req, Permission::SelfService, true).await?;
        self.state.staff.logout(&me).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn get_me(&self, req: Request<pb::Empty>) -> Result<Response<pb::AdminMe>, Status> {
        let (p, _) = staff(&self.state, &req, Permission::SelfService, false).await?;
        let admin_id = p.admin_id.ok_or_else(ApiError::not_found)?;
        let row = self.state.staff.get_admin(admin_id).await.map_err(err)?;
        Ok(Response::new(me(&p, row)))
    }

    async fn update_me(&self, req: Request<pb::AdminUpdateMeRequest>) -> Result<Response<pb::AdminMe>, Status> {
        let (p, actor) = staff(&self.state, &req, Permission::SelfService, true).await?;
        let r = req.into_inner();
        let avatar_url = if r.clear_avatar_url { Some(None) } else { r.avatar_url.map(Some) };
        let body = valid(AdminUpdateMeRequest { name: r.name, avatar_url })?;
        let row = self.state.staff.update_me(&p, &actor, body.into()).await.map_err(err)?;
        Ok(Response::new(me(&p, row)))
    }

    async fn change_password(
        &self,
        req: Request<pb::AdminChangePasswordRequest>,
    ) -> Result<Response<pb::Empty>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let (p, actor) = staff(&self.state, &req, Permission::SelfService, true).await?;
        let r = req.into_inner();
        let r = valid(ChangePasswordRequest { current_password: r.current_password, new_password: r.new_password })?;
        self.state.staff.change_password(&p, &actor, &r.current_password, &r.new_password).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn setup_totp(&self, req: Request<pb::Empty>) -> Result<Response<pb::StaffTotpSetup>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let (p, actor) = staff(&self.state, &req, Permission::SelfService, true).await?;
        let s = self.state.staff.setup_totp(&p, &actor).await.map_err(err)?;
        Ok(Response::new(pb::StaffTotpSetup { secret: s.secret, otpauth_uri: s.otpauth_uri }))
    }

    async fn enable_totp(
        &self,
        req: Request<pb::StaffTotpCodeRequest>,
    ) -> Result<Response<pb::StaffRecoveryCodes>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let (p, actor) = staff(&self.state, &req, Permission::SelfService, true).await?;
        let r = valid(TotpCodeRequest { code: req.into_inner().code })?;
        let recovery_codes = self.state.staff.enable_totp(&p, &actor, &r.code).await.map_err(err)?;
        Ok(Response::new(pb::StaffRecoveryCodes { recovery_codes }))
    }

    async fn disable_totp(&self, req: Request<pb::StaffDisableTotpRequest>) -> Result<Response<pb::Empty>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let (p, actor) = staff(&self.state, &req, Permission::SelfService, true).await?;
        let r = req.into_inner();
        let r = valid(DisableTotpRequest { code: r.code, recovery_code: r.recovery_code, password: r.password })?;
        let f = factor(&r.code, &r.recovery_code)?;
        self.state.staff.disable_totp(&p, &actor, f, &r.password).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn regenerate_recovery_codes(
        &self,
        req: Request<pb::StaffTotpCodeRequest>,
    ) -> Result<Response<pb::StaffRecoveryCodes>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let (p, actor) = staff(&self.state, &req, Permission::SelfService, true).await?;
        let r = valid(TotpCodeRequest { code: req.into_inner().code })?;
        let recovery_codes = self.state.staff.regenerate_recovery_codes(&p, &actor, &r.code).await.map_err(err)?;
        Ok(Response::new(pb::StaffRecoveryCodes { recovery_codes }))
    }

    async fn list_roles(&self, req: Request<pb::Empty>) -> Result<Response<pb::StaffRoleMatrix>, Status> {
        staff(&self.state, &req, Permission::SelfService, false).await?;
        let roles = Role::ALL
            .into_iter()
            .map(|r| pb::StaffRolePermissions {
                role: r.as_str().to_owned(),
                permissions: r.permissions().iter().map(|p| p.as_str().to_owned()).collect(),
            })
            .collect();
        let human_only =
            Permission::ALL.into_iter().filter(|p| p.human_only()).map(|p| p.as_str().to_owned()).collect();
        Ok(Response::new(pb::StaffRoleMatrix { roles, human_only }))
    }

    async fn list_admins(&self, req: Request<pb::ListAdminsRequest>) -> Result<Response<pb::AdminPage>, Status> {
        staff(&self.state, &req, Permission::AdminsManage, false).await?;
        let r = req.into_inner();
        let page = self
            .state
            .staff
            .admins_page(r.role.as_deref(), r.status.as_deref(), r.limit, r.cursor.as_deref())
            .await
            .map_err(err)?;
        Ok(Response::new(pb::AdminPage {
            items: page.items.into_iter().map(admin).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn get_admin(&self, req: Request<pb::StaffIdRequest>) -> Result<Response<pb::Admin>, Status> {
        staff(&self.state, &req, Permission::AdminsManage, false).await?;
        let admin_id = id(&req.get_ref().id, "admin")?;
        Ok(Response::new(admin(self.state.staff.get_admin(admin_id).await.map_err(err)?)))
    }

    async fn update_admin(&self, req: Request<pb::UpdateAdminRequest>) -> Result<Response<pb::Admin>, Status> {
        let (p, actor) = staff(&self.state, &req, Permission::AdminsManage, true).await?;
        let r = req.into_inner();
        let admin_id = id(&r.id, "admin")?;
        let body = valid(AdminUpdateRequest { name: r.name, role: r.role, disabled: r.disabled })?;
        let patch = AdminPatch { name: body.name, role: body.role, disabled: body.disabled };
        Ok(Response::new(admin(self.state.staff.update_admin(&p, &actor, admin_id, patch).await.map_err(err)?)))
    }

    async fn delete_admin(&self, req: Request<pb::StaffIdRequest>) -> Result<Response<pb::Empty>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::AdminsManage, true).await?;
        let admin_id = id(&req.get_ref().id, "admin")?;
        self.state.staff.delete_admin(&actor, admin_id).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn create_invitation(
        &self,
        req: Request<pb::CreateStaffInvitationRequest>,
    ) -> Result<Response<pb::StaffInvitation>, Status> {
        let (p, actor) = staff(&self.state, &req, Permission::InvitationsManage, true).await?;
        let r = req.into_inner();
        let r = valid(CreateInvitationRequest { email: r.email, name: r.name, role: r.role })?;
        let inv = self.state.staff.invite(&p, &actor, &r.email, &r.name, &r.role).await.map_err(err)?;
        Ok(Response::new(invitation(inv)))
    }

    async fn list_invitations(
        &self,
        req: Request<pb::ListStaffInvitationsRequest>,
    ) -> Result<Response<pb::StaffInvitationPage>, Status> {
        staff(&self.state, &req, Permission::InvitationsManage, false).await?;
        let status = req.into_inner().status;
        let items =
            self.state.staff.invitations(status.as_deref()).await.map_err(err)?.into_iter().map(invitation).collect();
        Ok(Response::new(pb::StaffInvitationPage { items, next_cursor: None }))
    }

    async fn revoke_invitation(&self, req: Request<pb::StaffIdRequest>) -> Result<Response<pb::Empty>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::InvitationsManage, true).await?;
        let invitation_id = id(&req.get_ref().id, "invitation")?;
        self.state
            .staff
            .revoke_invitation(&actor, invitation_id)
            .await
            .map_err(|e| Status::from(crate::rest::admin::invitations::revoke_error(e)))?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn accept_invitation(
        &self,
        req: Request<pb::AcceptStaffInvitationRequest>,
    ) -> Result<Response<pb::Admin>, Status> {
        super::limit(&self.state, &req, RouteClass::Auth).await?;
        let r = req.into_inner();
        let r = valid(AcceptInvitationRequest { token: r.token, password: r.password })?;
        Ok(Response::new(admin(self.state.staff.accept_invitation(&r.token, &r.password).await.map_err(err)?)))
    }

    async fn create_api_key(
        &self,
        req: Request<pb::CreateApiKeyRequest>,
    ) -> Result<Response<pb::ApiKeyCreated>, Status> {
        let (p, actor) = staff(&self.state, &req, Permission::ApiKeysManage, true).await?;
        let r = req.into_inner();
        let expires_at = crate::http::params::instant("expires_at", r.expires_at)?;
        let body = valid(ApiKeyCreateRequest {
            name: r.name,
            role: r.role,
            permissions: r.permissions.map(|p| p.items),
            expires_at,
        })?;
        let new =
            NewApiKey { name: body.name, role: body.role, permissions: body.permissions, expires_at: body.expires_at };
        let (row, key) = self.state.staff.create_api_key(&p, &actor, new).await.map_err(err)?;
        Ok(Response::new(pb::ApiKeyCreated {
            id: row.id.to_string(),
            key,
            prefix: row.prefix,
            name: row.name,
            role: row.role,
            permissions: permissions(row.permissions),
            expires_at: row.expires_at.map(ts),
            created_at: ts(row.created_at),
        }))
    }

    async fn list_api_keys(&self, req: Request<pb::ListApiKeysRequest>) -> Result<Response<pb::ApiKeyPage>, Status> {
        staff(&self.state, &req, Permission::ApiKeysManage, false).await?;
        let r = req.into_inner();
        let page = self.state.staff.api_keys_page(r.limit, r.cursor.as_deref()).await.map_err(err)?;
        Ok(Response::new(pb::ApiKeyPage {
            items: page.items.into_iter().map(api_key).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn revoke_api_key(&self, req: Request<pb::StaffIdRequest>) -> Result<Response<pb::Empty>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::ApiKeysManage, true).await?;
        let key_id = id(&req.get_ref().id, "API key")?;
        self.state.staff.revoke_api_key(&actor, key_id).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }
}
