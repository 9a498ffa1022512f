//! `helium-cli admin list|show|create|delete`, as the seed documents them. Every change is
//! audit-logged with the CLI as actor.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use helium_domain::DomainError;
use helium_domain::admin::Role;
use helium_infra::staff::audit::Actor;
use helium_infra::staff::service::StaffService;
use helium_infra::staff::store::AdminRow;
use uuid::Uuid;

use super::config_cmd::Connected;

fn service(ctx: &Connected) -> StaffService {
    let public_url = std::env::var("PUBLIC_URL").unwrap_or_else(|_| "http://localhost:8080".to_owned());
    StaffService {
        pool: ctx.pool.clone(),
        config: ctx.config.clone(),
        admin_url: format!("{}/admin", public_url.trim_end_matches('/')),
        data_key: Default::default(),
        redis: ctx.redis.clone(),
    }
}

fn role_name(stored: &str) -> String {
    Role::parse(stored).map_or_else(|| stored.to_owned(), |r| r.display_name().to_owned())
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

fn print_details(a: &AdminRow) {
    println!("ID: {}", a.id);
    println!("Name: {}", a.name);
    println!("Role: {}", role_name(&a.role));
    println!("Email: {}", a.email.as_deref().unwrap_or("N/A"));
    println!("Avatar: {}", a.avatar_url.as_deref().unwrap_or("N/A"));
}

pub async fn list(ctx: &Connected, limit: i64, offset: i64) -> ExitCode {
    if !(1..=1000).contains(&limit) || offset < 0 {
        eprintln!("Error: --limit must be 1..=1000 and --offset ≥ 0");
        return ExitCode::from(2);
    }
    let admins = match service(ctx).list_admins(None, None, limit, offset).await {
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
            role_name(&a.role),
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
    match service(ctx).get_admin(id).await {
        Ok(a) => {
            println!("Admin Account Details:");
            print_details(&a);
            println!("Status: {}", a.status);
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
    match service(ctx).create_admin(&Actor::cli(), name, role, email, avatar).await {
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
    let admin = match svc.get_admin(id).await {
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
    match svc.delete_admin(&Actor::cli(), id).await {
        Ok(_) => {
            println!("Successfully deleted admin account: {id}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
