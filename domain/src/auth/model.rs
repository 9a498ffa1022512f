//! What customer identity is made of, as the rest of the system sees it. No row type of the
//! store leaves `infra/`; these are what services return and adapters map to their DTOs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Whether an account may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sqlx::Encode, sqlx::Decode)]
#[sqlx(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum CustomerStatus {
    Active,
    Banned,
}

impl CustomerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerStatus::Active => "active",
            CustomerStatus::Banned => "banned",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(Self::Active),
            "banned" => Some(Self::Banned),
            _ => None,
        }
    }
}

/// A customer as they see themselves (`GET /me`).
#[derive(Debug, Clone)]
pub struct Customer {
    pub id: Uuid,
    pub email: String,
    pub display_name: Option<String>,
    pub locale: Option<String>,
    pub timezone: Option<String>,
    pub status: CustomerStatus,
    pub created_at: DateTime<Utc>,
    pub mfa_enabled: bool,
}

/// A customer account as staff see it (never hashes or secrets).
#[derive(Debug, Clone)]
pub struct CustomerAccount {
    pub id: Uuid,
    pub email: String,
    pub display_name: Option<String>,
    pub status: CustomerStatus,
    pub has_password: bool,
    pub email_code_enabled: bool,
    pub mfa_enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One signed-in device.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: Uuid,
    pub device: Option<String>,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
}

/// A provider account linked for sign-in.
#[derive(Debug, Clone)]
pub struct LinkedIdentity {
    pub id: Uuid,
    pub provider: String,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Everything staff may see of one account.
#[derive(Debug, Clone)]
pub struct CustomerDetails {
    pub account: CustomerAccount,
    pub identities: Vec<LinkedIdentity>,
    pub sessions: Vec<Session>,
}

pub const PASSWORD_METHOD: &str = "password";
pub const EMAIL_CODE_METHOD: &str = "email_code";

/// One way to sign in, as listed to its owner.
#[derive(Debug, Clone)]
pub enum LoginMethod {
    Password,
    EmailCode,
    Oauth(LinkedIdentity),
}

impl LoginMethod {
    /// The id `removeLoginMethod` takes: `password`, `email_code` or the identity's id.
    pub fn id(&self) -> String {
        match self {
            LoginMethod::Password => PASSWORD_METHOD.to_owned(),
            LoginMethod::EmailCode => EMAIL_CODE_METHOD.to_owned(),
            LoginMethod::Oauth(i) => i.id.to_string(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            LoginMethod::Password => PASSWORD_METHOD,
            LoginMethod::EmailCode => EMAIL_CODE_METHOD,
            LoginMethod::Oauth(_) => "oauth",
        }
    }
}

/// An access token and the refresh token of its session.
#[derive(Debug, Clone)]
pub struct TokenPair {
    pub access_token: String,
    pub expires_in: u64,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
}

/// The result of a first sign-in step.
#[derive(Debug, Clone)]
pub enum LoginOutcome {
    Tokens(TokenPair),
    MfaRequired { mfa_token: String },
}

/// A pending TOTP seed, shown once.
#[derive(Debug, Clone)]
pub struct TotpSetup {
    pub secret: String,
    pub otpauth_uri: String,
}

/// An authenticated customer request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerPrincipal {
    pub user_id: Uuid,
    pub session_id: Uuid,
}

crate::pg_text!(CustomerStatus);
