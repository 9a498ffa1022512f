//! Render timings (ignored; run optimised):
//! `cargo test --release -p helium-domain --test telecom bench:: -- --ignored --nocapture`
//! `HELIUM_DUMP_DIR=/tmp/x cargo test -p helium-domain --test telecom dump -- --ignored` writes
//! every format for the fixture to a directory.

use std::hint::black_box;
use std::time::Instant;

use helium_domain::telecom::model::AgentUserId;
use helium_domain::telecom::node_api::{BaseConfig, NodeUser, etag, render_config, render_users};
use helium_domain::telecom::subscribe::{NodeFilter, SubscriptionView, render};
use uuid::Uuid;

use super::common;

/// A view with `n` nodes cycling through the fixture's protocols.
fn view_of(n: usize) -> SubscriptionView {
    let base = common::nodes();
    let nodes = (0..n)
        .map(|i| {
            let mut node = base[i % base.len()].clone();
            node.name = format!("{} #{i}", node.name);
            node
        })
        .collect();
    SubscriptionView::new(common::user(), nodes)
}

fn time<F: FnMut() -> usize>(label: &str, iters: u32, mut f: F) -> f64 {
    let mut bytes = 0;
    for _ in 0..iters / 10 {
        bytes = black_box(f());
    }
    let start = Instant::now();
    for _ in 0..iters {
        bytes = black_box(f());
    }
    let micros = start.elapsed().as_secs_f64() * 1e6 / f64::from(iters);
    println!("{label:<28} {micros:>9.2} µs/render  {bytes:>7} bytes");
    micros
}

#[test]
#[ignore = "benchmark; run with --release -- --ignored --nocapture"]
fn render_timings() {
    let view = view_of(50);
    let opts = common::options();
    let filter = NodeFilter::all();
    for (name, client) in common::clients() {
        time(&format!("subscribe {name} (50 nodes)"), 2_000, || render(&view, &filter, client, &opts).body.len());
    }
    let users: Vec<NodeUser> = (1..=10_000u64)
        .map(|i| NodeUser {
            id: AgentUserId(i),
            uuid: Uuid::from_u128(u128::from(i) * 7919),
            speed_limit: 0,
            device_limit: 3,
        })
        .collect();
    time("node user (10k users)", 200, || render_users(&users).len());
    let body = render_users(&users);
    time("etag (10k users body)", 200, || etag(&body).len());
    let base = BaseConfig { push_interval: 60, pull_interval: 60 };
    let clients = common::node_clients();
    time("node config (each fixture)", 2_000, || clients.iter().map(|(c, h)| render_config(c, h, base).len()).sum());
}

#[test]
#[ignore = "debugging aid: writes the fixture's documents to $HELIUM_DUMP_DIR"]
fn dump() {
    let dir = std::env::var("HELIUM_DUMP_DIR").unwrap_or_else(|_| "/tmp/telecom-dump".into());
    std::fs::create_dir_all(&dir).unwrap();
    for (name, client) in common::clients() {
        let doc = render(&common::view(), &NodeFilter::all(), client, &common::options());
        std::fs::write(format!("{dir}/{name}"), &doc.body).unwrap();
    }
}
