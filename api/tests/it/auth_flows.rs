//! Customer identity end to end, through the real router in-process: registration by e-mailed
//! link (read from the outbox), sign-in, token rotation, sessions, profile, JWT forgery,
//! Redis outage and rate limiting. Each test gets a fresh database.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::*;
use axum::http::Method;
use helium_api::http::rate_limit::RouteClass;
use helium_domain::config::ConfigKind;
use serde_json::{Value, json};
use sqlx::PgPool;
use tokio::sync::Barrier;
use uuid::Uuid;

/// An Argon2id hash of `legacy-Passw0rd` with weaker parameters than today's (m=8192, t=1,
/// p=1), made with the `argon2` 0.5.3 crate (not a dependency of helium-api, so precomputed).
const LEGACY_HASH: &str =
    "$argon2id$v=19$m=8192,t=1,p=1$bGVnYWN5LXNhbHQtMDE$LWpcNmNRT5uQ/XbRbNyaXUNC7CmQb2/i6P+DKlR+mmE";
const LEGACY_PASSWORD: &str = "legacy-Passw0rd";
const CURRENT_PARAMS: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn full_registration_flow(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let res = h.register("  Alice.Mixed@Example.COM ").await;
    assert_eq!(res.ok(202), &json!({ "status": "email_sent" }));

    let mails = emails(&pool, "alice.mixed@example.com").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["template"], "register_magic_link");
    let link = s(&mails[0]["context"]["link"]);
    let token = link.split_once("?token=").unwrap().1;
    assert!(token.len() >= 40, "{link}");
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox WHERE event_type = 'email.requested'").await, 1);

    let res = h.complete(token, GOOD_PASSWORD).await;
    let body = res.ok(201).clone();
    assert_eq!(res.header("location"), Some("/api/v1/me"));
    assert_eq!(body["account"]["email"], "alice.mixed@example.com");
    let user_id = s(&body["account"]["id"]).to_owned();
    let tokens = &body["tokens"];
    assert_eq!((&tokens["token_type"], &tokens["expires_in"]), (&json!("Bearer"), &json!(900)));
    assert!(tokens["refresh_token"].as_str().is_some_and(|t| t.len() >= 40));
    assert!(tokens["refresh_expires_at"].is_string());
    for (event, n) in [("user.registered", 1), ("user.signed_in", 1)] {
        let sql = format!("SELECT count(*) FROM outbox WHERE event_type = '{event}'");
        assert_eq!(count(&pool, &sql).await, n, "{event}");
    }
    assert_eq!(count(&pool, "SELECT count(*) FROM auth.one_time_tokens").await, 0, "the link is consumed");

    let access = s(&tokens["access_token"]);
    let me = h.me(access).await;
    assert_eq!(
        (me.ok(200)["id"].as_str(), me.body["email"].as_str()),
        (Some(&*user_id), Some("alice.mixed@example.com"))
    );

    let (header, claims) = jwt_parts(access);
    assert_eq!(header["alg"], "HS256");
    let cfg = h.auth_config().await;
    assert_eq!(claims["iss"], cfg.jwt.issuer.as_str());
    assert_eq!(claims["aud"], "helium_cloud");
    assert_eq!(claims["sub"], user_id.as_str());
    assert_eq!(claims["typ"], "access");
    let session: Uuid = sqlx::query_scalar("SELECT id FROM auth.sessions").fetch_one(&pool).await.unwrap();
    assert_eq!(claims["sid"], session.to_string());
    assert!(s(&claims["jti"]).parse::<Uuid>().is_ok());
    let (iat, nbf, exp) = (claims["iat"].as_i64().unwrap(), claims["nbf"].as_i64().unwrap(), claims["exp"].as_i64());
    assert!((iat - chrono::Utc::now().timestamp()).abs() < 60 && nbf <= iat + 1);
    assert_eq!(exp, Some(iat + 900));
    h.assert_never_answered(token);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn registration_does_not_reveal_existing_accounts(pool: PgPool) {
    let h = harness(pool.clone()).await;
    create_user(&pool, "known@example.com", GOOD_PASSWORD).await;
    let existing = h.register("Known@Example.com").await;
    let unknown = h.register("nobody@example.com").await;
    assert_eq!((existing.status, unknown.status), (unknown.status, axum::http::StatusCode::ACCEPTED));
    assert_eq!(existing.anonymous(), unknown.anonymous());
    assert_eq!(existing.header("content-type"), unknown.header("content-type"));

    let known = emails(&pool, "known@example.com").await;
    assert_eq!(known.len(), 1);
    assert_eq!(known[0]["template"], "register_existing_account");
    assert!(known[0]["context"].get("link").is_none(), "{}", known[0]);
    assert!(!known[0].to_string().contains("token="), "{}", known[0]);
    let fresh = emails(&pool, "nobody@example.com").await;
    assert_eq!(fresh.len(), 1);
    assert_eq!(fresh[0]["template"], "register_magic_link");
    assert!(s(&fresh[0]["context"]["link"]).contains("?token="));

    // The resend interval does not tell them apart either.
    let (again_known, again_unknown) = (h.register("known@example.com").await, h.register("nobody@example.com").await);
    again_known.expect(429, "resend_too_soon");
    again_unknown.expect(429, "resend_too_soon");
    assert_eq!(again_known.anonymous(), again_unknown.anonymous());
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn resend_interval_is_enforced(pool: PgPool) {
    let h = harness(pool.clone()).await;
    h.register("dup@example.com").await.ok(202);
    for again in ["dup@example.com", " DUP@example.COM"] {
        let res = h.register(again).await;
        res.expect(429, "resend_too_soon");
        let wait: u64 = res.header("retry-after").expect("Retry-After").parse().unwrap();
        assert!((1..=30).contains(&wait), "{wait}");
    }
    assert_eq!(emails(&pool, "dup@example.com").await.len(), 1);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn registration_domain_lists(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let policy = |white: bool, wl: Value, black: bool, bl: Value| json!({ "enable_white_list": white, "white_list": wl, "enable_black_list": black, "black_list": bl });
    set_register_domain(&h, policy(false, json!([]), true, json!(["blocked.test"]))).await;
    h.register("x@blocked.test").await.expect(422, "email_domain_not_allowed");
    h.register("x@mail.Blocked.test").await.expect(422, "email_domain_not_allowed");
    h.register("x@notblocked.test").await.ok(202);

    set_register_domain(&h, policy(true, json!([]), false, json!([]))).await;
    h.register("y@anything.test").await.expect(403, "registration_closed");

    set_register_domain(&h, policy(true, json!(["corp.test"]), false, json!([]))).await;
    h.register("z@corp.test").await.ok(202);
    h.register("z@other.test").await.expect(422, "email_domain_not_allowed");

    let refused = "SELECT count(*) FROM outbox WHERE payload->>'to' IN
                   ('x@blocked.test', 'x@mail.blocked.test', 'y@anything.test', 'z@other.test')";
    assert_eq!(count(&pool, refused).await, 0, "refused addresses get no e-mail");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn link_semantics_and_password_rules(pool: PgPool) {
    let h = harness(pool.clone()).await;
    h.complete("not-a-real-token-0123456789", GOOD_PASSWORD).await.expect(410, "link_invalid");

    let token = h.link_for("bob@example.com").await;
    let long = "x".repeat(129);
    for (password, code) in [
        ("Zq8!xw2", "too_short"),
        (&*long, "too_long"),
        ("Bob@Example.com", "same_as_email"),
        ("password123", "too_common"),
    ] {
        let res = h.complete(&token, password).await;
        res.expect(422, "validation_failed");
        assert_eq!(
            (&res.body["errors"][0]["field"], &res.body["errors"][0]["code"]),
            (&json!("password"), &json!(code))
        );
    }
    // Refused passwords do not consume the link; eight characters are enough.
    h.complete(&token, "Zq8!xw2R").await.ok(201);
    h.complete(&token, "Zq8!xw2R").await.expect(410, "link_invalid");
    h.complete(&token, GOOD_PASSWORD).await.expect(410, "link_invalid");

    let token128 = h.link_for("carol@example.com").await;
    let max = "Lm9!".repeat(32);
    let res = h.complete(&token128, &max).await;
    res.ok(201);
    h.session("carol@example.com", &max).await;

    let expired = h.link_for("dave@example.com").await;
    sqlx::query("UPDATE auth.one_time_tokens SET expires_at = now() - interval '1 second' WHERE email = $1")
        .bind("dave@example.com")
        .execute(&pool)
        .await
        .unwrap();
    h.complete(&expired, GOOD_PASSWORD).await.expect(410, "link_expired");
    // Presented again it still never works (expired or consumed: either 410 is fine).
    let again = h.complete(&expired, GOOD_PASSWORD).await;
    assert!(again.status.as_u16() == 410 && again.code().starts_with("link_"), "{}", again.body);
    assert_eq!(count(&pool, "SELECT count(*) FROM auth.users WHERE email = 'dave@example.com'").await, 0);

    for t in [&token, &token128, &expired] {
        h.assert_never_answered(t);
    }
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn one_link_completes_exactly_once_under_concurrency(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let token = h.link_for("race@example.com").await;
    let barrier = Arc::new(Barrier::new(20));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (h, token, barrier) = (h.clone(), token.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                h.complete(&token, GOOD_PASSWORD).await
            })
        })
        .collect();
    let mut created = 0;
    for t in tasks {
        let res = t.await.unwrap();
        if res.status.as_u16() == 201 {
            created += 1;
        } else {
            res.expect(410, "link_invalid");
        }
    }
    assert_eq!(created, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM auth.users").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM auth.sessions").await, 1);
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox WHERE event_type = 'user.registered'").await, 1);
    h.assert_never_answered(&token);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn login_outcomes(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let id = create_user(&pool, "erin@example.com", GOOD_PASSWORD).await;
    let ok = h.login(" Erin@Example.com", GOOD_PASSWORD).await;
    assert_eq!((&ok.ok(200)["token_type"], &ok.body["expires_in"]), (&json!("Bearer"), &json!(900)));
    assert_eq!(count(&pool, "SELECT count(*) FROM outbox WHERE event_type = 'user.signed_in'").await, 1);

    let wrong = h.login("erin@example.com", "not the password").await;
    let unknown = h.login("nobody@example.com", "not the password").await;
    wrong.expect(401, "invalid_credentials");
    unknown.expect(401, "invalid_credentials");
    assert_eq!(wrong.anonymous(), unknown.anonymous());
    assert_ne!(wrong.body["request_id"], Value::Null);

    sqlx::query("UPDATE auth.users SET status = 'banned' WHERE id = $1").bind(id).execute(&pool).await.unwrap();
    h.login("erin@example.com", GOOD_PASSWORD).await.expect(403, "account_banned");
    h.login("erin@example.com", "not the password").await.expect(401, "invalid_credentials");
    assert_eq!(count(&pool, "SELECT count(*) FROM auth.sessions").await, 1, "no session for a banned user");

    let legacy = create_user(&pool, "legacy@example.com", GOOD_PASSWORD).await;
    sqlx::query("UPDATE auth.users SET password_hash = $2 WHERE id = $1")
        .bind(legacy)
        .bind(LEGACY_HASH)
        .execute(&pool)
        .await
        .unwrap();
    h.login("legacy@example.com", "wrong-legacy-pw").await.expect(401, "invalid_credentials");
    h.session("legacy@example.com", LEGACY_PASSWORD).await;
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM auth.users WHERE id = $1")
        .bind(legacy)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(stored.starts_with(CURRENT_PARAMS), "{stored}");
    h.session("legacy@example.com", LEGACY_PASSWORD).await;
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn refresh_rotation_and_reuse_detection(pool: PgPool) {
    let h = harness(pool.clone()).await;
    create_user(&pool, "frank@example.com", GOOD_PASSWORD).await;
    let (access0, refresh0) = h.session("frank@example.com", GOOD_PASSWORD).await;
    let res = h.refresh(&refresh0).await;
    let pair = res.ok(200);
    let (access1, refresh1) = (s(&pair["access_token"]).to_owned(), s(&pair["refresh_token"]).to_owned());
    assert_ne!(refresh1, refresh0);
    assert_eq!((&pair["token_type"], &pair["expires_in"]), (&json!("Bearer"), &json!(900)));
    assert_eq!(jwt_parts(&access1).1["sid"], jwt_parts(&access0).1["sid"], "same session");
    h.me(&access1).await.ok(200); // warms the session cache

    h.refresh(&refresh0).await.expect(401, "refresh_token_reused");
    let newest = h.refresh(&refresh1).await;
    assert_eq!(newest.status.as_u16(), 401, "{}", newest.body);
    assert!(matches!(newest.code(), "refresh_token_invalid" | "refresh_token_reused"), "{}", newest.body);
    h.me(&access1).await.expect(401, "unauthenticated");
    h.me(&access0).await.expect(401, "unauthenticated");
    h.refresh("never-issued-refresh-token").await.expect(401, "refresh_token_invalid");

    let (_, fresh) = h.session("frank@example.com", GOOD_PASSWORD).await;
    let barrier = Arc::new(Barrier::new(10));
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (h, fresh, barrier) = (h.clone(), fresh.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                h.refresh(&fresh).await
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        let res = t.await.unwrap();
        match res.status.as_u16() {
            200 => ok += 1,
            401 => assert!(res.code().starts_with("refresh_token_"), "{}", res.body),
            other => panic!("unexpected {other}: {}", res.body),
        }
    }
    assert_eq!(ok, 1);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn sessions_list_revoke_logout(pool: PgPool) {
    let h = harness(pool.clone()).await;
    create_user(&pool, "gina@example.com", GOOD_PASSWORD).await;
    create_user(&pool, "hank@example.com", GOOD_PASSWORD).await;
    let (a, _) = h.session("gina@example.com", GOOD_PASSWORD).await;
    let (b, _) = h.session("gina@example.com", GOOD_PASSWORD).await;
    let sid = |t: &str| s(&jwt_parts(t).1["sid"]).to_owned();

    let list = h.authed(Method::GET, "/api/v1/auth/sessions", &a, None).await;
    let items = list.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "{}", list.body);
    let current: Vec<_> = items.iter().filter(|i| i["current"] == json!(true)).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["id"], sid(&a));
    assert_eq!(current[0]["device"], "auth-flows-test");
    assert_eq!(current[0]["ip"], "127.0.0.1");

    h.me(&b).await.ok(200); // cached as live
    h.authed(Method::DELETE, &format!("/api/v1/auth/sessions/{}", sid(&b)), &a, None).await.ok(204);
    h.me(&b).await.expect(401, "unauthenticated");
    h.me(&a).await.ok(200);

    let (other, _) = h.session("hank@example.com", GOOD_PASSWORD).await;
    let foreign = h.authed(Method::DELETE, &format!("/api/v1/auth/sessions/{}", sid(&other)), &a, None).await;
    let random = h.authed(Method::DELETE, &format!("/api/v1/auth/sessions/{}", Uuid::new_v4()), &a, None).await;
    foreign.expect(404, "not_found");
    random.expect(404, "not_found");
    assert_eq!(foreign.anonymous(), random.anonymous());
    h.me(&other).await.ok(200);

    h.authed(Method::POST, "/api/v1/auth/logout", &a, None).await.ok(204);
    h.me(&a).await.expect(401, "unauthenticated");

    let (d, _) = h.session("gina@example.com", GOOD_PASSWORD).await;
    let (e, e_refresh) = h.session("gina@example.com", GOOD_PASSWORD).await;
    h.me(&d).await.ok(200);
    h.me(&e).await.ok(200);
    h.authed(Method::POST, "/api/v1/auth/logout-all", &d, None).await.ok(204);
    for t in [&a, &b, &d, &e] {
        h.me(t).await.expect(401, "unauthenticated");
    }
    assert_eq!(h.refresh(&e_refresh).await.status.as_u16(), 401);
    h.me(&other).await.ok(200);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn forged_access_tokens_are_refused(pool: PgPool) {
    let h = harness(pool.clone()).await;
    create_user(&pool, "ivan@example.com", GOOD_PASSWORD).await;
    let (access, _) = h.session("ivan@example.com", GOOD_PASSWORD).await;
    let secret = h.auth_config().await.jwt.secret.expose().to_owned();
    let (header, claims) = jwt_parts(&access);
    let key = secret.as_bytes();
    let with = |k: &str, v: Value| {
        let mut c = claims.clone();
        c[k] = v;
        c
    };
    // The hand-made signer itself is right: a faithful copy is accepted.
    h.me(&make_jwt(&header, &claims, key)).await.ok(200);

    let now = chrono::Utc::now().timestamp();
    let expired = json!({ "iat": now - 931, "nbf": now - 931, "exp": now - 31 });
    let mut old = claims.clone();
    for (k, v) in expired.as_object().unwrap() {
        old[k] = v.clone();
    }
    let mut tampered_parts: Vec<String> = access.split('.').map(str::to_owned).collect();
    tampered_parts[1] = b64url(with("sub", json!(Uuid::new_v4().to_string())).to_string().as_bytes());
    let mut without_typ = claims.clone();
    without_typ.as_object_mut().unwrap().remove("typ");
    let admin = h.state.config.get(ConfigKind::AdminJwt).await.unwrap().value;
    let admin_secret = s(&admin["secret"]).to_owned();

    let forged = [
        ("alg none", make_jwt(&json!({ "alg": "none", "typ": "JWT" }), &claims, key)),
        ("alg HS512", make_jwt(&json!({ "alg": "HS512", "typ": "JWT" }), &claims, key)),
        ("wrong key", make_jwt(&header, &claims, b"an-entirely-different-signing-key-of-some-length")),
        ("admin key + admin aud", make_jwt(&header, &with("aud", json!("HeliumAdmin")), admin_secret.as_bytes())),
        ("tampered claims", tampered_parts.join(".")),
        ("wrong aud", make_jwt(&header, &with("aud", json!("HeliumAdmin")), key)),
        ("wrong iss", make_jwt(&header, &with("iss", json!("https://evil.example")), key)),
        ("typ refresh", make_jwt(&header, &with("typ", json!("refresh")), key)),
        ("no typ", make_jwt(&header, &without_typ, key)),
        ("nbf in 2 min", make_jwt(&header, &with("nbf", json!(now + 120)), key)),
        ("unknown session", make_jwt(&header, &with("sid", json!(Uuid::new_v4().to_string())), key)),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    for (what, token) in &forged {
        let res = h.me(token).await;
        assert_eq!((res.status.as_u16(), res.code()), (401, "unauthenticated"), "{what}: {}", res.body);
    }
    h.me(&make_jwt(&header, &old, key)).await.expect(401, "token_expired");
    let none = h.call(request(Method::GET, "/api/v1/me", None, None)).await;
    none.expect(401, "unauthenticated");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn update_me_merge_semantics(pool: PgPool) {
    let h = harness(pool.clone()).await;
    create_user(&pool, "jade@example.com", GOOD_PASSWORD).await;
    let (t, _) = h.session("jade@example.com", GOOD_PASSWORD).await;
    let patch = |body: Value| h.authed(Method::PATCH, "/api/v1/me", &t, Some(body));
    let profile = |b: &Value| (b["display_name"].clone(), b["locale"].clone(), b["timezone"].clone());

    let res = patch(json!({ "display_name": "Neo", "locale": "en", "timezone": "Europe/Berlin" })).await;
    assert_eq!(profile(res.ok(200)), (json!("Neo"), json!("en"), json!("Europe/Berlin")));
    let res = patch(json!({ "display_name": null })).await;
    assert_eq!(profile(res.ok(200)), (Value::Null, json!("en"), json!("Europe/Berlin")));
    let res = patch(json!({})).await;
    assert_eq!(profile(res.ok(200)), (Value::Null, json!("en"), json!("Europe/Berlin")));
    assert_eq!(profile(h.me(&t).await.ok(200)), (Value::Null, json!("en"), json!("Europe/Berlin")));

    let res = patch(json!({ "role": "admin" })).await;
    res.expect(422, "validation_failed");
    assert_eq!(
        (&res.body["errors"][0]["field"], &res.body["errors"][0]["code"]),
        (&json!("role"), &json!("unknown_field"))
    );
    for bad in [json!({ "display_name": "" }), json!({ "display_name": "   " }), json!({ "locale": "not a locale" })] {
        let res = patch(bad.clone()).await;
        res.expect(422, "validation_failed");
        let field = bad.as_object().unwrap().keys().next().unwrap().clone();
        assert_eq!(res.body["errors"][0]["field"], json!(field), "{}", res.body);
    }
    assert_eq!(profile(h.me(&t).await.ok(200)), (Value::Null, json!("en"), json!("Europe/Berlin")));
    assert_eq!(count(&pool, "SELECT count(*) FROM auth.users WHERE status = 'active'").await, 1);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn redis_down_falls_back_to_postgres_and_never_allows(pool: PgPool) {
    let h = harness(pool.clone()).await;
    create_user(&pool, "kim@example.com", GOOD_PASSWORD).await;
    let (keep, _) = h.session("kim@example.com", GOOD_PASSWORD).await;
    let (revoked, _) = h.session("kim@example.com", GOOD_PASSWORD).await;

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let down = harness_with(pool.clone(), &format!("redis://{closed}"), &[]).await;
    let started = Instant::now();
    assert_eq!(down.me(&keep).await.ok(200)["email"], "kim@example.com");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    down.me(&revoked).await.ok(200);

    h.authed(Method::POST, "/api/v1/auth/logout", &revoked, None).await.ok(204);
    down.me(&revoked).await.expect(401, "unauthenticated");
    down.me(&keep).await.ok(200);
    // Sign-in is an auth-class route: without its limiter it fails closed.
    down.login("kim@example.com", GOOD_PASSWORD).await.expect(503, "service_unavailable");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn login_rate_limit_trips_before_hashing(pool: PgPool) {
    let h = harness_with(pool.clone(), REDIS_URL, &[(RouteClass::Auth, 3)]).await;
    create_user(&pool, "lena@example.com", GOOD_PASSWORD).await;
    early_in_window().await;
    for _ in 0..3 {
        h.session("lena@example.com", GOOD_PASSWORD).await;
    }
    let started = Instant::now();
    let res = h.login("lena@example.com", GOOD_PASSWORD).await;
    let took = started.elapsed();
    res.expect(429, "rate_limited");
    let wait: u64 = res.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=61).contains(&wait), "{wait}");
    assert!(took < Duration::from_millis(50), "429 took {took:?}");
    assert_eq!(count(&pool, "SELECT count(*) FROM auth.sessions").await, 3);

    let mut elsewhere = request(
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(&json!({ "email": "lena@example.com", "password": GOOD_PASSWORD })),
    );
    elsewhere
        .extensions_mut()
        .insert(axum::extract::ConnectInfo("10.9.8.7:5555".parse::<std::net::SocketAddr>().unwrap()));
    h.call(elsewhere).await.ok(200);
}

/// Authenticated routes are documented as counted per principal (`http::Principal`: "rate-limit
/// counters are scoped by it"), so one customer's burst must not throttle another customer
/// who shares the address (NAT, office, mobile carrier).
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn authenticated_reads_are_limited_per_customer(pool: PgPool) {
    let h = harness_with(pool.clone(), REDIS_URL, &[(RouteClass::Read, 3)]).await;
    create_user(&pool, "mia@example.com", GOOD_PASSWORD).await;
    create_user(&pool, "ned@example.com", GOOD_PASSWORD).await;
    let (mia, _) = h.session("mia@example.com", GOOD_PASSWORD).await;
    let (ned, _) = h.session("ned@example.com", GOOD_PASSWORD).await;
    early_in_window().await;
    for _ in 0..3 {
        h.me(&mia).await.ok(200);
    }
    h.me(&mia).await.expect(429, "rate_limited");
    let other = h.me(&ned).await;
    assert_eq!(other.status.as_u16(), 200, "another customer behind the same address: {}", other.body);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn password_failures_are_limited_per_address_before_hashing(pool: PgPool) {
    let h = harness(pool).await;
    let token = h.link_for("limited@example.test").await;
    h.complete(&token, GOOD_PASSWORD).await.ok(201);
    // A success clears earlier failures.
    for _ in 0..9 {
        h.login("limited@example.test", "wrong password!").await.expect(401, "invalid_credentials");
    }
    h.login("limited@example.test", GOOD_PASSWORD).await.ok(200);
    for _ in 0..10 {
        h.login("Limited@Example.test ", "wrong password!").await.expect(401, "invalid_credentials");
    }
    // The 11th attempt in the window is refused before the password is even checked.
    let r = h.login("limited@example.test", GOOD_PASSWORD).await;
    r.expect(429, "too_many_attempts");
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    // Unknown addresses are limited alike; other addresses are not affected.
    for _ in 0..10 {
        h.login("nobody@example.test", "wrong password!").await.expect(401, "invalid_credentials");
    }
    h.login("nobody@example.test", "wrong password!").await.expect(429, "too_many_attempts");
    let token = h.link_for("other@example.test").await;
    h.complete(&token, GOOD_PASSWORD).await.ok(201);
    h.login("other@example.test", GOOD_PASSWORD).await.ok(200);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn auth_routes_refuse_bodies_over_16_kib(pool: PgPool) {
    let h = harness(pool).await;
    let big = json!({ "email": "big@example.test", "password": "p".repeat(17 * 1024) });
    h.post("/api/v1/auth/login", big).await.expect(413, "payload_too_large");
    let big = json!({ "email": "big@example.test", "password": "p".repeat(17 * 1024) });
    h.post("/api/v1/admin/auth/login", big).await.expect(413, "payload_too_large");
    // Just under the cap is parsed (and refused for what it says, not for its size).
    let fits = json!({ "email": "big@example.test", "password": "p".repeat(15 * 1024) });
    h.post("/api/v1/auth/login", fits).await.expect(422, "validation_failed");
}
