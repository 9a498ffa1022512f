//! The transactional email templates in `infra/templates/email/`, rendered with a stand-alone
//! minijinja environment configured like the mail renderer (HTML autoescape for `*.html.j2` only):
//! exactly the expected set of emails exists, each renders its subject / text / HTML parts with a
//! full context and with only the required variables, the footer and the one-time link or code are
//! in both parts, user-supplied text is escaped in HTML, and optional branches behave.

use std::collections::BTreeSet;
use std::path::PathBuf;

use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};
use serde_json::json;

const SITE: &str = "Helium";
const FOOTER: &str = "You received this email because of activity on your Helium account.";
const SUPPORT: &str = "support@helium.example";
const RECIPIENT: &str = "alice@example.com";
const LOCALE: &str = "en-GB";

const NAMES: [&str; 20] = [
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
];

/// Keys present in every context; all but `site_name` are optional for the templates.
const COMMON_OPTIONAL: [&str; 3] = ["support_email", "locale", "recipient"];

/// Variables whose values are URLs: they must be clickable in HTML and verbatim in text.
const URL_KEYS: [&str; 9] = [
    "link",
    "sign_in_url",
    "reset_url",
    "ticket_url",
    "order_url",
    "dashboard_url",
    "renew_url",
    "wallet_url",
    "announcement_url",
];

/// Phrases one of which tells the recipient what to do if it was not them.
const NOT_ME_PHRASES: [&str; 5] = [
    "If you didn't",
    "If it wasn't you",
    "If you weren't expecting",
    "If you don't recognise",
    "If you don't recognize",
];

struct Spec {
    name: &'static str,
    vars: serde_json::Value,
    /// Email-specific variables that may be absent.
    optional: &'static [&'static str],
    /// Security-sensitive: must say what to do if the recipient did not cause it.
    security: bool,
}

fn specs() -> Vec<Spec> {
    vec![
        Spec {
            name: "register_magic_link",
            vars: json!({
                "link": "https://app.helium.example/register/complete?token=Rg7pQ2xVb9",
                "expires_minutes": 30,
            }),
            optional: &[],
            security: true,
        },
        Spec {
            name: "register_existing_account",
            vars: json!({
                "sign_in_url": "https://app.helium.example/sign-in",
                "reset_url": "https://app.helium.example/password/forgot",
            }),
            optional: &[],
            security: true,
        },
        Spec {
            name: "password_reset",
            vars: json!({
                "link": "https://app.helium.example/password/reset?token=Pw4kLm8sQ1",
                "expires_minutes": 60,
            }),
            optional: &[],
            security: true,
        },
        Spec {
            name: "sign_in_code",
            vars: json!({ "code": "048213", "expires_minutes": 10 }),
            optional: &[],
            security: true,
        },
        Spec {
            name: "email_change_confirm",
            vars: json!({
                "link": "https://app.helium.example/account/email/confirm?token=Em5tYh3cW0",
                "expires_minutes": 45,
                "new_email": "alice.new@example.org",
            }),
            optional: &[],
            security: true,
        },
        Spec {
            name: "admin_invitation",
            vars: json!({
                "link": "https://admin.helium.example/invitation/accept?token=Iv2nBq6rT4",
                "inviter_name": "Olivia Operator",
                "role": "Customer Support",
                "expires_hours": 72,
            }),
            optional: &[],
            security: true,
        },
        Spec {
            name: "admin_setup",
            vars: json!({
                "link": "https://admin.helium.example/setup?token=Su9dFe1gH7",
                "admin_name": "Sam Staff",
                "role": "Billing",
                "expires_hours": 24,
            }),
            optional: &[],
            security: true,
        },
        Spec {
            name: "security_password_changed",
            vars: json!({ "occurred_at": "2026-11-26 14:03 UTC", "ip": "203.0.113.7" }),
            optional: &["ip"],
            security: true,
        },
        Spec {
            name: "security_mfa_changed",
            vars: json!({ "enabled": true, "occurred_at": "2026-11-26 14:05 UTC", "by_staff": true }),
            optional: &["by_staff"],
            security: true,
        },
        Spec {
            name: "security_new_sign_in",
            vars: json!({
                "occurred_at": "2026-11-26 14:07 UTC",
                "ip": "198.51.100.23",
                "device": "Firefox on Linux",
            }),
            optional: &["ip", "device"],
            security: true,
        },
        Spec {
            name: "security_method_changed",
            vars: json!({ "change": "removed", "method": "password", "occurred_at": "2026-11-26 14:09 UTC" }),
            optional: &[],
            security: true,
        },
        Spec {
            name: "ticket_reply",
            vars: json!({
                "ticket_subject": "Cannot connect from Wi-Fi",
                "ticket_url": "https://app.helium.example/support/tickets/4711",
                "reply_excerpt": "Hi Alice,\nplease try <script>alert(\"x\")</script> & reconnect.",
            }),
            optional: &[],
            security: false,
        },
        Spec {
            name: "ticket_status_changed",
            vars: json!({
                "ticket_subject": "Cannot connect <from> Wi-Fi",
                "status": "resolved",
                "ticket_url": "https://app.helium.example/tickets/4711",
            }),
            optional: &[],
            security: false,
        },
        Spec {
            name: "order_paid",
            vars: json!({
                "trade_no": "HE20261126000042",
                "amount": "12.00 USD",
                "product_name": "Pro Monthly",
                "order_url": "https://app.helium.example/orders/HE20261126000042",
            }),
            optional: &[],
            security: false,
        },
        Spec {
            name: "package_activated",
            vars: json!({
                "package_name": "Pro Monthly",
                "expires_at": "2026-12-26",
                "dashboard_url": "https://app.helium.example/dashboard",
            }),
            optional: &["expires_at"],
            security: false,
        },
        Spec {
            name: "package_expiring",
            vars: json!({
                "package_name": "Pro Monthly",
                "expires_at": "2026-12-26",
                "days_left": 3,
                "renew_url": "https://app.helium.example/renew?package=pro-monthly",
            }),
            optional: &[],
            security: false,
        },
        Spec {
            name: "auto_renew_failed",
            vars: json!({
                "product_name": "Pro Monthly",
                "expires_at": "2026-12-26",
                "available": "5 CNY",
                "price": "30 CNY",
                "wallet_url": "https://app.helium.example/wallet?top_up=1&product=pro",
            }),
            optional: &[],
            security: false,
        },
        Spec {
            name: "email_change_requested",
            vars: json!({ "new_email": "alice.new@example.org", "occurred_at": "2026-12-06 10:00 UTC" }),
            optional: &[],
            security: true,
        },
        Spec {
            name: "announcement",
            vars: json!({
                "title": "Maintenance on <Tokyo> nodes",
                "body": "Nodes restart at 02:00 UTC.\nExpect 5 minutes of downtime & reconnects.",
                "announcement_url": "https://app.helium.example/announcements/1?ref=mail&x=1",
            }),
            optional: &["announcement_url"],
            security: false,
        },
        Spec {
            name: "package_consumed",
            vars: json!({
                "package_name": "Pro 30 days",
                "reason": "traffic used up",
                "renew_url": "https://app.helium.example/plans?from=mail&x=1",
            }),
            optional: &[],
            security: false,
        },
    ]
}

fn spec(name: &str) -> Spec {
    specs().into_iter().find(|s| s.name == name).unwrap()
}

fn template_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates").join("email")
}

fn template_files() -> BTreeSet<String> {
    std::fs::read_dir(template_dir()).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect()
}

/// An environment like the mail renderer's: every template file loaded, HTML autoescape for
/// `*.html.j2` only.
fn environment(undefined: UndefinedBehavior) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(undefined);
    env.set_auto_escape_callback(|name| if name.ends_with(".html.j2") { AutoEscape::Html } else { AutoEscape::None });
    for name in template_files() {
        let source = std::fs::read_to_string(template_dir().join(&name)).unwrap();
        env.add_template_owned(name.clone(), source).unwrap_or_else(|e| panic!("{name} does not parse: {e:#}"));
    }
    env
}

/// The full context of an email: common variables plus its own.
fn full_context(spec: &Spec) -> serde_json::Value {
    let mut ctx = json!({
        "site_name": SITE,
        "support_email": SUPPORT,
        "locale": LOCALE,
        "recipient": RECIPIENT,
    });
    let map = ctx.as_object_mut().unwrap();
    for (k, v) in spec.vars.as_object().unwrap() {
        map.insert(k.clone(), v.clone());
    }
    ctx
}

/// The context with every optional variable removed.
fn required_context(spec: &Spec) -> serde_json::Value {
    let mut ctx = full_context(spec);
    let map = ctx.as_object_mut().unwrap();
    for k in COMMON_OPTIONAL.iter().chain(spec.optional) {
        map.remove(*k);
    }
    ctx
}

fn with(ctx: &serde_json::Value, key: &str, value: serde_json::Value) -> serde_json::Value {
    let mut ctx = ctx.clone();
    ctx.as_object_mut().unwrap().insert(key.to_owned(), value);
    ctx
}

struct Rendered {
    subject: String,
    txt: String,
    html: String,
}

fn render(env: &Environment<'_>, name: &str, ctx: &serde_json::Value) -> Rendered {
    let ctx = Value::from_serialize(ctx);
    let part = |kind: &str| {
        let file = format!("{name}.{kind}.j2");
        env.get_template(&file)
            .and_then(|t| t.render(&ctx))
            .unwrap_or_else(|e| panic!("{file} failed to render with {ctx}: {e:#}"))
    };
    Rendered { subject: part("subject").trim().to_owned(), txt: part("txt"), html: part("html") }
}

/// minijinja's HTML escaping of a printed value.
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

/// How the templates print URLs in HTML: escaped for a double-quoted attribute, slashes left readable.
fn url_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

fn href_values(html: &str) -> Vec<&str> {
    html.split("href=\"").skip(1).map(|rest| rest.split('"').next().unwrap()).collect()
}

/// Checks shared by every email and context.
fn check(spec: &Spec, ctx: &serde_json::Value, r: &Rendered) {
    let name = spec.name;
    let ctx = ctx.as_object().unwrap();

    // Subject: one short line.
    assert!(!r.subject.is_empty(), "{name}: empty subject");
    assert!(!r.subject.contains(['\n', '\r']), "{name}: multi-line subject {:?}", r.subject);
    assert!(r.subject.chars().count() < 120, "{name}: subject too long {:?}", r.subject);

    // Nothing left unrendered.
    for (part, text) in [("subject", &r.subject), ("txt", &r.txt), ("html", &r.html)] {
        for marker in ["{{", "}}", "{%", "%}", "{#"] {
            assert!(!text.contains(marker), "{name}.{part}: contains {marker:?}:\n{text}");
        }
    }

    // Site name and footer in both parts; the text footer follows a signature delimiter.
    for (part, text) in [("txt", &r.txt), ("html", &r.html)] {
        assert!(text.contains(SITE), "{name}.{part}: no site name");
        assert!(text.contains(FOOTER), "{name}.{part}: no footer sentence:\n{text}");
    }
    let (_, signature) =
        r.txt.split_once("\n-- \n").unwrap_or_else(|| panic!("{name}.txt: no \"-- \" line:\n{}", r.txt));
    assert!(signature.contains(FOOTER), "{name}.txt: footer not below the signature delimiter");
    assert!(!r.txt.trim_start().starts_with("-- "), "{name}.txt: empty body");

    // The HTML part is a whole document in the requested (or default) language.
    assert!(r.html.trim_start().starts_with("<!DOCTYPE html>"), "{name}.html: no doctype");
    assert!(r.html.contains("<html") && r.html.contains("</html>"), "{name}.html: not a full document");
    let lang = ctx.get("locale").and_then(|v| v.as_str()).unwrap_or("en");
    assert!(r.html.contains(&format!("<html lang=\"{lang}\">")), "{name}.html: wrong lang");
    assert!(r.html.contains("max-width:600px"), "{name}.html: no 600px layout");
    assert!(!r.html.contains("<link") && !r.html.contains("<img") && !r.html.contains("@import"));

    // Links are readable and not entity-mangled.
    for href in href_values(&r.html) {
        assert!(!href.contains("&#x2f;"), "{name}.html: mangled href {href:?}");
    }

    // Support contact line only when a support address is given.
    let has_support = ctx.contains_key("support_email");
    for (part, text) in [("txt", &r.txt), ("html", &r.html)] {
        assert_eq!(text.contains(SUPPORT), has_support, "{name}.{part}: support contact line");
        assert_eq!(text.contains(RECIPIENT), ctx.contains_key("recipient"), "{name}.{part}: recipient line");
    }

    // Every given value shows up: URLs as links in HTML, the rest escaped in HTML, verbatim in text.
    for (key, value) in ctx {
        match (key.as_str(), value) {
            ("locale", _) => {}
            (key, serde_json::Value::String(s)) if URL_KEYS.contains(&key) => {
                assert!(r.txt.contains(s.as_str()), "{name}.txt: no {key} {s}");
                let hrefs = href_values(&r.html);
                let shown = url_escape(s);
                assert!(hrefs.contains(&shown.as_str()), "{name}.html: {key} not a link: {hrefs:?}");
                assert!(r.html.contains(&format!(">{shown}</a>")), "{name}.html: raw {key} not shown as text");
            }
            (key, serde_json::Value::String(s)) => {
                assert!(r.txt.contains(s.as_str()), "{name}.txt: no {key} {s:?}");
                assert!(r.html.contains(&html_escape(s)), "{name}.html: no escaped {key} {s:?}");
            }
            (key, serde_json::Value::Number(n)) => {
                let n = n.to_string();
                assert!(r.txt.contains(&n), "{name}.txt: no {key} {n}");
                assert!(r.html.contains(&n), "{name}.html: no {key} {n}");
            }
            _ => {}
        }
    }

    // Values of absent optional variables do not leak in from anywhere.
    let full = full_context(spec);
    for (key, value) in full.as_object().unwrap() {
        if let (false, Some(s)) = (ctx.contains_key(key), value.as_str())
            && key != "locale"
        {
            assert!(!r.txt.contains(s) && !r.html.contains(s), "{name}: absent {key} printed");
        }
    }

    if spec.security {
        for (part, text) in [("txt", &r.txt), ("html", &r.html)] {
            assert!(
                NOT_ME_PHRASES.iter().any(|p| text.contains(p)),
                "{name}.{part}: does not say what to do if it was not the recipient"
            );
        }
    }
}

#[test]
fn template_set_is_exactly_the_twenty_emails() {
    let files = template_files();
    let subjects: BTreeSet<&str> = files.iter().filter_map(|f| f.strip_suffix(".subject.j2")).collect();
    let expected: BTreeSet<&str> = NAMES.into_iter().collect();
    assert_eq!(subjects, expected, "*.subject.j2 files");

    let mut all: BTreeSet<String> = ["base.html.j2".to_owned(), "base.txt.j2".to_owned()].into();
    for name in NAMES {
        for kind in ["subject", "txt", "html"] {
            all.insert(format!("{name}.{kind}.j2"));
        }
    }
    assert_eq!(files, all, "files in {}", template_dir().display());

    let names: BTreeSet<&str> = specs().iter().map(|s| s.name).collect();
    assert_eq!(names, expected, "this test covers every email");
}

#[test]
fn every_email_renders_with_full_context() {
    // Lenient is minijinja's (and the renderer's) default; semi-strict additionally fails on
    // printing a variable nobody passes, which catches misspelt names.
    for undefined in [UndefinedBehavior::Lenient, UndefinedBehavior::SemiStrict] {
        let env = environment(undefined);
        for spec in specs() {
            let ctx = full_context(&spec);
            check(&spec, &ctx, &render(&env, spec.name, &ctx));
        }
    }
}

#[test]
fn every_email_renders_with_only_required_variables() {
    for undefined in [UndefinedBehavior::Lenient, UndefinedBehavior::SemiStrict] {
        let env = environment(undefined);
        for spec in specs() {
            let ctx = required_context(&spec);
            check(&spec, &ctx, &render(&env, spec.name, &ctx));
        }
    }
}

#[test]
fn every_email_renders_even_if_the_caller_passes_nothing_but_the_site_name() {
    // The renderer uses minijinja's lenient default: a forgotten variable degrades the wording
    // but must never turn into a render error at send time.
    let env = environment(UndefinedBehavior::Lenient);
    for name in NAMES {
        let r = render(&env, name, &json!({ "site_name": SITE }));
        assert!(!r.subject.is_empty() && !r.subject.contains('\n'), "{name}");
        assert!(r.txt.contains(FOOTER) && r.html.contains(FOOTER) && r.html.contains("</html>"), "{name}");
    }
}

#[test]
fn sign_in_code_is_shown_prominently_in_monospace() {
    let env = environment(UndefinedBehavior::Lenient);
    let spec = spec("sign_in_code");
    let r = render(&env, spec.name, &full_context(&spec));
    let cell = r.html.split(">048213<").next().unwrap().rsplit('<').next().unwrap();
    assert!(cell.contains("monospace") && cell.contains("font-size:32px"), "code cell: {cell}");
    assert!(r.txt.contains("\n    048213\n"), "code on its own line:\n{}", r.txt);
    assert!(!r.subject.contains("048213"), "code kept out of the subject (lock-screen previews)");
}

#[test]
fn reply_excerpt_is_escaped_in_html_and_verbatim_in_text() {
    let env = environment(UndefinedBehavior::Lenient);
    let spec = spec("ticket_reply");
    let r = render(&env, spec.name, &full_context(&spec));
    let excerpt = spec.vars["reply_excerpt"].as_str().unwrap();
    assert!(r.txt.contains(excerpt), "txt keeps the excerpt verbatim:\n{}", r.txt);
    assert!(r.html.contains("&lt;script&gt;"), "html escapes the excerpt:\n{}", r.html);
    assert!(!r.html.contains("<script"), "no live script tag in html");
    assert!(r.html.contains(" &amp; reconnect."));
}

#[test]
fn urls_with_query_strings_are_attribute_escaped() {
    let env = environment(UndefinedBehavior::Lenient);
    let spec = spec("password_reset");
    let link = "https://app.helium.example/password/reset?token=a1b2&uid=42&x=\"><b>";
    let r = render(&env, spec.name, &with(&full_context(&spec), "link", json!(link)));
    assert!(r.txt.contains(link));
    let escaped = "https://app.helium.example/password/reset?token=a1b2&amp;uid=42&amp;x=&quot;&gt;&lt;b&gt;";
    assert_eq!(href_values(&r.html).iter().filter(|h| **h == escaped).count(), 2, "button and raw link");
    assert!(!r.html.contains("\"><b>"));
}

#[test]
fn security_emails_show_optional_details_only_when_given() {
    let env = environment(UndefinedBehavior::Lenient);

    let spec = spec("security_password_changed");
    let r = render(&env, spec.name, &full_context(&spec));
    assert!(r.txt.contains("IP address: 203.0.113.7") && r.html.contains("IP address"));
    let r = render(&env, spec.name, &required_context(&spec));
    assert!(!r.txt.contains("IP address") && !r.html.contains("IP address"));

    let spec = self::spec("security_new_sign_in");
    let r = render(&env, spec.name, &full_context(&spec));
    assert!(r.txt.contains("Device: Firefox on Linux") && r.txt.contains("IP address: 198.51.100.23"));
    assert!(r.html.contains("Device") && r.html.contains("IP address"));
    let r = render(&env, spec.name, &required_context(&spec));
    for text in [&r.txt, &r.html] {
        assert!(!text.contains("Device") && !text.contains("IP address"));
    }
    assert!(r.txt.contains("When: 2026-11-26 14:07 UTC\n\nIf this was you"), "no blank-line debris:\n{}", r.txt);
}

#[test]
fn mfa_change_says_on_or_off_and_mentions_staff_recovery() {
    let env = environment(UndefinedBehavior::Lenient);
    let spec = spec("security_mfa_changed");
    let full = full_context(&spec);

    let on = render(&env, spec.name, &full);
    assert!(on.subject.contains("turned on"), "{}", on.subject);
    for text in [&on.txt, &on.html] {
        assert!(text.contains("support team") && text.contains("account recovery"));
    }

    let off = render(&env, spec.name, &with(&required_context(&spec), "enabled", json!(false)));
    assert!(off.subject.contains("turned off"), "{}", off.subject);
    assert!(off.txt.contains("turned off") && off.html.contains("turned <strong>off</strong>"));
    for text in [&off.txt, &off.html] {
        assert!(!text.contains("turned on") && !text.contains("support team"));
    }

    let by_user = render(&env, spec.name, &with(&full, "by_staff", json!(false)));
    assert!(!by_user.txt.contains("support team") && !by_user.html.contains("support team"));
}

#[test]
fn package_emails_handle_expiry() {
    let env = environment(UndefinedBehavior::Lenient);

    let spec = spec("package_activated");
    let r = render(&env, spec.name, &full_context(&spec));
    assert!(r.txt.contains("valid until 2026-12-26") && r.html.contains("valid until 2026-12-26"));
    let r = render(&env, spec.name, &required_context(&spec));
    assert!(r.txt.contains("does not expire") && r.html.contains("does not expire"));
    assert!(!r.txt.contains("valid until") && !r.html.contains("valid until"));

    let spec = self::spec("package_expiring");
    let full = full_context(&spec);
    for (days, phrase) in [(0, "expires today"), (1, "expires in 1 day"), (3, "expires in 3 days")] {
        let r = render(&env, spec.name, &with(&full, "days_left", json!(days)));
        assert!(r.subject.ends_with(phrase), "{days}: {}", r.subject);
        assert!(r.txt.contains(phrase) && r.html.contains(phrase), "{days} days");
        assert!(!r.txt.contains("1 days"));
    }
}

#[test]
fn durations_are_pluralised() {
    let env = environment(UndefinedBehavior::Lenient);
    let spec = spec("register_magic_link");
    let r = render(&env, spec.name, &with(&full_context(&spec), "expires_minutes", json!(1)));
    assert!(r.txt.contains("expires in 1 minute and") && r.html.contains("expires in 1 minute and"));
    let r = render(&env, spec.name, &full_context(&spec));
    assert!(r.txt.contains("expires in 30 minutes and"));

    let spec = self::spec("admin_invitation");
    let r = render(&env, spec.name, &with(&full_context(&spec), "expires_hours", json!(1)));
    assert!(r.txt.contains("expires in 1 hour and"));
    let r = render(&env, spec.name, &full_context(&spec));
    assert!(r.txt.contains("expires in 72 hours and") && r.html.contains("expires in 72 hours and"));
}

#[test]
fn ticket_subject_cannot_break_the_subject_line() {
    let env = environment(UndefinedBehavior::Lenient);
    let spec = spec("ticket_reply");
    let long = format!("Line one\r\nBcc: evil@example.com\n{}", "very long words ".repeat(20));
    let r = render(&env, spec.name, &with(&full_context(&spec), "ticket_subject", json!(long)));
    assert!(!r.subject.contains(['\n', '\r']), "{:?}", r.subject);
    assert!(r.subject.chars().count() < 120, "{:?}", r.subject);
    assert!(r.subject.starts_with("New reply to your support ticket: Line one"), "{:?}", r.subject);
}

#[test]
fn site_name_is_escaped_in_html() {
    let env = environment(UndefinedBehavior::Lenient);
    for spec in specs() {
        let r = render(&env, spec.name, &with(&full_context(&spec), "site_name", json!("A&B <VPN>")));
        assert!(r.html.contains("A&amp;B &lt;VPN&gt;"), "{}", spec.name);
        assert!(!r.html.contains("<VPN>"), "{}", spec.name);
        assert!(r.txt.contains("A&B <VPN>"), "{}", spec.name);
    }
}
