//! The telecom REST surface: customers' packages, usage, subscription and nodes; staff node,
//! package and token operations with their roles, audit rows, secrets and conflicts.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use helium_domain::admin::Role;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::staff::*;
use crate::support::*;
use crate::telecom_agents::{NODE_TOKEN, agent, buy, plan, send, setup};

const PRIV: &str = "SMfOj-9lIK-VHD3eBy1H4b0TZiJ2ibH96Qx8q0u9_0w";
const PUB: &str = "Z84J2IelR9ch3k8VtlVhhs5ycBUlXA7wHBWcBrjqnAw";

async fn audit_rows(pool: &PgPool, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM staff.audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn subscribe(token: &str) -> Request<Body> {
    Request::get(format!("/subscribe/{token}?flag=sing-box")).body(Body::empty()).unwrap()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn customers_see_their_packages_usage_subscription_and_nodes(pool: PgPool) {
    let (h, all) = setup(&pool).await;
    let product = plan(&h, 10_000).await;
    let alice = create_user(&pool, "alice@example.test", GOOD_PASSWORD).await;
    let (token, _) = h.session("alice@example.test", GOOD_PASSWORD).await;
    let get = |path: &'static str| h.authed(Method::GET, path, &token, None);

    // Nothing bought yet: empty lists, zero usage, no nodes; the subscription exists already.
    assert_eq!(get("/api/v1/packages").await.ok(200)["items"], json!([]));
    let usage = get("/api/v1/usage").await;
    assert_eq!(usage.ok(200)["active_package"], Value::Null);
    assert_eq!(usage.ok(200)["remaining"], 0);
    assert_eq!(get("/api/v1/nodes").await.ok(200)["items"], json!([]));
    let sub = get("/api/v1/subscription").await.ok(200).clone();
    let first_token = sub["token"].as_str().unwrap().to_owned();
    assert!(first_token.len() >= 40, "{sub}");
    let link = sub["links"][0]["url"].as_str().unwrap();
    assert!(link.contains(&first_token) && !link.contains("{SUBSCRIBE_TOKEN}"), "{link}");
    assert_eq!(get("/api/v1/subscription").await.ok(200)["token"], sub["token"], "stable until rotated");

    // Two purchases: one active, one queued behind it.
    buy(&h, alice, product).await;
    buy(&h, alice, product).await;
    let page = get("/api/v1/packages").await.ok(200).clone();
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let active = items.iter().find(|p| p["status"] == "active").unwrap();
    let queued = items.iter().find(|p| p["status"] == "in_queue").unwrap();
    assert_eq!((active["position"].clone(), queued["position"].clone()), (json!(0), json!(1)));
    assert_eq!(active["traffic_bytes"], 10_000);
    let only_queued = get("/api/v1/packages?status=in_queue").await.ok(200)["items"].clone();
    assert_eq!(only_queued.as_array().unwrap().len(), 1);
    h.authed(Method::GET, "/api/v1/packages?status=paused", &token, None).await.expect(422, "validation_failed");

    // Traffic pushed by the node shows in usage.
    let agent_uid = crate::telecom_agents::agent_id(&pool, alice).await;
    send(&all, agent("push", NODE_TOKEN, None, Some(json!({ agent_uid.to_string(): [1_000, 500] })))).await;
    let usage = get("/api/v1/usage").await.ok(200).clone();
    assert_eq!((usage["upload"].clone(), usage["download"].clone()), (json!(1_000), json!(500)));
    assert_eq!(usage["remaining"], 8_500);
    assert_eq!(usage["queued"].as_array().unwrap().len(), 1);
    assert_eq!(usage["queued"][0]["position"], 1);

    // One node, online since its agent just pushed (recorded in the background).
    let mut nodes = Value::Null;
    for _ in 0..100 {
        nodes = get("/api/v1/nodes").await.ok(200)["items"].clone();
        if nodes[0]["online"] == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(nodes.as_array().unwrap().len(), 1, "{nodes}");
    assert_eq!((nodes[0]["name"].clone(), nodes[0]["protocol"].clone()), (json!("Tokyo SS"), json!("shadowsocks")));
    assert_eq!(
        (nodes[0]["region"].clone(), nodes[0]["rate"].clone(), nodes[0]["online"].clone()),
        (json!("JP"), json!("1"), json!(true))
    );

    // Per-app links: every format, each selecting its document; import links encode the URL.
    let links = get("/api/v1/subscription/links").await.ok(200)["items"].clone();
    let clash = links.as_array().unwrap().iter().find(|l| l["format"] == "clash_meta").unwrap();
    assert!(clash["url"].as_str().unwrap().ends_with("flag=meta"), "{clash}");
    assert!(clash["import_url"].as_str().unwrap().starts_with("clash://install-config?url=http%3A%2F%2F"), "{clash}");
    let upper = h.authed(Method::GET, "/api/v1/subscription/links?endpoint_name=PRIMARY", &token, None).await;
    assert_eq!(upper.ok(200)["items"].as_array().unwrap().len(), links.as_array().unwrap().len(), "names ignore case");
    let none = h.authed(Method::GET, "/api/v1/subscription/links?endpoint_name=nope", &token, None).await;
    assert_eq!(none.ok(200)["items"], json!([]));

    // The document is served for the token; after rotation the old one is dead at once.
    assert_eq!(send(&all, subscribe(&first_token)).await.status, StatusCode::OK);
    let rotated = h.authed(Method::POST, "/api/v1/subscription/rotate", &token, None).await.ok(200).clone();
    let new_token = rotated["token"].as_str().unwrap();
    assert_ne!(new_token, first_token);
    let old = send(&all, subscribe(&first_token)).await;
    assert_eq!((old.status, old.json()["code"].clone()), (StatusCode::NOT_FOUND, json!("subscription_not_found")));
    assert_eq!(send(&all, subscribe(new_token)).await.status, StatusCode::OK);
    // Documents kept for repeated fetches never answer another app or filter.
    let doc = |q: String| Request::get(format!("/subscribe/{new_token}?{q}")).body(Body::empty()).unwrap();
    for _ in 0..2 {
        let meta = send(&all, doc("flag=meta".into())).await;
        let sing = send(&all, doc("flag=sing-box".into())).await;
        assert!(String::from_utf8_lossy(&meta.body).contains("proxies:"));
        assert!(sing.json()["outbounds"].is_array(), "{}", String::from_utf8_lossy(&sing.body));
        let none = send(&all, doc("flag=meta&types=vmess".into())).await;
        assert!(!String::from_utf8_lossy(&none.body).contains("Tokyo SS"), "the filter applies");
        assert!(String::from_utf8_lossy(&send(&all, doc("flag=meta".into())).await.body).contains("Tokyo SS"));
    }

    // Another customer's package is "not found"; so is garbage.
    let bob = create_user(&pool, "bob@example.test", GOOD_PASSWORD).await;
    buy(&h, bob, product).await;
    let bobs: Uuid = sqlx::query_scalar("SELECT id FROM telecom.packages WHERE user_id = $1")
        .bind(bob)
        .fetch_one(&pool)
        .await
        .unwrap();
    h.authed(Method::GET, &format!("/api/v1/packages/{bobs}"), &token, None).await.expect(404, "not_found");
    let mine = active["id"].as_str().unwrap();
    assert_eq!(h.authed(Method::GET, &format!("/api/v1/packages/{mine}"), &token, None).await.ok(200)["position"], 0);
    // Without a session nothing is shown.
    let anon = h.call(crate::support::request(Method::GET, "/api/v1/usage", None, None)).await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
}

fn reality_client(server_id: &str) -> Value {
    json!({
        "server_id": server_id, "node_id": 7, "name": "Osaka VLESS", "port": 443,
        "settings": {"protocol":"vless","flow":"xtls-rprx-vision","transport":{"type":"tcp"},
            "security":{"mode":"reality","server_name":"www.microsoft.com","server_port":443,
                "private_key":PRIV,"public_key":PUB,"short_id":"6ba85179e30d4fc2"}},
        "group_ids": [], "rate": "1.5",
    })
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn staff_manage_nodes_without_seeing_node_secrets(pool: PgPool) {
    let (h, all) = setup(&pool).await;
    let sa = staff(&h, Role::SuperAdmin).await;
    let cs = staff(&h, Role::CustomerSupport).await;
    let call = |who: &StaffUser, m: Method, path: String, body: Option<Value>| {
        let token = who.token.clone();
        let h = &h;
        async move { h.authed(m, &path, &token, body).await }
    };

    // Create a server; bad input names the field.
    let bad =
        call(&sa, Method::POST, "/api/v1/admin/nodes/servers".into(), Some(json!({"name":"x","address":"bad host!"})))
            .await;
    bad.expect(422, "validation_failed");
    assert!(bad.body.to_string().contains("address"), "{}", bad.body);
    let nul = call(
        &sa,
        Method::POST,
        "/api/v1/admin/nodes/servers".into(),
        Some(json!({"name":"a\u{0}b","address":"ok.example"})),
    )
    .await;
    nul.expect(422, "validation_failed");
    let created = call(
        &sa,
        Method::POST,
        "/api/v1/admin/nodes/servers".into(),
        Some(json!({"name":"Osaka 1","address":"osaka.example","region":"JP","rate":"2","tags":["premium"]})),
    )
    .await;
    let server = created.ok(201).clone();
    let sid = server["id"].as_str().unwrap().to_owned();
    assert_eq!(server["rate"], "2");
    // Rates: 0 (free) to 100 with four decimals are kept exactly; outside that, 422 naming rate.
    for (rate, shown) in [(json!("0"), "0"), (json!("1.2345"), "1.2345"), (json!(100), "100")] {
        let r = call(
            &sa,
            Method::POST,
            "/api/v1/admin/nodes/servers".into(),
            Some(json!({"name":"Rated","address":"rated.example","rate":rate})),
        )
        .await;
        assert_eq!(r.ok(201)["rate"], shown);
    }
    for rate in [json!("-1"), json!("100.5"), json!("1.23456"), json!("abc"), json!(true)] {
        let r = call(
            &sa,
            Method::POST,
            "/api/v1/admin/nodes/servers".into(),
            Some(json!({"name":"Rated","address":"rated.example","rate":rate})),
        )
        .await;
        r.expect(422, "validation_failed");
        assert!(r.body.to_string().contains("\"rate\""), "{}", r.body);
    }
    // Customer support reads, cannot write.
    call(&cs, Method::POST, "/api/v1/admin/nodes/servers".into(), Some(json!({"name":"n","address":"n.example"})))
        .await
        .expect(403, "permission_denied");
    assert_eq!(
        call(&cs, Method::GET, format!("/api/v1/admin/nodes/servers/{sid}"), None).await.ok(200)["name"],
        "Osaka 1"
    );

    // A REALITY client: the private key never comes back; a partial edit keeps it.
    let c = call(&sa, Method::POST, "/api/v1/admin/nodes/clients".into(), Some(reality_client(&sid))).await;
    let client = c.ok(201).clone();
    let cid = client["id"].as_str().unwrap().to_owned();
    assert!(!client.to_string().contains(PRIV), "{client}");
    assert_eq!(client["settings"]["security"]["public_key"], PUB);
    let read = call(&cs, Method::GET, format!("/api/v1/admin/nodes/clients/{cid}"), None).await;
    assert!(!read.body.to_string().contains(PRIV));
    let mut settings = client["settings"].clone();
    settings["security"]["short_id"] = json!("ab");
    let edited = call(
        &sa,
        Method::PATCH,
        format!("/api/v1/admin/nodes/clients/{cid}"),
        Some(json!({"name":"Osaka VLESS 2","settings":settings})),
    )
    .await;
    assert_eq!(edited.ok(200)["name"], "Osaka VLESS 2");
    let stored: Value = sqlx::query_scalar("SELECT settings FROM telecom.node_clients WHERE id = $1")
        .bind(Uuid::parse_str(&cid).unwrap())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored["security"]["private_key"], PRIV, "the blank key kept the stored one");
    assert_eq!(stored["security"]["short_id"], "ab");
    // The agent of node 7 receives the key it needs.
    let cfg = Request::get(format!("/api/v1/server/UniProxy/config?token={NODE_TOKEN}&node_id=7&node_type=vless"))
        .body(Body::empty())
        .unwrap();
    let cfg = send(&all, cfg).await;
    assert_eq!(cfg.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&cfg.body).contains(PRIV));

    // Same node id and protocol twice: 409; a bad port: 422 naming it; unknown fields: 4xx.
    let mut dup = reality_client(&sid);
    dup["name"] = json!("dup");
    call(&sa, Method::POST, "/api/v1/admin/nodes/clients".into(), Some(dup)).await.expect(409, "node_id_taken");
    let mut bad = reality_client(&sid);
    bad["node_id"] = json!(8);
    bad["port"] = json!(0);
    let r = call(&sa, Method::POST, "/api/v1/admin/nodes/clients".into(), Some(bad)).await;
    r.expect(422, "validation_failed");
    assert!(r.body.to_string().contains("\"port\""), "{}", r.body);
    let mut bad = reality_client(&sid);
    bad["node_id"] = json!(9);
    bad["settings"] = json!({"protocol":"carrier-pigeon"});
    let r = call(&sa, Method::POST, "/api/v1/admin/nodes/clients".into(), Some(bad)).await;
    r.expect(422, "validation_failed");
    assert!(r.body.to_string().contains("settings"), "{}", r.body);

    // A client naming a group that does not exist, or a server that does not exist: 422.
    let mut ghost = reality_client(&sid);
    ghost["node_id"] = json!(10);
    ghost["group_ids"] = json!([Uuid::now_v7()]);
    let r = call(&sa, Method::POST, "/api/v1/admin/nodes/clients".into(), Some(ghost.clone())).await;
    r.expect(422, "validation_failed");
    assert!(r.body.to_string().contains("invalid_reference") && r.body.to_string().contains("group_ids"), "{}", r.body);
    ghost["group_ids"] = json!([]);
    ghost["server_id"] = json!(Uuid::now_v7());
    let r = call(&sa, Method::POST, "/api/v1/admin/nodes/clients".into(), Some(ghost)).await;
    r.expect(422, "validation_failed");
    assert!(r.body.to_string().contains("server_id"), "{}", r.body);

    // Lists filter; the status page shows who is online after a pull.
    let listed = call(&cs, Method::GET, format!("/api/v1/admin/nodes/clients?server_id={sid}"), None).await;
    assert_eq!(listed.ok(200)["items"].as_array().unwrap().len(), 1);
    call(&cs, Method::GET, "/api/v1/admin/nodes/clients?protocol=pigeon".into(), None)
        .await
        .expect(422, "validation_failed");
    let servers = call(&cs, Method::GET, "/api/v1/admin/nodes/servers?region=JP".into(), None).await;
    assert_eq!(servers.ok(200)["items"].as_array().unwrap().len(), 2, "Tokyo 1 and Osaka 1");
    let mut online = Value::Null;
    for _ in 0..100 {
        let r = call(&cs, Method::GET, format!("/api/v1/admin/nodes/status?server_id={sid}&online=true"), None).await;
        online = r.ok(200)["items"].clone();
        if !online.as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(online.as_array().unwrap().len(), 1, "node 7 pulled its config");
    let offline = call(&cs, Method::GET, "/api/v1/admin/nodes/status?online=false".into(), None).await;
    assert!(offline.ok(200)["items"].as_array().unwrap().iter().all(|s| s["online"] == false));
    call(&cs, Method::GET, "/api/v1/admin/nodes/status?online=maybe".into(), None)
        .await
        .expect(422, "validation_failed");

    // Maintenance hides the server (an end in the past is refused); a server with clients
    // cannot be deleted.
    let past = call(
        &sa,
        Method::POST,
        format!("/api/v1/admin/nodes/servers/{sid}/maintenance"),
        Some(json!({"enabled": true, "until": "2020-01-01T00:00:00Z"})),
    )
    .await;
    past.expect(422, "validation_failed");
    assert!(past.body.to_string().contains("until"));
    let m = call(
        &sa,
        Method::POST,
        format!("/api/v1/admin/nodes/servers/{sid}/maintenance"),
        Some(json!({"enabled": true, "message": "kernel upgrade"})),
    )
    .await;
    assert_eq!(m.ok(200)["maintenance"], true);
    let in_maintenance = call(&cs, Method::GET, "/api/v1/admin/nodes/servers?maintenance=true".into(), None).await;
    assert_eq!(in_maintenance.ok(200)["items"][0]["id"], json!(sid));
    call(&sa, Method::DELETE, format!("/api/v1/admin/nodes/servers/{sid}"), None)
        .await
        .expect(409, "server_has_clients");
    assert_eq!(
        call(&sa, Method::DELETE, format!("/api/v1/admin/nodes/clients/{cid}"), None).await.status,
        StatusCode::NO_CONTENT
    );
    let gone = send(
        &all,
        Request::get(format!("/api/v1/server/UniProxy/config?token={NODE_TOKEN}&node_id=7&node_type=vless"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let patch = call(
        &sa,
        Method::PATCH,
        format!("/api/v1/admin/nodes/servers/{sid}"),
        Some(json!({"region": null, "rate": 0.5})),
    )
    .await;
    assert_eq!((patch.ok(200)["region"].clone(), patch.ok(200)["rate"].clone()), (Value::Null, json!("0.5")));
    assert_eq!(
        call(&sa, Method::DELETE, format!("/api/v1/admin/nodes/servers/{sid}"), None).await.status,
        StatusCode::NO_CONTENT
    );
    call(&cs, Method::GET, format!("/api/v1/admin/nodes/servers/{sid}"), None).await.expect(404, "not_found");

    // Every write left an audit row; none of them carries the private key.
    for action in [
        "node_server.create",
        "node_server.update",
        "node_server.maintenance",
        "node_server.delete",
        "node_client.create",
        "node_client.update",
        "node_client.delete",
    ] {
        assert!(audit_rows(&pool, action).await >= 1, "{action}");
    }
    let leaked: i64 =
        sqlx::query_scalar("SELECT count(*) FROM staff.audit_log WHERE row_to_json(audit_log)::text LIKE $1")
            .bind(format!("%{PRIV}%"))
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(leaked, 0);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn staff_cancel_packages_and_rotate_tokens_by_role(pool: PgPool) {
    let (h, all) = setup(&pool).await;
    let product = plan(&h, 10_000).await;
    let carol = create_user(&pool, "carol@example.test", GOOD_PASSWORD).await;
    let (token, _) = h.session("carol@example.test", GOOD_PASSWORD).await;
    buy(&h, carol, product).await;
    buy(&h, carol, product).await;
    let moderator = staff(&h, Role::Moderator).await;
    let cs = staff(&h, Role::CustomerSupport).await;
    let bot = staff_without_mfa(&h, Role::SupportBot).await;

    let listed = h.authed(Method::GET, &format!("/api/v1/admin/packages?user_id={carol}"), &bot.token, None).await;
    let items = listed.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    let active = items.iter().find(|p| p["status"] == "active").unwrap()["id"].as_str().unwrap().to_owned();
    h.authed(Method::GET, "/api/v1/admin/packages?user_id=nope", &bot.token, None)
        .await
        .expect(422, "validation_failed");

    // Support cannot cancel; a moderator can, with a reason; the queued one takes over.
    let cancel = format!("/api/v1/admin/packages/{active}/cancel");
    h.authed(Method::POST, &cancel, &cs.token, Some(json!({"reason":"abuse"}))).await.expect(403, "permission_denied");
    h.authed(Method::POST, &cancel, &moderator.token, Some(json!({"reason":""})))
        .await
        .expect(422, "validation_failed");
    let done = h.authed(Method::POST, &cancel, &moderator.token, Some(json!({"reason":"chargeback"}))).await;
    assert_eq!(done.ok(200)["status"], "cancelled");
    h.authed(Method::POST, &cancel, &moderator.token, Some(json!({"reason":"again"})))
        .await
        .expect(409, "invalid_state");
    let usage = h.authed(Method::GET, "/api/v1/usage", &token, None).await;
    assert_eq!(usage.ok(200)["active_package"]["status"], "active");
    assert_eq!(usage.ok(200)["queued"], json!([]));
    assert_eq!(audit_rows(&pool, "package.cancel").await, 1);

    // Token rotation by staff: the bot may not, support may; the old token dies; unknown → 404.
    let before =
        h.authed(Method::GET, "/api/v1/subscription", &token, None).await.ok(200)["token"].as_str().unwrap().to_owned();
    let rotate = format!("/api/v1/admin/customers/{carol}/subscription/rotate");
    h.authed(Method::POST, &rotate, &bot.token, Some(json!({"reason":"leak"}))).await.expect(403, "permission_denied");
    let r = h.authed(Method::POST, &rotate, &cs.token, Some(json!({"reason":"link posted in a forum"}))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(send(&all, subscribe(&before)).await.status, StatusCode::NOT_FOUND);
    let after = h.authed(Method::GET, "/api/v1/subscription", &token, None).await.ok(200)["token"].clone();
    assert_ne!(after, json!(before));
    let unknown = format!("/api/v1/admin/customers/{}/subscription/rotate", Uuid::now_v7());
    h.authed(Method::POST, &unknown, &cs.token, Some(json!({"reason":"x"}))).await.expect(404, "not_found");
    assert_eq!(audit_rows(&pool, "subscription.rotate").await, 1);
}

/// Runs the package e-mail consumer on the newest `event_type` event of `package`.
async fn mail_consumer(h: &Harness, event_type: &str, package: Uuid) {
    let event = crate::telecom_agents::event_for(&h.pool, event_type, package).await;
    let handlers = h.state.telecom.handlers();
    let handler = handlers.iter().find(|c| c.name() == "telecom_package_mail").unwrap();
    let mut tx = h.pool.begin().await.unwrap();
    handler.handle(&mut tx, &event, 1).await.unwrap();
    tx.commit().await.unwrap();
}

fn templates(mails: &[Value]) -> Vec<String> {
    mails.iter().map(|m| m["template"].as_str().unwrap_or_default().to_owned()).collect()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn customers_are_told_when_a_package_starts_before_and_when_it_ends(pool: PgPool) {
    let (h, _) = setup(&pool).await;
    let product = plan(&h, 10_000).await;
    let frank = create_user(&pool, "frank@example.test", GOOD_PASSWORD).await;
    buy(&h, frank, product).await;
    let package: Uuid = sqlx::query_scalar("SELECT id FROM telecom.packages WHERE user_id = $1")
        .bind(frank)
        .fetch_one(&pool)
        .await
        .unwrap();
    mail_consumer(&h, "package.activated", package).await;
    let mails = crate::support::mail::emails(&pool, "frank@example.test").await;
    let activated = mails.iter().find(|m| m["template"] == "package_activated").expect("an activation e-mail");
    assert_eq!(activated["context"]["package_name"], "Plan");
    assert!(activated["context"]["expires_at"].as_str().unwrap().ends_with("UTC"));

    // Expiring within the lead: one reminder, with the days left.
    assert_eq!(
        h.state.telecom.packages.announce_expiring(std::time::Duration::from_secs(40 * 86_400), 100).await.unwrap(),
        1
    );
    mail_consumer(&h, "package.expiring", package).await;
    let mails = crate::support::mail::emails(&pool, "frank@example.test").await;
    let expiring = mails.iter().find(|m| m["template"] == "package_expiring").expect("a reminder");
    assert_eq!(expiring["context"]["days_left"], 30);

    // With a package queued behind it, nobody needs reminding.
    let gina = create_user(&pool, "gina@example.test", GOOD_PASSWORD).await;
    buy(&h, gina, product).await;
    buy(&h, gina, product).await;
    let active: Uuid = sqlx::query_scalar("SELECT id FROM telecom.packages WHERE user_id = $1 AND status = 'active'")
        .bind(gina)
        .fetch_one(&pool)
        .await
        .unwrap();
    h.state.telecom.packages.announce_expiring(std::time::Duration::from_secs(40 * 86_400), 100).await.unwrap();
    mail_consumer(&h, "package.expiring", active).await;
    let mails = crate::support::mail::emails(&pool, "gina@example.test").await;
    assert!(!templates(&mails).contains(&"package_expiring".to_owned()), "{:?}", templates(&mails));

    // Used up: Gina's queued package takes over (no e-mail); Frank's ends with nothing behind it.
    sqlx::query("UPDATE telecom.packages SET upload = traffic_bytes WHERE status = 'active'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(h.state.telecom.packages.sweep(100).await.unwrap(), 2);
    mail_consumer(&h, "package.consumed", active).await;
    mail_consumer(&h, "package.consumed", package).await;
    let gina_mails = templates(&crate::support::mail::emails(&pool, "gina@example.test").await);
    assert!(!gina_mails.contains(&"package_consumed".to_owned()), "{gina_mails:?}");
    let mails = crate::support::mail::emails(&pool, "frank@example.test").await;
    let ended = mails.iter().find(|m| m["template"] == "package_consumed").expect("an end-of-package e-mail");
    assert_eq!(ended["context"]["reason"], "traffic used up");
    assert!(ended["context"]["renew_url"].as_str().unwrap().ends_with("/plans"));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn nodes_go_offline_after_the_timeout_and_come_back_on_the_next_call(pool: PgPool) {
    let (h, all) = setup(&pool).await;
    let events = |t: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM outbox WHERE event_type = $1")
                .bind(t)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    // Never seen: not online, so nothing to announce.
    assert_eq!(h.state.telecom.nodes.mark_offline(100).await.unwrap(), 0);
    // The agent pulls: online, announced once.
    assert_eq!(send(&all, agent("config", NODE_TOKEN, None, None)).await.status, StatusCode::OK);
    for _ in 0..100 {
        if events("node.online").await == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(events("node.online").await, 1);
    // Silent for longer than the timeout: offline, announced once, even when the job runs twice.
    sqlx::query("UPDATE telecom.node_clients SET last_pull_at = now() - interval '1 day', last_push_at = NULL")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(h.state.telecom.nodes.mark_offline(100).await.unwrap(), 1);
    assert_eq!(h.state.telecom.nodes.mark_offline(100).await.unwrap(), 0);
    assert_eq!(events("node.offline").await, 1);
    let payload: Value = sqlx::query_scalar("SELECT payload FROM outbox WHERE event_type = 'node.offline'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!((payload["node_id"].clone(), payload["protocol"].clone()), (json!(1), json!("shadowsocks")));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn concurrent_pushes_over_the_same_users_all_land_exactly(pool: PgPool) {
    let (_h, all) = setup(&pool).await;
    sqlx::query(
        "WITH u AS (INSERT INTO auth.users (id, email)
                    SELECT gen_random_uuid(), 'p' || g || '@push.test' FROM generate_series(1, 3000) g RETURNING id),
              s AS (INSERT INTO telecom.subscriptions (user_id, uuid, token_hash, token_sealed)
                    SELECT id, gen_random_uuid(), sha256(convert_to(id::text, 'UTF8')), 'seeded' FROM u RETURNING user_id)
         INSERT INTO telecom.packages (id, user_id, name, status, traffic_bytes, duration_days, traffic_reset, activated_at, expires_at)
         SELECT gen_random_uuid(), user_id, 'P', 'active', 1000000000000, 30, 'none', now(), now() + interval '30 days' FROM s",
    )
    .execute(&pool)
    .await
    .unwrap();
    let ids: Vec<i64> = sqlx::query_scalar("SELECT agent_id FROM telecom.subscriptions ORDER BY agent_id")
        .fetch_all(&pool)
        .await
        .unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    // Eight agents' reports at once, each over half of the users (every user is in four of
    // them), each in its own order.
    let bodies: Vec<String> = (0..8i64)
        .map(|k| {
            let mut order: Vec<i64> = ids.iter().copied().filter(|id| (id + k) % 2 == 0).collect();
            order.sort_by_key(|id| (id * (2 * k + 7)) % 1009);
            let fields: Vec<String> = order.iter().map(|id| format!("\"{id}\":[{},{}]", k + 1, 10 * (k + 1))).collect();
            format!("{{{}}}", fields.join(","))
        })
        .collect();
    let requests = bodies.iter().map(|b| {
        let req =
            Request::post(format!("/api/v1/server/UniProxy/push?token={NODE_TOKEN}&node_id=1&node_type=shadowsocks"))
                .header("content-type", "application/json")
                .body(Body::from(b.clone()))
                .unwrap();
        send(&all, req)
    });
    let replies = futures::future::join_all(requests).await;
    for r in &replies {
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    }
    // Even agent ids got 1+3+5+7, odd ones 2+4+6+8 (downloads ten times that): nothing lost,
    // nothing twice.
    let wrong: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM telecom.packages p JOIN telecom.subscriptions s ON s.user_id = p.user_id
          WHERE p.name = 'P' AND (p.upload, p.download) <> (CASE WHEN s.agent_id % 2 = 0 THEN (16::bigint, 160::bigint) ELSE (20::bigint, 200::bigint) END)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(wrong, 0);
}
