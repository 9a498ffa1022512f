use super::*;

fn d(user: u64, upload: u64, download: u64) -> TrafficDelta {
    TrafficDelta { user: AgentUserId(user), upload, download }
}

#[test]
fn push_parses_string_keys_and_skips_junk() {
    let body = br#"{"19":[512,2048],"7":[1048576,73400320],"x":[1,2],"-3":[1,2],"8":[1],"9":[1,-2],
        "10":[1.5,2],"11":"no","0":[1,1],"12":[0,0],"13":[9223372036854775807,0],"14":[9223372036854775808,0]}"#;
    let b = parse_push(body).unwrap();
    assert_eq!(b.deltas, vec![d(7, 1_048_576, 73_400_320), d(13, i64::MAX as u64, 0), d(19, 512, 2048)]);
    // x, -3, 8, 9, 10, 11, 0 and 14 are junk; 12 is valid but carries no traffic.
    assert_eq!(b.skipped, 8);
}

#[test]
fn push_accepts_the_object_list_shape_and_merges_duplicates() {
    let body = br#"[{"user_id":7,"u":10,"d":20},{"uid":"7","upload":1,"download":2},{"id":3,"u":5,"d":0},{"u":1}]"#;
    let b = parse_push(body).unwrap();
    assert_eq!(b.deltas, vec![d(3, 5, 0), d(7, 11, 22)]);
    assert_eq!(b.skipped, 1);
    assert_eq!(parse_push(b"{}").unwrap(), PushBatch::default());
}

#[test]
fn push_rejects_non_json_envelopes() {
    assert!(matches!(parse_push(b"not json"), Err(ReportError::NotJson(_))));
    assert!(matches!(parse_push(b"42"), Err(ReportError::Shape(_))));
}

#[test]
fn alive_normalises_both_agents_shapes() {
    let body = br#"{"7":["203.0.113.5","203.0.113.5:443","198.51.100.7_42","[2001:db8::1]:8443","2001:db8::1",
        "::ffff:192.0.2.1","junk",""],"19":"198.51.100.9,198.51.100.9_3","x":["1.1.1.1"],"20":[]}"#;
    let b = parse_alive(body).unwrap();
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    assert_eq!(
        b.entries,
        vec![
            AliveEntry {
                user: AgentUserId(7),
                ips: vec![ip("192.0.2.1"), ip("198.51.100.7"), ip("203.0.113.5"), ip("2001:db8::1")]
            },
            AliveEntry { user: AgentUserId(19), ips: vec![ip("198.51.100.9")] },
        ]
    );
    assert_eq!(b.skipped, 3);
    assert!(parse_alive(b"[]").is_err());
}

#[test]
fn normalize_ip_cases() {
    assert_eq!(normalize_ip("[2001:db8::1]"), Some("2001:db8::1".parse().unwrap()));
    assert_eq!(normalize_ip("2001:db8::1_7"), Some("2001:db8::1".parse().unwrap()));
    assert_eq!(normalize_ip("10.0.0.1:80_7"), Some("10.0.0.1".parse().unwrap()));
    assert_eq!(normalize_ip("host.example"), None);
    assert_eq!(normalize_ip("[2001:db8::1"), None);
}

#[test]
fn alivelist_shapes() {
    assert_eq!(render_alivelist_counts(&[(AgentUserId(31), 1), (AgentUserId(7), 2)]), br#"{"alive":{"7":2,"31":1}}"#);
    let e = AliveEntry { user: AgentUserId(7), ips: vec!["2001:db8::1".parse().unwrap(), "10.0.0.1".parse().unwrap()] };
    assert_eq!(render_alivelist_ips(&[e]), br#"{"alive":{"7":["10.0.0.1","2001:db8::1"]}}"#);
    assert_eq!(render_alivelist_ips(&[]), br#"{"alive":{}}"#);
}

#[test]
fn status_is_range_checked() {
    let ok =
        br#"{"cpu":12.5,"mem":{"total":100,"used":41},"swap":{"total":0,"used":0},"disk":{"total":100,"used":63}}"#;
    assert_eq!(parse_status(ok).unwrap().mem.used, 41.0);
    let bad =
        br#"{"cpu":120,"mem":{"total":100,"used":41},"swap":{"total":0,"used":0},"disk":{"total":100,"used":63}}"#;
    assert!(matches!(parse_status(bad), Err(ReportError::Shape(_))));
    assert!(parse_status(br#"{"cpu":1}"#).is_err());
}
