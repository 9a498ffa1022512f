//! Notification preferences: every category on unless the customer turned it off; `security`
//! is locked on. One-click unsubscribe flips one category without signing in.

use std::sync::Arc;

use helium_domain::notify::preferences::Category;
use helium_domain::{DomainError, ErrorCode};
use uuid::Uuid;

use super::context::NotifyContext;
use super::store::preferences;
use crate::mail::unsubscribe;

/// One category as the customer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preference {
    pub category: Category,
    pub email: bool,
    pub locked: bool,
}

#[derive(Clone)]
pub struct Preferences(pub(crate) Arc<NotifyContext>);

fn view(off: &[Category]) -> Vec<Preference> {
    Category::ALL
        .into_iter()
        .map(|c| Preference { category: c, email: c.locked() || !off.contains(&c), locked: c.locked() })
        .collect()
}

impl Preferences {
    pub async fn get(&self, user_id: Uuid) -> Result<Vec<Preference>, DomainError> {
        let mut c = self.0.db.conn().await?;
        Ok(view(&preferences::off(&mut c, user_id).await?))
    }

    /// Applies validated changes (see `preference_changes`).
    pub async fn update(&self, user_id: Uuid, changes: &[(Category, bool)]) -> Result<Vec<Preference>, DomainError> {
        crate::transaction!(self.0.db, |tx| {
            for (category, on) in changes {
                preferences::set(tx, user_id, *category, *on).await?;
            }
            Ok(view(&preferences::off(tx, user_id).await?))
        })
    }

    /// The one-click unsubscribe of an e-mail's `List-Unsubscribe` link: turns its category off.
    pub async fn unsubscribe(&self, token: &str) -> Result<Category, DomainError> {
        let invalid = || DomainError::rejected(ErrorCode::LinkInvalid, "this unsubscribe link is not valid");
        crate::transaction!(self.0.db, |tx| {
            let key = self.0.keys.derived(tx, unsubscribe::KEY_LABEL).await?;
            let (user_id, category) = unsubscribe::open(&key, token).ok_or_else(invalid)?;
            if !preferences::customer_exists(tx, user_id).await? {
                return Err(invalid());
            }
            preferences::set(tx, user_id, category, false).await?;
            Ok(category)
        })
    }
}
