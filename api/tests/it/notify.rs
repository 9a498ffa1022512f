//! Notify: announcements only for their groups (BOLA: another group's id is 404), preferences
//! the mailer honours (a `marketing` opt-out suppresses, `security` cannot be turned off),
//! RFC 8058 one-click unsubscribe without signing in; and the e-mail address change.

use axum::body::Body;
use axum::http::{Method, Request, header as h};
use chrono::{TimeDelta, Utc};
use helium_domain::admin::Role;
use helium_domain::audit::Actor;
use helium_domain::config::ConfigKind;
use helium_domain::events::{EmailTemplate, Event};
use helium_domain::shop::commands::GroupInput;
use helium_infra::cron::JobContext;
use helium_infra::events::consumer::Handler;
use helium_infra::mail::MailHandler;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use crate::mailer_smtp::{header, parts, split_message};
use crate::support::smtp::SmtpSink;
use crate::support::staff::*;
use crate::support::*;

async fn run_jobs(h: &Harness) {
    let ctx = JobContext { db: h.state.db.clone(), config: h.state.config.clone(), keys: h.state.keys.clone() };
    for job in h.state.notify.jobs() {
        job.run(&ctx).await.unwrap();
    }
}

/// `email.requested` events in the outbox for `to`, oldest first.
async fn mail_events(pool: &PgPool, to: &str) -> Vec<Event> {
    let rows: Vec<(Uuid, chrono::DateTime<Utc>, Value)> = sqlx::query_as(
        "SELECT id, occurred_at, payload FROM outbox WHERE event_type = 'email.requested' AND payload->>'to' = $1 ORDER BY id",
    )
    .bind(to)
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter().map(|(id, at, p)| Event::new(id, "email.requested", to, at, p)).collect()
}

/// Hands one event to the real mailer (SMTP to the sink), as the `mailer` worker would.
async fn mail(h: &Harness, e: &Event) {
    let handler = MailHandler {
        config: h.state.config.clone(),
        keys: h.state.keys.clone(),
        max_attempts: 3,
        public_url: "https://app.helium.example".into(),
    };
    let mut tx = h.pool.begin().await.unwrap();
    handler.handle(&mut tx, e, 1).await.unwrap();
    tx.commit().await.unwrap();
}

async fn sink_for(h: &Harness) -> SmtpSink {
    let [port] = free_ports::<1>();
    let sink = SmtpSink::start(port).await;
    let value = json!({"host": "127.0.0.1", "port": port, "username": "", "password": "", "sender": "Helium <noreply@helium.example>", "starttls": false});
    h.state.config.put(ConfigKind::Mailer, &value, None).await.unwrap();
    sink
}

async fn log_status(pool: &PgPool, id: Uuid) -> String {
    sqlx::query_scalar("SELECT status FROM email_log WHERE event_id = $1").bind(id).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn opt_outs_suppress_mail_security_stays_on_and_one_click_unsubscribe_works_signed_out(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let sink = sink_for(&h).await;
    create_user(&pool, "alice@example.test", GOOD_PASSWORD).await;
    create_user(&pool, "bob@example.test", GOOD_PASSWORD).await;
    let (alice, _) = h.session("alice@example.test", GOOD_PASSWORD).await;
    let (bob, _) = h.session("bob@example.test", GOOD_PASSWORD).await;

    // Alice turns marketing off; security cannot be turned off; unknown categories name themselves.
    let path = "/api/v1/notification-preferences";
    let prefs = h.authed(Method::GET, path, &alice, None).await.ok(200).clone();
    assert_eq!(prefs["items"].as_array().unwrap().len(), 5);
    assert!(prefs["items"].as_array().unwrap().iter().all(|p| p["email"] == true));
    let locked = h.authed(Method::PATCH, path, &alice, Some(json!({ "security": { "email": false } }))).await;
    locked.expect(422, "preference_locked");
    h.authed(Method::PATCH, path, &alice, Some(json!({ "spam": { "email": false } })))
        .await
        .expect(422, "validation_failed");
    let after = h.authed(Method::PATCH, path, &alice, Some(json!({ "marketing": { "email": false } }))).await;
    let items = after.ok(200)["items"].as_array().unwrap().clone();
    let find = |items: &[Value], c: &str| items.iter().find(|p| p["category"] == c).unwrap().clone();
    assert_eq!(find(&items, "marketing")["email"], false);
    assert_eq!(find(&items, "security"), json!({ "category": "security", "email": true, "locked": true }));

    // An announcement with e-mail: the fan-out skips Alice, Bob gets it once.
    let staff = staff(&h, Role::Moderator).await;
    let body = json!({ "title": "New nodes in Tokyo", "body": "Enjoy.", "email": true });
    h.authed(Method::POST, "/api/v1/admin/announcements", &staff.token, Some(body)).await.ok(201);
    run_jobs(&h).await;
    run_jobs(&h).await;
    assert!(mail_events(&pool, "alice@example.test").await.is_empty());
    let to_bob = mail_events(&pool, "bob@example.test").await;
    assert_eq!(to_bob.len(), 1, "e-mailed once");

    // Even an announcement e-mail queued before her opt-out is suppressed at send time.
    let mut tx = pool.begin().await.unwrap();
    let queued = helium_infra::mail::request::email_event(
        &mut tx,
        &h.state.keys,
        "alice@example.test",
        EmailTemplate::Announcement,
        json!({ "title": "Sale", "body": "50 % off" }),
        json!({}),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    mail(&h, &queued).await;
    assert_eq!(log_status(&pool, queued.id).await, "suppressed");
    assert!(sink.messages().is_empty(), "nothing reached the SMTP server");

    // A security e-mail still reaches her, with no unsubscribe link.
    let mut tx = pool.begin().await.unwrap();
    let security = helium_infra::mail::request::email_event(
        &mut tx,
        &h.state.keys,
        "alice@example.test",
        EmailTemplate::SecurityPasswordChanged,
        json!({ "occurred_at": "now" }),
        json!({}),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    mail(&h, &security).await;
    assert_eq!(log_status(&pool, security.id).await, "sent");
    let (head, _) = split_message(&sink.messages()[0]);
    assert!(header(&head, "List-Unsubscribe").is_none(), "security mail has no unsubscribe");

    // Bob's announcement carries RFC 8058 headers and a link in both parts.
    mail(&h, &to_bob[0]).await;
    let raw = sink.messages()[1].clone();
    let (head, _) = split_message(&raw);
    let list = header(&head, "List-Unsubscribe").unwrap();
    assert_eq!(header(&head, "List-Unsubscribe-Post").as_deref(), Some("List-Unsubscribe=One-Click"));
    let url = list.trim_matches(|c| c == '<' || c == '>');
    assert!(url.starts_with("https://app.helium.example/api/v1/notification-preferences/unsubscribe?token="), "{url}");
    for (_, text) in parts(&raw) {
        assert!(text.contains("https://app.helium.example/unsubscribe?token="), "{text}");
    }
    let token = url.split_once("?token=").unwrap().1.to_owned();

    // Signed out, a mail client's one-click POST turns Bob's marketing off; tampering fails.
    let one_click = |token: &str| {
        Request::post(format!("/api/v1/notification-preferences/unsubscribe?token={token}"))
            .header(h::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("List-Unsubscribe=One-Click"))
            .unwrap()
    };
    let mut forged = token.clone().into_bytes();
    let last = forged.len() - 3;
    forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
    h.call(one_click(std::str::from_utf8(&forged).unwrap())).await.expect(410, "link_invalid");
    let done = h.call(one_click(&token)).await;
    assert_eq!(done.ok(200), &json!({ "category": "marketing", "email": false }));
    let prefs = h.authed(Method::GET, path, &bob, None).await.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(find(&prefs, "marketing")["email"], false);
    assert_eq!(find(&prefs, "billing")["email"], true, "only that category");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn announcements_reach_only_their_groups_in_order(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let vip = h.state.shop.groups.create(&Actor::cli(), &GroupInput::new("VIP", None).unwrap()).await.unwrap();
    let alice = create_user(&pool, "alice@example.test", GOOD_PASSWORD).await;
    create_user(&pool, "bob@example.test", GOOD_PASSWORD).await;
    sqlx::query("INSERT INTO shop.customer_group_members (user_id, group_id) VALUES ($1, $2)")
        .bind(alice)
        .bind(vip.id)
        .execute(&pool)
        .await
        .unwrap();
    let (alice_t, _) = h.session("alice@example.test", GOOD_PASSWORD).await;
    let (bob_t, _) = h.session("bob@example.test", GOOD_PASSWORD).await;
    let admin = staff(&h, Role::Moderator).await;
    let create =
        async |body: Value| h.authed(Method::POST, "/api/v1/admin/announcements", &admin.token, Some(body)).await;

    let vip_only =
        create(json!({ "title": "VIP lounge", "body": "For you", "group_ids": [vip.id] })).await.ok(201).clone();
    let plain = create(json!({ "title": "Hello", "body": "Everyone", "priority": 5 })).await.ok(201).clone();
    let pinned = create(json!({ "title": "Pinned", "body": "Read me", "pinned": true })).await.ok(201).clone();
    let later = (Utc::now() + TimeDelta::hours(1)).to_rfc3339();
    create(json!({ "title": "Later", "body": "Not yet", "publish_at": later })).await.ok(201);
    create(json!({ "title": "Bad", "body": "x", "group_ids": [Uuid::now_v7()] }))
        .await
        .expect(422, "validation_failed");
    create(json!({ "title": "Bad", "body": "x", "priority": 1000 })).await.expect(422, "validation_failed");
    create(json!({ "title": "x", "body": "y", "user_id": alice })).await.expect(422, "validation_failed");

    let titles = |v: &Value| {
        v["items"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    let a = h.authed(Method::GET, "/api/v1/announcements", &alice_t, None).await.ok(200).clone();
    assert_eq!(titles(&a), ["Pinned", "Hello", "VIP lounge"]);
    let b = h.authed(Method::GET, "/api/v1/announcements", &bob_t, None).await.ok(200).clone();
    assert_eq!(titles(&b), ["Pinned", "Hello"]);
    let vip_path = format!("/api/v1/announcements/{}", vip_only["id"].as_str().unwrap());
    assert_eq!(h.authed(Method::GET, &vip_path, &alice_t, None).await.ok(200)["title"], "VIP lounge");
    let denied = h.authed(Method::GET, &vip_path, &bob_t, None).await;
    let unknown = h.authed(Method::GET, &format!("/api/v1/announcements/{}", Uuid::now_v7()), &bob_t, None).await;
    denied.expect(404, "not_found");
    assert_eq!(denied.anonymous(), unknown.anonymous(), "another group's announcement looks unknown");
    // Paging: one at a time, in the same order.
    let p1 = h.authed(Method::GET, "/api/v1/announcements?limit=1", &bob_t, None).await.ok(200).clone();
    let cursor = p1["next_cursor"].as_str().unwrap();
    let p2 = h
        .authed(Method::GET, &format!("/api/v1/announcements?limit=1&cursor={cursor}"), &bob_t, None)
        .await
        .ok(200)
        .clone();
    assert_eq!((titles(&p1), titles(&p2)), (vec!["Pinned".to_owned()], vec!["Hello".to_owned()]));

    // Expiring it hides it; staff still see it (inactive); updates and deletes are audited.
    let plain_path = format!("/api/v1/admin/announcements/{}", plain["id"].as_str().unwrap());
    let past = (Utc::now() - TimeDelta::seconds(1)).to_rfc3339();
    let publish = (Utc::now() - TimeDelta::hours(1)).to_rfc3339();
    let upd = h
        .authed(Method::PATCH, &plain_path, &admin.token, Some(json!({ "publish_at": publish, "expires_at": past })))
        .await;
    assert_eq!(upd.ok(200)["active"], false);
    let b = h.authed(Method::GET, "/api/v1/announcements", &bob_t, None).await.ok(200).clone();
    assert_eq!(titles(&b), ["Pinned"]);
    let inactive =
        h.authed(Method::GET, "/api/v1/admin/announcements?active=false", &admin.token, None).await.ok(200).clone();
    assert!(titles(&inactive).contains(&"Hello".to_owned()));
    let pinned_path = format!("/api/v1/admin/announcements/{}", pinned["id"].as_str().unwrap());
    h.authed(Method::DELETE, &pinned_path, &admin.token, None).await.ok(204);
    h.authed(Method::GET, &pinned_path, &admin.token, None).await.expect(404, "not_found");
    let audited = count(&pool, "SELECT count(*) FROM staff.audit_log WHERE action LIKE 'announcement.%'").await;
    assert_eq!(audited, 6, "4 creates, 1 update, 1 delete");

    // Roles: support reads but cannot write; the bot cannot read.
    let cs = staff(&h, Role::CustomerSupport).await;
    h.authed(Method::GET, "/api/v1/admin/announcements", &cs.token, None).await.ok(200);
    h.authed(Method::POST, "/api/v1/admin/announcements", &cs.token, Some(json!({ "title": "t", "body": "b" })))
        .await
        .expect(403, "permission_denied");
    let bot = staff(&h, Role::SupportBot).await;
    h.authed(Method::GET, "/api/v1/admin/announcements", &bot.token, None).await.expect(403, "permission_denied");
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn the_email_address_changes_only_with_the_password_and_the_link(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let alice = create_user(&pool, "alice@example.test", GOOD_PASSWORD).await;
    create_user(&pool, "bob@example.test", GOOD_PASSWORD).await;
    let (token, _) = h.session("alice@example.test", GOOD_PASSWORD).await;
    let (other, _) = h.session("alice@example.test", GOOD_PASSWORD).await;
    let (bob, _) = h.session("bob@example.test", GOOD_PASSWORD).await;
    let ask = async |t: &str, new_email: &str, password: &str| {
        h.authed(Method::POST, "/api/v1/me/email", t, Some(json!({ "new_email": new_email, "password": password })))
            .await
    };
    ask(&token, "alice.new@example.test", "wrong password").await.expect(403, "reauth_failed");
    ask(&token, "not an address", GOOD_PASSWORD).await.expect(422, "validation_failed");
    assert_eq!(ask(&token, "Alice.New@Example.test", GOOD_PASSWORD).await.ok(202)["status"], "email_sent");
    let link =
        emails(&pool, "alice.new@example.test").await.last().unwrap()["context"]["link"].as_str().unwrap().to_owned();
    let secret = link.split_once("?token=").unwrap().1.to_owned();
    let notice = emails(&pool, "alice@example.test").await;
    assert_eq!(notice.last().unwrap()["template"], "email_change_requested");
    // An address another account holds gets nothing, and the answer is the same.
    assert_eq!(ask(&token, "bob@example.test", GOOD_PASSWORD).await.ok(202)["status"], "email_sent");
    assert!(emails(&pool, "bob@example.test").await.iter().all(|m| m["template"] != "email_change_confirm"));

    // Bob cannot use Alice's link; a garbage token is 410.
    let confirm = async |t: &str, tok: &str| {
        h.authed(Method::POST, "/api/v1/me/email/confirm", t, Some(json!({ "token": tok }))).await
    };
    confirm(&bob, "nonsense").await.expect(410, "link_invalid");
    confirm(&token, &secret).await.ok(204);
    assert_eq!(h.me(&token).await.ok(200)["email"], "alice.new@example.test");
    h.me(&other).await.expect(401, "unauthenticated");
    confirm(&token, &secret).await.expect(410, "link_invalid");
    h.login("alice.new@example.test", GOOD_PASSWORD).await.ok(200);
    let changed = count(
        &pool,
        &format!("SELECT count(*) FROM outbox WHERE event_type = 'user.email_changed' AND aggregate_id = '{alice}'"),
    )
    .await;
    assert_eq!(changed, 1);

    // Taken meanwhile: the link is good, the address is not.
    ask(&token, "carol@example.test", GOOD_PASSWORD).await.ok(202);
    let link =
        emails(&pool, "carol@example.test").await.last().unwrap()["context"]["link"].as_str().unwrap().to_owned();
    create_user(&pool, "carol@example.test", GOOD_PASSWORD).await;
    confirm(&token, link.split_once("?token=").unwrap().1).await.expect(409, "email_taken");
    // Someone else's link does nothing to their account.
    ask(&bob, "bob.new@example.test", GOOD_PASSWORD).await.ok(202);
    let link =
        emails(&pool, "bob.new@example.test").await.last().unwrap()["context"]["link"].as_str().unwrap().to_owned();
    confirm(&token, link.split_once("?token=").unwrap().1).await.expect(410, "link_invalid");
    assert_eq!(h.me(&bob).await.ok(200)["email"], "bob@example.test");

    // Without a password (the only way for an account that has none), a re-authentication
    // proof of this very session is needed; another session's proof does not count.
    let ask_with = async |t: &str, new_email: &str, proof: Option<&str>| {
        let mut req = request(Method::POST, "/api/v1/me/email", Some(t), Some(&json!({ "new_email": new_email })));
        if let Some(p) = proof {
            req.headers_mut().insert("x-reauth-token", p.parse().unwrap());
        }
        h.call(req).await
    };
    ask_with(&bob, "bob.proof@example.test", None).await.expect(403, "reauth_required");
    let proof = async |t: &str| {
        let r = h.authed(Method::POST, "/api/v1/auth/reauth", t, Some(json!({ "password": GOOD_PASSWORD }))).await;
        r.ok(200)["reauth_token"].as_str().unwrap().to_owned()
    };
    let (bob_other, _) = h.session("bob@example.test", GOOD_PASSWORD).await;
    let foreign = proof(&bob_other).await;
    ask_with(&bob, "bob.proof@example.test", Some(&foreign)).await.expect(403, "reauth_required");
    let mine = proof(&bob).await;
    assert_eq!(ask_with(&bob, "bob.proof@example.test", Some(&mine)).await.ok(202)["status"], "email_sent");
    assert!(emails(&pool, "bob.proof@example.test").await.iter().any(|m| m["template"] == "email_change_confirm"));
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn announcement_windows_outside_reason_are_422_not_500(pool: PgPool) {
    let h = harness(pool.clone()).await;
    let admin = staff(&h, Role::SuperAdmin).await;
    let create =
        async |body: Value| h.authed(Method::POST, "/api/v1/admin/announcements", &admin.token, Some(body)).await;
    // Found by schemathesis: an expiry in the year 591 with no publish time was a CHECK violation.
    let r =
        create(json!({ "title": "0", "body": "0", "email": true, "expires_at": "0591-11-05T17:53:14.2944Z" })).await;
    r.expect(422, "validation_failed");
    assert_eq!(r.body["errors"][0]["field"], "expires_at");
    let r = create(json!({ "title": "0", "body": "0", "publish_at": "-0001-01-01T00:00:00Z" })).await;
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    let past = (Utc::now() - TimeDelta::minutes(1)).to_rfc3339();
    create(json!({ "title": "0", "body": "0", "expires_at": past })).await.expect(422, "validation_failed");
}
