//! Package e-mails: "your package is active" on `package.activated`, "your package expires
//! soon" on `package.expiring` — unless a queued package takes over or auto-renew handles it
//! (the renewal consumer then sends the order or the failed-renewal e-mail instead) — and "your
//! package has ended" on `package.consumed` when nothing took over (staff cancellations excepted).

use std::sync::Arc;

use chrono::Utc;
use helium_domain::events::{EmailTemplate, Event, types};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::TelecomContext;
use super::store::packages as store;
use crate::events::consumer::{Handler, HandlerError};
use crate::events::outbox;
use crate::mail::request::email_event;

pub struct PackageMail(pub Arc<TelecomContext>);

fn when(t: chrono::DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Whole days left, rounded up (an expiry in 3 hours is "today" only once it is past).
fn days_left(expires_at: chrono::DateTime<Utc>) -> i64 {
    let secs = (expires_at - Utc::now()).num_seconds();
    if secs <= 0 { 0 } else { (secs + 86_399) / 86_400 }
}

#[async_trait::async_trait]
impl Handler for PackageMail {
    fn name(&self) -> &'static str {
        "telecom_package_mail"
    }

    fn event_types(&self) -> &'static [&'static str] {
        &[types::PACKAGE_ACTIVATED, types::PACKAGE_EXPIRING, types::PACKAGE_CONSUMED]
    }

    async fn handle(&self, tx: &mut PgConnection, event: &Event, _attempt: u32) -> Result<(), HandlerError> {
        let Some(id) = event.payload["package_id"].as_str().and_then(|s| s.parse::<Uuid>().ok()) else {
            return Err(HandlerError::Permanent("package event without package_id".into()));
        };
        let Some(p) = store::get(tx, id, None).await? else { return Ok(()) };
        let Some(user) = crate::auth::store::users::by_id(tx, p.user_id).await? else { return Ok(()) };
        let base = self.0.public_url.trim_end_matches('/');
        let (template, context) = if event.event_type == types::PACKAGE_ACTIVATED {
            let context = json!({
                "package_name": p.name,
                "expires_at": p.expires_at.map(when),
                "dashboard_url": format!("{base}/dashboard"),
            });
            (EmailTemplate::PackageActivated, context)
        } else if event.event_type == types::PACKAGE_CONSUMED {
            // A cancellation is staff's doing (they tell the customer); a successor means service goes on.
            if event.payload["status"] != "consumed" || store::active(tx, p.user_id).await?.is_some() {
                return Ok(());
            }
            let context = json!({
                "package_name": p.name,
                "reason": event.payload["reason"].as_str().unwrap_or("ended"),
                "renew_url": format!("{base}/plans"),
            });
            (EmailTemplate::PackageConsumed, context)
        } else {
            let Some(expires_at) = p.expires_at else { return Ok(()) };
            let queued = !store::queued(tx, p.user_id).await?.is_empty();
            let renews = crate::shop::store::renewals::of_user(tx, p.user_id)
                .await?
                .iter()
                .any(|r| r.enabled && Some(r.product_id) == p.product_id);
            if queued || renews {
                return Ok(());
            }
            let context = json!({
                "package_name": p.name,
                "expires_at": when(expires_at),
                "days_left": days_left(expires_at),
                "renew_url": format!("{base}/plans"),
            });
            (EmailTemplate::PackageExpiring, context)
        };
        let mail = email_event(tx, &self.0.keys, &user.email, template, context, json!({})).await?;
        outbox::append(tx, &mail).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_rounded_up_and_never_negative() {
        assert_eq!(days_left(Utc::now() - chrono::Duration::hours(1)), 0);
        assert_eq!(days_left(Utc::now() + chrono::Duration::hours(3)), 1);
        assert_eq!(days_left(Utc::now() + chrono::Duration::hours(49)), 3);
    }
}
