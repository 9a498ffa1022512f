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
        (name = "customers", description = "Customer account operations for staff"),
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

/// Every operation can fail with 500; document it once here with the shared Problem schema.
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, doc: &mut OpenApiDoc) {
        let problem = openapi::ResponseBuilder::new()
            .description("Unexpected error (no internals disclosed)")
            .content(
                "application/problem+json",
                openapi::ContentBuilder::new().schema(Some(openapi::Ref::from_schema_name("Problem"))).build(),
            )
            .build();
        for item in doc.paths.paths.values_mut() {
            for op in
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
            {
                op.responses.responses.entry("500".into()).or_insert_with(|| problem.clone().into());
            }
        }
    }
}

/// The complete document (router-derived paths merged into `ApiDoc`).
pub fn document() -> OpenApiDoc {
    let (_, mut doc) = crate::http::router_parts();
    // Modifiers ran on ApiDoc before the routes were merged; run the path ones again.
    CommonResponses.modify(&mut doc);
    doc
}

/// Pretty JSON with a trailing newline: the committed `openapi/openapi.json`.
pub fn document_json() -> String {
    let mut s = document().to_pretty_json().unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}
