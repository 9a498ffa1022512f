//! Writes every subscription format for the test fixture to a directory (debugging aid).
#[path = "../tests/common/mod.rs"]
mod common;

use helium_domain::telecom::subscribe::{NodeFilter, render};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "/tmp/telecom-dump".into());
    std::fs::create_dir_all(&dir).unwrap();
    let view = common::view();
    for (name, client) in common::clients() {
        let doc = render(&view, &NodeFilter::all(), client, &common::options());
        std::fs::write(format!("{dir}/{name}"), &doc.body).unwrap();
        println!("{name}: {} bytes {} {:?}", doc.body.len(), doc.content_type, doc.headers);
    }
}
