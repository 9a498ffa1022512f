//! Notify: announcements targeted by customer group (and their e-mail fan-out), notification
//! preferences the mailer honours, one-click unsubscribe, outgoing webhooks.

pub mod announcements;
pub mod context;
pub mod preferences;
pub mod store;

// ---- outgoing webhooks (issue 15) ----
pub mod outbound;
pub mod webhooks;

use std::sync::Arc;

pub use context::NotifyContext;

#[derive(Clone)]
pub struct NotifyServices {
    pub context: Arc<NotifyContext>,
    pub announcements: announcements::Announcements,
    pub preferences: preferences::Preferences,
}

impl NotifyServices {
    pub fn new(context: NotifyContext) -> Self {
        let ctx = Arc::new(context);
        Self {
            announcements: announcements::Announcements(ctx.clone()),
            preferences: preferences::Preferences(ctx.clone()),
            context: ctx,
        }
    }

    pub fn jobs(&self) -> Vec<Arc<dyn crate::cron::Job>> {
        vec![Arc::new(announcements::AnnouncementMail(self.context.clone()))]
    }
}
