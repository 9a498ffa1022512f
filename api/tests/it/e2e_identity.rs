//! The customer identity lifecycle end to end, over HTTP against a real `helium` in `all` mode
//! (REST, outbox relay, RabbitMQ, the `mailer` consumer) whose mailer delivers to a real SMTP
//! server (`tests/it/support/smtp_sink.py`, aiosmtpd from `.tools/venv` or `HELIUM_PYTHON`).
//! Every link is read from an e-mail the sink actually received, never from the outbox:
//!
//! register → complete → sign in → TOTP on (codes computed here) → sign in with MFA →
//! refresh → reuse of the old refresh token (the session dies) → password reset (tokens issued
//! before it die at once) → sign in with the new password and a second factor.

use crate::support::totp::{base32_decode, now_step, totp};
use std::collections::{BTreeMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::support::smtp::SmtpSink;
use crate::support::{
    HeliumCommand, HeliumProcess, POLL, REDIS_URL, client, database_url_for, free_port, redis_prefix,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use futures::FutureExt;
use helium_domain::config::ConfigKind;
use helium_infra::{ConfigStore, RedisHandle};
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

const PASSWORD: &str = "Correct-Horse-7-Battery";
const NEW_PASSWORD: &str = "Staple-Battery-9-Horse";
/// Base of the e-mailed links (`PUBLIC_URL`).
const PUBLIC_URL: &str = "https://app.helium.test";
const SENDER_ADDRESS: &str = "noreply@helium.test";
/// The sender's display name is the site name the templates show.
const SITE: &str = "Helium E2E";
/// Upper bound for one e-mail to go outbox → relay → RabbitMQ → mailer → SMTP sink.
const MAIL_WAIT: Duration = Duration::from_secs(30);

// ------------------------------------------------------------------ the SMTP sink

/// The shared SMTP sink, read as parsed mails.
struct Sink(SmtpSink);

impl Sink {
    async fn start() -> Self {
        Self(SmtpSink::start(free_port()).await)
    }

    fn port(&self) -> u16 {
        self.0.port
    }

    fn log(&self) -> String {
        self.0.log()
    }

    /// Every received message, in arrival order.
    fn messages(&self) -> Vec<Mail> {
        self.0.messages().iter().map(|raw| Mail::parse(raw)).collect()
    }

    /// Polls until the sink holds `n` messages; returns them all. Fails fast if helium dies.
    async fn wait_for(&self, n: usize, helium: &mut HeliumProcess) -> Vec<Mail> {
        let deadline = Instant::now() + MAIL_WAIT;
        loop {
            let mails = self.messages();
            if mails.len() >= n {
                return mails;
            }
            helium.assert_running();
            assert!(
                Instant::now() < deadline,
                "mail #{n} did not reach the sink within {MAIL_WAIT:?}; received: {:?}\n--- helium ---\n{}\n--- sink ---\n{}",
                mails.iter().map(|m| &m.subject).collect::<Vec<_>>(),
                helium.stderr(),
                self.log()
            );
            tokio::time::sleep(POLL).await;
        }
    }
}

// ------------------------------------------------------------------ a small MIME reader

/// A delivered message: headers of interest and the decoded text/plain and text/html parts.
#[derive(Debug)]
struct Mail {
    to: String,
    from: String,
    subject: String,
    message_id: String,
    text: String,
    html: String,
}

fn split_message(raw: &str) -> (String, String) {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    (head.replace("\n ", " ").replace("\n\t", " "), body.to_owned())
}

fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
    })
}

fn decode_quoted_printable(s: &str) -> Vec<u8> {
    let s = s.replace("=\n", ""); // soft line breaks
    let mut chunks = s.split('=');
    let mut out = chunks.next().unwrap_or_default().as_bytes().to_vec();
    for chunk in chunks {
        match chunk.get(..2).and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) => out.extend(std::iter::once(byte).chain(chunk.bytes().skip(2))),
            None => out.extend(std::iter::once(b'=').chain(chunk.bytes())),
        }
    }
    out
}

impl Mail {
    fn parse(raw: &str) -> Self {
        let (head, body) = split_message(raw);
        let get = |name: &str| header(&head, name).unwrap_or_else(|| panic!("no {name} header:\n{raw}"));
        let ctype = get("Content-Type");
        assert!(ctype.starts_with("multipart/alternative"), "{ctype}");
        let boundary = ctype.split("boundary=").nth(1).unwrap().trim_matches('"').to_owned();
        let mut parts: BTreeMap<String, String> = BTreeMap::new();
        for part in body.split(&format!("--{boundary}")).filter(|p| !p.trim().is_empty() && !p.starts_with("--")) {
            let (head, body) = split_message(part.trim_start_matches('\n'));
            let cte = header(&head, "Content-Transfer-Encoding").unwrap_or_default().to_ascii_lowercase();
            let bytes = match cte.as_str() {
                "base64" => STANDARD.decode(body.split_whitespace().collect::<String>()).unwrap(),
                "quoted-printable" => decode_quoted_printable(&body),
                _ => body.into_bytes(),
            };
            let kind = header(&head, "Content-Type").unwrap().split(';').next().unwrap().trim().to_owned();
            parts.insert(kind, String::from_utf8(bytes).unwrap());
        }
        assert_eq!(parts.len(), 2, "text and html: {parts:?}");
        Self {
            to: get("To"),
            from: get("From"),
            subject: get("Subject"),
            message_id: get("Message-ID"),
            text: parts.remove("text/plain").expect("a text/plain part"),
            html: parts.remove("text/html").expect("a text/html part"),
        }
    }

    /// Asserts recipient, sender and subject.
    #[track_caller]
    fn assert_is(&self, to: &str, subject: &str) {
        assert_eq!((self.to.as_str(), self.subject.as_str()), (to, subject), "{self:#?}");
        assert!(self.from.contains(SITE) && self.from.contains(&format!("<{SENDER_ADDRESS}>")), "{}", self.from);
    }

    /// The token of the `PUBLIC_URL/<path>?token=…` link in the text part (also in the HTML one).
    #[track_caller]
    fn link_token(&self, path: &str) -> String {
        let prefix = format!("{PUBLIC_URL}/{path}?token=");
        let start = self.text.find(&prefix).unwrap_or_else(|| panic!("no {prefix} link in:\n{}", self.text));
        let token: String = self.text[start + prefix.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        assert_eq!(token.len(), 43, "32 random bytes, base64url: {token}");
        assert!(self.html.contains(&token), "the HTML part carries the same link:\n{}", self.html);
        token
    }
}

// ------------------------------------------------------------------ HTTP

#[derive(Debug)]
struct Resp {
    status: u16,
    content_type: String,
    body: Value,
}

impl Resp {
    fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    /// A problem answer: status, `code` and the problem content type.
    #[track_caller]
    fn expect(&self, status: u16, code: &str) {
        assert_eq!((self.status, self.code()), (status, code), "{}", self.body);
        assert_eq!(self.content_type, "application/problem+json", "{}", self.body);
    }

    #[track_caller]
    fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "{}", self.body);
        &self.body
    }
}

/// A client of the running server that keeps every answer (to prove e-mailed secrets never
/// come back over HTTP).
struct Api {
    http: reqwest::Client,
    base: String,
    answers: Mutex<Vec<String>>,
}

impl Api {
    fn new(helium: &HeliumProcess) -> Self {
        Self { http: client(), base: helium.http_url(""), answers: Mutex::default() }
    }

    async fn send(&self, method: Method, path: &str, bearer: Option<&str>, body: Option<Value>) -> Resp {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).header("user-agent", "helium-e2e");
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap_or_else(|e| panic!("{path}: {e:?}"));
        let status = res.status().as_u16();
        let headers = format!("{:?}", res.headers());
        let content_type =
            res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let text = res.text().await.unwrap();
        self.answers.lock().unwrap().push(format!("{status}\n{headers}\n{text}"));
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp { status, content_type, body }
    }

    async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(Method::POST, path, None, Some(body)).await
    }

    async fn authed_post(&self, path: &str, token: &str, body: Option<Value>) -> Resp {
        self.send(Method::POST, path, Some(token), body).await
    }

    async fn me(&self, token: &str) -> Resp {
        self.send(Method::GET, "/api/v1/me", Some(token), None).await
    }

    async fn login(&self, email: &str, password: &str) -> Resp {
        self.post("/api/v1/auth/login", json!({ "email": email, "password": password })).await
    }

    /// `factor` is `{"code": …}` or `{"recovery_code": …}`.
    async fn login_mfa(&self, mfa_token: &str, mut factor: Value) -> Resp {
        factor["mfa_token"] = json!(mfa_token);
        self.post("/api/v1/auth/login/mfa", factor).await
    }

    async fn refresh(&self, refresh_token: &str) -> Resp {
        self.post("/api/v1/auth/token/refresh", json!({ "refresh_token": refresh_token })).await
    }

    #[track_caller]
    fn assert_never_answered(&self, secret: &str) {
        let answers = self.answers.lock().unwrap();
        assert!(!answers.iter().any(|a| a.contains(secret)), "an HTTP answer carried an e-mailed token");
    }
}

/// A token pair as sign-in, completion and refresh return it.
#[derive(Debug)]
struct Tokens {
    access: String,
    refresh: String,
}

#[track_caller]
fn tokens(body: &Value) -> Tokens {
    assert_eq!((&body["token_type"], &body["expires_in"]), (&json!("Bearer"), &json!(900)), "{body}");
    let get = |k: &str| body[k].as_str().unwrap_or_else(|| panic!("no {k}: {body}")).to_owned();
    Tokens { access: get("access_token"), refresh: get("refresh_token") }
}

/// The answer of a first sign-in step on an MFA account: a challenge and nothing else.
#[track_caller]
fn challenge(res: &Resp) -> String {
    let body = res.ok(200);
    let keys: HashSet<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, HashSet::from(["mfa_required", "mfa_token"]), "{body}");
    assert_eq!(body["mfa_required"], true);
    body["mfa_token"].as_str().unwrap().to_owned()
}

/// The session id (`sid`) of an access token, read without verifying it.
fn sid(access: &str) -> String {
    let payload = access.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["sid"].as_str().unwrap().to_owned()
}

// ------------------------------------------------------------------ TOTP

// ------------------------------------------------------------------ the server

/// The mailer points at the sink before the server starts, so no mail is ever tried elsewhere.
async fn configure_mailer(pool: &PgPool, redis_prefix: &str, port: u16) {
    let config = ConfigStore::new(
        helium_infra::db::Db::new(pool.clone()),
        RedisHandle::new(REDIS_URL, redis_prefix.to_owned()).unwrap(),
    );
    config.ensure_defaults().await.unwrap();
    let mailer = json!({
        "host": "127.0.0.1", "port": port, "username": "", "password": "",
        "sender": format!("{SITE} <{SENDER_ADDRESS}>"), "starttls": false,
    });
    config.put(ConfigKind::Mailer, &mailer, None).await.unwrap();
}

/// `helium` in `all` mode, up, with the mailer consumer bound to its queue (mail the relay
/// publishes before that binding exists would be unrouted).
async fn start_helium(pool: &PgPool, redis_prefix: &str) -> HeliumProcess {
    let url = database_url_for(pool).await;
    let mut helium = HeliumCommand::server("all", &url, redis_prefix).env("PUBLIC_URL", PUBLIC_URL).spawn();
    helium.wait_until_started().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while !helium.stderr().lines().any(|l| l.contains("consumer running") && l.contains("mailer")) {
        helium.assert_running();
        assert!(Instant::now() < deadline, "the mailer consumer did not start:\n{}", helium.stderr());
        tokio::time::sleep(POLL).await;
    }
    helium
}

/// (template, status) of every `email_log` row for `to`, once all `n` are final.
async fn email_log(pool: &PgPool, to: &str, n: usize, helium: &mut HeliumProcess) -> Vec<(String, String)> {
    let deadline = Instant::now() + MAIL_WAIT;
    loop {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT template, status FROM email_log WHERE recipient = $1 ORDER BY created_at, event_id")
                .bind(to)
                .fetch_all(pool)
                .await
                .unwrap();
        if rows.len() >= n && rows.iter().all(|(_, s)| s == "sent" || s == "failed") {
            return rows;
        }
        helium.assert_running();
        assert!(Instant::now() < deadline, "email_log not final: {rows:?}");
        tokio::time::sleep(POLL).await;
    }
}

// ------------------------------------------------------------------ the flow

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn identity_lifecycle_through_real_smtp(pool: PgPool) {
    let sink = Sink::start().await;
    let prefix = redis_prefix();
    configure_mailer(&pool, &prefix, sink.port()).await;
    let mut helium = start_helium(&pool, &prefix).await;
    let outcome = AssertUnwindSafe(lifecycle(&pool, &sink, &mut helium)).catch_unwind().await;
    if let Err(panic) = outcome {
        eprintln!("--- helium stderr ---\n{}\n--- sink log ---\n{}", helium.stderr(), sink.log());
        std::panic::resume_unwind(panic);
    }
}

async fn lifecycle(pool: &PgPool, sink: &Sink, helium: &mut HeliumProcess) {
    let api = Api::new(helium);
    let email = format!("e2e-{}@example.test", &Uuid::new_v4().simple().to_string()[..12]);

    // 1. Register: the link arrives by e-mail.
    let res = api.post("/api/v1/auth/register", json!({ "email": email })).await;
    assert_eq!(res.ok(202), &json!({ "status": "email_sent" }));
    let mails = sink.wait_for(1, helium).await;
    mails[0].assert_is(&email, &format!("Finish creating your {SITE} account"));
    let register_token = mails[0].link_token("register/complete");

    // 2. Complete: account created and signed in; the link works once.
    let complete = json!({ "token": register_token, "password": PASSWORD });
    let res = api.post("/api/v1/auth/register/complete", complete.clone()).await;
    let body = res.ok(201);
    assert_eq!((&body["account"]["email"], &body["account"]["mfa_enabled"]), (&json!(email), &json!(false)));
    let user_id = body["account"]["id"].as_str().unwrap().to_owned();
    let registered = tokens(&body["tokens"]);
    assert_eq!(api.me(&registered.access).await.ok(200)["id"], user_id.as_str());
    api.post("/api/v1/auth/register/complete", complete).await.expect(410, "link_invalid");

    // 3. Sign in with the password.
    let res = api.login(&email, PASSWORD).await;
    assert_eq!(res.ok(200)["mfa_required"], false);
    let main = tokens(&res.body);
    assert_ne!(sid(&main.access), sid(&registered.access), "a new session");
    assert_eq!(api.me(&main.access).await.ok(200)["id"], user_id.as_str());

    // 4. TOTP: set up, enable with a code computed from the secret, ten recovery codes.
    let res = api.authed_post("/api/v1/auth/mfa/totp/setup", &main.access, None).await;
    let body = res.ok(200);
    let secret = body["secret"].as_str().unwrap().to_owned();
    let uri = body["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/") && uri.contains(&format!("secret={secret}")), "{uri}");
    let seed = base32_decode(&secret);
    // Enabling and the MFA sign-in below must fall in one step (a slow CI machine took longer).
    crate::support::totp::early_in_step(20).await;
    // The previous step: the next one (`enabled_step + 1`) is then the current one.
    let enabled_step = now_step() - 1;
    let code = json!({ "code": totp(&seed, enabled_step) });
    let res = api.authed_post("/api/v1/auth/mfa/totp/enable", &main.access, Some(code)).await;
    let recovery: Vec<String> =
        res.ok(200)["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(recovery.iter().collect::<HashSet<_>>().len(), 10, "{recovery:?}");
    assert_eq!(api.me(&main.access).await.ok(200)["mfa_enabled"], true);
    // Turning MFA on ends the other sessions (the one registration opened), not this one.
    api.me(&registered.access).await.expect(401, "unauthenticated");
    api.refresh(&registered.refresh).await.expect(401, "refresh_token_invalid");

    // 5. Sign in with MFA: a challenge, the spent step refused, the next step accepted.
    let mfa_token = challenge(&api.login(&email, PASSWORD).await);
    api.me(&mfa_token).await.expect(401, "unauthenticated");
    api.login_mfa(&mfa_token, json!({ "code": totp(&seed, enabled_step) })).await.expect(401, "code_already_used");
    let res = api.login_mfa(&mfa_token, json!({ "code": totp(&seed, enabled_step + 1) })).await;
    let mfa = tokens(res.ok(200));
    assert_eq!(api.me(&mfa.access).await.ok(200)["id"], user_id.as_str());

    // …and the security notice about MFA reached the mailbox.
    let mails = sink.wait_for(2, helium).await;
    mails[1].assert_is(&email, &format!("Two-factor authentication was turned on for your {SITE} account"));
    assert!(mails[1].text.contains("you'll need your second factor"), "{}", mails[1].text);

    // 6. Refresh rotates; presenting the old refresh token again kills the whole session.
    let res = api.refresh(&mfa.refresh).await;
    let rotated = tokens(res.ok(200));
    assert_ne!(rotated.refresh, mfa.refresh);
    assert_eq!(sid(&rotated.access), sid(&mfa.access), "same session");
    api.me(&rotated.access).await.ok(200); // cached as live
    api.refresh(&mfa.refresh).await.expect(401, "refresh_token_reused");
    api.refresh(&rotated.refresh).await.expect(401, "refresh_token_invalid");
    api.me(&rotated.access).await.expect(401, "unauthenticated");
    api.me(&mfa.access).await.expect(401, "unauthenticated");
    api.me(&main.access).await.ok(200); // other sessions are untouched

    // 7. Password reset by e-mailed link: every earlier token dies at once.
    let res = api.post("/api/v1/auth/password/forgot", json!({ "email": email })).await;
    assert_eq!(res.ok(202), &json!({ "status": "accepted" }));
    let mails = sink.wait_for(3, helium).await;
    mails[2].assert_is(&email, &format!("Reset your {SITE} password"));
    let reset_token = mails[2].link_token("password/reset");
    api.me(&main.access).await.ok(200); // live (and cached) right before the reset

    let reset = json!({ "token": reset_token, "new_password": NEW_PASSWORD });
    let res = api.post("/api/v1/auth/password/reset", reset.clone()).await;
    assert_eq!((res.status, &res.body), (204, &Value::Null));
    api.me(&main.access).await.expect(401, "unauthenticated");
    api.refresh(&main.refresh).await.expect(401, "refresh_token_invalid");
    api.post("/api/v1/auth/password/reset", reset).await.expect(410, "link_invalid");

    api.login(&email, PASSWORD).await.expect(401, "invalid_credentials");
    let mfa_token = challenge(&api.login(&email, NEW_PASSWORD).await);
    let res = api.login_mfa(&mfa_token, json!({ "recovery_code": recovery[0] })).await;
    let fresh = tokens(res.ok(200));
    let me = api.me(&fresh.access).await;
    assert_eq!((&me.ok(200)["id"], &me.body["mfa_enabled"]), (&json!(user_id), &json!(true)));

    let mails = sink.wait_for(4, helium).await;
    mails[3].assert_is(&email, &format!("Your {SITE} password was changed"));

    // Exactly these four e-mails, each once, all delivered; no e-mailed token came back over HTTP.
    let ids: HashSet<&str> = mails.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!((mails.len(), ids.len()), (4, 4), "{mails:#?}");
    let log = email_log(pool, &email, 4, helium).await;
    let expected = ["register_magic_link", "security_mfa_changed", "password_reset", "security_password_changed"];
    assert_eq!(log, expected.map(|t| (t.to_owned(), "sent".to_owned())).to_vec());
    assert_eq!(sink.messages().len(), 4, "no further mail");
    api.assert_never_answered(&register_token);
    api.assert_never_answered(&reset_token);
}
