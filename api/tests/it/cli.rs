//! The real `helium-cli`: `init-config` output and idempotence against a fresh database, and
//! `validate-config` on the seed's documents and on broken ones.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::support::*;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::PgPool;

const RUN_LIMIT: Duration = Duration::from_secs(20);
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/fixtures/seed-config");
const NAMES: [&str; 6] = ["Auth", "Admin JWT", "Telecom", "Shop", "Market/Affiliate", "Mailer"];

fn init_config(database_url: &str, prefix: &str) -> HeliumCommand {
    HeliumCommand::cli()
        .arg("init-config")
        .env("DATABASE_URL", database_url)
        .env("REDIS_URL", REDIS_URL)
        .env("REDIS_KEY_PREFIX", prefix)
}

fn expected_init_output(note: &str) -> String {
    let mut out = String::from("Initializing 6 configuration types...\n");
    for name in NAMES {
        out.push_str(&format!("Initializing {name} config... {note}\n"));
    }
    out.push_str("\nConfiguration initialization completed:\n✓ Successful: 6\n");
    out
}

type Row = (String, i64, DateTime<Utc>, Value);

async fn rows(pool: &PgPool) -> Vec<Row> {
    sqlx::query_as("SELECT key, version, updated_at, value FROM application__config ORDER BY key")
        .fetch_all(pool)
        .await
        .unwrap()
}

fn secrets(rows: &[Row]) -> Vec<String> {
    let at = |key: &str, ptr: &str| {
        let row = rows.iter().find(|r| r.0 == key).unwrap();
        row.3.pointer(ptr).and_then(Value::as_str).unwrap().to_owned()
    };
    vec![at("auth", "/jwt/secret"), at("admin-jwt", "/secret"), at("telecom", "/vpn_server_token")]
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn init_config_on_fresh_database_prints_seed_lines_and_creates_six(pool: PgPool) {
    let url = database_url_for(&pool).await;
    let done = init_config(&url, &redis_prefix()).run(RUN_LIMIT).await;
    assert_eq!(done.code(), Some(0), "{}", done.output());
    assert_eq!(done.stdout, expected_init_output("✓ Success"));
    let keys: Vec<String> = rows(&pool).await.into_iter().map(|r| r.0).collect();
    assert_eq!(keys, ["admin-jwt", "affiliate", "auth", "mailer", "shop", "telecom"]);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn init_config_second_run_changes_nothing_and_says_so(pool: PgPool) {
    let url = database_url_for(&pool).await;
    let prefix = redis_prefix();
    let first = init_config(&url, &prefix).run(RUN_LIMIT).await;
    assert_eq!(first.code(), Some(0), "{}", first.output());
    let before = rows(&pool).await;

    let second = init_config(&url, &prefix).run(RUN_LIMIT).await;
    assert_eq!(second.code(), Some(0), "{}", second.output());
    let expected = expected_init_output("✓ Already initialized (unchanged)");
    assert!(second.stdout.starts_with(&expected), "{}", second.output());
    assert!(second.stdout.contains("Nothing changed"), "{}", second.output());
    assert_eq!(rows(&pool).await, before);
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn init_config_force_resets_bumping_versions_and_rotating_secrets(pool: PgPool) {
    let url = database_url_for(&pool).await;
    let prefix = redis_prefix();
    let first = init_config(&url, &prefix).run(RUN_LIMIT).await;
    assert_eq!(first.code(), Some(0), "{}", first.output());
    let before = rows(&pool).await;

    let forced = init_config(&url, &prefix).arg("--force").run(RUN_LIMIT).await;
    assert_eq!(forced.code(), Some(0), "{}", forced.output());
    assert_eq!(forced.stdout, expected_init_output("✓ Success (reset to defaults)"));
    let after = rows(&pool).await;
    assert_eq!(after.len(), 6);
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(old.0, new.0);
        assert_eq!(new.1, old.1 + 1, "{} version", new.0);
        assert!(new.2 > old.2, "{} updated_at", new.0);
    }
    for (old, new) in secrets(&before).iter().zip(secrets(&after)) {
        assert_ne!(*old, new, "secret not rotated");
        assert!(new.len() >= 32);
    }
}

#[tokio::test]
async fn init_config_without_database_url_exits_2() {
    let done = HeliumCommand::cli().arg("init-config").run(RUN_LIMIT).await;
    assert_eq!(done.code(), Some(2), "{}", done.output());
    assert!(done.stderr.contains("DATABASE_URL must be provided"), "{}", done.output());
}

async fn validate(config_type: &str, file: &Path) -> Finished {
    HeliumCommand::cli()
        .arg("validate-config")
        .arg("--config-type")
        .arg(config_type)
        .arg(file.to_str().unwrap())
        .run(RUN_LIMIT)
        .await
}

fn fixture(key: &str) -> PathBuf {
    Path::new(FIXTURES).join(format!("{key}.json"))
}

async fn assert_valid(config_type: &str, key: &str, type_name: &str) {
    let done = validate(config_type, &fixture(key)).await;
    assert_eq!(done.code(), Some(0), "{config_type}: {}", done.output());
    let out = &done.stdout;
    assert!(out.contains("✓ Configuration file is valid!"), "{out}");
    assert!(out.contains(&format!("Type: {type_name}\n")), "{out}");
    assert!(out.contains(&format!("Key: {key}\n")), "{out}");
}

#[tokio::test]
async fn validate_config_accepts_every_seed_document_with_its_type() {
    let cases = [
        ("auth", "auth", "Auth"),
        ("admin-jwt", "admin-jwt", "AdminJwt"),
        ("telecom", "telecom", "Telecom"),
        ("shop", "shop", "Shop"),
        ("affiliate", "affiliate", "Affiliate"),
        ("mailer", "mailer", "Mailer"),
    ];
    for (config_type, key, type_name) in cases {
        assert_valid(config_type, key, type_name).await;
    }
}

#[tokio::test]
async fn validate_config_accepts_admin_jwt_and_market_aliases() {
    assert_valid("admin_jwt", "admin-jwt", "AdminJwt").await;
    assert_valid("market", "affiliate", "Affiliate").await;
}

/// Writes `contents` to a temp file, validates it as `config_type`, expects exit 1 and the
/// `Error at` line; returns that line.
async fn rejected(config_type: &str, contents: &str) -> String {
    let dir = TempDir::new("validate");
    let file = dir.write("doc.json", contents);
    let done = validate(config_type, &file).await;
    assert_eq!(done.code(), Some(1), "{}", done.output());
    assert!(done.stdout.contains("✗ Configuration validation failed"), "{}", done.output());
    done.stdout
        .lines()
        .find(|l| l.starts_with("Error at"))
        .unwrap_or_else(|| panic!("no `Error at` line:\n{}", done.output()))
        .to_owned()
}

fn seed(key: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(key)).unwrap()).unwrap()
}

#[tokio::test]
async fn validate_config_rejects_invalid_json_syntax_with_line_and_column() {
    let line = rejected("auth", "{\n  \"jwt\": {\n    \"secret\": \n").await;
    assert!(line.contains("line") && line.contains("column"), "{line}");
}

#[tokio::test]
async fn validate_config_rejects_missing_jwt_secret_naming_it() {
    let mut doc = seed("auth");
    doc["jwt"].as_object_mut().unwrap().remove("secret");
    let line = rejected("auth", &doc.to_string()).await;
    // The path locates the missing field itself, like the unknown-field case does.
    assert!(line.starts_with("Error at `jwt.secret`"), "{line}");
    assert!(line.contains("missing field `secret`"), "{line}");
}

#[tokio::test]
async fn validate_config_rejects_mailer_port_as_string_naming_it() {
    let mut doc = seed("mailer");
    doc["port"] = json!("587");
    let line = rejected("mailer", &doc.to_string()).await;
    assert!(line.starts_with("Error at `port`"), "{line}");
    assert!(line.contains("invalid type"), "{line}");
}

#[tokio::test]
async fn validate_config_rejects_unknown_nested_field_naming_it() {
    let mut doc = seed("auth");
    doc["email_provider"]["extra"] = json!(true);
    let line = rejected("auth", &doc.to_string()).await;
    assert!(line.starts_with("Error at `email_provider.extra`"), "{line}");
    assert!(line.contains("unknown field `extra`"), "{line}");
}

#[tokio::test]
async fn validate_config_rejects_malformed_duration_naming_the_field() {
    let mut doc = seed("auth");
    doc["jwt"]["access_token_expiration"] = json!("5m");
    let line = rejected("auth", &doc.to_string()).await;
    assert!(line.starts_with("Error at `jwt.access_token_expiration`"), "{line}");
    assert!(line.contains("5m"), "{line}");
}

#[tokio::test]
async fn validate_config_with_unknown_type_exits_2() {
    let done = validate("bogus", &fixture("auth")).await;
    assert_eq!(done.code(), Some(2), "{}", done.output());
    assert!(done.stderr.contains("Invalid config type"), "{}", done.output());
}
