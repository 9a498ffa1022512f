//! Tampering with the audit log is detectable (`helium-cli audit verify`, the hourly cron
//! check) and, under the least-privilege deployment of deploy/sql/serving-role.sql,
//! impossible for the serving role; every process must use the same data key.

use std::time::Duration;

use axum::http::Method;
use helium_domain::admin::Role;
use helium_infra::audit::ChainCheck;
use helium_infra::db::Db;
use helium_infra::identity::keyring::DataKey;
use serde_json::json;
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;
use uuid::Uuid;

use crate::support::staff::staff;
use crate::support::{Harness, HeliumCommand, database_url_for, harness};

/// A few staff writes, so the chain has rows.
async fn some_history(h: &Harness) {
    let root = staff(h, Role::SuperAdmin).await;
    for name in ["Root", "Root Admin", "Root"] {
        h.authed(Method::PATCH, "/api/v1/admin/me", &root.token, Some(json!({ "name": name }))).await.ok(200);
    }
}

async fn cli_verify(pool: &PgPool) -> crate::support::Finished {
    HeliumCommand::cli()
        .env("DATABASE_URL", database_url_for(pool).await)
        .env("REDIS_URL", crate::support::REDIS_URL)
        .arg("audit")
        .arg("verify")
        .run(Duration::from_secs(30))
        .await
}

async fn superuser(pool: &PgPool, sql: &str) {
    sqlx::raw_sql(sql).execute(pool).await.unwrap();
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn an_edited_or_removed_row_breaks_the_chain(pool: PgPool) {
    let h = harness(pool.clone()).await;
    some_history(&h).await;
    let ids: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM staff.audit_log ORDER BY seq").fetch_all(&pool).await.unwrap();
    assert!(ids.len() >= 5, "{ids:?}");

    let intact = cli_verify(&pool).await;
    assert_eq!(intact.code(), Some(0), "{}", intact.output());
    assert!(intact.stdout.contains(&format!("{} rows verified", ids.len())), "{}", intact.output());

    // What the owner of the table can do: switch the guard off and rewrite a row.
    superuser(
        &pool,
        &format!(
            "ALTER TABLE staff.audit_log DISABLE TRIGGER USER;
             UPDATE staff.audit_log SET reason = 'nothing happened' WHERE id = '{}';
             ALTER TABLE staff.audit_log ENABLE TRIGGER USER;",
            ids[2]
        ),
    )
    .await;
    let broken = cli_verify(&pool).await;
    assert_eq!(broken.code(), Some(1), "{}", broken.output());
    assert!(broken.stdout.contains(&ids[2].to_string()), "names the first broken row: {}", broken.output());
    match h.state.admin.governance.verify_audit_chain().await.unwrap() {
        ChainCheck::Broken { id, .. } => assert_eq!(id, ids[2]),
        other => panic!("{other:?}"),
    }

    // A removed row breaks the chain at the row after it.
    superuser(
        &pool,
        &format!(
            "ALTER TABLE staff.audit_log DISABLE TRIGGER USER;
             UPDATE staff.audit_log SET reason = NULL WHERE id = '{}';
             DELETE FROM staff.audit_log WHERE id = '{}';
             ALTER TABLE staff.audit_log ENABLE TRIGGER USER;",
            ids[2], ids[1]
        ),
    )
    .await;
    match h.state.admin.governance.verify_audit_chain().await.unwrap() {
        ChainCheck::Broken { id, .. } => assert_eq!(id, ids[2], "the row after the gap"),
        other => panic!("{other:?}"),
    }
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn every_process_must_use_the_same_data_key(pool: PgPool) {
    let h = harness(pool.clone()).await;
    some_history(&h).await;
    let db = Db::new(pool.clone());
    // The server generated its key into the keyring; a process given another key refuses.
    let other = DataKey::fixed([7u8; 32]);
    let err = other.load(&db).await.unwrap_err();
    assert!(err.to_string().contains("same DATA_ENCRYPTION_KEY"), "{err}");
    let cli = HeliumCommand::cli()
        .env("DATABASE_URL", database_url_for(&pool).await)
        .env("REDIS_URL", crate::support::REDIS_URL)
        .env("DATA_ENCRYPTION_KEY", "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=")
        .arg("audit")
        .arg("verify")
        .run(Duration::from_secs(30))
        .await;
    assert_eq!(cli.code(), Some(1), "{}", cli.output());
    assert!(cli.output().contains("same DATA_ENCRYPTION_KEY"), "{}", cli.output());
    // The same key keeps working.
    assert!(DataKey::default().load(&db).await.is_ok());
}

/// deploy/sql/serving-role.sql with `app_role` substituted (what `psql -v` does).
fn serving_role_sql(role: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/sql/serving-role.sql");
    std::fs::read_to_string(path).unwrap().replace(":'app_role'", &format!("'{role}'"))
}

#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_serving_role_without_ownership_cannot_rewrite_history(
    options: sqlx::postgres::PgPoolOptions,
    opts: PgConnectOptions,
) {
    let pool = options.connect_with(opts.clone()).await.unwrap();
    let role = format!("helium_app_{}", Uuid::new_v4().simple());
    superuser(&pool, &format!("CREATE ROLE {role} LOGIN")).await;
    let url = database_url_for(&pool).await;
    let script = std::env::temp_dir().join(format!("{role}.sql"));
    std::fs::write(&script, serving_role_sql(&role)).unwrap();
    let out = std::process::Command::new("psql").arg(&url).arg("-q").arg("-f").arg(&script).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // The whole app runs as that role: sign-ups, staff writes, audit rows, the data key.
    let app_pool =
        sqlx::postgres::PgPoolOptions::new().max_connections(5).connect_with(opts.username(&role)).await.unwrap();
    let h = harness(app_pool.clone()).await;
    h.register("least@example.test").await.ok(202);
    some_history(&h).await;
    assert!(matches!(h.state.admin.governance.verify_audit_chain().await.unwrap(), ChainCheck::Intact { .. }));

    for attack in [
        "ALTER TABLE staff.audit_log DISABLE TRIGGER USER",
        "UPDATE staff.audit_log SET reason = 'x'",
        "DELETE FROM staff.audit_log",
        "TRUNCATE staff.audit_log",
        "DROP TABLE staff.audit_log",
    ] {
        let err = sqlx::raw_sql(attack).execute(&app_pool).await.unwrap_err();
        let code = err.as_database_error().and_then(|e| e.code()).map(|c| c.into_owned());
        assert_eq!(code.as_deref(), Some("42501"), "{attack}: {err}");
    }
    app_pool.close().await;
    let _ = std::fs::remove_file(&script);
    superuser(&pool, &format!("DROP OWNED BY {role}; DROP ROLE {role}")).await;
}

/// `DATA_ENCRYPTION_KEY` wraps the data key (envelope): rotating it re-wraps one row, and
/// everything sealed or keyed with the data key stays readable, with no mass re-sealing and
/// nobody signed out. Also covers a deployment from before wrapping (its key was the data key).
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn the_data_encryption_key_rotates_without_resealing(pool: PgPool) {
    const A: [u8; 32] = [1; 32];
    const B: [u8; 32] = [2; 32];
    const C: [u8; 32] = [3; 32];
    let b64 = |k: &[u8; 32]| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, k);
    let db = Db::new(pool.clone());
    let seal_and_derive = async |keys: &DataKey| {
        let mut c = pool.acquire().await.unwrap();
        let sealer = keys.sealer(&mut c).await.unwrap();
        (sealer, keys.derived(&mut c, "helium test label").await.unwrap())
    };

    // Key A: a TOTP seed sealed, a lookup key derived.
    let a = DataKey::fixed(A);
    a.load(&db).await.unwrap();
    let (sealer, derived) = seal_and_derive(&a).await;
    let sealed = sealer.seal(b"totp seed", b"user-1").unwrap();
    let wrapped: String = sqlx::query_scalar("SELECT sealed FROM keyring_wrapped").fetch_one(&pool).await.unwrap();
    assert!(!wrapped.contains(&b64(&A)), "the data key is never stored in clear");

    // Rotation: B with A as the previous key re-wraps; the data key itself is unchanged.
    let rotating = DataKey::rotating(B, Some(A));
    rotating.load(&db).await.unwrap();
    let (sealer, derived_now) = seal_and_derive(&rotating).await;
    assert_eq!(sealer.open(&sealed, b"user-1").unwrap(), b"totp seed");
    assert_eq!(derived_now, derived, "lookup hashes and the audit chain keep their key");
    let rewrapped: String = sqlx::query_scalar("SELECT sealed FROM keyring_wrapped").fetch_one(&pool).await.unwrap();
    assert_ne!(rewrapped, wrapped);

    // Afterwards B alone suffices; A no longer opens the data key, nor does a stranger's key.
    let b = DataKey::fixed(B);
    b.load(&db).await.unwrap();
    assert_eq!(seal_and_derive(&b).await.0.open(&sealed, b"user-1").unwrap(), b"totp seed");
    for stale in [DataKey::fixed(A), DataKey::fixed(C), DataKey::rotating(C, Some(A))] {
        let err = stale.load(&db).await.unwrap_err();
        assert!(err.to_string().contains("DATA_ENCRYPTION_KEY_PREVIOUS"), "{err}");
    }

    // The CLI reads the pair from the environment like the server.
    let cli = async |current: &[u8; 32], previous: Option<&[u8; 32]>| {
        let mut cmd = HeliumCommand::cli()
            .env("DATABASE_URL", database_url_for(&pool).await)
            .env("REDIS_URL", crate::support::REDIS_URL)
            .env("DATA_ENCRYPTION_KEY", b64(current));
        if let Some(p) = previous {
            cmd = cmd.env("DATA_ENCRYPTION_KEY_PREVIOUS", b64(p));
        }
        cmd.arg("audit").arg("verify").run(Duration::from_secs(30)).await
    };
    let ok = cli(&B, None).await;
    assert_eq!(ok.code(), Some(0), "{}", ok.output());
    let stale = cli(&A, None).await;
    assert_eq!(stale.code(), Some(1), "{}", stale.output());
}

/// A database sealed by a release from before wrapping used DATA_ENCRYPTION_KEY itself as the
/// data key: on the first start (here, in the middle of a rotation) it becomes the wrapped
/// data key, and what it sealed still opens.
#[sqlx::test(migrator = "helium_infra::MIGRATOR")]
async fn a_database_from_before_wrapping_keeps_its_key_as_the_data_key(pool: PgPool) {
    use sha2::Digest;
    const A: [u8; 32] = [1; 32];
    const C: [u8; 32] = [3; 32];
    // What the older release left: its key's fingerprint and a value sealed with the key itself.
    let fingerprint = sha2::Sha256::new().chain_update(b"helium data key check v1").chain_update(A).finalize();
    sqlx::query("INSERT INTO keyring (name, key) VALUES ('data-key-check-v1', $1)")
        .bind(fingerprint.as_slice())
        .execute(&pool)
        .await
        .unwrap();
    let sealed = helium_infra::identity::seal::Sealer::new(&A).seal(b"totp seed", b"user-1").unwrap();

    let db = Db::new(pool.clone());
    let rotating = DataKey::rotating(C, Some(A));
    rotating.load(&db).await.unwrap();
    let mut c = pool.acquire().await.unwrap();
    assert_eq!(rotating.sealer(&mut c).await.unwrap().open(&sealed, b"user-1").unwrap(), b"totp seed");
    drop(c);
    DataKey::fixed(C).load(&db).await.unwrap();
    assert!(DataKey::fixed(A).load(&db).await.is_err(), "the old key no longer opens the data key");
}
