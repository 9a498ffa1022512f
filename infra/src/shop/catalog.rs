//! The catalog: package series and their immutable versions, products; what customers (and
//! anonymous visitors) may see.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::shop::commands::{ProductInput, ProductPatch, SeriesInput, SeriesPatch};
use helium_domain::shop::model::{PackageSeries, PackageTerms, PackageVersion, Product};
use helium_domain::{DomainError, ErrorCode};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::{ShopContext, not_found};
use super::store::products::Audience;
use super::store::{catalog, groups, products};
use crate::audit;
use crate::paging::{Page, decode_cursor, page_limit, page_of};

/// Who is looking at the catalog.
#[derive(Debug, Clone, Copy)]
pub enum Viewer {
    Anonymous,
    Customer(Uuid),
}

fn series_json(s: &PackageSeries) -> serde_json::Value {
    json!({ "name": s.name, "description": s.description, "archived": s.archived })
}

fn product_json(p: &Product) -> serde_json::Value {
    json!({
        "name": p.name, "price": p.price, "series_id": p.series_id, "group_ids": p.group_ids, "on_sale": p.on_sale,
        "sort": p.sort, "commission_eligible": p.commission_eligible, "archived": p.archived,
    })
}

/// Offset cursors for lists kept in `sort` order (small lists).
fn offset_cursor(scope: &str, offset: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{scope}|{offset}"))
}

fn decode_offset(scope: &str, raw: &str) -> Result<i64, DomainError> {
    let invalid = || DomainError::rejected(ErrorCode::InvalidCursor, "this cursor is unknown or its filters changed");
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(raw.trim()).map_err(|_| invalid())?).map_err(|_| invalid())?;
    let (bound, offset) = text.rsplit_once('|').ok_or_else(invalid)?;
    if bound != scope {
        return Err(invalid());
    }
    offset.parse::<i64>().ok().filter(|o| *o >= 0).ok_or_else(invalid)
}

async fn check_groups(c: &mut PgConnection, ids: &[Uuid]) -> Result<(), DomainError> {
    if groups::count_existing(c, ids).await? != ids.len() as i64 {
        return Err(DomainError::field("group_ids", "invalid_reference", "one of these groups does not exist"));
    }
    Ok(())
}

#[derive(Clone)]
pub struct Catalog(pub(crate) Arc<ShopContext>);

impl Catalog {
    // ------------------------------------------------------------ series and versions

    pub async fn create_series(&self, actor: &Actor, cmd: &SeriesInput) -> Result<PackageSeries, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let s = catalog::insert_series(tx, Uuid::now_v7(), &cmd.name, cmd.description.as_deref()).await?;
            audit::append(
                tx,
                &ctx.keys,
                actor,
                Change::new(AuditAction::SeriesCreate, "package_series", s.id).after(series_json(&s)),
            )
            .await?;
            Ok(s)
        })
    }

    pub async fn update_series(
        &self,
        actor: &Actor,
        id: Uuid,
        cmd: &SeriesPatch,
    ) -> Result<PackageSeries, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let before = catalog::lock_series(tx, id).await?.ok_or_else(|| not_found("package series"))?;
            let description = cmd.description.as_ref().map(|d| d.as_deref());
            let after = catalog::update_series(tx, id, cmd.name.as_deref(), description, cmd.archived)
                .await?
                .ok_or_else(|| not_found("package series"))?;
            let change = Change::new(AuditAction::SeriesUpdate, "package_series", id)
                .before(series_json(&before))
                .after(series_json(&after));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(after)
        })
    }

    pub async fn series_page(
        &self,
        archived: Option<bool>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<PackageSeries>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = format!("series|{}", archived.map_or("", |a| if a { "1" } else { "0" }));
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        let rows = catalog::page_series(&mut c, archived, after, limit + 1).await?;
        Ok(page_of(rows, limit, &scope, |s| (s.created_at, s.id)))
    }

    pub async fn series(&self, id: Uuid) -> Result<(PackageSeries, Vec<PackageVersion>), DomainError> {
        let mut c = self.0.db.conn().await?;
        let s = catalog::series(&mut c, id).await?.ok_or_else(|| not_found("package series"))?;
        let versions = catalog::versions(&mut c, id).await?;
        Ok((s, versions))
    }

    /// A new version (not current until published); an archived series is 409.
    pub async fn create_version(
        &self,
        actor: &Actor,
        series_id: Uuid,
        terms: &PackageTerms,
    ) -> Result<PackageVersion, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let s = catalog::lock_series(tx, series_id).await?.ok_or_else(|| not_found("package series"))?;
            if s.archived {
                return Err(DomainError::rejected(ErrorCode::SeriesArchived, "this series is archived"));
            }
            check_groups(tx, &terms.group_ids).await?;
            let v = catalog::insert_version(tx, Uuid::now_v7(), series_id, terms).await?;
            let change = Change::new(AuditAction::VersionCreate, "package_version", v.id)
                .after(json!({ "series_id": series_id, "version": v.version, "terms": terms }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(v)
        })
    }

    /// Makes a version current for new sales (delivered purchases keep theirs).
    pub async fn publish_version(
        &self,
        actor: &Actor,
        series_id: Uuid,
        version_id: Uuid,
    ) -> Result<PackageVersion, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let s = catalog::lock_series(tx, series_id).await?.ok_or_else(|| not_found("package series"))?;
            if s.archived {
                return Err(DomainError::rejected(ErrorCode::SeriesArchived, "this series is archived"));
            }
            let v = catalog::version(tx, version_id)
                .await?
                .filter(|v| v.series_id == series_id)
                .ok_or_else(|| not_found("version"))?;
            catalog::publish(tx, series_id, version_id).await?;
            let v = catalog::version(tx, v.id).await?.ok_or_else(|| not_found("version"))?;
            let change = Change::new(AuditAction::VersionPublish, "package_version", version_id)
                .before(json!({ "current_version_id": s.current_version_id }))
                .after(json!({ "current_version_id": version_id, "version": v.version }));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(v)
        })
    }

    // ------------------------------------------------------------ products

    pub async fn create_product(&self, actor: &Actor, cmd: &ProductInput) -> Result<Product, DomainError> {
        let ctx = &self.0;
        let currency = ctx.shop_config().await?.currency;
        crate::transaction!(ctx.db, |tx| {
            let s = catalog::lock_series(tx, cmd.series_id).await?.ok_or_else(|| {
                DomainError::field("package_series_id", "invalid_reference", "no such package series")
            })?;
            if s.archived {
                return Err(DomainError::rejected(ErrorCode::SeriesArchived, "this series is archived"));
            }
            check_groups(tx, &cmd.group_ids).await?;
            let id = Uuid::now_v7();
            products::insert(tx, id, cmd, &currency).await?;
            let p = products::get(tx, id, Audience::Staff).await?.ok_or_else(|| not_found("product"))?;
            audit::append(
                tx,
                &ctx.keys,
                actor,
                Change::new(AuditAction::ProductCreate, "product", id).after(product_json(&p)),
            )
            .await?;
            Ok(p)
        })
    }

    pub async fn update_product(&self, actor: &Actor, id: Uuid, cmd: &ProductPatch) -> Result<Product, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let before = products::get(tx, id, Audience::Staff)
                .await?
                .filter(|p| !p.archived)
                .ok_or_else(|| not_found("product"))?;
            if let Some(series_id) = cmd.series_id {
                let s = catalog::lock_series(tx, series_id).await?.ok_or_else(|| {
                    DomainError::field("package_series_id", "invalid_reference", "no such package series")
                })?;
                if s.archived {
                    return Err(DomainError::rejected(ErrorCode::SeriesArchived, "this series is archived"));
                }
            }
            if let Some(g) = &cmd.group_ids {
                check_groups(tx, g).await?;
            }
            products::update(tx, id, cmd).await?;
            let after = products::get(tx, id, Audience::Staff).await?.ok_or_else(|| not_found("product"))?;
            let change = Change::new(AuditAction::ProductUpdate, "product", id)
                .before(product_json(&before))
                .after(product_json(&after));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(after)
        })
    }

    /// Takes a product off sale for good (orders keep referring to it).
    pub async fn archive_product(&self, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let before = products::get(tx, id, Audience::Staff).await?.ok_or_else(|| not_found("product"))?;
            if !products::archive(tx, id).await? {
                return Ok(());
            }
            audit::append(
                tx,
                &ctx.keys,
                actor,
                Change::new(AuditAction::ProductArchive, "product", id).before(product_json(&before)),
            )
            .await?;
            Ok(())
        })
    }

    /// Staff: one product (archived too).
    pub async fn product_for_staff(&self, id: Uuid) -> Result<Product, DomainError> {
        let mut c = self.0.db.conn().await?;
        products::get(&mut c, id, Audience::Staff).await?.ok_or_else(|| not_found("product"))
    }

    /// Staff list in `sort` order.
    pub async fn products_for_staff(
        &self,
        on_sale: Option<bool>,
        series_id: Option<Uuid>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<Product>, DomainError> {
        let scope = format!("products|staff|{on_sale:?}|{}", series_id.map(|s| s.to_string()).unwrap_or_default());
        let (offset, limit) = page_bounds(&scope, cursor, limit)?;
        let mut c = self.0.db.conn().await?;
        let rows = products::list(&mut c, None, on_sale, series_id, offset, limit + 1).await?;
        Ok(offset_page(&scope, rows, offset, limit))
    }

    /// What a customer (or visitor) may buy: on sale, with published terms, in their groups.
    pub async fn products_for(
        &self,
        viewer: Viewer,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<Product>, DomainError> {
        let scope = match viewer {
            Viewer::Anonymous => "products|public".to_owned(),
            Viewer::Customer(id) => format!("products|{id}"),
        };
        let (offset, limit) = page_bounds(&scope, cursor, limit)?;
        let mut c = self.0.db.lagging_conn().await?;
        let groups = visible_groups(&mut c, viewer).await?;
        let rows = products::list(&mut c, Some(&groups), None, None, offset, limit + 1).await?;
        Ok(offset_page(&scope, rows, offset, limit))
    }

    /// One product a viewer may buy; hidden, off-sale or unknown is the same 404.
    pub async fn product_for(&self, viewer: Viewer, id: Uuid) -> Result<Product, DomainError> {
        // Browsing tolerates replica lag (a product published a moment ago shows up a moment
        // later); buying reads the product again on the primary, in the order's transaction.
        let mut c = self.0.db.lagging_conn().await?;
        let product = match viewer {
            Viewer::Customer(user) => products::get(&mut c, id, Audience::CustomerOf(user)).await?,
            Viewer::Anonymous => {
                let public = groups::public(&mut c).await?;
                products::get(&mut c, id, Audience::Groups(&public)).await?
            }
        };
        product.ok_or_else(|| not_found("product"))
    }
}

/// The groups whose products a viewer sees (anonymous: the public ones).
async fn visible_groups(c: &mut PgConnection, viewer: Viewer) -> Result<Vec<Uuid>, DomainError> {
    Ok(match viewer {
        Viewer::Anonymous => groups::public(c).await?,
        Viewer::Customer(id) => groups::of_user(c, id).await?,
    })
}

/// (offset, limit) of the page a cursor of `scope` asks for.
fn page_bounds(scope: &str, cursor: Option<&str>, limit: Option<i64>) -> Result<(i64, i64), DomainError> {
    let limit = page_limit(limit)?;
    let offset = cursor.map(|c| decode_offset(scope, c)).transpose()?.unwrap_or(0);
    Ok((offset, limit))
}

/// One page of `limit` from `rows` (fetched with one extra row to tell whether more follow).
fn offset_page(scope: &str, mut rows: Vec<Product>, offset: i64, limit: i64) -> Page<Product> {
    let next_cursor = (rows.len() as i64 > limit).then(|| offset_cursor(scope, offset + limit));
    rows.truncate(limit as usize);
    Page { items: rows, next_cursor }
}
