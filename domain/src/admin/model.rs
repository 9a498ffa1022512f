//! What staff identity is made of, as services return it (no store row leaves `infra/`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Permission, Role};
use crate::audit::{Actor, ActorKind};
use crate::client::ClientInfo;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[sqlx(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum AdminStatus {
    Active,
    Disabled,
}

impl AdminStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AdminStatus::Active => "active",
            AdminStatus::Disabled => "disabled",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(Self::Active),
            "disabled" => Some(Self::Disabled),
            _ => None,
        }
    }
}

/// A staff account (never its password hash).
#[derive(Debug, Clone)]
pub struct Admin {
    pub id: Uuid,
    pub email: Option<String>,
    pub name: String,
    pub avatar_url: Option<String>,
    pub role: Role,
    pub status: AdminStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub mfa_enabled: bool,
    /// False until the account set its password (setup link or invitation).
    pub password_set: bool,
}

impl Admin {
    pub fn is_active_super_admin(&self) -> bool {
        self.role == Role::SuperAdmin && self.status == AdminStatus::Active
    }
}

/// A staff API key as listed (its secret is shown once, at creation).
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub role: Role,
    pub permissions: Option<Vec<String>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl InvitationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "pending",
            InvitationStatus::Accepted => "accepted",
            InvitationStatus::Revoked => "revoked",
            InvitationStatus::Expired => "expired",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Pending, Self::Accepted, Self::Revoked, Self::Expired].into_iter().find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone)]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub invited_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub admin_id: Option<Uuid>,
}

impl Invitation {
    /// The status at `now` (an open invitation past its expiry is `expired`).
    pub fn status(&self, now: DateTime<Utc>) -> InvitationStatus {
        if self.accepted_at.is_some() {
            InvitationStatus::Accepted
        } else if self.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if self.expires_at <= now {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        }
    }
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
            kind: if self.api_key_id.is_some() { ActorKind::ApiKey } else { ActorKind::Admin },
            id: self.api_key_id.or(self.admin_id),
            role: Some(self.role.as_str().to_owned()),
            request_id,
            client: client.clone(),
        }
    }
}

/// Result of the first staff sign-in step.
#[derive(Debug, Clone)]
pub enum StaffLogin {
    /// A 15-minute access token and the session's refresh token (rotated on each refresh).
    Token {
        access_token: String,
        expires_in: u64,
        refresh_token: Option<String>,
    },
    MfaRequired {
        mfa_token: String,
    },
}

crate::pg_text!(AdminStatus);
