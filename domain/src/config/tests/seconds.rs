use std::time::Duration;

use serde_json::json;

use crate::config::Seconds;

fn parse(v: serde_json::Value) -> Result<Seconds, String> {
    serde_json::from_value(v).map_err(|e| e.to_string())
}

#[test]
fn accepts_digit_strings() {
    assert_eq!(parse(json!("300")), Ok(Seconds(300)));
    assert_eq!(parse(json!("0")), Ok(Seconds(0)));
    assert_eq!(parse(json!("0300")), Ok(Seconds(300)));
    assert_eq!(parse(json!("18446744073709551615")), Ok(Seconds(u64::MAX)));
    // From text, not only from a Value.
    assert_eq!(serde_json::from_str::<Seconds>("\"42\"").unwrap(), Seconds(42));
}

#[test]
fn serializes_back_to_string() {
    assert_eq!(serde_json::to_value(Seconds(300)).unwrap(), json!("300"));
    let s: Seconds = serde_json::from_value(json!("7200")).unwrap();
    assert_eq!(serde_json::to_string(&s).unwrap(), "\"7200\"");
}

#[test]
fn as_duration() {
    assert_eq!(Seconds(90).as_duration(), Duration::from_secs(90));
}

#[test]
fn rejects_non_strings_with_clear_message() {
    for v in [json!(300), json!(-1), json!(1.5), json!(null), json!(true), json!(["1"])] {
        let err = parse(v.clone()).unwrap_err();
        assert!(err.contains("expected a string of whole seconds, e.g. \"300\""), "{v}: {err}");
    }
    assert!(
        parse(json!(300)).unwrap_err().starts_with("invalid type: integer `300`, expected a string of whole seconds")
    );
}

#[test]
fn rejects_malformed_strings() {
    for s in ["", " 30", "30 ", "5m", "-1", "+1", "1.5", "1e3", "0x10", "٣"] {
        let err = parse(json!(s)).unwrap_err();
        assert!(err.contains("expected a string of whole seconds, e.g. \"300\""), "{s:?}: {err}");
    }
}

#[test]
fn rejects_overflow() {
    let err = parse(json!("18446744073709551616")).unwrap_err();
    assert!(err.contains("too large"), "{err}");
}
