//! Golden files for every byte Helium sends to agents and clients: the node API documents
//! per node, and each subscription format for the whole fixture and per node.
//! `UPDATE_GOLDEN=1 cargo test -p helium-domain --test telecom_golden` rewrites them.

use super::common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use helium_domain::telecom::commands::NodeClientDraft;
use helium_domain::telecom::model::AgentUserId;
use helium_domain::telecom::node_api::{
    AliveEntry, BaseConfig, NodeUser, etag, render_alivelist_counts, render_alivelist_ips, render_config, render_users,
};
use helium_domain::telecom::subscribe::{ClientKind, NodeFilter, SubscriptionView, render};
use uuid::Uuid;

const BASE: BaseConfig = BaseConfig { push_interval: 60, pull_interval: 60 };

fn decoded_if_base64(kind: ClientKind, body: &[u8]) -> Option<Vec<u8>> {
    matches!(kind, ClientKind::General | ClientKind::QuantumultX | ClientKind::Shadowrocket)
        .then(|| STANDARD.decode(body).expect("base64 body"))
}

#[test]
fn subscription_documents_match_goldens() {
    let view = common::view();
    for (name, client) in common::clients() {
        let doc = render(&view, &NodeFilter::all(), client, &common::options());
        let mut meta = format!("content-type: {}\n", doc.content_type);
        for (k, v) in &doc.headers {
            meta.push_str(&format!("{k}: {v}\n"));
        }
        common::golden(&format!("subscribe/{name}/_headers.txt"), meta.as_bytes());
        common::golden(&format!("subscribe/{name}/_all.txt"), &doc.body);
        if let Some(text) = decoded_if_base64(client.kind, &doc.body) {
            common::golden(&format!("subscribe/{name}/_all.decoded.txt"), &text);
        }
        // Per protocol: the document for a view holding just that node ("-" = not offered).
        for node in view.nodes.iter() {
            let one = SubscriptionView::new(view.user.clone(), vec![node.clone()]);
            let doc = render(&one, &NodeFilter::all(), client, &common::options());
            let offered = helium_domain::telecom::subscribe::supports(client, node);
            let body = match decoded_if_base64(client.kind, &doc.body) {
                Some(text) => text,
                None => doc.body,
            };
            let file = format!("subscribe/{name}/{}.txt", common::slug(&node.name));
            common::golden(&file, if offered { &body } else { b"-\n" });
        }
    }
}

#[test]
fn node_configs_match_goldens_and_pass_admin_validation() {
    for (client, host) in common::node_clients() {
        let body = render_config(&client, &host, BASE);
        let v: serde_json::Value = serde_json::from_slice(&body).expect("config is JSON");
        assert!(v["server_port"].as_u64().unwrap() > 0);
        assert_eq!(v["base_config"]["pull_interval"], 60);
        assert!(v["routes"].is_array());
        if let Some(tls) = v.get("tls") {
            assert!(tls.is_u64(), "tls must be an integer");
            assert!(v["tls_settings"].is_object());
        }
        if v.get("network").is_some() {
            assert!(v["networkSettings"].is_object(), "networkSettings must be an object");
        }
        if v["protocol"] == "vless" {
            assert_eq!(v["networkSettings"], v["network_settings"]);
        }
        if v["tls"] == 2 {
            assert!(v["tls_settings"]["server_port"].is_string());
        }
        assert!(!String::from_utf8_lossy(&body).contains("null"), "no nulls: {}", String::from_utf8_lossy(&body));
        assert!(!String::from_utf8_lossy(&body).contains("xver"));
        common::golden(&format!("node_api/config/{}.json", common::slug(&client.name)), &body);

        let draft: NodeClientDraft =
            serde_json::from_value(serde_json::to_value(&client).unwrap()).expect("client JSON is a valid draft");
        assert_eq!(draft.validate(), Ok(()), "{}", client.name);
    }
}

#[test]
fn node_lists_match_goldens() {
    let users = [
        NodeUser { id: AgentUserId(19), uuid: Uuid::from_u128(19), speed_limit: 100, device_limit: 0 },
        NodeUser { id: AgentUserId(7), uuid: Uuid::parse_str(common::UUID).unwrap(), speed_limit: 0, device_limit: 3 },
    ];
    let body = render_users(&users);
    common::golden("node_api/user.json", &body);
    common::golden("node_api/user.etag.txt", etag(&body).as_bytes());
    common::golden(
        "node_api/alivelist_counts.json",
        &render_alivelist_counts(&[(AgentUserId(31), 1), (AgentUserId(7), 2), (AgentUserId(8), 0)]),
    );
    common::golden(
        "node_api/alivelist_ips.json",
        &render_alivelist_ips(&[AliveEntry {
            user: AgentUserId(7),
            ips: vec!["203.0.113.5".parse().unwrap(), "2001:db8::1".parse().unwrap()],
        }]),
    );
    assert_eq!(render_alivelist_counts(&[]), br#"{"alive":{}}"#);
}
