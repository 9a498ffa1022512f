//! The customer's own profile.

use std::sync::Arc;

use helium_domain::auth::Customer;
use helium_domain::auth::commands::ProfileUpdate;
use helium_domain::{DomainError, ErrorCode};
use uuid::Uuid;

use super::context::AuthContext;
use super::store::users;

fn gone() -> DomainError {
    DomainError::rejected(ErrorCode::Unauthenticated, "sign in to use this operation")
}

#[derive(Clone)]
pub struct Profile(pub(crate) Arc<AuthContext>);

impl Profile {
    pub async fn me(&self, user_id: Uuid) -> Result<Customer, DomainError> {
        let mut c = self.0.db.conn().await?;
        users::by_id(&mut c, user_id).await?.ok_or_else(gone)
    }

    pub async fn update(&self, user_id: Uuid, cmd: ProfileUpdate) -> Result<Customer, DomainError> {
        let ProfileUpdate { display_name, locale, timezone } = cmd;
        crate::transaction!(self.0.db, |tx| {
            users::update_profile(tx, user_id, display_name.clone(), locale.clone(), timezone.clone())
                .await?
                .ok_or_else(gone)
        })
    }
}
