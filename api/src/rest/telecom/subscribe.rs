//! `GET /subscribe/{token}`: the subscription document a proxy app polls (WIRE-FORMATS B).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use helium_domain::ErrorCode;
use helium_infra::telecom::documents::{Answer, Fetch};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::http::customer::Client;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::rate_limit::{self, RouteClass};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// Client override (`clash`, `sing-box`, `surge`, …); else the User-Agent decides.
    pub flag: Option<String>,
    /// Protocols to keep, `|`-separated (`vless|hysteria2`).
    pub types: Option<String>,
    /// Keywords a node name must contain, `|`-separated.
    pub filter: Option<String>,
}

#[utoipa::path(
    get, path = "/subscribe/{token}", operation_id = "getSubscriptionDocument", tag = "telecom",
    summary = "Subscription document for proxy apps",
    description = "Format by `flag`, else by User-Agent (WIRE-FORMATS B.2): share links (base64), Clash/mihomo, Stash, sing-box, Surge, Surfboard, Quantumult X, Loon, Shadowrocket, SIP008. Headers `subscription-userinfo`, `profile-update-interval`, `content-disposition`, `profile-title`. Unknown tokens are limited per address.",
    security(()),
    params(("token" = String, Path, description = "The customer's subscription token"), DocumentQuery),
    responses(
        (status = 200, description = "The document", body = String, content_type = "text/plain"),
        (status = 403, description = "The account may not be served (empty body)"),
        (status = 404, description = "subscription_not_found", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "rate_limited (too many unknown tokens)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn get_subscription_document(
    State(state): State<AppState>,
    Client(client): Client,
    Path(token): Path<String>,
    Query(q): Query<DocumentQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let url = format!("https://{host}/subscribe/{token}");
    let fetch = Fetch {
        flag: q.flag.as_deref(),
        user_agent: headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()),
        types: q.types.as_deref(),
        filter: q.filter.as_deref(),
        request_host: host.split(':').next().unwrap_or(host),
        subscribe_url: &url,
    };
    match state.telecom.documents.fetch(&token, fetch).await {
        Ok(Answer::Document(doc)) => {
            let mut res = (StatusCode::OK, doc.body.clone()).into_response();
            let h = res.headers_mut();
            if let Ok(v) = HeaderValue::from_str(doc.content_type) {
                h.insert(header::CONTENT_TYPE, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            for (name, value) in &doc.headers {
                if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
                    h.insert(n, v);
                }
            }
            Ok(res)
        }
        Ok(Answer::Forbidden) => {
            let mut res = StatusCode::FORBIDDEN.into_response();
            res.extensions_mut().insert(crate::http::problem::BareStatus);
            Ok(res)
        }
        Err(e) if e.code() == ErrorCode::SubscriptionNotFound => {
            // Guessing tokens costs a budget per address.
            let who = format!("ip:{}", client.ip.as_deref().unwrap_or("unknown"));
            rate_limit::check(&state, RouteClass::PublicRead, &format!("subscribe-miss:{who}")).await?;
            Err(e.into())
        }
        Err(e) => Err(e.into()),
    }
}
