//! Package series, their immutable versions, and products, for staff (tag `catalog`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use helium_domain::shop::commands::{ProductInput, ProductPatch, SeriesInput, SeriesPatch, package_terms};
use helium_domain::shop::model as m;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Audited;
use crate::rest::shop::dto::{Entitlements, Money};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct PackageSeries {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    /// Archived series take no new versions or products.
    pub archived: bool,
    /// The version new sales deliver.
    pub current_version_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<m::PackageSeries> for PackageSeries {
    fn from(s: m::PackageSeries) -> Self {
        Self {
            id: s.id,
            name: s.name,
            description: s.description,
            archived: s.archived,
            current_version_id: s.current_version_id,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// One immutable version: a delivered purchase keeps these terms forever.
#[derive(Debug, Serialize, ToSchema)]
pub struct PackageVersion {
    pub id: Uuid,
    pub series_id: Uuid,
    /// 1, 2, 3… within the series.
    pub version: i32,
    pub entitlements: Entitlements,
    pub created_at: DateTime<Utc>,
    /// When it last became current; null = never published.
    pub published_at: Option<DateTime<Utc>>,
}

impl From<m::PackageVersion> for PackageVersion {
    fn from(v: m::PackageVersion) -> Self {
        Self {
            id: v.id,
            series_id: v.series_id,
            version: v.version,
            entitlements: (&v.terms).into(),
            created_at: v.created_at,
            published_at: v.published_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PackageSeriesDetail {
    #[serde(flatten)]
    pub series: PackageSeries,
    /// Oldest first.
    pub versions: Vec<PackageVersion>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PackageSeriesPage {
    pub items: Vec<PackageSeries>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// Only archived (`true`) or only live (`false`) series.
    pub archived: Option<bool>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesCreateRequest {
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesUpdateRequest {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::rest::auth::dto::double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub archived: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionCreateRequest {
    /// 1 byte to 1 PiB.
    pub traffic_bytes: i64,
    /// 1 to 3660.
    pub duration_days: i32,
    /// Mbit/s; null = unlimited.
    pub speed_limit_mbps: Option<i32>,
    /// null = unlimited.
    pub device_limit: Option<i32>,
    /// `none`, `monthly_on_purchase_day` or `first_of_month`.
    pub traffic_reset: String,
    /// Node groups the package opens.
    #[serde(default)]
    pub group_ids: Vec<Uuid>,
}

const PROBLEM: &str = "application/problem+json";

#[utoipa::path(
    get, path = "/api/v1/admin/package-series", operation_id = "adminListPackageSeries", tag = "catalog",
    summary = "Package series, newest first",
    params(SeriesQuery),
    responses((status = 200, description = "One page", body = PackageSeriesPage))
)]
pub async fn admin_list_package_series(
    State(state): State<AppState>,
    Query(q): Query<SeriesQuery>,
) -> Result<Json<PackageSeriesPage>, ApiError> {
    let page = state.shop.catalog.series_page(q.archived, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(PackageSeriesPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/package-series", operation_id = "adminCreatePackageSeries", tag = "catalog",
    summary = "Create a package series",
    request_body = SeriesCreateRequest,
    responses((status = 201, description = "Created", body = PackageSeries))
)]
pub async fn admin_create_package_series(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    JsonBody(req): JsonBody<SeriesCreateRequest>,
) -> Result<(StatusCode, Json<PackageSeries>), ApiError> {
    let cmd = SeriesInput::new(&req.name, req.description.as_deref())?;
    Ok((StatusCode::CREATED, Json(state.shop.catalog.create_series(&actor, &cmd).await?.into())))
}

#[utoipa::path(
    get, path = "/api/v1/admin/package-series/{id}", operation_id = "adminGetPackageSeries", tag = "catalog",
    summary = "A series with all its versions",
    params(("id" = Uuid, Path, description = "Series id")),
    responses((status = 200, description = "The series", body = PackageSeriesDetail))
)]
pub async fn admin_get_package_series(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<PackageSeriesDetail>, ApiError> {
    let (s, versions) = state.shop.catalog.series(id).await?;
    Ok(Json(PackageSeriesDetail { series: s.into(), versions: versions.into_iter().map(Into::into).collect() }))
}

#[utoipa::path(
    patch, path = "/api/v1/admin/package-series/{id}", operation_id = "adminUpdatePackageSeries", tag = "catalog",
    summary = "Rename, describe or archive a series",
    params(("id" = Uuid, Path, description = "Series id")),
    request_body = SeriesUpdateRequest,
    responses((status = 200, description = "Updated", body = PackageSeries))
)]
pub async fn admin_update_package_series(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<SeriesUpdateRequest>,
) -> Result<Json<PackageSeries>, ApiError> {
    let cmd = SeriesPatch::new(req.name.as_deref(), req.description.as_ref().map(|d| d.as_deref()), req.archived)?;
    Ok(Json(state.shop.catalog.update_series(&actor, id, &cmd).await?.into()))
}

#[utoipa::path(
    post, path = "/api/v1/admin/package-series/{id}/versions", operation_id = "adminCreatePackageVersion", tag = "catalog",
    summary = "Add an immutable version to a series",
    description = "Not sold until published.",
    params(("id" = Uuid, Path, description = "Series id")),
    request_body = VersionCreateRequest,
    responses(
        (status = 201, description = "Created", body = PackageVersion),
        (status = 409, description = "series_archived", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_create_package_version(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<VersionCreateRequest>,
) -> Result<(StatusCode, Json<PackageVersion>), ApiError> {
    let terms = package_terms(
        req.traffic_bytes,
        req.duration_days,
        req.speed_limit_mbps,
        req.device_limit,
        &req.traffic_reset,
        &req.group_ids,
    )?;
    Ok((StatusCode::CREATED, Json(state.shop.catalog.create_version(&actor, id, &terms).await?.into())))
}

#[utoipa::path(
    post, path = "/api/v1/admin/package-series/{id}/versions/{version_id}/publish",
    operation_id = "adminPublishPackageVersion", tag = "catalog",
    summary = "Make a version current for new sales",
    description = "Delivered purchases keep the terms of the version they bought.",
    params(("id" = Uuid, Path, description = "Series id"), ("version_id" = Uuid, Path, description = "Version id")),
    responses(
        (status = 200, description = "Now current", body = PackageVersion),
        (status = 409, description = "series_archived", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_publish_package_version(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path((id, version_id)): Path<(Uuid, Uuid)>,
) -> Result<Json<PackageVersion>, ApiError> {
    Ok(Json(state.shop.catalog.publish_version(&actor, id, version_id).await?.into()))
}

/// A product as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminProduct {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub price: Money,
    pub package_series_id: Uuid,
    /// Customer groups that see it.
    pub group_ids: Vec<Uuid>,
    pub on_sale: bool,
    pub archived: bool,
    /// Lower first.
    pub sort: i32,
    /// Referral commission applies to its orders.
    pub commission_eligible: bool,
    /// What new sales deliver (the series' current version).
    pub current_version: Option<PackageVersion>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<m::Product> for AdminProduct {
    fn from(p: m::Product) -> Self {
        Self {
            id: p.id,
            price: Money::new(p.price, &p.currency),
            name: p.name,
            description: p.description,
            package_series_id: p.series_id,
            group_ids: p.group_ids,
            on_sale: p.on_sale,
            archived: p.archived,
            sort: p.sort,
            commission_eligible: p.commission_eligible,
            current_version: p.current_version.map(Into::into),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminProductPage {
    pub items: Vec<AdminProduct>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    pub on_sale: Option<bool>,
    pub series_id: Option<Uuid>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductCreateRequest {
    pub name: String,
    pub description: Option<String>,
    /// Minor units of the shop currency (0 = free).
    pub price: i64,
    pub package_series_id: Uuid,
    #[serde(default)]
    pub group_ids: Vec<Uuid>,
    #[serde(default)]
    pub on_sale: bool,
    #[serde(default)]
    pub sort: i32,
    #[serde(default)]
    pub commission_eligible: bool,
}

/// Absent = unchanged; changes apply to new orders only.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductUpdateRequest {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::rest::auth::dto::double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub price: Option<i64>,
    pub package_series_id: Option<Uuid>,
    pub group_ids: Option<Vec<Uuid>>,
    pub on_sale: Option<bool>,
    pub sort: Option<i32>,
    pub commission_eligible: Option<bool>,
}

#[utoipa::path(
    get, path = "/api/v1/admin/products", operation_id = "adminListProducts", tag = "catalog",
    summary = "Products, including those not on sale",
    params(ProductQuery),
    responses((status = 200, description = "One page", body = AdminProductPage))
)]
pub async fn admin_list_products(
    State(state): State<AppState>,
    Query(q): Query<ProductQuery>,
) -> Result<Json<AdminProductPage>, ApiError> {
    let page = state.shop.catalog.products_for_staff(q.on_sale, q.series_id, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(AdminProductPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/products", operation_id = "adminCreateProduct", tag = "catalog",
    summary = "Create a product: a price for a package series",
    request_body = ProductCreateRequest,
    responses(
        (status = 201, description = "Created", body = AdminProduct),
        (status = 409, description = "series_archived", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_create_product(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    JsonBody(req): JsonBody<ProductCreateRequest>,
) -> Result<(StatusCode, Json<AdminProduct>), ApiError> {
    let cmd = ProductInput::new(
        &req.name,
        req.description.as_deref(),
        req.price,
        req.package_series_id,
        &req.group_ids,
        req.on_sale,
        req.sort,
        req.commission_eligible,
    )?;
    Ok((StatusCode::CREATED, Json(state.shop.catalog.create_product(&actor, &cmd).await?.into())))
}

#[utoipa::path(
    get, path = "/api/v1/admin/products/{id}", operation_id = "adminGetProduct", tag = "catalog",
    summary = "One product",
    params(("id" = Uuid, Path, description = "Product id")),
    responses((status = 200, description = "The product", body = AdminProduct))
)]
pub async fn admin_get_product(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<AdminProduct>, ApiError> {
    Ok(Json(state.shop.catalog.product_for_staff(id).await?.into()))
}

#[utoipa::path(
    patch, path = "/api/v1/admin/products/{id}", operation_id = "adminUpdateProduct", tag = "catalog",
    summary = "Change a product (new orders only)",
    params(("id" = Uuid, Path, description = "Product id")),
    request_body = ProductUpdateRequest,
    responses(
        (status = 200, description = "Updated", body = AdminProduct),
        (status = 409, description = "series_archived", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_update_product(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<ProductUpdateRequest>,
) -> Result<Json<AdminProduct>, ApiError> {
    let cmd = ProductPatch {
        name: req.name,
        description: req.description,
        price: req.price,
        series_id: req.package_series_id,
        group_ids: req.group_ids,
        on_sale: req.on_sale,
        sort: req.sort,
        commission_eligible: req.commission_eligible,
    }
    .check()?;
    Ok(Json(state.shop.catalog.update_product(&actor, id, &cmd).await?.into()))
}

#[utoipa::path(
    delete, path = "/api/v1/admin/products/{id}", operation_id = "adminArchiveProduct", tag = "catalog",
    summary = "Archive a product (off sale for good; orders keep it)",
    params(("id" = Uuid, Path, description = "Product id")),
    responses((status = 204, description = "Archived"))
)]
pub async fn admin_archive_product(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.shop.catalog.archive_product(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
