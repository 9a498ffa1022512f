//! Notify request and response bodies.

use chrono::{DateTime, Utc};
use helium_domain::notify::announcements as m;
use helium_infra::notify::preferences::Preference as DomainPreference;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// An announcement as customers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Announcement {
    pub id: Uuid,
    pub title: String,
    /// Plain text.
    pub body: String,
    pub pinned: bool,
    /// 0–100, higher first (after pinned ones).
    pub priority: i32,
    pub published_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<m::Announcement> for Announcement {
    fn from(a: m::Announcement) -> Self {
        Self {
            id: a.id,
            title: a.title,
            body: a.body,
            pinned: a.pinned,
            priority: a.priority,
            published_at: a.publish_at,
            expires_at: a.expires_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnnouncementPage {
    pub items: Vec<Announcement>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPreference {
    /// `security`, `service`, `billing`, `support` or `marketing`.
    pub category: String,
    /// Whether e-mails of this category are sent to me.
    pub email: bool,
    /// A locked category (`security`) cannot be turned off.
    pub locked: bool,
}

impl From<DomainPreference> for NotificationPreference {
    fn from(p: DomainPreference) -> Self {
        Self { category: p.category.as_str().to_owned(), email: p.email, locked: p.locked }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPreferences {
    pub items: Vec<NotificationPreference>,
}

impl NotificationPreferences {
    pub fn new(items: Vec<DomainPreference>) -> Self {
        Self { items: items.into_iter().map(Into::into).collect() }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelSetting {
    pub email: bool,
}

/// Categories to change; absent ones stay as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateNotificationPreferencesRequest {
    /// Locked on: `{"email": false}` is `preference_locked`.
    pub security: Option<ChannelSetting>,
    pub service: Option<ChannelSetting>,
    pub billing: Option<ChannelSetting>,
    pub support: Option<ChannelSetting>,
    pub marketing: Option<ChannelSetting>,
}

impl UpdateNotificationPreferencesRequest {
    pub fn changes(&self) -> Vec<(String, bool)> {
        [
            ("security", self.security),
            ("service", self.service),
            ("billing", self.billing),
            ("support", self.support),
            ("marketing", self.marketing),
        ]
        .into_iter()
        .filter_map(|(name, s)| s.map(|s| (name.to_owned(), s.email)))
        .collect()
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeQuery {
    /// The token of the e-mail's unsubscribe link.
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Unsubscribed {
    /// The category now off.
    pub category: String,
    pub email: bool,
}
