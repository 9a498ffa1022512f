//! The OpenAPI document: committed copy is current, and every operation is complete.

use std::collections::HashSet;

use serde_json::Value;

const REGENERATE: &str = "deploy/gen-sdks.sh";

fn spec() -> Value {
    serde_json::from_str(&helium_api::app::openapi_json()).expect("spec is JSON")
}

#[test]
fn committed_spec_matches_the_handlers() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let current = helium_api::app::openapi_json();
    assert!(
        committed == current,
        "openapi/openapi.json is stale or missing: run `{REGENERATE}` and commit openapi/ and sdks/"
    );
}

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if ["get", "put", "post", "delete", "patch", "head", "options"].contains(&method.as_str()) {
                out.push((method.to_uppercase(), path.clone(), op));
            }
        }
    }
    out
}

fn is_camel_case(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

/// A response, following a `$ref` into `components.responses`.
fn resolve<'a>(doc: &'a Value, response: &'a Value) -> &'a Value {
    match response["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/responses/")) {
        Some(name) => &doc["components"]["responses"][name],
        None => response,
    }
}

fn refs_problem(response: &Value) -> bool {
    response["content"]["application/problem+json"]["schema"]["$ref"] == "#/components/schemas/Problem"
}

/// Every operation must be usable as an SDK method and self-describing (STYLE.md habit 1).
/// Documents for proxy apps (`x-helium-sdk: false`) may answer a bare status without a body
/// (WIRE-FORMATS B.1: 403 for an account that may not be served).
fn bare_allowed(op: &Value, response: &Value) -> bool {
    op["x-helium-sdk"] == false && response.get("content").is_none()
}

#[test]
fn every_operation_is_complete() {
    let doc = spec();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["version"].as_str().is_some_and(|v| !v.is_empty()));
    assert!(doc["info"]["license"]["name"].is_string());
    assert!(doc["info"]["contact"].is_object());
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    let schemes = doc["components"]["securitySchemes"].as_object().expect("security schemes");
    for s in ["customerBearer", "adminBearer", "adminApiKey", "nodeToken", "gatewaySignature"] {
        assert!(schemes.contains_key(s), "security scheme {s} missing");
    }
    let declared_tags: HashSet<&str> =
        doc["tags"].as_array().into_iter().flatten().filter_map(|t| t["name"].as_str()).collect();

    let mut ids = HashSet::new();
    let mut problems = Vec::new();
    for (method, path, op) in operations(&doc) {
        let at = format!("{method} {path}");
        let id = op["operationId"].as_str().unwrap_or("");
        if !is_camel_case(id) {
            problems.push(format!("{at}: operationId {id:?} is not camelCase"));
        }
        if !ids.insert(id.to_owned()) {
            problems.push(format!("{at}: duplicate operationId {id}"));
        }
        match op["tags"].as_array() {
            Some(tags) if tags.len() == 1 => {
                let tag = tags[0].as_str().unwrap_or("");
                if !declared_tags.contains(tag) {
                    problems.push(format!("{at}: tag {tag} is not declared in the document's tags"));
                }
            }
            _ => problems.push(format!("{at}: needs exactly one tag")),
        }
        if op["summary"].as_str().is_none_or(str::is_empty) {
            problems.push(format!("{at}: no summary"));
        }
        match op["security"].as_array() {
            None => problems.push(format!("{at}: no security requirement (use security(()) for public routes)")),
            Some(reqs) => {
                for req in reqs {
                    for scheme in req.as_object().into_iter().flatten().map(|(k, _)| k) {
                        if !schemes.contains_key(scheme) {
                            problems.push(format!("{at}: unknown security scheme {scheme}"));
                        }
                    }
                }
            }
        }
        if ["POST", "PUT", "PATCH"].contains(&method.as_str())
            && op.get("requestBody").is_some()
            && op["requestBody"]["content"].as_object().is_none_or(|c| c.is_empty())
        {
            problems.push(format!("{at}: request body without a schema"));
        }
        let responses = op["responses"].as_object().expect("responses");
        let mut has_success = false;
        for (status, response) in responses {
            let code: u16 = status.parse().unwrap_or(0);
            if (200..300).contains(&code) {
                has_success = true;
                if code != 204 && code != 202 && response["content"].as_object().is_none_or(|c| c.is_empty()) {
                    problems.push(format!("{at}: {status} has no response schema"));
                }
            } else if code >= 400 && !refs_problem(resolve(&doc, response)) && !bare_allowed(op, response) {
                problems.push(format!("{at}: {status} must use the shared Problem schema as application/problem+json"));
            }
        }
        if !has_success {
            problems.push(format!("{at}: no success response"));
        }
        // What the shared layers can answer must be documented (schemathesis checks it live).
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let has_param = |place: &str| params.iter().any(|p| p["in"] == place);
        let secured =
            op["security"].as_array().into_iter().flatten().any(|r| r.as_object().is_some_and(|o| !o.is_empty()));
        let mut expected = vec!["429", "500", "503"];
        if op.get("requestBody").is_some() {
            expected.extend(["400", "413", "415", "422"]);
        }
        if has_param("path") {
            expected.extend(["400", "404"]);
        }
        if secured {
            expected.push("401");
        }
        for status in expected {
            if !responses.contains_key(status) {
                problems.push(format!("{at}: {status} is not documented"));
            }
        }
        let is_admin = path.starts_with("/api/v1/admin/") && !path.starts_with("/api/v1/admin/auth/");
        if is_admin {
            if !id.starts_with("admin") {
                problems.push(format!("{at}: staff operationIds start with `admin`"));
            }
            if op["x-helium-permission"].as_str().is_none_or(str::is_empty) {
                problems.push(format!("{at}: admin operation without x-helium-permission"));
            }
        }
    }
    assert!(problems.is_empty(), "spec lint failed:\n{}", problems.join("\n"));
    assert!(ids.contains("getMeta"));
}

#[test]
fn problem_schema_has_the_rfc9457_fields() {
    let doc = spec();
    let problem = &doc["components"]["schemas"]["Problem"];
    let required: HashSet<&str> =
        problem["required"].as_array().expect("required").iter().filter_map(Value::as_str).collect();
    for f in ["type", "title", "status", "code"] {
        assert!(required.contains(f), "Problem.{f} must be required");
    }
    for f in ["detail", "request_id", "errors"] {
        assert!(problem["properties"][f].is_object(), "Problem.{f} missing");
    }
}
