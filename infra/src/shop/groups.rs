//! Customer groups (staff CRUD) and a customer's manual groups.

use std::sync::Arc;

use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::shop::commands::{GroupInput, GroupPatch};
use helium_domain::shop::model::CustomerGroup;
use helium_domain::{DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use super::context::{ShopContext, not_found};
use super::store::groups;
use crate::audit;
use crate::db::DbError;
use crate::paging::{Page, decode_cursor, page_limit, page_of};

const SCOPE: &str = "groups";

fn name_taken(e: &DbError) -> Option<DomainError> {
    e.is_unique("customer_groups_name_key")
        .then(|| DomainError::rejected(ErrorCode::GroupNameTaken, "a group with this name exists"))
}

fn snapshot(g: &CustomerGroup) -> serde_json::Value {
    json!({ "name": g.name, "description": g.description })
}

#[derive(Clone)]
pub struct Groups(pub(crate) Arc<ShopContext>);

impl Groups {
    pub async fn page(&self, cursor: Option<&str>, limit: Option<i64>) -> Result<Page<CustomerGroup>, DomainError> {
        let limit = page_limit(limit)?;
        let after = cursor.map(|c| decode_cursor(SCOPE, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        Ok(page_of(groups::page(&mut c, after, limit + 1).await?, limit, SCOPE, |g| (g.created_at, g.id)))
    }

    pub async fn create(&self, actor: &Actor, cmd: &GroupInput) -> Result<CustomerGroup, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let g = match groups::insert(tx, Uuid::now_v7(), &cmd.name, cmd.description.as_deref()).await {
                Ok(g) => g,
                Err(e) => return Err(name_taken(&e).unwrap_or_else(|| e.into())),
            };
            audit::append(
                tx,
                &ctx.keys,
                actor,
                Change::new(AuditAction::GroupCreate, "group", g.id).after(snapshot(&g)),
            )
            .await?;
            Ok(g)
        })
    }

    pub async fn update(&self, actor: &Actor, id: Uuid, cmd: &GroupPatch) -> Result<CustomerGroup, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let before = groups::lock(tx, id).await?.ok_or_else(|| not_found("group"))?;
            let description = cmd.description.as_ref().map(|d| d.as_deref());
            let after = match groups::update(tx, id, cmd.name.as_deref(), description).await {
                Ok(g) => g.ok_or_else(|| not_found("group"))?,
                Err(e) => return Err(name_taken(&e).unwrap_or_else(|| e.into())),
            };
            let change =
                Change::new(AuditAction::GroupUpdate, "group", id).before(snapshot(&before)).after(snapshot(&after));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(after)
        })
    }

    /// Deletes a group nothing refers to (members, products, package versions): else 409.
    pub async fn delete(&self, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let before = groups::lock(tx, id).await?.ok_or_else(|| not_found("group"))?;
            if before.is_default || before.is_public || groups::in_use(tx, id).await? {
                return Err(DomainError::rejected(ErrorCode::GroupInUse, "this group is still in use"));
            }
            groups::delete(tx, id).await?;
            audit::append(
                tx,
                &ctx.keys,
                actor,
                Change::new(AuditAction::GroupDelete, "group", id).before(snapshot(&before)),
            )
            .await?;
            Ok(())
        })
    }

    /// Replaces a customer's manual groups; unknown group ids are 422 naming `group_ids`.
    pub async fn set_for_customer(
        &self,
        actor: &Actor,
        user_id: Uuid,
        group_ids: &[Uuid],
    ) -> Result<Vec<Uuid>, DomainError> {
        let ctx = &self.0;
        let mut ids = group_ids.to_vec();
        ids.sort();
        ids.dedup();
        if ids.len() > 100 {
            return Err(DomainError::field("group_ids", "too_long", "at most 100 groups"));
        }
        crate::transaction!(ctx.db, |tx| {
            if crate::auth::store::users::by_id(tx, user_id).await?.is_none() {
                return Err(DomainError::not_found("no such customer"));
            }
            if groups::count_existing(tx, &ids).await? != ids.len() as i64 {
                return Err(DomainError::field("group_ids", "invalid_reference", "one of these groups does not exist"));
            }
            let before = groups::of_user(tx, user_id).await?;
            groups::set_for_user(tx, user_id, &ids).await?;
            let change = Change::new(AuditAction::CustomerGroupsSet, "customer", user_id)
                .before(json!({ "group_ids": before }))
                .after(json!({ "group_ids": ids }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(ids.clone())
        })
    }

    /// The groups a customer belongs to, for what they may see and buy.
    pub async fn of_customer(&self, user_id: Uuid) -> Result<Vec<Uuid>, DomainError> {
        let mut c = self.0.db.conn().await?;
        Ok(groups::of_user(&mut c, user_id).await?)
    }
}
