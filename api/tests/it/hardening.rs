//! The identity and staff hardening review, one test per finding: each drives the attack that
//! worked before the fix and asserts it no longer does. (The customer-facing flows — re-auth
//! proofs on method changes, OAuth binding, staff MFA for every role, staff refresh tokens,
//! paged invitations — are also covered by the TypeScript SDK tests.)

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, Method, header};
use helium_api::http::rate_limit::RouteClass;
use helium_domain::admin::Role;
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::support::staff::{staff, staff_without_mfa};
use crate::support::totp::{base32_decode, now_step, totp};
use crate::support::{GOOD_PASSWORD, Harness, REDIS_URL, count, create_user, emails, harness, harness_with, request};

fn from(ip: &str, mut req: axum::http::Request<axum::body::Body>) -> axum::http::Request<axum::body::Body> {
    req.extensions_mut().insert(ConnectInfo(format!("{ip}:40000").parse::<SocketAddr>().unwrap()));
    req
}

async fn login_from(h: &Harness, ip: &str, email: &str, password: &str) -> crate::support::Resp {
    let body = json!({ "email": email, "password": password });
    h.call(from(ip, request(Method::POST, "/api/v1/auth/login", None, Some(&body)))).await
}

// ------------------------------------------------------------------ API keys and their creator

async fn key_of(h: &Harness, token: &str, role: &str) -> String {
    let r = h.authed(Method::POST, "/api/v1/admin/api-keys", token, Some(json!({"name": "bot", "role": role}))).await;
    r.ok(201)["key"].as_str().unwrap().to_owned()
}

async fn key_status(h: &Harness, key: &str) -> u16 {
    let mut req = request(Method::GET, "/api/v1/admin/customers?limit=1", None, None);
    req.headers_mut().insert("x-api-key", HeaderValue::from_str(key).unwrap());
    h.call(req).await.status.as_u16()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn api_keys_die_with_their_creators_standing(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let root = staff(&h, Role::SuperAdmin).await;
    let (demoted, disabled, deleted) =
        (staff(&h, Role::SuperAdmin).await, staff(&h, Role::SuperAdmin).await, staff(&h, Role::SuperAdmin).await);
    let keys = [
        key_of(&h, &demoted.token, "super_admin").await,
        key_of(&h, &disabled.token, "customer_support").await,
        key_of(&h, &deleted.token, "customer_support").await,
    ];
    // A key below its creator's new role survives the demotion.
    let modest = key_of(&h, &demoted.token, "customer_support").await;
    for k in keys.iter().chain([&modest]) {
        assert_eq!(key_status(&h, k).await, 200);
    }

    let admin = |id: Uuid| format!("/api/v1/admin/admins/{id}");
    let patch = |body: Value| Some(body);
    h.authed(Method::PATCH, &admin(demoted.id), &root.token, patch(json!({"role": "moderator"}))).await.ok(200);
    h.authed(Method::PATCH, &admin(disabled.id), &root.token, patch(json!({"disabled": true}))).await.ok(200);
    h.authed(Method::DELETE, &admin(deleted.id), &root.token, None).await.ok(204);

    for k in &keys {
        assert_eq!(key_status(&h, k).await, 401, "a key outlived its creator's standing");
    }
    assert_eq!(key_status(&h, &modest).await, 200, "a key within the creator's new role keeps working");
    let revoked = count(&pool, "SELECT count(*) FROM staff.api_keys WHERE revoked_at IS NOT NULL").await;
    assert_eq!(revoked, 3, "revoked in the same transaction as the creator change");
    let audited = count(&pool, "SELECT count(*) FROM staff.audit_log WHERE action = 'api_key.revoke'").await;
    assert_eq!(audited, 3, "each revocation is audited");
}

// ------------------------------------------------------------------ gRPC UpdateMe = REST PATCH /me

async fn grpc(h: &Harness) -> (tonic::transport::Channel, CancellationToken) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let stop = CancellationToken::new();
    tokio::spawn(helium_api::grpc::serve(listener, h.state.clone(), stop.clone(), false));
    for _ in 0..100 {
        if let Ok(ch) = tonic::transport::Endpoint::from_shared(url.clone()).unwrap().connect().await {
            return (ch, stop);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("gRPC did not start");
}

fn bearer<T>(token: &str, msg: T) -> tonic::Request<T> {
    let mut req = tonic::Request::new(msg);
    req.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    req
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn grpc_update_me_validates_like_rest(pool: PgPool) {
    use helium_api::grpc::pb::UpdateMeRequest;
    use helium_api::grpc::pb::auth_service_client::AuthServiceClient;
    use tonic_types::StatusExt;

    let h = harness(pool.clone()).await;
    create_user(&pool, "me@example.test", GOOD_PASSWORD).await;
    let (access, _) = h.session("me@example.test", GOOD_PASSWORD).await;
    let (channel, stop) = grpc(&h).await;
    let mut client = AuthServiceClient::new(channel);

    // (display_name, locale, timezone, the fields named in the refusal)
    type Case = (Option<String>, Option<String>, Option<String>, Vec<&'static str>);
    let cases: Vec<Case> = vec![
        (
            Some("x".repeat(3 * 1024 * 1024)),
            Some("<script>".into()),
            Some("../../etc/passwd".into()),
            vec!["display_name", "locale", "timezone"],
        ),
        (Some("nul\u{0}byte".into()), None, None, vec!["display_name"]),
        (None, Some("en\u{7}".into()), None, vec!["locale"]),
    ];
    for (display_name, locale, timezone, fields) in cases {
        let msg = UpdateMeRequest {
            display_name: display_name.clone(),
            locale: locale.clone(),
            timezone: timezone.clone(),
            ..Default::default()
        };
        let status = client.update_me(bearer(&access, msg)).await.unwrap_err();
        assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
        let mut grpc_fields: Vec<String> = status
            .get_details_bad_request()
            .expect("field errors in the details")
            .field_violations
            .into_iter()
            .map(|v| v.field)
            .collect();
        grpc_fields.sort();
        assert_eq!(grpc_fields, fields);

        // REST bodies stop at 1 MiB (413): an over-long name of 200 k characters makes the same point.
        let display_name = display_name.map(|n| if n.len() > 1 << 20 { n[..200_000].to_owned() } else { n });
        let body = json!({ "display_name": display_name, "locale": locale, "timezone": timezone });
        let rest = h.authed(Method::PATCH, "/api/v1/me", &access, Some(body)).await;
        rest.expect(422, "validation_failed");
        let mut rest_fields: Vec<String> =
            rest.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
        rest_fields.sort();
        rest_fields.dedup();
        assert_eq!(rest_fields, fields, "REST and gRPC name the same fields");
    }
    let stored =
        count(&pool, "SELECT count(*) FROM auth.users WHERE display_name IS NOT NULL OR locale IS NOT NULL").await;
    assert_eq!(stored, 0, "nothing invalid was stored");
    stop.cancel();
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn grpc_reads_writes_and_staff_calls_are_rate_limited(pool: PgPool) {
    use helium_api::grpc::pb::auth_service_client::AuthServiceClient;
    use helium_api::grpc::pb::customers_service_client::CustomersServiceClient;
    use helium_api::grpc::pb::{Empty, ListCustomersRequest, UpdateMeRequest};

    let h = harness_with(pool.clone(), REDIS_URL, &[(RouteClass::Read, 3), (RouteClass::Write, 3)]).await;
    crate::support::early_in_window().await;
    create_user(&pool, "burst@example.test", GOOD_PASSWORD).await;
    let (access, _) = h.session("burst@example.test", GOOD_PASSWORD).await;
    let (channel, stop) = grpc(&h).await;
    let mut auth = AuthServiceClient::new(channel.clone());
    for _ in 0..3 {
        auth.get_me(bearer(&access, Empty {})).await.unwrap();
    }
    let status = auth.get_me(bearer(&access, Empty {})).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}");
    // The REST budget is the same one.
    h.me(&access).await.expect(429, "rate_limited");

    for _ in 0..3 {
        auth.update_me(bearer(&access, UpdateMeRequest::default())).await.unwrap();
    }
    let status = auth.update_me(bearer(&access, UpdateMeRequest::default())).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::ResourceExhausted);

    let admin = staff(&h, Role::SuperAdmin).await;
    let mut customers = CustomersServiceClient::new(channel);
    let mut limited = false;
    for _ in 0..4 {
        if let Err(s) = customers.list_customers(bearer(&admin.token, ListCustomersRequest::default())).await {
            assert_eq!(s.code(), tonic::Code::ResourceExhausted, "{s:?}");
            limited = true;
        }
    }
    assert!(limited, "staff reads over gRPC are limited");
    stop.cancel();
}

// ------------------------------------------------------------------ lockout is not a weapon

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_stranger_cannot_lock_the_owner_out(pool: PgPool) {
    let h = harness(pool.clone()).await;
    create_user(&pool, "owner@example.test", GOOD_PASSWORD).await;
    for _ in 0..10 {
        login_from(&h, "203.0.113.7", "owner@example.test", "wrong password guess")
            .await
            .expect(401, "invalid_credentials");
    }
    // The attacker's address is stopped, even with the right password...
    login_from(&h, "203.0.113.7", "owner@example.test", GOOD_PASSWORD).await.expect(429, "too_many_attempts");
    // ...the owner, from their own address, is not.
    let started = std::time::Instant::now();
    login_from(&h, "198.51.100.20", "owner@example.test", GOOD_PASSWORD).await.ok(200);
    assert!(started.elapsed() < Duration::from_secs(10), "a soft delay at most");
}

/// The same for staff: wrong guesses from one address cannot lock out the only SuperAdmin.
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_stranger_cannot_lock_the_only_super_admin_out(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let root = staff_without_mfa(&h, Role::SuperAdmin).await;
    let admin_login = |ip: &str, password: &str| {
        let body = json!({ "email": root.email, "password": password });
        from(ip, request(Method::POST, "/api/v1/admin/auth/login", None, Some(&body)))
    };
    for _ in 0..10 {
        h.call(admin_login("203.0.113.9", "wrong password guess")).await.expect(401, "invalid_credentials");
    }
    let stopped = h.call(admin_login("203.0.113.9", crate::support::staff::STAFF_PASSWORD)).await;
    stopped.expect(429, "too_many_attempts");
    let started = std::time::Instant::now();
    h.call(admin_login("198.51.100.21", crate::support::staff::STAFF_PASSWORD)).await.ok(200);
    assert!(started.elapsed() < Duration::from_secs(10), "a soft delay at most");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn wrong_current_passwords_on_change_count_like_sign_in_failures(pool: PgPool) {
    let h = harness(pool.clone()).await;
    create_user(&pool, "change@example.test", GOOD_PASSWORD).await;
    let (access, _) = h.session("change@example.test", GOOD_PASSWORD).await;
    let change = |current: &str| json!({ "current_password": current, "new_password": "a brand new passphrase" });
    for _ in 0..10 {
        let r = h.authed(Method::POST, "/api/v1/auth/password/change", &access, Some(change("not it at all"))).await;
        assert_eq!(r.status.as_u16(), 403, "{}", r.body);
    }
    let r = h.authed(Method::POST, "/api/v1/auth/password/change", &access, Some(change(GOOD_PASSWORD))).await;
    r.expect(429, "too_many_attempts");
}

// ------------------------------------------------------------------ counting per IP

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn auth_routes_count_per_ip_even_with_a_bearer(pool: PgPool) {
    let h = harness_with(pool.clone(), REDIS_URL, &[(RouteClass::Auth, 3)]).await;
    crate::support::early_in_window().await;
    let mut tokens = Vec::new();
    for i in 0..3 {
        let email = format!("p{i}@example.test");
        create_user(&pool, &email, GOOD_PASSWORD).await;
        tokens.push(h.session(&email, GOOD_PASSWORD).await.0);
    }
    // Three sign-ins used the address's budget: a bearer token does not buy a new one.
    for token in &tokens {
        let body = json!({ "email": "p0@example.test", "password": GOOD_PASSWORD });
        let r = h.call(request(Method::POST, "/api/v1/auth/login", Some(token), Some(&body))).await;
        r.expect(429, "rate_limited");
    }
    // Another address has its own.
    login_from(&h, "198.51.100.9", "p0@example.test", GOOD_PASSWORD).await.ok(200);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn registrations_are_capped_per_ip(pool: PgPool) {
    let h = harness(pool.clone()).await;
    for i in 0..10 {
        h.register(&format!("new{i}@example.test")).await.ok(202);
    }
    h.register("new10@example.test").await.expect(429, "rate_limited");
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox WHERE event_type = 'email.requested'").await, 10);
    let other = json!({ "email": "elsewhere@example.test" });
    h.call(from("198.51.100.30", request(Method::POST, "/api/v1/auth/register", None, Some(&other)))).await.ok(202);
}

/// SECURITY.md §1.9: mail sent on someone's behalf is capped at 10 per address per hour
/// (whichever client asks, whatever the purpose) and 30 per client address per hour.
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn mail_sends_are_capped_per_address_and_per_ip(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let mut auth = h.state.config.get(helium_domain::config::ConfigKind::Auth).await.unwrap().value;
    auth["email_provider"]["resend_interval"] = json!("1");
    h.state.config.put(helium_domain::config::ConfigKind::Auth, &auth, None).await.unwrap();
    let forgot = |ip: String, email: &str| {
        let body = json!({ "email": email });
        from(&ip, request(Method::POST, "/api/v1/auth/password/forgot", None, Some(&body)))
    };

    // One address, a new client each time: the eleventh send within the hour is refused.
    for i in 0..10 {
        if i > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
        }
        h.call(forgot(format!("198.51.100.{}", 40 + i), "target@example.test")).await.ok(202);
    }
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let r = h.call(forgot("198.51.100.99".into(), "target@example.test")).await;
    r.expect(429, "rate_limited");
    assert!(r.header("retry-after").is_some_and(|s| s.parse::<u64>().unwrap() > 60));
    let rows = count(&pool, "SELECT count(*) FROM auth.one_time_tokens WHERE email = 'target@example.test'").await;
    assert_eq!(rows, 10, "the refused send wrote nothing");

    // One client, a new address each time: the thirty-first is refused.
    for i in 0..30 {
        h.call(forgot("203.0.113.77".into(), &format!("someone{i}@example.test"))).await.ok(202);
    }
    h.call(forgot("203.0.113.77".into(), "someone30@example.test")).await.expect(429, "rate_limited");
    // Another client is not affected.
    h.call(forgot("203.0.113.78".into(), "someone30@example.test")).await.ok(202);
}

// ------------------------------------------------------------------ e-mailed secrets

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn emailed_secrets_are_sealed_in_the_outbox(pool: PgPool) {
    let h = harness(pool.clone()).await;
    h.register("sealed@example.test").await.ok(202);
    let link = crate::support::mail::latest_link(&pool, "sealed@example.test").await;
    let token = link.rsplit("token=").next().unwrap().to_owned();
    assert!(token.len() >= 32);
    let raw: Vec<String> = sqlx::query_scalar("SELECT payload::text FROM outbox").fetch_all(&pool).await.unwrap();
    assert!(!raw.is_empty());
    for payload in raw {
        assert!(!payload.contains(&token), "the link's token is readable in the outbox: {payload}");
        assert!(!payload.contains("token="), "{payload}");
    }
    assert_eq!(emails(&pool, "sealed@example.test").await.len(), 1);
}

// ------------------------------------------------------------------ TOTP window

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn totp_codes_from_the_next_step_are_refused(pool: PgPool) {
    let h = harness(pool.clone()).await;
    create_user(&pool, "totp@example.test", GOOD_PASSWORD).await;
    let (access, _) = h.session("totp@example.test", GOOD_PASSWORD).await;
    let setup = h.authed(Method::POST, "/api/v1/auth/mfa/totp/setup", &access, None).await;
    let seed = base32_decode(setup.ok(200)["secret"].as_str().unwrap());
    // Enable with the previous step (still valid), keep the current one for the sign-in.
    let step = now_step();
    let enable = json!({ "code": totp(&seed, step - 1) });
    h.authed(Method::POST, "/api/v1/auth/mfa/totp/enable", &access, Some(enable)).await.ok(200);
    let challenge = h.login("totp@example.test", GOOD_PASSWORD).await;
    let mfa_token = challenge.ok(200)["mfa_token"].as_str().unwrap().to_owned();
    let next = json!({ "mfa_token": mfa_token, "code": totp(&seed, now_step() + 1) });
    h.post("/api/v1/auth/login/mfa", next).await.expect(401, "invalid_code");
    let current = json!({ "mfa_token": mfa_token, "code": totp(&seed, now_step()) });
    h.post("/api/v1/auth/login/mfa", current).await.ok(200);
}

// ------------------------------------------------------------------ configuration secrets

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_masked_secret_is_not_sent_to_a_new_destination(pool: PgPool) {
    use helium_domain::config::ConfigKind;
    let h = harness(pool.clone()).await;
    let mut mailer = h.state.config.load(ConfigKind::Mailer).await.unwrap().unwrap().value;
    mailer["host"] = json!("smtp.example.com");
    mailer["password"] = json!("the-real-smtp-password");
    h.state.config.put(ConfigKind::Mailer, &mailer, None).await.unwrap();
    let root = staff(&h, Role::SuperAdmin).await;
    let shown = h.authed(Method::GET, "/api/v1/admin/config/mailer", &root.token, None).await;
    let mut value = shown.ok(200)["value"].clone();
    assert_eq!(value["password"], "********");

    value["host"] = json!("smtp.attacker.example");
    let r = h.authed(Method::PUT, "/api/v1/admin/config/mailer", &root.token, Some(json!({ "value": value }))).await;
    r.expect(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "value.password");
    let stored = h.state.config.load(ConfigKind::Mailer).await.unwrap().unwrap().value;
    assert_eq!(stored["host"], "smtp.example.com", "nothing changed");

    // Same destination: the mask keeps the stored secret.
    value["host"] = json!("smtp.example.com");
    value["sender"] = json!("Helium <noreply@example.com>");
    let r = h.authed(Method::PUT, "/api/v1/admin/config/mailer", &root.token, Some(json!({ "value": value }))).await;
    r.ok(200);
    let stored = h.state.config.load(ConfigKind::Mailer).await.unwrap().unwrap().value;
    assert_eq!(stored["password"], "the-real-smtp-password");
}

/// The same rule for a gateway: a new URL with the stored merchant key would sign requests
/// and order queries to the new host with it, so the key must come with the URL.
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_gateway_url_change_needs_the_merchant_key_again(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let root = staff(&h, Role::SuperAdmin).await;
    let body = json!({ "kind": "epay", "name": "Alipay", "channel": "alipay", "url": "https://pay.example.com",
                       "pid": "1001", "key": "the-real-merchant-key" });
    let created = h.authed(Method::POST, "/api/v1/admin/payment-methods", &root.token, Some(body)).await;
    let path = format!("/api/v1/admin/payment-methods/{}", created.ok(201)["id"].as_str().unwrap());
    let sealed = async || -> String {
        sqlx::query_scalar("SELECT key_sealed FROM shop.payment_methods").fetch_one(&pool).await.unwrap()
    };
    let before = sealed().await;

    let moved = json!({ "url": "https://pay.attacker.example" });
    let r = h.authed(Method::PATCH, &path, &root.token, Some(moved)).await;
    r.expect(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "key");
    let url: String = sqlx::query_scalar("SELECT url FROM shop.payment_methods").fetch_one(&pool).await.unwrap();
    assert_eq!(url, "https://pay.example.com", "nothing changed");

    // Other edits keep the stored key; a new URL with a new key is accepted.
    h.authed(Method::PATCH, &path, &root.token, Some(json!({ "name": "Alipay (CN)" }))).await.ok(200);
    assert_eq!(sealed().await, before);
    let rekeyed = json!({ "url": "https://pay2.example.com", "key": "another-merchant-key" });
    h.authed(Method::PATCH, &path, &root.token, Some(rekeyed)).await.ok(200);
    assert_ne!(sealed().await, before);
}

// ------------------------------------------------------------------ input hygiene

/// Every operation that takes a JSON body, with the caller it needs: a NUL byte in a string
/// is a 422 naming the field, never a 500.
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn control_characters_are_422_on_every_json_body(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let customer_id = create_user(&pool, "nul@example.test", GOOD_PASSWORD).await;
    let (access, _) = h.session("nul@example.test", GOOD_PASSWORD).await;
    let root = staff(&h, Role::SuperAdmin).await;
    let doc = serde_json::to_value(helium_api::app::openapi_document()).unwrap();
    let any_id = regex::Regex::new(r"\{[a-z_]+\}").unwrap();
    let mut checked = 0;
    let mut problems = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            // JSON bodies only (gateway callbacks are form-encoded); node agents' bodies are
            // checked behind their token in telecom_agents.rs.
            if op["requestBody"]["content"].get("application/json").is_none() || op["x-helium-sdk"] == false {
                continue;
            }
            let schemes: Vec<String> = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_object().and_then(|o| o.keys().next().cloned()))
                .collect();
            let token = if schemes.iter().any(|s| s.starts_with("admin")) {
                Some(root.token.as_str())
            } else if schemes.iter().any(|s| s == "customerBearer") {
                Some(access.as_str())
            } else {
                None
            };
            let path = path
                .replace("/customers/{id}", &format!("/customers/{customer_id}"))
                .replace("/admins/{id}", &format!("/admins/{}", root.id))
                .replace("{key}", "mailer")
                .replace("{provider}", "github");
            // Any other id: a well-formed one that names nothing (the body is checked first).
            let path = any_id.replace_all(&path, "018f0000-0000-7000-8000-00000000abcd").into_owned();
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = json!({ "probe": "a\u{0}b" });
            let mut req = request(method.clone(), &path, token, Some(&body));
            req.headers_mut().insert("idempotency-key", "nul-probe".parse().unwrap());
            let r = h.call(req).await;
            checked += 1;
            let named = r.body["errors"].as_array().into_iter().flatten().any(|e| e["field"] == "probe");
            if r.status.as_u16() != 422 || !named {
                problems.push(format!("{method} {path}: {} {}", r.status, r.body));
            }
        }
    }
    assert!(checked >= 30, "only {checked} operations take a body?");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn list_limits_are_bounded_and_user_agents_are_cut(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let root = staff(&h, Role::SuperAdmin).await;
    for bad in ["-1", "0", "101"] {
        let r = h.authed(Method::GET, &format!("/api/v1/admin/invitations?limit={bad}"), &root.token, None).await;
        assert_eq!(r.status.as_u16(), 422, "limit={bad}: {}", r.body);
    }
    let r = h.authed(Method::GET, "/api/v1/admin/invitations?limit=abc", &root.token, None).await;
    r.expect(400, "malformed_request");
    for good in ["1", "100"] {
        h.authed(Method::GET, &format!("/api/v1/admin/invitations?limit={good}"), &root.token, None).await.ok(200);
    }

    create_user(&pool, "ua@example.test", GOOD_PASSWORD).await;
    let long_ua = "Mozilla/5.0 ".repeat(400);
    let body = json!({ "email": "ua@example.test", "password": GOOD_PASSWORD });
    let mut req = request(Method::POST, "/api/v1/auth/login", None, Some(&body));
    req.headers_mut().insert(header::USER_AGENT, HeaderValue::from_str(&long_ua).unwrap());
    h.call(req).await.ok(200);
    let stored: i32 =
        sqlx::query_scalar("SELECT max(octet_length(device)) FROM auth.sessions").fetch_one(&pool).await.unwrap();
    assert!(stored <= 512, "session user agent of {stored} bytes");

    let mut req = request(Method::PATCH, "/api/v1/admin/me", Some(&root.token), Some(&json!({"name": "Root"})));
    req.headers_mut().insert(header::USER_AGENT, HeaderValue::from_str(&long_ua).unwrap());
    h.call(req).await.ok(200);
    let audited: i32 =
        sqlx::query_scalar("SELECT max(octet_length(user_agent)) FROM staff.audit_log").fetch_one(&pool).await.unwrap();
    assert!(audited <= 512, "audit user agent of {audited} bytes");
}

// ------------------------------------------------------------------ response headers

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn responses_carry_the_security_headers(pool: PgPool) {
    let h = harness(pool.clone()).await;
    create_user(&pool, "hdr@example.test", GOOD_PASSWORD).await;
    let signed_in = h.login("hdr@example.test", GOOD_PASSWORD).await;
    assert_eq!(signed_in.header("cache-control"), Some("no-store"), "tokens are never cached");
    assert_eq!(signed_in.header("x-content-type-options"), Some("nosniff"));
    let staff = staff_without_mfa(&h, Role::SuperAdmin).await;
    let setup = h.authed(Method::POST, "/api/v1/admin/auth/mfa/totp/setup", &staff.token, None).await;
    assert_eq!(setup.header("cache-control"), Some("no-store"), "a TOTP seed");
    let missing = h.call(request(Method::GET, "/nowhere", None, None)).await;
    assert_eq!(missing.header("x-content-type-options"), Some("nosniff"));

    let docs = h.call(request(Method::GET, "/docs/", None, None)).await;
    assert_eq!(docs.status.as_u16(), 200);
    let csp = docs.header("content-security-policy").expect("a CSP on /docs");
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(docs.header("x-frame-options"), Some("DENY"));
    let meta = h.call(request(Method::GET, "/api/v1/meta", None, None)).await;
    assert_eq!(meta.header("x-frame-options"), None, "JSON answers need no frame rules");
}
