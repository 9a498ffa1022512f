//! Response headers per format (B.3).

use super::RenderOptions;
use super::detect::ClientKind;
use super::view::SubscriptionUser;
use crate::telecom::encode::{b64, pct};

/// `upload=<B>; download=<B>; total=<B>; expire=<unix s>` with `expire=0` for no expiry.
pub fn userinfo_header(user: &SubscriptionUser) -> String {
    format!(
        "upload={}; download={}; total={}; expire={}",
        user.upload,
        user.download,
        user.total,
        user.expire_at.unwrap_or(0).max(0)
    )
}

pub(crate) fn for_client(
    kind: ClientKind,
    user: &SubscriptionUser,
    opts: &RenderOptions<'_>,
) -> (&'static str, Vec<(&'static str, String)>) {
    const TEXT: &str = "text/plain; charset=utf-8";
    let userinfo = || ("subscription-userinfo", userinfo_header(user));
    let interval = || ("profile-update-interval", "24".to_owned());
    let disposition =
        |suffix: &str| ("content-disposition", format!("attachment;filename*=UTF-8''{}{suffix}", pct(opts.app_name)));
    match kind {
        ClientKind::General | ClientKind::QuantumultX => (TEXT, vec![userinfo()]),
        ClientKind::Clash => {
            let mut h = vec![userinfo(), interval(), disposition("")];
            if let Some(site) = opts.site_url {
                h.push(("profile-web-page-url", site.to_owned()));
            }
            ("text/yaml; charset=utf-8", h)
        }
        ClientKind::ClashMeta | ClientKind::Stash => {
            ("text/yaml; charset=utf-8", vec![userinfo(), interval(), disposition("")])
        }
        ClientKind::SingBox => (
            "application/json; charset=utf-8",
            vec![userinfo(), interval(), ("profile-title", format!("base64:{}", b64(opts.app_name.as_bytes())))],
        ),
        ClientKind::Surge => ("application/octet-stream", vec![disposition(".conf")]),
        ClientKind::Surfboard => (TEXT, vec![disposition(".conf")]),
        ClientKind::Loon => (TEXT, vec![("Subscription-Userinfo", userinfo_header(user))]),
        ClientKind::Shadowrocket => (TEXT, Vec::new()),
        ClientKind::Sip008 => ("application/json; charset=utf-8", Vec::new()),
    }
}
