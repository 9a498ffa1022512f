//! `notify.announcements`.

use chrono::{DateTime, Utc};
use helium_domain::notify::announcements::{Announcement, AnnouncementInput};
use helium_domain::notify::preferences::Category;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

const COLUMNS: &str = "id, title, body, group_ids, pinned, priority, publish_at, expires_at, email, \
                       email_category, emailed_at, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    title: String,
    body: String,
    group_ids: Vec<Uuid>,
    pinned: bool,
    priority: i32,
    publish_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    email: bool,
    email_category: Category,
    emailed_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Row> for Announcement {
    fn from(r: Row) -> Self {
        Announcement {
            id: r.id,
            title: r.title,
            body: r.body,
            group_ids: r.group_ids,
            pinned: r.pinned,
            priority: r.priority,
            publish_at: r.publish_at,
            expires_at: r.expires_at,
            email: r.email,
            email_category: r.email_category,
            emailed_at: r.emailed_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

pub async fn insert(c: &mut PgConnection, id: Uuid, a: &AnnouncementInput, by: Option<Uuid>) -> DbResult<Announcement> {
    let sql = format!(
        "INSERT INTO notify.announcements (id, title, body, group_ids, pinned, priority, publish_at, expires_at, email,
                                           email_category, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, now()), $8, $9, $10, $11) RETURNING {COLUMNS}"
    );
    let row: Row = sqlx::query_as(&sql)
        .bind(id)
        .bind(&a.title)
        .bind(&a.body)
        .bind(&a.group_ids)
        .bind(a.pinned)
        .bind(a.priority)
        .bind(a.publish_at)
        .bind(a.expires_at)
        .bind(a.email)
        .bind(a.email_category)
        .bind(by)
        .fetch_one(ex(c))
        .await?;
    Ok(row.into())
}

/// Replaces the fields; an e-mail already sent is not sent again.
pub async fn update(c: &mut PgConnection, id: Uuid, a: &AnnouncementInput) -> DbResult<Option<Announcement>> {
    let sql = format!(
        "UPDATE notify.announcements SET title = $2, body = $3, group_ids = $4, pinned = $5, priority = $6,
                publish_at = coalesce($7, publish_at), expires_at = $8, email = $9, email_category = $10, updated_at = now()
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(id)
        .bind(&a.title)
        .bind(&a.body)
        .bind(&a.group_ids)
        .bind(a.pinned)
        .bind(a.priority)
        .bind(a.publish_at)
        .bind(a.expires_at)
        .bind(a.email)
        .bind(a.email_category)
        .fetch_optional(ex(c))
        .await?;
    Ok(row.map(Into::into))
}

pub async fn delete(c: &mut PgConnection, id: Uuid) -> DbResult<bool> {
    let done = sqlx::query!("DELETE FROM notify.announcements WHERE id = $1", id).execute(ex(c)).await?;
    Ok(done.rows_affected() == 1)
}

pub async fn get(c: &mut PgConnection, id: Uuid) -> DbResult<Option<Announcement>> {
    let sql = format!("SELECT {COLUMNS} FROM notify.announcements WHERE id = $1");
    let row: Option<Row> = sqlx::query_as(&sql).bind(id).fetch_optional(ex(c)).await?;
    Ok(row.map(Into::into))
}

/// Staff list, newest first, after `(created_at, id)`. `active`: live now (or not).
pub async fn page(
    c: &mut PgConnection,
    active: Option<bool>,
    group_id: Option<Uuid>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<Announcement>> {
    let (at, id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    let sql = format!(
        "SELECT {COLUMNS} FROM notify.announcements
         WHERE ($1::bool IS NULL OR $1 = (publish_at <= now() AND (expires_at IS NULL OR expires_at > now())))
           AND ($2::uuid IS NULL OR $2 = ANY(group_ids))
           AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4::uuid))
         ORDER BY created_at DESC, id DESC LIMIT $5"
    );
    let rows: Vec<Row> =
        sqlx::query_as(&sql).bind(active).bind(group_id).bind(at).bind(id).bind(limit).fetch_all(ex(c)).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// What `user_id` may see: live, and for everyone or for one of the customer's groups.
const VISIBLE: &str = "publish_at <= now() AND (expires_at IS NULL OR expires_at > now())
     AND (cardinality(group_ids) = 0 OR group_ids && ARRAY(
            SELECT group_id FROM shop.customer_group_members WHERE user_id = $1))";

/// The customer's feed: pinned first, then priority, then newest; `offset` rows skipped.
pub async fn feed(c: &mut PgConnection, user_id: Uuid, offset: i64, limit: i64) -> DbResult<Vec<Announcement>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM notify.announcements WHERE {VISIBLE}
         ORDER BY pinned DESC, priority DESC, publish_at DESC, id DESC OFFSET $2 LIMIT $3"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql).bind(user_id).bind(offset).bind(limit).fetch_all(ex(c)).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// One announcement if `user_id` may see it.
pub async fn visible(c: &mut PgConnection, user_id: Uuid, id: Uuid) -> DbResult<Option<Announcement>> {
    let sql = format!("SELECT {COLUMNS} FROM notify.announcements WHERE {VISIBLE} AND id = $2");
    let row: Option<Row> = sqlx::query_as(&sql).bind(user_id).bind(id).fetch_optional(ex(c)).await?;
    Ok(row.map(Into::into))
}

/// Published announcements whose e-mail is not finished, locked (one sender per announcement).
pub async fn lock_mail_due(c: &mut PgConnection) -> DbResult<Option<(Announcement, Option<Uuid>)>> {
    let sql = format!(
        "SELECT {COLUMNS}, email_cursor FROM notify.announcements
         WHERE email AND emailed_at IS NULL AND publish_at <= now() AND (expires_at IS NULL OR expires_at > now())
         ORDER BY publish_at LIMIT 1 FOR UPDATE SKIP LOCKED"
    );
    #[derive(sqlx::FromRow)]
    struct Due {
        #[sqlx(flatten)]
        row: Row,
        email_cursor: Option<Uuid>,
    }
    let due: Option<Due> = sqlx::query_as(&sql).fetch_optional(ex(c)).await?;
    Ok(due.map(|d| (d.row.into(), d.email_cursor)))
}

/// The next customers (by id, after `cursor`) an announcement e-mail goes to: active, targeted,
/// and not opted out of `category`.
pub async fn recipients(
    c: &mut PgConnection,
    a: &Announcement,
    cursor: Option<Uuid>,
    limit: i64,
) -> DbResult<Vec<(Uuid, String)>> {
    let rows = sqlx::query!(
        r#"SELECT u.id, u.email FROM auth.users u
           WHERE u.status = 'active' AND ($1::uuid IS NULL OR u.id > $1)
             AND (cardinality($2::uuid[]) = 0 OR EXISTS (
                   SELECT 1 FROM shop.customer_group_members m WHERE m.user_id = u.id AND m.group_id = ANY($2)))
             AND NOT EXISTS (SELECT 1 FROM notify.preferences p
                             WHERE p.user_id = u.id AND p.category = $3 AND NOT p.email)
           ORDER BY u.id LIMIT $4"#,
        cursor,
        &a.group_ids,
        a.email_category as Category,
        limit
    )
    .fetch_all(ex(c))
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.email)).collect())
}

pub async fn advance(c: &mut PgConnection, id: Uuid, cursor: Option<Uuid>, done: bool) -> DbResult<()> {
    sqlx::query!(
        "UPDATE notify.announcements SET email_cursor = $2, emailed_at = CASE WHEN $3 THEN now() ELSE NULL END WHERE id = $1",
        id,
        cursor,
        done
    )
    .execute(ex(c))
    .await?;
    Ok(())
}
