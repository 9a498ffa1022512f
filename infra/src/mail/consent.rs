//! What the recipient's notification preferences say about an e-mail (`notify.preferences`).

use helium_domain::notify::preferences::Category;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

/// The account at `email` and whether it takes mail of `category` (`None`: no such customer).
pub async fn recipient(c: &mut PgConnection, email: &str, category: Category) -> DbResult<Option<(Uuid, bool)>> {
    Ok(sqlx::query!(
        r#"SELECT u.id, NOT EXISTS (SELECT 1 FROM notify.preferences p
                                    WHERE p.user_id = u.id AND p.category = $2 AND NOT p.email) AS "on!"
           FROM auth.users u WHERE u.email = lower($1)"#,
        email,
        category as Category
    )
    .fetch_optional(ex(c))
    .await?
    .map(|r| (r.id, r.on)))
}
