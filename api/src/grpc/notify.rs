//! `helium.v1.NotifyService`: announcements and notification preferences for customers, over
//! the same services and validation as REST.

use helium_domain::notify::announcements::Announcement;
use helium_domain::notify::preferences::preference_changes;
use helium_infra::notify::preferences::Preference;
use tonic::{Request, Response, Status};

use super::admin::{id, ts};
use super::{customer, err, pb};
use crate::http::rate_limit::RouteClass::{Read, Write};
use crate::state::AppState;

pub struct NotifyGrpc {
    state: AppState,
}

impl NotifyGrpc {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

fn announcement(a: Announcement) -> pb::Announcement {
    pb::Announcement {
        id: a.id.to_string(),
        title: a.title,
        body: a.body,
        pinned: a.pinned,
        priority: a.priority,
        published_at: ts(a.publish_at),
        expires_at: a.expires_at.map(ts),
    }
}

fn preferences(items: Vec<Preference>) -> pb::NotificationPreferences {
    pb::NotificationPreferences {
        items: items
            .into_iter()
            .map(|p| pb::NotificationPreference {
                category: p.category.as_str().to_owned(),
                email: p.email,
                locked: p.locked,
            })
            .collect(),
    }
}

#[tonic::async_trait]
impl pb::notify_service_server::NotifyService for NotifyGrpc {
    async fn list_announcements(
        &self,
        req: Request<pb::PageRequest>,
    ) -> Result<Response<pb::AnnouncementPage>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        let r = req.into_inner();
        let page = self.state.notify.announcements.feed(me.user_id, r.cursor.as_deref(), r.limit).await.map_err(err)?;
        Ok(Response::new(pb::AnnouncementPage {
            items: page.items.into_iter().map(announcement).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn get_announcement(
        &self,
        req: Request<pb::AnnouncementIdRequest>,
    ) -> Result<Response<pb::Announcement>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        let aid = id(&req.get_ref().id, "announcement")?;
        Ok(Response::new(announcement(self.state.notify.announcements.visible(me.user_id, aid).await.map_err(err)?)))
    }

    async fn get_notification_preferences(
        &self,
        req: Request<pb::Empty>,
    ) -> Result<Response<pb::NotificationPreferences>, Status> {
        let me = customer(&self.state, &req, Read).await?;
        Ok(Response::new(preferences(self.state.notify.preferences.get(me.user_id).await.map_err(err)?)))
    }

    async fn update_notification_preferences(
        &self,
        req: Request<pb::UpdateNotificationPreferencesRequest>,
    ) -> Result<Response<pb::NotificationPreferences>, Status> {
        let me = customer(&self.state, &req, Write).await?;
        let r = req.into_inner();
        let raw: Vec<(String, bool)> = [
            ("security", r.security),
            ("service", r.service),
            ("billing", r.billing),
            ("support", r.support),
            ("marketing", r.marketing),
        ]
        .into_iter()
        .filter_map(|(name, on)| on.map(|on| (name.to_owned(), on)))
        .collect();
        let changes = preference_changes(&raw).map_err(err)?;
        Ok(Response::new(preferences(self.state.notify.preferences.update(me.user_id, &changes).await.map_err(err)?)))
    }
}
