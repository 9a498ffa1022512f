//! SIP008 online configuration (B.11): classic AEAD shadowsocks servers only.

use sha2::{Digest, Sha256};

use super::Ctx;
use crate::telecom::json::Json;
use crate::telecom::model::ProtocolSettings;

pub(crate) fn render(ctx: &Ctx<'_>) -> Vec<u8> {
    let mut out = String::with_capacity(64 + ctx.nodes.len() * 200);
    let mut j = Json::new(&mut out);
    j.begin_obj().kuint("version", 1).key("servers").begin_arr();
    let mut buf = uuid::Uuid::encode_buffer();
    for node in &ctx.nodes {
        let ProtocolSettings::Shadowsocks(s) = &node.settings else { continue };
        // SIP008 wants a stable id per server: hash (customer, node name; names are unique in a
        // view) so it stays the same across renders and filters without being stored.
        let mut h = Sha256::new();
        h.update(ctx.user.uuid.as_bytes());
        h.update(node.name.as_bytes());
        let digest = h.finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
        j.begin_obj().kstr("id", id.hyphenated().encode_lower(&mut buf)).kstr("remarks", &node.name);
        j.kstr("server", &node.host).kuint("server_port", u64::from(node.port));
        j.kstr("password", &node.password(&ctx.uuid)).kstr("method", s.cipher.as_str()).end_obj();
    }
    j.end_arr();
    let used = ctx.user.upload.saturating_add(ctx.user.download);
    j.kuint("bytes_used", used).kuint("bytes_remaining", ctx.user.remaining()).end_obj();
    out.into_bytes()
}
