//! `notify.preferences`: rows only for categories a customer changed.

use helium_domain::notify::preferences::Category;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

/// The categories the customer turned off.
pub async fn off(c: &mut PgConnection, user_id: Uuid) -> DbResult<Vec<Category>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT category AS "category: Category" FROM notify.preferences WHERE user_id = $1 AND NOT email"#,
        user_id
    )
    .fetch_all(ex(c))
    .await?)
}

pub async fn set(c: &mut PgConnection, user_id: Uuid, category: Category, email: bool) -> DbResult<()> {
    sqlx::query!(
        r#"INSERT INTO notify.preferences (user_id, category, email) VALUES ($1, $2, $3)
           ON CONFLICT (user_id, category) DO UPDATE SET email = EXCLUDED.email, updated_at = now()"#,
        user_id,
        category as Category,
        email
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

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
