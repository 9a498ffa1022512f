//! Login methods: password, e-mail code and linked OAuth identities. An account always keeps
//! at least one; changes to one account's methods are serialised on its row.

use helium_domain::{DomainError, ErrorCode};
use uuid::Uuid;

use super::identity_store::{self, IdentityRow};
use super::service::{AuthService, db, internal};
use super::{password, store};

pub const PASSWORD_METHOD: &str = "password";
pub const EMAIL_CODE_METHOD: &str = "email_code";

/// One way to sign in, as listed to its owner.
#[derive(Debug, Clone)]
pub enum LoginMethod {
    Password,
    EmailCode,
    Oauth(IdentityRow),
}

/// The method a removal names, once it is known to exist.
enum Removal {
    Password,
    EmailCode,
    Identity(Uuid),
}

fn not_found() -> DomainError {
    DomainError::rejected(ErrorCode::NotFound, "no such login method")
}

impl AuthService {
    pub async fn login_methods(&self, user_id: Uuid) -> Result<Vec<LoginMethod>, DomainError> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let flags = identity_store::flags(&mut conn, user_id).await.map_err(db)?.ok_or_else(not_found)?;
        let mut methods = Vec::new();
        if flags.has_password {
            methods.push(LoginMethod::Password);
        }
        if flags.email_code_enabled {
            methods.push(LoginMethod::EmailCode);
        }
        methods.extend(identity_store::list(&mut conn, user_id).await.map_err(db)?.into_iter().map(LoginMethod::Oauth));
        Ok(methods)
    }

    /// Gives a password to an account that has none (OAuth or e-mail-code only).
    pub async fn set_password(&self, user_id: Uuid, new_password: &str) -> Result<(), DomainError> {
        let email = store::user_by_id(&self.pool, user_id).await.map_err(db)?.ok_or_else(not_found)?.email;
        Self::check_password("new_password", new_password, Some(&email))?;
        let hash = password::hash(new_password.to_owned()).await.map_err(internal)?;
        let mut tx = self.pool.begin().await.map_err(db)?;
        let flags = identity_store::lock_flags(&mut tx, user_id).await.map_err(db)?.ok_or_else(not_found)?;
        if flags.has_password {
            return Err(DomainError::rejected(
                ErrorCode::PasswordAlreadySet,
                "this account has a password; change it instead",
            ));
        }
        store::set_password_hash(&mut tx, user_id, &hash).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    /// Removes a method (`password`, `email_code` or a linked identity's id); refuses to
    /// remove the last one.
    pub async fn remove_login_method(&self, user_id: Uuid, method_id: &str) -> Result<(), DomainError> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let flags = identity_store::lock_flags(&mut tx, user_id).await.map_err(db)?.ok_or_else(not_found)?;
        let identities = identity_store::list(&mut tx, user_id).await.map_err(db)?;
        let total = usize::from(flags.has_password) + usize::from(flags.email_code_enabled) + identities.len();
        let method = match method_id {
            PASSWORD_METHOD if flags.has_password => Removal::Password,
            EMAIL_CODE_METHOD if flags.email_code_enabled => Removal::EmailCode,
            other => match Uuid::parse_str(other) {
                Ok(id) if identities.iter().any(|i| i.id == id) => Removal::Identity(id),
                _ => return Err(not_found()),
            },
        };
        if total <= 1 {
            return Err(DomainError::rejected(
                ErrorCode::LastLoginMethod,
                "this is the account's last way to sign in; add another first",
            ));
        }
        match method {
            Removal::Password => identity_store::clear_password(&mut tx, user_id).await.map_err(db)?,
            Removal::EmailCode => identity_store::set_email_code_enabled(&mut tx, user_id, false).await.map_err(db)?,
            Removal::Identity(id) => {
                identity_store::delete(&mut tx, user_id, id).await.map_err(db)?;
            }
        }
        tx.commit().await.map_err(db)?;
        Ok(())
    }
}
