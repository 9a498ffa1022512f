//! `helium-cli admin list|show|create|delete`, as the seed documents them. Every change is
//! audit-logged with the CLI as actor.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use helium_domain::DomainError;
use helium_domain::admin::commands::NewAdmin;
use helium_domain::admin::{Admin, Role};
use helium_domain::audit::Actor;
use helium_infra::admin::{AdminContext, AdminServices};
use helium_infra::db::Db;
use helium_infra::identity::keyring::DataKey;
use uuid::Uuid;

use helium_infra::audit::ChainCheck;

use super::config_cmd::Connected;

fn service(ctx: &Connected) -> AdminServices {
    let public_url = std::env::var("PUBLIC_URL").unwrap_or_else(|_| "http://localhost:8080".to_owned());
    let env = crate::settings::Env::process();
    // An unreadable value counts as none: the data-key check then refuses to go on.
    let (key, previous) = crate::settings::data_keys(&env).unwrap_or_default();
    let keys = DataKey::from_settings(key, previous);
    AdminServices::new(AdminContext {
        db: Db::new(ctx.pool.clone()),
        config: ctx.config.clone(),
        redis: ctx.redis.clone(),
        admin_url: format!("{}/admin", public_url.trim_end_matches('/')),
        keys,
    })
}

fn fail(e: DomainError) -> ExitCode {
    match e {
        DomainError::Rejected { detail, fields, .. } => {
            match fields.first() {
                Some(f) => eprintln!("Error: {}", f.message),
                None => eprintln!("Error: {detail}"),
            }
            ExitCode::FAILURE
        }
        other => {
            eprintln!("Error: {other}");
            ExitCode::FAILURE
        }
    }
}

fn parse_id(raw: &str) -> Result<Uuid, ExitCode> {
    Uuid::parse_str(raw.trim()).map_err(|_| {
        eprintln!("Error: `{raw}` is not an admin id (UUID)");
        ExitCode::from(2)
    })
}

fn print_details(a: &Admin) {
    println!("ID: {}", a.id);
    println!("Name: {}", a.name);
    println!("Role: {}", a.role.display_name());
    println!("Email: {}", a.email.as_deref().unwrap_or("N/A"));
    println!("Avatar: {}", a.avatar_url.as_deref().unwrap_or("N/A"));
}

pub async fn list(ctx: &Connected, limit: i64, offset: i64) -> ExitCode {
    if !(1..=1000).contains(&limit) || offset < 0 {
        eprintln!("Error: --limit must be 1..=1000 and --offset ≥ 0");
        return ExitCode::from(2);
    }
    let admins = match service(ctx).admins.list(limit, offset).await {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    println!("Found {} admin account(s):", admins.len());
    println!("{:<36} {:<20} {:<30} {:<30} {:<20}", "ID", "Role", "Name", "Email", "Created At");
    println!("{} {} {} {} {}", "-".repeat(36), "-".repeat(20), "-".repeat(30), "-".repeat(30), "-".repeat(20));
    for a in &admins {
        println!(
            "{:<36} {:<20} {:<30} {:<30} {:<20}",
            a.id,
            a.role.display_name(),
            a.name,
            a.email.as_deref().unwrap_or("N/A"),
            a.created_at.format("%Y-%m-%dT%H:%M:%SZ")
        );
    }
    ExitCode::SUCCESS
}

pub async fn show(ctx: &Connected, id: &str) -> ExitCode {
    let id = match parse_id(id) {
        Ok(id) => id,
        Err(code) => return code,
    };
    match service(ctx).admins.get(id).await {
        Ok(a) => {
            println!("Admin Account Details:");
            print_details(&a);
            println!("Status: {}", a.status.as_str());
            println!("Created At: {}", a.created_at.format("%Y-%m-%dT%H:%M:%SZ"));
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

pub async fn create(ctx: &Connected, name: &str, role: &str, email: Option<&str>, avatar: Option<&str>) -> ExitCode {
    if Role::parse(role).is_none() {
        eprintln!(
            "Error: Invalid admin role `{role}`: use super_admin, moderator, customer_support or support_bot (case-insensitive; `-` or no separator also accepted)"
        );
        return ExitCode::from(2);
    }
    let cmd = match NewAdmin::new(name, role, email, avatar) {
        Ok(cmd) => cmd,
        Err(e) => return fail(e),
    };
    match service(ctx).admins.create(&Actor::cli(), &cmd).await {
        Ok((a, link)) => {
            println!("Successfully created admin account:");
            print_details(&a);
            println!();
            println!("Setup link (single use, valid 24 hours; shown only now):");
            println!("{link}");
            println!("Open it to set the password, or POST its token to /api/v1/admin/auth/setup.");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn confirmed() -> bool {
    print!("Are you sure you want to delete this admin account? [y/N]: ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

pub async fn delete(ctx: &Connected, id: &str, yes: bool) -> ExitCode {
    let id = match parse_id(id) {
        Ok(id) => id,
        Err(code) => return code,
    };
    let svc = service(ctx);
    let admin = match svc.admins.get(id).await {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    if !yes {
        if !std::io::stdin().is_terminal() {
            eprintln!("Error: refusing to delete without confirmation: stdin is not a terminal (pass --yes)");
            return ExitCode::from(2);
        }
        println!("Admin account to delete:");
        print_details(&admin);
        if !confirmed() {
            println!("Cancelled.");
            return ExitCode::FAILURE;
        }
    }
    match svc.admins.delete(&Actor::cli(), id).await {
        Ok(_) => {
            println!("Successfully deleted admin account: {id}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

pub async fn verify_audit(ctx: &Connected) -> ExitCode {
    match service(ctx).governance.verify_audit_chain().await {
        Ok(ChainCheck::Intact { rows }) => {
            println!("audit chain intact: {rows} rows verified");
            ExitCode::SUCCESS
        }
        Ok(ChainCheck::Broken { id, seq }) => {
            println!("audit chain BROKEN at row {id} (seq {seq}): it or an earlier row was edited, removed or forged");
            ExitCode::FAILURE
        }
        Err(e) => fail(e),
    }
}
