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

pub async fn customer_exists(c: &mut PgConnection, user_id: Uuid) -> DbResult<bool> {
    Ok(sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM auth.users WHERE id = $1) AS "e!""#, user_id)
        .fetch_one(ex(c))
        .await?)
}
