//! Email templates (minijinja), embedded from `infra/templates/email/` at build time so the
//! binary is self-contained. Each email has `<name>.subject.j2`, `.txt.j2` and `.html.j2`;
//! HTML templates autoescape.

use std::sync::OnceLock;

use helium_domain::events::EmailTemplate;
use minijinja::{AutoEscape, Environment, Value};

macro_rules! embed {
    ($($file:expr),* $(,)?) => {
        &[$(($file, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/email/", $file)))),*]
    };
}

macro_rules! email_files {
    ($($name:literal),* $(,)?) => {
        embed!("base.html.j2", "base.txt.j2", $(concat!($name, ".subject.j2"), concat!($name, ".txt.j2"), concat!($name, ".html.j2")),*)
    };
}

static FILES: &[(&str, &str)] = email_files!(
    "register_magic_link",
    "register_existing_account",
    "password_reset",
    "sign_in_code",
    "email_change_confirm",
    "admin_invitation",
    "admin_setup",
    "security_password_changed",
    "security_mfa_changed",
    "security_new_sign_in",
    "security_method_changed",
    "ticket_reply",
    "ticket_status_changed",
    "order_paid",
    "package_activated",
    "package_expiring",
    "auto_renew_failed",
    "email_change_requested",
    "announcement",
    "package_consumed",
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_auto_escape_callback(
            |name| if name.ends_with(".html.j2") { AutoEscape::Html } else { AutoEscape::None },
        );
        for (name, source) in FILES {
            // Sources are compile-time constants covered by tests; a syntax error there is a
            // build defect, reported at render time as a template error.
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "email template does not compile");
            }
        }
        env
    })
}

/// Renders one email. `context` holds the template variables; `site_name` is added.
pub fn render(
    template: EmailTemplate,
    site_name: &str,
    context: &serde_json::Map<String, serde_json::Value>,
) -> Result<Rendered, minijinja::Error> {
    let env = environment();
    let mut ctx = context.clone();
    ctx.insert("site_name".into(), site_name.into());
    let ctx = Value::from_serialize(&ctx);
    let part = |ext: &str| -> Result<String, minijinja::Error> {
        env.get_template(&format!("{}.{ext}.j2", template.name()))?.render(&ctx)
    };
    let subject = part("subject")?.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or_default().to_owned();
    Ok(Rendered { subject, text: part("txt")?, html: part("html")? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_with_a_link() {
        let mut ctx = serde_json::Map::new();
        for (k, v) in [
            ("link", "https://h.example/x?t=TOKEN123"),
            ("code", "123456"),
            ("recipient", "a@b.example"),
            ("sign_in_url", "https://h.example/login"),
            ("reset_url", "https://h.example/reset"),
        ] {
            ctx.insert(k.into(), v.into());
        }
        for t in EmailTemplate::ALL {
            let r = render(t, "Helium Test", &ctx).unwrap_or_else(|e| panic!("{}: {e}", t.name()));
            assert!(!r.subject.is_empty() && !r.subject.contains('\n'), "{}", t.name());
            assert!(r.text.contains("Helium Test") && r.html.contains("Helium Test"), "{}", t.name());
        }
        let r = render(EmailTemplate::PasswordReset, "S", &ctx).unwrap();
        assert!(r.text.contains("TOKEN123") && r.html.contains("TOKEN123"));
    }
}
