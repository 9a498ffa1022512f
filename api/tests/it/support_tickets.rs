//! Support tickets: the customer and staff lifecycle with its state machine, BOLA (another
//! customer's ticket is an unknown id), SupportBot's limits, internal notes that customers
//! never see, text limits, concurrent replies, events, e-mails and audit rows, and gRPC
//! answering as REST.

use axum::http::Method;
use helium_api::grpc::pb;
use helium_api::grpc::pb::admin_support_service_client::AdminSupportServiceClient;
use helium_api::grpc::pb::support_service_client::SupportServiceClient;
use helium_domain::admin::Role;
use serde_json::{Value, json};
use sqlx::PgPool;
use tonic::Request;
use uuid::Uuid;

use crate::support::staff::*;
use crate::support::*;

/// A signed-in customer: (id, e-mail, access token).
async fn customer(h: &Harness, name: &str) -> (Uuid, String, String) {
    let email = format!("{name}-{}@example.test", Uuid::new_v4().simple());
    let id = create_user(&h.pool, &email, GOOD_PASSWORD).await;
    let (token, _) = h.session(&email, GOOD_PASSWORD).await;
    (id, email, token)
}

async fn open_ticket(h: &Harness, token: &str, subject: &str) -> Value {
    let body = json!({ "subject": subject, "body": "It does not work.", "priority": "normal" });
    h.authed(Method::POST, "/api/v1/tickets", token, Some(body)).await.ok(201).clone()
}

async fn reply(h: &Harness, token: &str, id: &str, body: &str) -> Resp {
    h.authed(Method::POST, &format!("/api/v1/tickets/{id}/messages"), token, Some(json!({ "body": body }))).await
}

async fn staff_reply(h: &Harness, token: &str, id: &str, body: &str, internal: bool) -> Resp {
    let req = json!({ "body": body, "internal": internal });
    h.authed(Method::POST, &format!("/api/v1/admin/tickets/{id}/messages"), token, Some(req)).await
}

async fn set_status(h: &Harness, token: &str, id: &str, status: &str) -> Resp {
    let req = json!({ "status": status, "note": format!("set to {status}") });
    h.authed(Method::POST, &format!("/api/v1/admin/tickets/{id}/status"), token, Some(req)).await
}

async fn status_of(h: &Harness, token: &str, id: &str) -> String {
    let r = h.authed(Method::GET, &format!("/api/v1/tickets/{id}"), token, None).await;
    s(&r.ok(200)["ticket"]["status"]).to_owned()
}

async fn events(pool: &PgPool, event_type: &str, ticket: &str) -> Vec<Value> {
    sqlx::query_scalar(
        "SELECT payload FROM outbox WHERE event_type = $1 AND aggregate_id = $2 ORDER BY occurred_at, id",
    )
    .bind(event_type)
    .bind(ticket)
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn audit_rows(pool: &PgPool, action: &str, ticket: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM staff.audit_log WHERE action = $1 AND target_id = $2")
        .bind(action)
        .bind(ticket)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn templates(mails: &[Value]) -> Vec<&str> {
    mails.iter().map(|m| s(&m["template"])).collect()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_ticket_goes_through_its_lifecycle(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let (user_id, email, token) = customer(&h, "ada").await;
    let cs = staff(&h, Role::CustomerSupport).await;

    let created = h
        .authed(
            Method::POST,
            "/api/v1/tickets",
            &token,
            Some(json!({ "subject": "  VPN drops  ", "body": "Since Monday.\r\nEvery hour.", "priority": "high" })),
        )
        .await;
    let t = created.ok(201).clone();
    let id = s(&t["id"]).to_owned();
    assert_eq!(created.header("location"), Some(format!("/api/v1/tickets/{id}").as_str()));
    assert_eq!((s(&t["status"]), s(&t["priority"]), s(&t["subject"])), ("open", "high", "VPN drops"));
    assert!(t.get("assignee_id").is_none() && t.get("user_id").is_none(), "customers see no staff fields: {t}");
    let detail = h.authed(Method::GET, &format!("/api/v1/tickets/{id}"), &token, None).await.ok(200).clone();
    assert_eq!(detail["messages"][0]["body"], "Since Monday.\nEvery hour.");
    assert_eq!(detail["messages"][0]["author"], "customer");
    let created_events = events(&pool, "ticket.created", &id).await;
    assert_eq!(created_events.len(), 1);
    assert_eq!(created_events[0]["user_id"], json!(user_id));
    assert_eq!(created_events[0]["status"], "open");

    // Staff answer: the customer's turn, an event without the text, an e-mail with it.
    let r = staff_reply(&h, &cs.token, &id, "Please restart the app.", false).await;
    assert_eq!(r.ok(201)["author_type"], "admin");
    assert_eq!(status_of(&h, &token, &id).await, "pending");
    let replied = events(&pool, "ticket.replied", &id).await;
    assert_eq!(replied.len(), 1);
    assert!(!replied[0].to_string().contains("restart"), "event payloads carry no text: {}", replied[0]);
    let mails = emails(&pool, &email).await;
    assert_eq!(templates(&mails), ["ticket_reply"]);
    let ctx = &mails[0]["context"];
    assert_eq!(ctx["ticket_subject"], "VPN drops");
    assert_eq!(ctx["reply_excerpt"], "Please restart the app.");
    assert_eq!(ctx["ticket_url"], format!("http://localhost:8080/tickets/{id}"));
    assert_eq!(audit_rows(&pool, "ticket.reply", &id).await, 1);

    // The customer answers: staff's turn again; the customer's own reply e-mails nobody.
    reply(&h, &token, &id, "Did not help.").await.ok(201);
    assert_eq!(status_of(&h, &token, &id).await, "open");
    assert_eq!(emails(&pool, &email).await.len(), 1);

    // Staff resolve it: the customer is told; a customer reply on resolved reopens it.
    assert_eq!(set_status(&h, &cs.token, &id, "resolved").await.ok(200)["status"], "resolved");
    assert_eq!(templates(&emails(&pool, &email).await), ["ticket_reply", "ticket_status_changed"]);
    reply(&h, &token, &id, "Still broken, sorry.").await.ok(201);
    assert_eq!(status_of(&h, &token, &id).await, "open");
    // Refused transitions: the same state, resolved → pending.
    set_status(&h, &cs.token, &id, "open").await.expect(409, "invalid_ticket_transition");
    set_status(&h, &cs.token, &id, "resolved").await.ok(200);
    set_status(&h, &cs.token, &id, "pending").await.expect(409, "invalid_ticket_transition");

    // The customer closes it: final for everyone.
    let closed = h.authed(Method::POST, &format!("/api/v1/tickets/{id}/close"), &token, None).await;
    assert_eq!(closed.ok(200)["status"], "closed");
    assert!(closed.body["closed_at"].is_string());
    reply(&h, &token, &id, "One more thing").await.expect(409, "ticket_closed");
    h.authed(Method::POST, &format!("/api/v1/tickets/{id}/close"), &token, None).await.expect(409, "ticket_closed");
    staff_reply(&h, &cs.token, &id, "Hello?", false).await.expect(409, "ticket_closed");
    staff_reply(&h, &cs.token, &id, "note", true).await.expect(409, "ticket_closed");
    for to in ["open", "pending", "resolved", "closed"] {
        set_status(&h, &cs.token, &id, to).await.expect(409, "invalid_ticket_transition");
    }
    let changes: Vec<(String, String)> = events(&pool, "ticket.status_changed", &id)
        .await
        .iter()
        .map(|e| (s(&e["from"]).to_owned(), s(&e["status"]).to_owned()))
        .collect();
    let pairs = [("open", "pending"), ("pending", "open"), ("open", "resolved"), ("resolved", "open")];
    let mut expected: Vec<(String, String)> = pairs.iter().map(|(a, b)| ((*a).into(), (*b).into())).collect();
    expected.extend([("open".into(), "resolved".into()), ("resolved".into(), "closed".into())]);
    assert_eq!(changes, expected);
    assert_eq!(audit_rows(&pool, "ticket.status", &id).await, 2, "refused changes write no audit row");
    // Closing by the customer sends no status e-mail (they did it themselves).
    assert_eq!(
        templates(&emails(&pool, &email).await),
        ["ticket_reply", "ticket_status_changed", "ticket_status_changed"]
    );
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn another_customers_ticket_is_an_unknown_id(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let (ada_id, _, ada) = customer(&h, "ada").await;
    let (_, _, bob) = customer(&h, "bob").await;
    let t = open_ticket(&h, &ada, "Ada's ticket").await;
    let id = s(&t["id"]).to_owned();
    let unknown = Uuid::now_v7().to_string();

    for (method, suffix, body) in [
        (Method::GET, "", None),
        (Method::POST, "/messages", Some(json!({ "body": "mine now" }))),
        (Method::POST, "/close", None),
    ] {
        let theirs = h.authed(method.clone(), &format!("/api/v1/tickets/{id}{suffix}"), &bob, body.clone()).await;
        let nobody = h.authed(method.clone(), &format!("/api/v1/tickets/{unknown}{suffix}"), &bob, body).await;
        theirs.expect(404, "not_found");
        assert_eq!(theirs.anonymous(), nobody.anonymous(), "{method} {suffix}");
    }
    let bobs = h.authed(Method::GET, "/api/v1/tickets", &bob, None).await;
    assert_eq!(bobs.ok(200)["items"], json!([]));
    // Nothing changed on Ada's ticket.
    assert_eq!(status_of(&h, &ada, &id).await, "open");
    let detail = h.authed(Method::GET, &format!("/api/v1/tickets/{id}"), &ada, None).await;
    assert_eq!(detail.ok(200)["messages"].as_array().unwrap().len(), 1);

    // An order of Ada's named by Bob, and an unknown order: the same 422 naming `order_id`.
    let order = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO shop.orders (id, trade_no, user_id, kind, product_name, status, subtotal, total, currency, expires_at)
         VALUES ($1, $2, $3, 'top_up', 'Top-up', 'unpaid', 100, 100, 'USD', now() + interval '1 hour')",
    )
    .bind(order)
    .bind(format!("T{}", order.simple()))
    .bind(ada_id)
    .execute(&pool)
    .await
    .unwrap();
    let with =
        |o: Uuid| json!({ "subject": "About my order", "body": "Where is it?", "priority": "low", "order_id": o });
    let theirs = h.authed(Method::POST, "/api/v1/tickets", &bob, Some(with(order))).await;
    let nobody = h.authed(Method::POST, "/api/v1/tickets", &bob, Some(with(Uuid::now_v7()))).await;
    theirs.expect(422, "validation_failed");
    assert_eq!(theirs.body["errors"][0]["field"], "order_id");
    assert_eq!(theirs.anonymous(), nobody.anonymous());
    let mine = h.authed(Method::POST, "/api/v1/tickets", &ada, Some(with(order))).await;
    assert_eq!(mine.ok(201)["order_id"], json!(order));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn support_bot_answers_but_notes_assignment_and_status_are_for_managers(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let (user_id, email, token) = customer(&h, "ada").await;
    let bot = staff(&h, Role::SupportBot).await;
    let cs = staff(&h, Role::CustomerSupport).await;
    let moderator = staff(&h, Role::Moderator).await;
    let t = open_ticket(&h, &token, "Refund 100% please_now").await;
    let id = s(&t["id"]).to_owned();

    // The bot reads and replies.
    let list = h.authed(Method::GET, "/api/v1/admin/tickets", &bot.token, None).await;
    assert_eq!(list.ok(200)["items"][0]["id"], json!(id));
    h.authed(Method::GET, &format!("/api/v1/admin/tickets/{id}"), &bot.token, None).await.ok(200);
    staff_reply(&h, &bot.token, &id, "An agent will look at this.", false).await.ok(201);
    // …but writes no internal note, assigns nothing and changes no status.
    staff_reply(&h, &bot.token, &id, "secret", true).await.expect(403, "permission_denied");
    let assign = json!({ "assignee_id": cs.id });
    h.authed(Method::POST, &format!("/api/v1/admin/tickets/{id}/assign"), &bot.token, Some(assign.clone()))
        .await
        .expect(403, "permission_denied");
    set_status(&h, &bot.token, &id, "resolved").await.expect(403, "permission_denied");
    assert_eq!(status_of(&h, &token, &id).await, "pending");

    // A manager's internal note: staff see it; the customer never does, nor hears of it.
    let note = staff_reply(&h, &cs.token, &id, "Customer is on the legacy plan", true).await;
    assert_eq!(note.ok(201)["internal"], true);
    assert_eq!(audit_rows(&pool, "ticket.note", &id).await, 1);
    assert_eq!(status_of(&h, &token, &id).await, "pending", "a note changes nothing");
    let staff_view = h.authed(Method::GET, &format!("/api/v1/admin/tickets/{id}"), &cs.token, None).await;
    let internal: Vec<bool> =
        staff_view.ok(200)["messages"].as_array().unwrap().iter().map(|m| m["internal"].as_bool().unwrap()).collect();
    assert_eq!(internal, [false, false, true]);
    let mine = h.authed(Method::GET, &format!("/api/v1/tickets/{id}"), &token, None).await;
    let text = mine.ok(200).to_string();
    assert!(!text.contains("legacy plan") && !text.contains("internal"), "{text}");
    assert_eq!(mine.body["messages"].as_array().unwrap().len(), 2);
    let listed = h.authed(Method::GET, "/api/v1/tickets", &token, None).await;
    assert!(!listed.ok(200).to_string().contains("legacy plan"));
    assert_eq!(events(&pool, "ticket.replied", &id).await.len(), 1, "only the bot's reply");
    assert_eq!(templates(&emails(&pool, &email).await), ["ticket_reply"]);

    // Assignment: eligible staff only; null unassigns.
    let path = format!("/api/v1/admin/tickets/{id}/assign");
    let r = h.authed(Method::POST, &path, &moderator.token, Some(assign)).await;
    assert_eq!(r.ok(200)["assignee_id"], json!(cs.id));
    let r = h.authed(Method::POST, &path, &moderator.token, Some(json!({ "assignee_id": Uuid::now_v7() }))).await;
    r.expect(422, "assignee_invalid");
    h.authed(Method::POST, &path, &moderator.token, Some(json!({}))).await.expect(422, "validation_failed");
    sqlx::query("UPDATE staff.admins SET status = 'disabled' WHERE id = $1").bind(bot.id).execute(&pool).await.unwrap();
    let r = h.authed(Method::POST, &path, &moderator.token, Some(json!({ "assignee_id": bot.id }))).await;
    r.expect(422, "assignee_invalid");
    assert_eq!(audit_rows(&pool, "ticket.assign", &id).await, 1);
    let r = h.authed(Method::POST, &path, &moderator.token, Some(json!({ "assignee_id": null }))).await;
    assert!(r.ok(200)["assignee_id"].is_null());
    let r = h.authed(Method::POST, &path, &moderator.token, Some(json!({ "assignee_id": cs.id }))).await;
    assert_eq!(r.ok(200)["assignee_id"], json!(cs.id));

    // Staff filters, and a subject search whose wildcards match themselves.
    let other = open_ticket(&h, &token, "Refund 100 please now").await;
    let search = |q: &str| format!("/api/v1/admin/tickets?q={q}");
    let found = h.authed(Method::GET, &search("100%25%20please_"), &cs.token, None).await;
    let ids: Vec<&Value> = found.ok(200)["items"].as_array().unwrap().iter().map(|t| &t["id"]).collect();
    assert_eq!(ids, [&json!(id)]);
    let by_assignee =
        h.authed(Method::GET, &format!("/api/v1/admin/tickets?assignee_id={}", cs.id), &cs.token, None).await;
    assert_eq!(by_assignee.ok(200)["items"].as_array().unwrap().len(), 1);
    // `none` is the unassigned queue (any case); its cursor is not valid for another filter.
    let nobodys = h.authed(Method::GET, "/api/v1/admin/tickets?assignee_id=None&limit=1", &cs.token, None).await;
    let nobodys = nobodys.ok(200).clone();
    assert_eq!(nobodys["items"].as_array().unwrap().len(), 1);
    assert_eq!(nobodys["items"][0]["id"], other["id"]);
    assert!(nobodys["items"][0]["assignee_id"].is_null());
    if let Some(cursor) = nobodys["next_cursor"].as_str() {
        let path = format!("/api/v1/admin/tickets?assignee_id={}&cursor={cursor}", cs.id);
        h.authed(Method::GET, &path, &cs.token, None).await.expect(422, "validation_failed");
    }
    h.authed(Method::GET, "/api/v1/admin/tickets?assignee_id=nobody", &cs.token, None)
        .await
        .expect(422, "validation_failed");
    let by_user =
        h.authed(Method::GET, &format!("/api/v1/admin/tickets?user_id={user_id}&status=open"), &cs.token, None).await;
    assert_eq!(by_user.ok(200)["items"][0]["id"], other["id"]);
    let long = "q".repeat(101);
    h.authed(Method::GET, &search(&long), &cs.token, None).await.expect(422, "validation_failed");
    h.authed(Method::GET, "/api/v1/admin/tickets?priority=asap", &cs.token, None)
        .await
        .expect(422, "validation_failed");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn oversized_and_control_character_text_is_refused(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let (_, _, token) = customer(&h, "ada").await;
    let cs = staff(&h, Role::CustomerSupport).await;
    let create = |subject: String, body: String, priority: &str| json!({ "subject": subject, "body": body, "priority": priority });
    let cases = [
        (create("s".repeat(201), "b".into(), "low"), "subject", "too_long"),
        (create("ok".into(), "b".repeat(10_001), "low"), "body", "too_long"),
        (create("ok".into(), "nul\u{0}byte".into(), "low"), "body", "invalid_format"),
        (create("ok".into(), "escape\u{1b}[31m".into(), "low"), "body", "invalid_format"),
        (create("line\nbreak".into(), "b".into(), "low"), "subject", "invalid_format"),
        (create("ok".into(), " \n ".into(), "low"), "body", "required"),
        (create("ok".into(), "b".into(), "asap"), "priority", "invalid_enum"),
    ];
    for (body, field, code) in cases {
        let r = h.authed(Method::POST, "/api/v1/tickets", &token, Some(body)).await;
        r.expect(422, "validation_failed");
        assert_eq!((s(&r.body["errors"][0]["field"]), s(&r.body["errors"][0]["code"])), (field, code), "{}", r.body);
    }
    let r = h
        .authed(
            Method::POST,
            "/api/v1/tickets",
            &token,
            Some(json!({ "subject": "x", "body": "y", "priority": "low", "status": "closed" })),
        )
        .await;
    r.expect(422, "validation_failed");
    // Exactly at the limits (in characters, not bytes) is fine.
    let r = h
        .authed(Method::POST, "/api/v1/tickets", &token, Some(create("é".repeat(200), "é".repeat(10_000), "urgent")))
        .await;
    let id = s(&r.ok(201)["id"]).to_owned();
    reply(&h, &token, &id, "a\u{0}b").await.expect(422, "validation_failed");
    reply(&h, &token, &id, &"x".repeat(10_001)).await.expect(422, "validation_failed");
    staff_reply(&h, &cs.token, &id, "a\u{0}b", false).await.expect(422, "validation_failed");
    staff_reply(&h, &cs.token, &id, "", true).await.expect(422, "validation_failed");
    let count = count(&pool, "SELECT count(*) FROM support.messages").await;
    assert_eq!(count, 1, "nothing refused was stored");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn twenty_concurrent_replies_keep_the_ticket_consistent(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let (_, _, token) = customer(&h, "ada").await;
    let cs = staff(&h, Role::CustomerSupport).await;
    let id = s(&open_ticket(&h, &token, "Busy").await["id"]).to_owned();
    staff_reply(&h, &cs.token, &id, "Your turn", false).await.ok(201);
    assert_eq!(status_of(&h, &token, &id).await, "pending");

    let replies = (0..20).map(|n| {
        let (h, token, id) = (h.clone(), token.clone(), id.clone());
        tokio::spawn(async move { reply(&h, &token, &id, &format!("reply {n}")).await.status.as_u16() })
    });
    let statuses: Vec<u16> = futures::future::join_all(replies).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(statuses, [201; 20]);
    assert_eq!(status_of(&h, &token, &id).await, "open");
    let messages = count(&pool, &format!("SELECT count(*) FROM support.messages WHERE ticket_id = '{id}'")).await;
    assert_eq!(messages, 22);
    assert_eq!(events(&pool, "ticket.replied", &id).await.len(), 21);
    let changes = events(&pool, "ticket.status_changed", &id).await;
    let back_to_open = changes.iter().filter(|e| e["from"] == "pending" && e["status"] == "open").count();
    assert_eq!(back_to_open, 1, "exactly one reply moved the ticket back to staff: {changes:?}");

    // A staff reply racing customer replies: every state change is recorded in order.
    let mixed = (0..10).map(|n| {
        let (h, token, staff_token, id) = (h.clone(), token.clone(), cs.token.clone(), id.clone());
        tokio::spawn(async move {
            if n % 2 == 0 {
                staff_reply(&h, &staff_token, &id, "staff", false).await.status.as_u16()
            } else {
                reply(&h, &token, &id, "customer").await.status.as_u16()
            }
        })
    });
    let statuses: Vec<u16> = futures::future::join_all(mixed).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(statuses, [201; 10]);
    let changes = events(&pool, "ticket.status_changed", &id).await;
    let mut state = "pending".to_owned();
    for e in &changes[1..] {
        assert_eq!(s(&e["from"]), state, "a lost state change: {changes:?}");
        state = s(&e["status"]).to_owned();
    }
    assert_eq!(status_of(&h, &token, &id).await, state);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn customers_have_at_most_twenty_unresolved_tickets(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let (_, _, token) = customer(&h, "ada").await;
    let mut first = String::new();
    for n in 0..20 {
        let t = open_ticket(&h, &token, &format!("Ticket {n}")).await;
        if n == 0 {
            first = s(&t["id"]).to_owned();
        }
    }
    let body = json!({ "subject": "One more", "body": "x", "priority": "low" });
    h.authed(Method::POST, "/api/v1/tickets", &token, Some(body.clone())).await.expect(409, "invalid_state");
    h.authed(Method::POST, &format!("/api/v1/tickets/{first}/close"), &token, None).await.ok(200);
    h.authed(Method::POST, "/api/v1/tickets", &token, Some(body)).await.ok(201);
    // Paging: 21 tickets, newest first, over two pages bound to their filter.
    let page = h.authed(Method::GET, "/api/v1/tickets?limit=20", &token, None).await.ok(200).clone();
    assert_eq!(page["items"].as_array().unwrap().len(), 20);
    assert_eq!(page["items"][0]["subject"], "One more");
    let cursor = s(&page["next_cursor"]).to_owned();
    let rest = h.authed(Method::GET, &format!("/api/v1/tickets?limit=20&cursor={cursor}"), &token, None).await;
    assert_eq!(rest.ok(200)["items"][0]["id"], json!(first));
    assert!(rest.body["next_cursor"].is_null());
    let other = h.authed(Method::GET, &format!("/api/v1/tickets?status=open&cursor={cursor}"), &token, None).await;
    other.expect(400, "invalid_cursor");
    h.authed(Method::GET, "/api/v1/tickets?status=new", &token, None).await.expect(422, "validation_failed");

    // A ticket holds at most 200 messages; the conversation then goes on in a new ticket.
    let id = s(&page["items"][0]["id"]).to_owned();
    sqlx::query(
        "INSERT INTO support.messages (id, ticket_id, author_type, author_id, body)
         SELECT gen_random_uuid(), t.id, 'customer', t.user_id, 'filler' FROM support.tickets t, generate_series(1, 198)
          WHERE t.id = $1::uuid",
    )
    .bind(&id)
    .execute(&pool)
    .await
    .unwrap();
    reply(&h, &token, &id, "the 200th").await.ok(201);
    reply(&h, &token, &id, "the 201st").await.expect(409, "invalid_state");
    let cs = staff(&h, Role::CustomerSupport).await;
    staff_reply(&h, &cs.token, &id, "note", true).await.expect(409, "invalid_state");
}

fn call<T>(msg: T, token: &str) -> Request<T> {
    let mut req = Request::new(msg);
    req.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    req
}

fn code(s: &tonic::Status) -> &str {
    s.metadata().get("x-helium-code").and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn grpc_answers_as_rest(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let (_, _, ada) = customer(&h, "ada").await;
    let (_, _, bob) = customer(&h, "bob").await;
    let bot = staff(&h, Role::SupportBot).await;
    let cs = staff(&h, Role::CustomerSupport).await;
    let (ch, stop) = crate::grpc_shop::serve(&h).await;
    let mut support = SupportServiceClient::new(ch.clone());
    let mut admin = AdminSupportServiceClient::new(ch);

    let new = pb::CreateTicketRequest {
        subject: "Over gRPC".into(),
        body: "Hello".into(),
        priority: "normal".into(),
        order_id: None,
    };
    let t = support.create_ticket(call(new.clone(), &ada)).await.unwrap().into_inner();
    assert_eq!(t.status, "open");
    let rest = h.authed(Method::GET, &format!("/api/v1/tickets/{}", t.id), &ada, None).await.ok(200).clone();
    assert_eq!(json!(t.subject), rest["ticket"]["subject"]);
    assert_eq!(
        json!(t.created_at),
        json!(chrono::DateTime::parse_from_rfc3339(s(&rest["ticket"]["created_at"])).unwrap().to_rfc3339())
    );

    // Validation: the same 422.
    let bad = pb::CreateTicketRequest { body: "nul\0".into(), ..new.clone() };
    let e = support.create_ticket(call(bad, &ada)).await.unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::InvalidArgument, "validation_failed"));
    // Another customer's ticket: not found, like an unknown id.
    let e = support.get_ticket(call(pb::TicketIdRequest { id: t.id.clone() }, &bob)).await.unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::NotFound, "not_found"));
    let e = support
        .reply_ticket(call(pb::ReplyTicketRequest { id: t.id.clone(), body: "mine".into() }, &bob))
        .await
        .unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::NotFound, "not_found"));
    // The bot: reply yes, internal note and status no.
    let m = admin
        .admin_reply_ticket(call(
            pb::AdminReplyTicketRequest { id: t.id.clone(), body: "Hi".into(), internal: false },
            &bot.token,
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(m.author_type, "admin");
    let e = admin
        .admin_reply_ticket(call(
            pb::AdminReplyTicketRequest { id: t.id.clone(), body: "x".into(), internal: true },
            &bot.token,
        ))
        .await
        .unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::PermissionDenied, "permission_denied"));
    let change = pb::SetTicketStatusRequest { id: t.id.clone(), status: "closed".into(), note: None };
    let e = admin.admin_set_ticket_status(call(change.clone(), &bot.token)).await.unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::PermissionDenied, "permission_denied"));
    // Closed is final on both adapters.
    admin.admin_set_ticket_status(call(change.clone(), &cs.token)).await.unwrap();
    let e = admin.admin_set_ticket_status(call(change, &cs.token)).await.unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::FailedPrecondition, "invalid_ticket_transition"));
    let e = support.close_ticket(call(pb::TicketIdRequest { id: t.id.clone() }, &ada)).await.unwrap_err();
    assert_eq!((e.code(), code(&e)), (tonic::Code::FailedPrecondition, "ticket_closed"));
    h.authed(Method::POST, &format!("/api/v1/tickets/{}/close", t.id), &ada, None).await.expect(409, "ticket_closed");
    let page =
        admin.admin_list_tickets(call(pb::AdminListTicketsRequest::default(), &cs.token)).await.unwrap().into_inner();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].status, "closed");
    // The unassigned queue answers the same over gRPC as over REST.
    let nobodys = pb::AdminListTicketsRequest { assignee_id: Some("none".into()), ..Default::default() };
    let page = admin.admin_list_tickets(call(nobodys, &cs.token)).await.unwrap().into_inner();
    let rest = h.authed(Method::GET, "/api/v1/admin/tickets?assignee_id=none", &cs.token, None).await;
    let rest_ids: Vec<String> =
        rest.ok(200)["items"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(page.items.iter().map(|t| t.id.clone()).collect::<Vec<_>>(), rest_ids);
    assert!(!rest_ids.is_empty() && page.items.iter().all(|t| t.assignee_id.is_none()));
    stop.cancel();
}

/// The unfolded header `name` of a raw message.
fn mail_header(raw: &str, name: &str) -> Option<String> {
    let raw = raw.replace("\r\n", "\n");
    let head = raw.split_once("\n\n").map_or(raw.as_str(), |(h, _)| h).replace("\n ", " ").replace("\n\t", " ");
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

/// A staff reply reaches the customer's mailbox through the real pipeline (outbox → relay →
/// RabbitMQ → mailer → SMTP) exactly once; an internal note sends nothing; resolving sends the
/// status e-mail.
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn staff_replies_reach_the_customers_mailbox(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let sink = crate::support::smtp::SmtpSink::start(free_port()).await;
    let prefix = redis_prefix();
    let config = helium_infra::ConfigStore::new(
        helium_infra::db::Db::new(pool.clone()),
        helium_infra::RedisHandle::new(REDIS_URL, prefix.clone()).unwrap(),
    );
    let mailer = json!({
        "host": "127.0.0.1", "port": sink.port, "username": "", "password": "",
        "sender": "Helium Support <support@helium.test>", "starttls": false,
    });
    config.put(helium_domain::config::ConfigKind::Mailer, &mailer, None).await.unwrap();
    let url = database_url_for(&pool).await;
    let mut helium = HeliumCommand::server("all", &url, &prefix).spawn();
    helium.wait_until_started().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !helium.stderr().lines().any(|l| l.contains("consumer running") && l.contains("mailer")) {
        helium.assert_running();
        assert!(std::time::Instant::now() < deadline, "no mailer consumer:\n{}", helium.stderr());
        tokio::time::sleep(POLL).await;
    }

    let (_, email, token) = customer(&h, "ada").await;
    let cs = staff(&h, Role::CustomerSupport).await;
    let id = s(&open_ticket(&h, &token, "VPN drops").await["id"]).to_owned();
    staff_reply(&h, &cs.token, &id, "Staff-only context", true).await.ok(201);
    staff_reply(&h, &cs.token, &id, "Please restart the app.", false).await.ok(201);
    set_status(&h, &cs.token, &id, "resolved").await.ok(200);

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let sent = loop {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT template, status FROM email_log WHERE recipient = $1 ORDER BY created_at, event_id")
                .bind(&email)
                .fetch_all(&pool)
                .await
                .unwrap();
        if rows.len() >= 2 && rows.iter().all(|(_, st)| st == "sent") && sink.messages().len() >= 2 {
            break rows;
        }
        helium.assert_running();
        assert!(
            std::time::Instant::now() < deadline,
            "mail not delivered: {rows:?}\n{}\n{}",
            helium.stderr(),
            sink.log()
        );
        tokio::time::sleep(POLL).await;
    };
    let templates: Vec<&str> = sent.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(templates, ["ticket_reply", "ticket_status_changed"]);
    let messages = sink.messages();
    assert_eq!(messages.len(), 2, "exactly one mail per staff reply and status change");
    let subjects: Vec<String> = messages.iter().map(|m| mail_header(m, "Subject").unwrap()).collect();
    assert_eq!(
        subjects,
        ["New reply to your support ticket: VPN drops", "Your support ticket was resolved: VPN drops"]
    );
    for m in &messages {
        assert_eq!(mail_header(m, "To").as_deref(), Some(email.as_str()));
        assert!(!m.contains("Staff-only context"), "an internal note leaked into a mail");
    }
}
