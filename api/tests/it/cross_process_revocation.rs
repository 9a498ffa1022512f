//! Two `helium` processes share PostgreSQL and Redis (where session checks are cached). A
//! revocation through one must be refused by the other on its very next request.

use crate::support::{HeliumCommand, TempDatabase, client, redis_prefix};
use serde_json::{Value, json};

#[tokio::test]
async fn a_revocation_through_one_process_is_seen_by_another_at_once() {
    let db = TempDatabase::create("session_cache").await;
    let prefix = redis_prefix();
    let mut a = HeliumCommand::server("api", &db.url, &prefix).env("RATE_LIMIT_AUTH", "1000/60").spawn();
    a.wait_until_started().await;
    let mut b = HeliumCommand::server("api", &db.url, &prefix).env("SKIP_MIGRATIONS", "true").spawn();
    b.wait_until_started().await;
    let http = client();

    let email = "cache@example.test";
    let r = http.post(a.http_url("/api/v1/auth/register")).json(&json!({ "email": email })).send().await.unwrap();
    assert_eq!(r.status(), 202);
    let pool = db.pool().await;
    let link = crate::support::mail::latest_link(&pool, email).await;
    let token = link.rsplit("token=").next().unwrap();
    let done: Value = http
        .post(a.http_url("/api/v1/auth/register/complete"))
        .json(&json!({ "token": token, "password": "a long enough passphrase" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access = done["tokens"]["access_token"].as_str().unwrap().to_owned();

    for round in 0..3 {
        // Sign in again, warm B's in-process cache, revoke through A, ask B at once.
        let session: Value = http
            .post(a.http_url("/api/v1/auth/login"))
            .json(&json!({ "email": email, "password": "a long enough passphrase" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = session["access_token"].as_str().unwrap().to_owned();
        for _ in 0..5 {
            let me = http.get(b.http_url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
            assert_eq!(me.status(), 200, "round {round}");
        }
        let out = http.post(a.http_url("/api/v1/auth/logout")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(out.status(), 204);
        let me = http.get(b.http_url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(me.status(), 401, "round {round}: B still accepted a revoked session");
    }
    // The registration session is untouched throughout.
    let me = http.get(b.http_url("/api/v1/me")).bearer_auth(&access).send().await.unwrap();
    assert_eq!(me.status(), 200);
    pool.close().await;
}
