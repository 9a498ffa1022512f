//! `helium.v1.AdminService`: the gRPC face of the staff routes of REST tag `admin`. Every RPC
//! makes REST's own permission/MFA decision (`http::staff::authorize`, same permission and
//! rate-limit class as its route), builds the same commands (`helium_domain::{admin, auth}::
//! commands`) and calls the same services — nothing more. The shared helpers serve
//! `admin_governance` too.

use chrono::{DateTime, Utc};
use helium_domain::admin::commands::{AdminPatch, NewApiKey, NewInvitation, ProfilePatch};
use helium_domain::admin::{Admin, ApiKey, Invitation, Permission, Role, StaffLogin, StaffPrincipal};
use helium_domain::audit::Actor;
use helium_domain::auth::commands::{self, ChangePassword, Credentials, DisableTotp, MfaStep, TokenPassword};
use helium_domain::{ErrorCode, FieldError};
use tonic::{Request, Response, Status};
use uuid::Uuid;

use super::{client, err, limit, limit_principal, pb};
use crate::http::problem::ApiError;
use crate::http::rate_limit::RouteClass::{self, Auth, Read, Write};
use crate::state::AppState;

// ---- shared by the staff adapters ----------------------------------------------------------

/// Authenticates the call's staff credential (`authorization: Bearer …` or `x-api-key`
/// metadata), checks `permission` — and for a write the MFA rule — exactly as the REST guard
/// does, and counts the call in `class` like the REST route. Returns the principal and the
/// audit actor for the call.
pub async fn staff<T>(
    state: &AppState,
    req: &Request<T>,
    permission: Permission,
    class: RouteClass,
) -> Result<(StaffPrincipal, Actor), Status> {
    let headers = req.metadata().clone().into_headers();
    let credential = crate::http::staff::credential(&headers);
    let write = class != Read;
    let principal = crate::http::staff::authorize(state, credential.as_deref(), permission, write).await?;
    let key = principal.api_key_id.map(|k| format!("api_key:{k}")).or(principal.admin_id.map(|a| format!("admin:{a}")));
    limit_principal(state, req, class, &key.unwrap_or_default()).await?;
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

/// An optional id in a message body: malformed is 422 naming the field, as REST's JSON body.
pub fn optional_id(raw: Option<String>, field: &str) -> Result<Option<Uuid>, Status> {
    raw.map(|s| s.trim().parse().map_err(|_| invalid(field, "invalid_format", "a UUID"))).transpose()
}

/// A 422 naming one field.
pub fn invalid(field: &str, code: &str, message: &str) -> Status {
    ApiError::validation(vec![FieldError::new(field, code, message).into()]).into()
}

/// An id from a message; a malformed one names nothing that exists.
pub fn id(raw: &str, what: &str) -> Result<Uuid, Status> {
    // As over REST, where a path id that is not a UUID is a malformed request.
    raw.trim()
        .parse()
        .map_err(|_| Status::from(ApiError::new(ErrorCode::MalformedRequest, format!("the {what} id is not a UUID"))))
}

pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

// ---- conversions ---------------------------------------------------------------------------

fn admin(a: Admin) -> pb::Admin {
    pb::Admin {
        id: a.id.to_string(),
        password_set: a.password_set,
        name: a.name,
        email: a.email,
        avatar_url: a.avatar_url,
        role: a.role.as_str().to_owned(),
        status: a.status.as_str().to_owned(),
        mfa_enabled: a.mfa_enabled,
        created_at: ts(a.created_at),
        updated_at: ts(a.updated_at),
    }
}

fn me(principal: &StaffPrincipal, a: Admin) -> pb::AdminMe {
    let permissions = principal.permission_names();
    pb::AdminMe { admin: Some(admin(a)), permissions }
}

fn login(l: StaffLogin) -> pb::AdminLoginResult {
    match l {
        StaffLogin::Token { access_token, expires_in, refresh_token } => pb::AdminLoginResult {
            mfa_required: false,
            mfa_token: None,
            access_token: Some(access_token),
            token_type: Some("Bearer".into()),
            expires_in: Some(expires_in),
            refresh_token,
        },
        StaffLogin::MfaRequired { mfa_token } => {
            pb::AdminLoginResult { mfa_required: true, mfa_token: Some(mfa_token), ..Default::default() }
        }
    }
}

fn invitation(i: Invitation) -> pb::StaffInvitation {
    pb::StaffInvitation {
        status: i.status(Utc::now()).as_str().to_owned(),
        id: i.id.to_string(),
        email: i.email,
        name: i.name,
        role: i.role.as_str().to_owned(),
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

fn api_key(k: ApiKey) -> pb::ApiKey {
    pb::ApiKey {
        id: k.id.to_string(),
        name: k.name,
        prefix: k.prefix,
        role: k.role.as_str().to_owned(),
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
        limit(&self.state, &req, Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        let cmd = Credentials::new(&r.email, &r.password).map_err(err)?;
        Ok(Response::new(login(self.state.admin.auth.login(&cmd, &info).await.map_err(err)?)))
    }

    async fn login_mfa(
        &self,
        req: Request<pb::AdminLoginMfaRequest>,
    ) -> Result<Response<pb::AdminLoginResult>, Status> {
        limit(&self.state, &req, Auth).await?;
        let info = client(&req);
        let r = req.into_inner();
        let cmd = MfaStep::new(&r.mfa_token, r.code.as_deref(), r.recovery_code.as_deref()).map_err(err)?;
        Ok(Response::new(login(self.state.admin.auth.login_mfa(&cmd, &info).await.map_err(err)?)))
    }

    async fn refresh_token(
        &self,
        req: Request<pb::AdminRefreshRequest>,
    ) -> Result<Response<pb::AdminLoginResult>, Status> {
        limit(&self.state, &req, Auth).await?;
        let token = commands::token_only("refresh_token", &req.get_ref().refresh_token).map_err(err)?;
        Ok(Response::new(login(self.state.admin.auth.refresh(&token).await.map_err(err)?)))
    }

    async fn complete_setup(&self, req: Request<pb::AdminSetupRequest>) -> Result<Response<pb::Empty>, Status> {
        limit(&self.state, &req, Auth).await?;
        let r = req.into_inner();
        let cmd = TokenPassword::new(&r.token, &r.password, "password").map_err(err)?;
        self.state.admin.admins.complete_setup(&cmd).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn logout(&self, req: Request<pb::Empty>) -> Result<Response<pb::Empty>, Status> {
        let (me, _) = staff(&self.state, &req, Permission::SelfService, Write).await?;
        self.state.admin.auth.logout(&me).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn get_me(&self, req: Request<pb::Empty>) -> Result<Response<pb::AdminMe>, Status> {
        let (p, _) = staff(&self.state, &req, Permission::SelfService, Read).await?;
        let admin_id = p.admin_id.ok_or_else(ApiError::not_found)?;
        let row = self.state.admin.admins.get(admin_id).await.map_err(err)?;
        Ok(Response::new(me(&p, row)))
    }

    async fn update_me(&self, req: Request<pb::AdminUpdateMeRequest>) -> Result<Response<pb::AdminMe>, Status> {
        let (p, actor) = staff(&self.state, &req, Permission::SelfService, Write).await?;
        let r = req.into_inner();
        let avatar_url = if r.clear_avatar_url { Some(None) } else { r.avatar_url.as_deref().map(Some) };
        let patch = ProfilePatch::new(r.name.as_deref(), avatar_url).map_err(err)?;
        let row = self.state.admin.me.update_me(&p, &actor, &patch).await.map_err(err)?;
        Ok(Response::new(me(&p, row)))
    }

    async fn change_password(
        &self,
        req: Request<pb::AdminChangePasswordRequest>,
    ) -> Result<Response<pb::Empty>, Status> {
        let (p, actor) = staff(&self.state, &req, Permission::SelfService, Auth).await?;
        let r = req.into_inner();
        let cmd = ChangePassword::new(&r.current_password, &r.new_password).map_err(err)?;
        self.state.admin.me.change_password(&p, &actor, &cmd).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn setup_totp(&self, req: Request<pb::Empty>) -> Result<Response<pb::StaffTotpSetup>, Status> {
        let (p, actor) = staff(&self.state, &req, Permission::SelfService, Auth).await?;
        let s = self.state.admin.me.setup_totp(&p, &actor).await.map_err(err)?;
        Ok(Response::new(pb::StaffTotpSetup { secret: s.secret, otpauth_uri: s.otpauth_uri }))
    }

    async fn enable_totp(
        &self,
        req: Request<pb::StaffTotpCodeRequest>,
    ) -> Result<Response<pb::StaffRecoveryCodes>, Status> {
        let (p, actor) = staff(&self.state, &req, Permission::SelfService, Auth).await?;
        let code = commands::code_only(&req.get_ref().code).map_err(err)?;
        let recovery_codes = self.state.admin.me.enable_totp(&p, &actor, &code).await.map_err(err)?;
        Ok(Response::new(pb::StaffRecoveryCodes { recovery_codes }))
    }

    async fn disable_totp(&self, req: Request<pb::StaffDisableTotpRequest>) -> Result<Response<pb::Empty>, Status> {
        let (p, actor) = staff(&self.state, &req, Permission::SelfService, Auth).await?;
        let r = req.into_inner();
        let cmd = DisableTotp::new(&r.password, r.code.as_deref(), r.recovery_code.as_deref()).map_err(err)?;
        self.state.admin.me.disable_totp(&p, &actor, &cmd).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn regenerate_recovery_codes(
        &self,
        req: Request<pb::StaffTotpCodeRequest>,
    ) -> Result<Response<pb::StaffRecoveryCodes>, Status> {
        let (p, actor) = staff(&self.state, &req, Permission::SelfService, Auth).await?;
        let code = commands::code_only(&req.get_ref().code).map_err(err)?;
        let recovery_codes = self.state.admin.me.regenerate_recovery_codes(&p, &actor, &code).await.map_err(err)?;
        Ok(Response::new(pb::StaffRecoveryCodes { recovery_codes }))
    }

    async fn list_roles(&self, req: Request<pb::Empty>) -> Result<Response<pb::StaffRoleMatrix>, Status> {
        staff(&self.state, &req, Permission::SelfService, Read).await?;
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
        staff(&self.state, &req, Permission::AdminsManage, Read).await?;
        let r = req.into_inner();
        let page = self
            .state
            .admin
            .admins
            .page(r.role.as_deref(), r.status.as_deref(), r.limit, r.cursor.as_deref())
            .await
            .map_err(err)?;
        Ok(Response::new(pb::AdminPage {
            items: page.items.into_iter().map(admin).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn get_admin(&self, req: Request<pb::StaffIdRequest>) -> Result<Response<pb::Admin>, Status> {
        staff(&self.state, &req, Permission::AdminsManage, Read).await?;
        let admin_id = id(&req.get_ref().id, "admin")?;
        Ok(Response::new(admin(self.state.admin.admins.get(admin_id).await.map_err(err)?)))
    }

    async fn update_admin(&self, req: Request<pb::UpdateAdminRequest>) -> Result<Response<pb::Admin>, Status> {
        let (p, actor) = staff(&self.state, &req, Permission::AdminsManage, Write).await?;
        let r = req.into_inner();
        let admin_id = id(&r.id, "admin")?;
        let patch = AdminPatch::new(r.name.as_deref(), r.role.as_deref(), r.disabled).map_err(err)?;
        Ok(Response::new(admin(self.state.admin.admins.update(&p, &actor, admin_id, &patch).await.map_err(err)?)))
    }

    async fn delete_admin(&self, req: Request<pb::StaffIdRequest>) -> Result<Response<pb::Empty>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::AdminsManage, Write).await?;
        let admin_id = id(&req.get_ref().id, "admin")?;
        self.state.admin.admins.delete(&actor, admin_id).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn create_invitation(
        &self,
        req: Request<pb::CreateStaffInvitationRequest>,
    ) -> Result<Response<pb::StaffInvitation>, Status> {
        let (p, actor) = staff(&self.state, &req, Permission::InvitationsManage, Write).await?;
        let r = req.into_inner();
        let cmd = NewInvitation::new(&r.email, &r.name, &r.role).map_err(err)?;
        let inv = self.state.admin.invitations.invite(&p, &actor, &cmd).await.map_err(err)?;
        Ok(Response::new(invitation(inv)))
    }

    async fn list_invitations(
        &self,
        req: Request<pb::ListStaffInvitationsRequest>,
    ) -> Result<Response<pb::StaffInvitationPage>, Status> {
        staff(&self.state, &req, Permission::InvitationsManage, Read).await?;
        let r = req.into_inner();
        let page =
            self.state.admin.invitations.page(r.status.as_deref(), r.limit, r.cursor.as_deref()).await.map_err(err)?;
        Ok(Response::new(pb::StaffInvitationPage {
            items: page.items.into_iter().map(invitation).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn revoke_invitation(&self, req: Request<pb::StaffIdRequest>) -> Result<Response<pb::Empty>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::InvitationsManage, Write).await?;
        let invitation_id = id(&req.get_ref().id, "invitation")?;
        self.state.admin.invitations.revoke(&actor, invitation_id).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn accept_invitation(
        &self,
        req: Request<pb::AcceptStaffInvitationRequest>,
    ) -> Result<Response<pb::Admin>, Status> {
        limit(&self.state, &req, Auth).await?;
        let r = req.into_inner();
        let cmd = TokenPassword::new(&r.token, &r.password, "password").map_err(err)?;
        Ok(Response::new(admin(self.state.admin.invitations.accept(&cmd).await.map_err(err)?)))
    }

    async fn create_api_key(
        &self,
        req: Request<pb::CreateApiKeyRequest>,
    ) -> Result<Response<pb::ApiKeyCreated>, Status> {
        let (p, actor) = staff(&self.state, &req, Permission::ApiKeysManage, Write).await?;
        let r = req.into_inner();
        let expires_at = crate::http::params::instant("expires_at", r.expires_at)?;
        let narrowing = r.permissions.map(|p| p.items);
        if narrowing.as_ref().is_some_and(|p| p.len() > 64) {
            return Err(invalid("permissions", "too_long", "at most 64 entries"));
        }
        let new = NewApiKey::new(&r.name, &r.role, narrowing.as_deref(), expires_at, Utc::now()).map_err(err)?;
        let (row, key) = self.state.admin.api_keys.create(&p, &actor, &new).await.map_err(err)?;
        Ok(Response::new(pb::ApiKeyCreated {
            id: row.id.to_string(),
            key,
            prefix: row.prefix,
            name: row.name,
            role: row.role.as_str().to_owned(),
            permissions: permissions(row.permissions),
            expires_at: row.expires_at.map(ts),
            created_at: ts(row.created_at),
        }))
    }

    async fn list_api_keys(&self, req: Request<pb::ListApiKeysRequest>) -> Result<Response<pb::ApiKeyPage>, Status> {
        staff(&self.state, &req, Permission::ApiKeysManage, Read).await?;
        let r = req.into_inner();
        let page = self.state.admin.api_keys.page(r.limit, r.cursor.as_deref()).await.map_err(err)?;
        Ok(Response::new(pb::ApiKeyPage {
            items: page.items.into_iter().map(api_key).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn revoke_api_key(&self, req: Request<pb::StaffIdRequest>) -> Result<Response<pb::Empty>, Status> {
        let (_, actor) = staff(&self.state, &req, Permission::ApiKeysManage, Write).await?;
        let key_id = id(&req.get_ref().id, "API key")?;
        self.state.admin.api_keys.revoke(&actor, key_id).await.map_err(err)?;
        Ok(Response::new(pb::Empty {}))
    }
}
