//! `Idempotency-Key` (Stripe semantics) for POST operations that opt in via `route_layer`.
//!
//! Keyed by (principal, route template, key). The first request's status and body are stored;
//! a repeat with the same body replays them with `Idempotent-Replayed: true`; a different
//! body → 422 `idempotency_key_reused`; a duplicate while the first runs → 409
//! `idempotency_key_in_progress`. Validation failures and server errors store nothing.
//! No database connection is held while the handler runs (the claim is its own short
//! transaction), so this layer can never make a request wait for a second pooled connection.

use axum::body::{Body, to_bytes};
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use helium_domain::ErrorCode;
use helium_infra::idempotency::{self, Begin, Pending, StoredResponse};

use super::problem::ApiError;
use super::{MAX_BODY_BYTES, Principal};
use crate::state::AppState;

pub static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub static IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The request's (principal, route, Idempotency-Key), for use cases that record it with their
/// effect so that a retry after a lost response finds the first effect instead of making a
/// second. `None` on routes without the layer or without a key.
pub struct RequestKey(pub Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for RequestKey {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let key = parts.headers.get(&IDEMPOTENCY_KEY).and_then(|v| v.to_str().ok()).filter(|k| !k.is_empty());
        let principal = parts.extensions.get::<Principal>().map(|p| p.0.as_str());
        let route = parts.extensions.get::<MatchedPath>().map(MatchedPath::as_str);
        Ok(RequestKey(match (key, principal, route) {
            (Some(k), Some(p), Some(r)) => Some(format!("{p}\u{1f}{} {r}\u{1f}{k}", parts.method)),
            _ => None,
        }))
    }
}

/// Statuses whose responses are not stored, so that a corrected retry can run.
fn storable(status: StatusCode) -> bool {
    !(status.is_server_error() || matches!(status.as_u16(), 400 | 401 | 403 | 413 | 415 | 422 | 429))
}

pub async fn require_idempotency_key(req: Request, next: Next) -> Response {
    match run(req, next).await {
        Ok(res) => res,
        Err(e) => e.into_response(),
    }
}

async fn run(req: Request, next: Next) -> Result<Response, ApiError> {
    let key = match req.headers().get(&IDEMPOTENCY_KEY) {
        None => {
            return Err(ApiError::new(
                ErrorCode::IdempotencyKeyMissing,
                "this operation requires an Idempotency-Key header",
            ));
        }
        Some(v) => v.to_str().ok().filter(|k| !k.is_empty() && k.len() <= 255).map(str::to_owned).ok_or_else(|| {
            ApiError::new(ErrorCode::IdempotencyKeyInvalid, "Idempotency-Key must be 1-255 visible ASCII characters")
        })?,
    };
    let state = req.extensions().get::<AppState>().cloned().ok_or_else(ApiError::internal)?;
    let principal = req.extensions().get::<Principal>().map(|p| p.0.clone()).unwrap_or_else(|| "anonymous".to_owned());
    let route = format!(
        "{} {}",
        req.method(),
        req.extensions()
            .get::<MatchedPath>()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| req.uri().path().to_owned())
    );
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::new(ErrorCode::PayloadTooLarge, "the request body is larger than allowed"))?;
    let hash = idempotency::request_hash(parts.method.as_str(), &route, &bytes);

    // Armed before the claim is written: a request cancelled mid-write still releases it.
    let mut claim = Claim { pending: idempotency::pending(&state.db, &principal, &route, &key), armed: true };
    let refusal = match claim.pending.begin(hash).await {
        Ok(Begin::Proceed) => None,
        Ok(Begin::Replay(stored)) => Some(Ok(replay(stored))),
        Ok(Begin::Mismatch) => Some(Err(ApiError::new(
            ErrorCode::IdempotencyKeyReused,
            "this Idempotency-Key was used with a different request",
        ))),
        Ok(Begin::InProgress) => Some(Err(ApiError::new(
            ErrorCode::IdempotencyKeyInProgress,
            "a request with this Idempotency-Key is still being processed",
        )
        .with_retry_after(1))),
        Err(e) => {
            // The write may have landed before the error: the armed guard releases it on drop.
            tracing::warn!(error = %e, "idempotency store unavailable");
            return Err(ApiError::unavailable(2));
        }
    };
    if let Some(answer) = refusal {
        claim.armed = false; // someone else's record: nothing of ours to release
        return answer;
    }
    let res = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    let (res_parts, res_body) = res.into_parts();
    let body = to_bytes(res_body, usize::MAX).await.map_err(|_| ApiError::internal())?;
    if storable(res_parts.status) {
        let stored = StoredResponse {
            status: res_parts.status.as_u16(),
            content_type: res_parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned),
            body: body.to_vec(),
        };
        if let Err(e) = claim.settle().complete(&stored).await {
            // The effect happened; only the replay record is lost. Say so loudly.
            tracing::error!(error = %e, "could not store the idempotent response");
        }
    } else if let Err(e) = claim.settle().abandon().await {
        tracing::warn!(error = %e, "could not release the idempotency claim; it expires by itself");
    }
    Ok(Response::from_parts(res_parts, Body::from(body)))
}

/// A claim the request holds. Dropped unfinished (the client went away and the request
/// future was cancelled), it is abandoned in the background so a retry need not wait for it
/// to expire.
struct Claim {
    pending: Pending,
    armed: bool,
}

impl Claim {
    /// The claim, now settled by the caller (completed or abandoned).
    fn settle(&mut self) -> &Pending {
        self.armed = false;
        &self.pending
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if self.armed
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            let pending = self.pending.clone();
            rt.spawn(async move {
                if let Err(e) = pending.abandon().await {
                    tracing::warn!(error = %e, "could not release a cancelled idempotency claim");
                }
                // Cancelled while the claim's INSERT was in flight, the row can land after the
                // first release looked for it: look once more (it only ever deletes this claim).
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                if let Err(e) = pending.abandon().await {
                    tracing::debug!(error = %e, "second release of a cancelled idempotency claim failed");
                }
            });
        }
    }
}

fn replay(stored: StoredResponse) -> Response {
    let mut res = Response::new(Body::from(stored.body));
    *res.status_mut() = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    if let Some(ct) = stored.content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
        res.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    res.headers_mut().insert(IDEMPOTENT_REPLAYED.clone(), HeaderValue::from_static("true"));
    res
}
