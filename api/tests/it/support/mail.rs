//! E-mails as the outbox holds them. Links and codes travel sealed under the data key
//! (`email.requested` `sealed`); tests open them with the key the server uses — the
//! `DATA_ENCRYPTION_KEY` they set, else the one generated into the database's keyring.

use helium_infra::identity::seal::Sealer;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

/// The data key a server on `pool` seals with (generated into `keyring` when not given).
pub async fn data_key(pool: &PgPool) -> Option<[u8; 32]> {
    if let Ok(raw) = std::env::var("HELIUM_TEST_DATA_KEY") {
        return helium_api::settings::parse_data_key(&raw);
    }
    let key: Option<Vec<u8>> = sqlx::query_scalar("SELECT key FROM keyring WHERE name = 'totp-seed-v1'")
        .fetch_optional(pool)
        .await
        .expect("read the keyring");
    key.and_then(|k| <[u8; 32]>::try_from(k.as_slice()).ok())
}

/// A payload with its sealed secrets opened into `context`.
pub fn opened(key: Option<&[u8; 32]>, id: Uuid, mut payload: Value) -> Value {
    let Some(sealed) = payload.get("sealed").and_then(Value::as_str).map(str::to_owned) else { return payload };
    let key = key.expect("a sealed e-mail but no data key");
    let plain = Sealer::new(key).open(&sealed, id.as_bytes()).expect("open the sealed e-mail secrets");
    let secrets: serde_json::Map<String, Value> = serde_json::from_slice(&plain).expect("sealed secrets are JSON");
    if let Some(context) = payload.get_mut("context").and_then(Value::as_object_mut) {
        context.extend(secrets);
    }
    payload
}

/// Payloads of `email.requested` events addressed to `to`, oldest first, secrets opened.
pub async fn emails(pool: &PgPool, to: &str) -> Vec<Value> {
    let rows: Vec<(Uuid, Value)> = sqlx::query_as(
        "SELECT id, payload FROM outbox WHERE event_type = 'email.requested' AND payload->>'to' = $1
         ORDER BY occurred_at, id",
    )
    .bind(to)
    .fetch_all(pool)
    .await
    .expect("read the outbox");
    let key = data_key(pool).await;
    rows.into_iter().map(|(id, p)| opened(key.as_ref(), id, p)).collect()
}

/// The `link` of the newest e-mail to `to`.
pub async fn latest_link(pool: &PgPool, to: &str) -> String {
    let mails = emails(pool, to).await;
    let mail = mails.iter().rev().find(|m| m["context"].get("link").is_some()).expect("an e-mail with a link");
    mail["context"]["link"].as_str().expect("link is a string").to_owned()
}

/// The token of the newest e-mailed link to `to`.
pub async fn latest_link_token(pool: &PgPool, to: &str) -> String {
    let link = latest_link(pool, to).await;
    link.split_once("?token=").expect("a token link").1.to_owned()
}
