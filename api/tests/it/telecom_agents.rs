//! The node-agent API as released XrayR and V2bX use it, and subscription documents, end to
//! end over the real router: packages from paid orders, pulls with ETags, pushes counted
//! once, quotas and the package queue, bans and unknown tokens.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use helium_api::mode::WorkMode;
use helium_domain::audit::Actor;
use helium_domain::config::ConfigKind;
use helium_domain::events::{Event, types};
use helium_domain::shop::commands::{NewOrder, ProductInput, SeriesInput, package_terms};
use helium_domain::telecom::commands::{NodeClientDraft, NodeServerDraft};
use helium_domain::telecom::model::{AgentNodeId, ProtocolSettings, Rate, ShadowsocksSettings, SsCipher};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sqlx::PgPool;
use tower::ServiceExt;
use uuid::Uuid;

use crate::support::shop::*;
use crate::support::*;

pub(crate) const NODE_TOKEN: &str = "node-token-0123456789abcdef-0123456789";

pub(crate) struct Reply {
    pub status: StatusCode,
    pub etag: Option<String>,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

pub(crate) async fn send(app: &Router, req: Request<Body>) -> Reply {
    let mut req = req;
    req.extensions_mut().insert(axum::extract::ConnectInfo("127.0.0.1:40000".parse::<std::net::SocketAddr>().unwrap()));
    let res = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    Reply {
        status: parts.status,
        etag: parts.headers.get(header::ETAG).and_then(|v| v.to_str().ok()).map(str::to_owned),
        headers: parts.headers,
        body: body.collect().await.unwrap().to_bytes().to_vec(),
    }
}

/// An agent of node 1 (shadowsocks), as XrayR/V2bX address it.
pub(crate) fn agent(path: &str, token: &str, if_none_match: Option<&str>, body: Option<Value>) -> Request<Body> {
    let uri = format!("/api/v1/server/UniProxy/{path}?token={token}&node_id=1&node_type=shadowsocks");
    let mut b = Request::builder().uri(uri).header(header::USER_AGENT, "V2bX/1.0");
    if let Some(tag) = if_none_match {
        b = b.header(header::IF_NONE_MATCH, tag);
    }
    match body {
        Some(v) => b.method("POST").header(header::CONTENT_TYPE, "application/json").body(Body::from(v.to_string())),
        None => b.method("GET").body(Body::empty()),
    }
    .unwrap()
}

/// A product of `traffic` bytes for 30 days.
pub(crate) async fn plan(h: &Harness, traffic: i64) -> Uuid {
    let actor = Actor::cli();
    let catalog = &h.state.shop.catalog;
    let series = catalog.create_series(&actor, &SeriesInput::new("Plan", None).unwrap()).await.unwrap();
    let terms = package_terms(traffic, 30, Some(100), Some(2), "none", &[]).unwrap();
    let version = catalog.create_version(&actor, series.id, &terms).await.unwrap();
    catalog.publish_version(&actor, series.id, version.id).await.unwrap();
    let input = ProductInput::new("Plan", None, 100, series.id, &[EVERYONE], true, 0, false).unwrap();
    catalog.create_product(&actor, &input).await.unwrap().id
}

pub(crate) async fn event_for(pool: &PgPool, event_type: &str, aggregate: Uuid) -> Event {
    let (id, occurred_at, payload): (Uuid, chrono::DateTime<chrono::Utc>, Value) = sqlx::query_as(
        "SELECT id, occurred_at, payload FROM outbox WHERE event_type = $1 AND aggregate_id = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(event_type)
    .bind(aggregate.to_string())
    .fetch_one(pool)
    .await
    .unwrap();
    Event::new(id, event_type, aggregate.to_string(), occurred_at, payload)
}

/// Buys `product` from the wallet and runs delivery and the telecom consumer, as the
/// consumer workers would.
pub(crate) async fn buy(h: &Harness, user: Uuid, product: Uuid) {
    deposit(h, user, 100).await;
    let order = h.state.shop.orders.create(user, &NewOrder::new(product, None).unwrap(), None).await.unwrap();
    h.state.shop.checkout.pay_with_wallet(user, order.id).await.unwrap();
    let handlers: Vec<_> = h.state.shop.handlers().into_iter().chain(h.state.telecom.handlers()).collect();
    for (name, event_type) in [("shop_delivery", types::ORDER_PAID), ("telecom_packages", types::ORDER_DELIVERED)] {
        let event = event_for(&h.pool, event_type, order.id).await;
        let handler = handlers.iter().find(|c| c.name() == name).unwrap();
        let mut tx = h.pool.begin().await.unwrap();
        handler.handle(&mut tx, &event, 1).await.unwrap();
        tx.commit().await.unwrap();
    }
    // The epoch is bumped again just after the consumer commits.
    h.state.telecom.context.snapshots.bump().await;
}

pub(crate) async fn agent_id(pool: &PgPool, user: Uuid) -> i64 {
    sqlx::query_scalar("SELECT agent_id FROM telecom.subscriptions WHERE user_id = $1")
        .bind(user)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn ids(users: &Value) -> Vec<i64> {
    users["users"].as_array().unwrap().iter().map(|u| u["id"].as_i64().unwrap()).collect()
}

pub(crate) async fn setup(pool: &PgPool) -> (Harness, Router) {
    let h = harness(pool.clone()).await;
    let mut telecom = h.state.config.load(ConfigKind::Telecom).await.unwrap().unwrap().value;
    telecom["vpn_server_token"] = json!(NODE_TOKEN);
    h.state.config.put(ConfigKind::Telecom, &telecom, None).await.unwrap();
    let nodes = &h.state.telecom.nodes;
    let server = NodeServerDraft {
        name: "Tokyo 1".into(),
        address: "jp1.helium.example".into(),
        region: Some("JP".into()),
        rate: Rate::ONE,
        tags: vec![],
        maintenance: false,
    };
    let server = nodes.create_server(&Actor::cli(), &server).await.unwrap();
    let client: NodeClientDraft = serde_json::from_value(json!({
        "node_id": 1, "name": "Tokyo SS", "port": 8388,
        "settings": serde_json::to_value(ProtocolSettings::Shadowsocks(ShadowsocksSettings {
            cipher: SsCipher::Aes128Gcm, server_key: None })).unwrap(),
    }))
    .unwrap();
    assert_eq!(client.node_id, AgentNodeId(1));
    nodes.create_client(&Actor::cli(), server.server.id.0, &client).await.unwrap();
    let app = helium_api::app::build(WorkMode::All, h.state.clone());
    (h, app)
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn agents_pull_push_and_see_customers_come_and_go(pool: PgPool) {
    let (h, app) = setup(&pool).await;
    let product = plan(&h, 10_000).await;

    // Wrong token, unknown node.
    assert_eq!(send(&app, agent("user", "wrong", None, None)).await.status, StatusCode::UNAUTHORIZED);
    let unknown = Request::get(format!("/api/v1/server/UniProxy/user?token={NODE_TOKEN}&node_id=9&node_type=vless"))
        .body(Body::empty())
        .unwrap();
    let r = send(&app, unknown).await;
    assert_eq!((r.status, r.json()["code"].clone()), (StatusCode::NOT_FOUND, json!("node_not_found")));

    // Nobody yet: an empty list, not an error; config answers with the node's settings.
    let empty = send(&app, agent("user", NODE_TOKEN, Some(""), None)).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.json(), json!({ "users": [] }));
    let config = send(&app, agent("config", NODE_TOKEN, None, None)).await;
    assert_eq!(config.status, StatusCode::OK);
    assert_eq!(config.json()["server_port"], 8388);
    let again = send(&app, agent("config", NODE_TOKEN, config.etag.as_deref(), None)).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);

    // A customer buys: on the next pull they are in the list, with the package's limits.
    let alice = customer(&pool).await;
    buy(&h, alice, product).await;
    let a = agent_id(&pool, alice).await;
    let first = send(&app, agent("user", NODE_TOKEN, empty.etag.as_deref(), None)).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(ids(&first.json()), [a]);
    assert_eq!(first.json()["users"][0]["speed_limit"], 100);
    assert_eq!(first.json()["users"][0]["device_limit"], 2);
    let etag = first.etag.clone().unwrap();
    assert_eq!(etag, helium_domain::telecom::node_api::etag(&first.body), "the ETag is a function of the body");
    let unchanged = send(&app, agent("user", NODE_TOKEN, Some(&etag), None)).await;
    assert_eq!((unchanged.status, unchanged.body.len()), (StatusCode::NOT_MODIFIED, 0));

    // Traffic lands once, also when the identical push is retried.
    let push = json!({ a.to_string(): [1_000, 2_000] });
    for _ in 0..3 {
        let r = send(&app, agent("push", NODE_TOKEN, None, Some(push.clone()))).await;
        assert_eq!((r.status, r.json()), (StatusCode::OK, json!({ "data": true })));
    }
    let used: (i64, i64) = sqlx::query_as("SELECT upload, download FROM telecom.packages WHERE user_id = $1")
        .bind(alice)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(used, (1_000, 2_000));
    // Unknown users in a push are skipped.
    let stray =
        send(&app, agent("push", NODE_TOKEN, None, Some(json!({ "999999": [5, 5], a.to_string(): [1, 0] })))).await;
    assert_eq!(stray.status, StatusCode::OK);

    // Bob buys two packages: one active, one queued.
    let bob = customer(&pool).await;
    buy(&h, bob, product).await;
    buy(&h, bob, product).await;
    let b = agent_id(&pool, bob).await;
    let statuses: Vec<String> =
        sqlx::query_scalar("SELECT status FROM telecom.packages WHERE user_id = $1 ORDER BY created_at")
            .bind(bob)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(statuses, ["active", "in_queue"]);
    let both = send(&app, agent("user", NODE_TOKEN, Some(&etag), None)).await;
    assert_eq!(ids(&both.json()), [a, b]);

    // Alice uses up her traffic: she leaves the list. Bob's first package runs out: the
    // queued one activates and he stays.
    let r = send(
        &app,
        agent("push", NODE_TOKEN, None, Some(json!({ a.to_string(): [10_000, 0], b.to_string(): [0, 10_000] }))),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let after = send(&app, agent("user", NODE_TOKEN, both.etag.as_deref(), None)).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(ids(&after.json()), [b]);
    let statuses: Vec<String> =
        sqlx::query_scalar("SELECT status FROM telecom.packages WHERE user_id = $1 ORDER BY created_at")
            .bind(bob)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(statuses, ["consumed", "active"]);

    // Devices: two IPs from two pushes, counted per user.
    let alive = json!({ b.to_string(): ["203.0.113.5", "203.0.113.6_1"] });
    assert_eq!(send(&app, agent("alive", NODE_TOKEN, None, Some(alive))).await.status, StatusCode::OK);
    let list = send(&app, agent("alivelist", NODE_TOKEN, None, None)).await;
    assert_eq!(list.json()["alive"][b.to_string()], 2);

    // A bad push body is a 422, never a 500; status reports land.
    let bad = send(&app, agent("push", NODE_TOKEN, None, Some(json!("nope")))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let status = json!({ "cpu": 12.5, "mem": { "total": 100, "used": 40 }, "swap": { "total": 0, "used": 0 }, "disk": { "total": 100, "used": 10 } });
    assert_eq!(send(&app, agent("status", NODE_TOKEN, None, Some(status))).await.status, StatusCode::OK);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn subscription_documents_follow_the_package_and_the_token(pool: PgPool) {
    let (h, app) = setup(&pool).await;
    let product = plan(&h, 1 << 30).await;
    let carol = customer(&pool).await;
    let creds = h.state.telecom.subscriptions.of(carol).await.unwrap();
    let fetch = |token: String, ua: &'static str| {
        Request::get(format!("/subscribe/{token}")).header(header::USER_AGENT, ua).body(Body::empty()).unwrap()
    };

    // No package: an empty document, not an error.
    let empty = send(&app, fetch(creds.token.clone(), "clash-verge/v2.0")).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(!String::from_utf8_lossy(&empty.body).contains("jp1.helium.example"));

    buy(&h, carol, product).await;
    let clash = send(&app, fetch(creds.token.clone(), "clash-verge/v2.0")).await;
    assert_eq!(clash.status, StatusCode::OK);
    let text = String::from_utf8_lossy(&clash.body).into_owned();
    assert!(text.contains("jp1.helium.example") && text.contains("Tokyo SS"), "{text}");
    let info = clash.headers.get("subscription-userinfo").unwrap().to_str().unwrap().to_owned();
    assert!(info.contains(&format!("total={}", 1_u64 << 30)), "{info}");

    // The same token over and over: served from the cached view, no database write.
    let before: i64 =
        sqlx::query_scalar("SELECT n_tup_upd + n_tup_ins FROM pg_stat_user_tables WHERE relname = 'subscriptions'")
            .fetch_one(&pool)
            .await
            .unwrap();
    for _ in 0..20 {
        assert_eq!(send(&app, fetch(creds.token.clone(), "sing-box 1.12.0")).await.status, StatusCode::OK);
    }
    let after: i64 =
        sqlx::query_scalar("SELECT n_tup_upd + n_tup_ins FROM pg_stat_user_tables WHERE relname = 'subscriptions'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(before, after);

    // Rotation: the old token is dead at once; the new one works.
    let rotated = h.state.telecom.subscriptions.rotate(carol, None).await.unwrap();
    let old = send(&app, fetch(creds.token.clone(), "clash-verge/v2.0")).await;
    assert_eq!((old.status, old.json()["code"].clone()), (StatusCode::NOT_FOUND, json!("subscription_not_found")));
    assert_eq!(send(&app, fetch(rotated.token.clone(), "clash-verge/v2.0")).await.status, StatusCode::OK);

    // A banned account: 403 with an empty body.
    sqlx::query("UPDATE auth.users SET status = 'banned' WHERE id = $1").bind(carol).execute(&pool).await.unwrap();
    h.state.telecom.context.snapshots.bump().await;
    let banned = send(&app, fetch(rotated.token.clone(), "clash-verge/v2.0")).await;
    assert_eq!((banned.status, banned.body.len()), (StatusCode::FORBIDDEN, 0));

    // Guessing tokens is limited per address.
    let mut last = StatusCode::OK;
    for i in 0..400 {
        last = send(&app, fetch(format!("guess{i}"), "curl")).await.status;
        if last == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

/// Rotating the node token never cuts every agent off at once: while
/// `vpn_server_token_previous` holds the old token both are accepted; cleared, only the new one.
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn the_node_token_rotates_without_cutting_agents_off(pool: PgPool) {
    const NEW_TOKEN: &str = "rotated-node-token-fedcba9876543210-0123";
    let (h, app) = setup(&pool).await;
    let set = async |current: &str, previous: &str| {
        let mut telecom = h.state.config.load(ConfigKind::Telecom).await.unwrap().unwrap().value;
        telecom["vpn_server_token"] = json!(current);
        telecom["vpn_server_token_previous"] = json!(previous);
        h.state.config.put(ConfigKind::Telecom, &telecom, None).await.unwrap();
    };
    let status = async |token: &str| send(&app, agent("config", token, None, None)).await.status;
    assert_eq!(status(NODE_TOKEN).await, StatusCode::OK);

    set(NEW_TOKEN, NODE_TOKEN).await;
    assert_eq!(status(NEW_TOKEN).await, StatusCode::OK, "agents already moved");
    assert_eq!(status(NODE_TOKEN).await, StatusCode::OK, "agents not moved yet");
    assert_eq!(status("some-other-token-0123456789abcdef-012345").await, StatusCode::UNAUTHORIZED);
    // Staff see both masked, and an edit that sends the masks back keeps both.
    let root = crate::support::staff::staff(&h, helium_domain::admin::Role::SuperAdmin).await;
    let shown = h.authed(axum::http::Method::GET, "/api/v1/admin/config/telecom", &root.token, None).await;
    let value = shown.ok(200)["value"].clone();
    assert_eq!(
        (value["vpn_server_token"].as_str(), value["vpn_server_token_previous"].as_str()),
        (Some("********"), Some("********"))
    );
    let body = json!({ "value": value });
    h.authed(axum::http::Method::PUT, "/api/v1/admin/config/telecom", &root.token, Some(body)).await.ok(200);
    assert_eq!(status(NODE_TOKEN).await, StatusCode::OK);

    set(NEW_TOKEN, "").await;
    assert_eq!(status(NEW_TOKEN).await, StatusCode::OK);
    assert_eq!(status(NODE_TOKEN).await, StatusCode::UNAUTHORIZED, "the rotation is over");
}
