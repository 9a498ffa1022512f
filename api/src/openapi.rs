//! The OpenAPI 3.1 document, produced from the same route declarations as the router.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{self, OpenApi as OpenApiDoc};
use utoipa::{Modify, OpenApi};

use crate::http::problem::{ProblemBody, ProblemField};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Helium API",
        description = "REST API of Helium, the VPN-subscription backend. Errors are RFC 9457 problem+json documents with a stable `code`.",
        license(name = "AGPL-3.0-only", identifier = "AGPL-3.0-only"),
        contact(name = "Helium maintainers", email = "dev@helium.local")
    ),
    servers((url = "/", description = "This server")),
    components(schemas(ProblemBody, ProblemField)),
    tags(
        (name = "meta", description = "Deployment facts for clients"),
        (name = "auth", description = "Customer identity: registration, sign-in, tokens, sessions, profile"),
        (name = "admin", description = "Staff identity: sign-in, accounts, invitations, roles, API keys"),
        (name = "audit", description = "The append-only staff audit log"),
        (name = "config", description = "Module configuration (SuperAdmin)"),
        (name = "customers", description = "Customer account operations and customer groups for staff"),
        (name = "shop", description = "Products, coupons, orders and payment for customers"),
        (name = "catalog", description = "Package series and versions, products and coupons for staff"),
        (name = "orders", description = "Orders and gateway accounts for staff"),
        (name = "wallet", description = "Wallet balance, its ledger, gift cards and top-ups"),
        (name = "webhooks", description = "Payment gateway callbacks and outgoing webhooks"),
        (name = "telecom", description = "Packages, nodes, subscriptions, and the node-agent API"),
    ),
    modifiers(&SecuritySchemes, &CommonResponses)
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut OpenApiDoc) {
        let components = doc.components.get_or_insert_with(Default::default);
        let bearer = |desc: &str| {
            let mut http = Http::new(HttpAuthScheme::Bearer);
            http.bearer_format = Some("JWT".into());
            http.description = Some(desc.into());
            SecurityScheme::Http(http)
        };
        components.add_security_scheme("customerBearer", bearer("Customer access JWT (aud=helium_cloud)"));
        components.add_security_scheme("adminBearer", bearer("Staff access JWT (aud=HeliumAdmin)"));
        components.add_security_scheme(
            "adminApiKey",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-Key",
                "Staff API key (hel_key_…); also accepted as Authorization: Bearer",
            ))),
        );
        components.add_security_scheme(
            "nodeToken",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "token",
                "telecom.vpn_server_token, with node_id and node_type",
            ))),
        );
        components.add_security_scheme(
            "gatewaySignature",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "sign",
                "Payment gateway signature, verified with the order's payment method key",
            ))),
        );
    }
}

/// The errors the shared layers produce, documented once under `components.responses` and
/// referenced from every operation that can meet them: a body → 400/413/415/422, path
/// parameters → 400/404, query parameters → 400, any credential → 401, a staff credential →
/// 403, every route → 429/500/503. A handler's own entry for a status (naming its specific
/// codes) is kept.
struct CommonResponses;

/// (component name, status, description)
const SHARED: &[(&str, &str, &str)] = &[
    ("MalformedRequest", "400", "malformed_request: the body, a path segment or a query parameter cannot be parsed"),
    ("Unauthenticated", "401", "unauthenticated: missing, expired or revoked credentials"),
    (
        "Forbidden",
        "403",
        "permission_denied: the role lacks this permission; mfa_required: enable TOTP before any staff write",
    ),
    ("NotFound", "404", "not_found: no such resource (or not yours)"),
    ("PayloadTooLarge", "413", "payload_too_large: the body is larger than allowed"),
    ("UnsupportedMediaType", "415", "unsupported_media_type: send Content-Type: application/json"),
    ("ValidationFailed", "422", "validation_failed: `errors` names each invalid field"),
    ("RateLimited", "429", "rate_limited: slow down; Retry-After says when"),
    ("InternalError", "500", "internal_error: unexpected (no internals disclosed; quote the request id)"),
    ("ServiceUnavailable", "503", "service_unavailable: a dependency is overloaded or down; Retry-After says when"),
];

fn problem_response(description: &str) -> openapi::Response {
    openapi::ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            openapi::ContentBuilder::new().schema(Some(openapi::Ref::from_schema_name("Problem"))).build(),
        )
        .build()
}

/// The shared responses an operation can meet, by component name.
fn shared_for(op: &openapi::path::Operation) -> Vec<&'static str> {
    use openapi::path::ParameterIn;
    let params = op.parameters.as_deref().unwrap_or_default();
    let has = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
    let schemes: Vec<String> = op
        .security
        .iter()
        .flatten()
        .filter_map(|r| serde_json::to_value(r).ok())
        .filter_map(|v| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()))
        .flatten()
        .collect();
    let mut out = vec!["RateLimited", "InternalError", "ServiceUnavailable"];
    if op.request_body.is_some() {
        out.extend(["MalformedRequest", "PayloadTooLarge", "UnsupportedMediaType", "ValidationFailed"]);
    }
    if has(ParameterIn::Path) || has(ParameterIn::Query) {
        out.push("MalformedRequest");
    }
    if has(ParameterIn::Query) {
        // Query values that parse but break a rule (limit range, UUID, enum) name the field.
        out.push("ValidationFailed");
    }
    if has(ParameterIn::Path) {
        out.push("NotFound");
    }
    if !schemes.is_empty() {
        out.push("Unauthenticated");
    }
    if schemes.iter().any(|s| s.starts_with("admin")) {
        out.push("Forbidden");
    }
    out
}

impl Modify for CommonResponses {
    fn modify(&self, doc: &mut OpenApiDoc) {
        let components = doc.components.get_or_insert_with(Default::default);
        for (name, _, description) in SHARED {
            components.responses.insert((*name).to_owned(), problem_response(description).into());
        }
        for item in doc.paths.paths.values_mut() {
            for op in
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
            {
                for name in shared_for(op) {
                    let Some((_, status, _)) = SHARED.iter().find(|(n, _, _)| *n == name) else { continue };
                    op.responses
                        .responses
                        .entry((*status).to_owned())
                        .or_insert_with(|| openapi::Ref::new(format!("#/components/responses/{name}")).into());
                }
            }
        }
    }
}

/// What `rest::idempotent` adds to an operation: the required `Idempotency-Key` header and
/// the layer's refusals (merged into the handler's own entries for those statuses).
pub fn declare_idempotency_key(op: &mut openapi::path::Operation) {
    use openapi::path::{ParameterBuilder, ParameterIn};
    use openapi::{ObjectBuilder, Required, Type};
    let header = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::True)
        .description(Some(
            "Client-chosen key (1-255 visible ASCII) that makes retries safe: a repeat with the same body \
             replays the first response (header `Idempotent-Replayed: true`) for 48 h",
        ))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(255))))
        .build();
    op.parameters.get_or_insert_with(Vec::new).push(header);
    for (status, description) in [
        ("400", "malformed_request; idempotency_key_missing, idempotency_key_invalid"),
        ("409", "idempotency_key_in_progress: the first request with this key is still running (Retry-After)"),
        ("422", "validation_failed; idempotency_key_reused: this key came with a different request"),
    ] {
        match op.responses.responses.get_mut(status) {
            Some(openapi::RefOr::T(existing)) => {
                existing.description = format!("{}; {description}", existing.description);
            }
            _ => {
                op.responses.responses.insert(status.to_owned(), problem_response(description).into());
            }
        }
    }
}

/// Completes a document whose paths were merged after `ApiDoc`'s modifiers ran: the shared
/// responses are added to every operation.
pub fn finish(mut doc: OpenApiDoc) -> OpenApiDoc {
    CommonResponses.modify(&mut doc);
    doc
}
