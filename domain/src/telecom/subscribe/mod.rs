//! Subscription documents (WIRE-FORMATS Part B): client detection, per-client protocol
//! whitelists and version gates, and one renderer per output format.
//!
//! The caller builds a [`SubscriptionView`] per customer (cacheable), detects the client with
//! [`detect_client`], and calls [`render`]; the result carries body, content type and headers.

mod clash;
mod detect;
mod headers;
mod lines;
mod loon;
mod quanx;
mod shadowrocket;
mod share;
mod singbox;
mod sip008;
mod support;
mod surge;
mod view;

pub use detect::{Client, ClientKind, GeneralApp, Version, detect_client};
pub use headers::userinfo_header;
pub use share::share_link;
pub use support::supports;
pub use view::{NodeFilter, SubscriptionNode, SubscriptionUser, SubscriptionView, unique_names};

/// Site-level inputs that are the same for every customer.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    /// Site name (`$app_name`, profile titles, file names).
    pub app_name: &'a str,
    /// Host the request came to (the `DOMAIN,<host>,DIRECT` rule).
    pub request_host: &'a str,
    /// The full subscription URL (Surge `#!MANAGED-CONFIG`).
    pub subscribe_url: &'a str,
    /// Optional `profile-web-page-url`.
    pub site_url: Option<&'a str>,
}

/// A rendered document, ready to be cached and served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub body: Vec<u8>,
    pub content_type: &'static str,
    /// Extra response headers in a stable order (names lower-case except Loon's).
    pub headers: Vec<(&'static str, String)>,
}

/// Renders `view` for `client`, keeping the nodes `filter` selects and the client can use.
pub fn render(view: &SubscriptionView, filter: &NodeFilter, client: Client, opts: &RenderOptions<'_>) -> Document {
    let nodes: Vec<&SubscriptionNode> =
        view.nodes.iter().filter(|n| filter.keeps(n) && support::supports(client, n)).collect();
    let ctx = Ctx { user: &view.user, uuid: view.user.uuid_str(), nodes, opts, client };
    let body = match client.kind {
        ClientKind::General => share::render_general(&ctx),
        ClientKind::Clash | ClientKind::ClashMeta | ClientKind::Stash => clash::render(&ctx),
        ClientKind::SingBox => singbox::render(&ctx),
        ClientKind::Surge | ClientKind::Surfboard => surge::render(&ctx),
        ClientKind::QuantumultX => quanx::render(&ctx),
        ClientKind::Loon => loon::render(&ctx),
        ClientKind::Shadowrocket => shadowrocket::render(&ctx),
        ClientKind::Sip008 => sip008::render(&ctx),
    };
    let (content_type, headers) = headers::for_client(client.kind, &view.user, opts);
    Document { body, content_type, headers }
}

/// Everything one renderer needs.
pub(crate) struct Ctx<'a> {
    pub user: &'a SubscriptionUser,
    /// The customer's UUID, lower-case hyphenated (the credential of most protocols).
    pub uuid: String,
    pub nodes: Vec<&'a SubscriptionNode>,
    pub opts: &'a RenderOptions<'a>,
    pub client: Client,
}

#[cfg(test)]
mod tests;
