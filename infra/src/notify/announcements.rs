//! Announcements: staff write them (audited); customers read the ones targeted at them; the
//! cron e-mails newly published ones to their audience in batches, once.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use helium_domain::DomainError;
use helium_domain::audit::{Actor, ActorKind, AuditAction, Change};
use helium_domain::events::EmailTemplate;
use helium_domain::notify::announcements::{Announcement, AnnouncementInput};
use serde_json::{Value, json};
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::NotifyContext;
use super::store::announcements as store;
use crate::audit;
use crate::cron::{Job, JobContext};
use crate::events::outbox;
use crate::mail::request::email_event_as;
use crate::paging::{Page, decode_cursor, decode_seq_cursor, encode_seq_cursor, page_limit, page_of};

/// Customers mailed per batch; a run sends at most `MAIL_BATCHES` batches.
const MAIL_BATCH: i64 = 500;
const MAIL_BATCHES: usize = 20;

#[derive(Clone)]
pub struct Announcements(pub(crate) Arc<NotifyContext>);

fn not_found() -> DomainError {
    DomainError::not_found("no such announcement")
}

fn snapshot(a: &Announcement) -> Value {
    json!({
        "title": a.title, "group_ids": a.group_ids, "pinned": a.pinned, "priority": a.priority,
        "publish_at": a.publish_at, "expires_at": a.expires_at, "email": a.email,
        "email_category": a.email_category.as_str(),
    })
}

async fn check_groups(c: &mut PgConnection, ids: &[Uuid]) -> Result<(), DomainError> {
    if crate::shop::store::groups::count_existing(c, ids).await? != ids.len() as i64 {
        return Err(DomainError::field("group_ids", "invalid_reference", "one of these groups does not exist"));
    }
    Ok(())
}

impl Announcements {
    pub async fn create(&self, actor: &Actor, input: &AnnouncementInput) -> Result<Announcement, DomainError> {
        let by = if actor.kind == ActorKind::Admin { actor.id } else { None };
        crate::transaction!(self.0.db, |tx| {
            check_groups(tx, &input.group_ids).await?;
            let a = store::insert(tx, Uuid::now_v7(), input, by).await?;
            audit::append(
                tx,
                &self.0.keys,
                actor,
                Change::new(AuditAction::AnnouncementCreate, "announcement", a.id).after(snapshot(&a)),
            )
            .await?;
            Ok(a)
        })
    }

    pub async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &AnnouncementInput,
    ) -> Result<Announcement, DomainError> {
        crate::transaction!(self.0.db, |tx| {
            let before = store::get(tx, id).await?.ok_or_else(not_found)?;
            check_groups(tx, &input.group_ids).await?;
            let a = store::update(tx, id, input).await?.ok_or_else(not_found)?;
            let change = Change::new(AuditAction::AnnouncementUpdate, "announcement", id)
                .before(snapshot(&before))
                .after(snapshot(&a));
            audit::append(tx, &self.0.keys, actor, change).await?;
            Ok(a)
        })
    }

    pub async fn delete(&self, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
        crate::transaction!(self.0.db, |tx| {
            let before = store::get(tx, id).await?.ok_or_else(not_found)?;
            store::delete(tx, id).await?;
            let change = Change::new(AuditAction::AnnouncementDelete, "announcement", id).before(snapshot(&before));
            audit::append(tx, &self.0.keys, actor, change).await?;
            Ok(())
        })
    }

    pub async fn get(&self, id: Uuid) -> Result<Announcement, DomainError> {
        let mut c = self.0.db.conn().await?;
        store::get(&mut c, id).await?.ok_or_else(not_found)
    }

    /// Staff list, newest first.
    pub async fn list(
        &self,
        active: Option<bool>,
        group_id: Option<Uuid>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<Announcement>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = format!("announcements|{active:?}|{}", group_id.map(|g| g.to_string()).unwrap_or_default());
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = store::page(&mut c, active, group_id, after, limit + 1).await?;
        Ok(page_of(rows, limit, &scope, |a| (a.created_at, a.id)))
    }

    /// The customer's feed (pinned, priority, newest). The cursor carries an offset: feeds are
    /// short and their order is not a key.
    pub async fn feed(
        &self,
        user_id: Uuid,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<Announcement>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = format!("feed|{user_id}");
        let offset = match cursor {
            Some(c) => decode_seq_cursor(&scope, c)?.1.max(0),
            None => 0,
        };
        // Tolerates replica lag: an announcement published a moment ago shows a moment later.
        let mut c = self.0.db.lagging_conn().await?;
        let mut rows = store::feed(&mut c, user_id, offset, limit + 1).await?;
        let next_cursor = if rows.len() > limit as usize {
            rows.truncate(limit as usize);
            Some(encode_seq_cursor(&scope, DateTime::<Utc>::UNIX_EPOCH, offset + limit))
        } else {
            None
        };
        Ok(Page { items: rows, next_cursor })
    }

    /// One announcement the customer may see; another group's (or an expired one) is 404.
    pub async fn visible(&self, user_id: Uuid, id: Uuid) -> Result<Announcement, DomainError> {
        let mut c = self.0.db.lagging_conn().await?;
        store::visible(&mut c, user_id, id).await?.ok_or_else(not_found)
    }
}

/// E-mails published announcements that ask for it to their targeted customers, skipping
/// those who turned the announcement's category off (the mailer checks again at send time).
pub struct AnnouncementMail(pub Arc<NotifyContext>);

impl AnnouncementMail {
    /// One batch of one announcement; `None` when nothing is due.
    async fn batch(&self) -> Result<Option<u64>, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let Some((a, cursor)) = store::lock_mail_due(tx).await? else { return Ok(None) };
            let recipients = store::recipients(tx, &a, cursor, MAIL_BATCH).await?;
            for (_, email) in &recipients {
                let context = json!({
                    "title": a.title, "body": a.body, "recipient": email,
                    "announcement_url": ctx.url(&format!("announcements/{}", a.id)),
                });
                let mail = email_event_as(
                    tx,
                    &ctx.keys,
                    email,
                    EmailTemplate::Announcement,
                    Some(a.email_category),
                    context,
                    json!({}),
                )
                .await?;
                outbox::append(tx, &mail).await?;
            }
            let last = recipients.last().map(|(id, _)| *id).or(cursor);
            store::advance(tx, a.id, last, (recipients.len() as i64) < MAIL_BATCH).await?;
            Ok(Some(recipients.len() as u64))
        })
    }
}

#[async_trait::async_trait]
impl Job for AnnouncementMail {
    fn name(&self) -> &'static str {
        "announcement_mail"
    }

    async fn run(&self, _ctx: &JobContext) -> anyhow::Result<u64> {
        let mut total = 0;
        for _ in 0..MAIL_BATCHES {
            match self.batch().await? {
                Some(n) => total += n,
                None => break,
            }
        }
        Ok(total)
    }
}
