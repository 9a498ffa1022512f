//! A minimal streaming JSON writer: explicit key order, integer literals, no intermediate tree.
//!
//! The node API and the subscription documents need byte-stable output and are rendered on
//! hot paths; building `serde_json::Value` maps would allocate per key and sort keys.

use std::fmt::Write as _;

pub(crate) struct Json<'a> {
    out: &'a mut String,
    /// Whether the next value at the current nesting level needs a leading comma.
    comma: bool,
}

impl<'a> Json<'a> {
    pub(crate) fn new(out: &'a mut String) -> Self {
        Json { out, comma: false }
    }

    fn sep(&mut self) {
        if self.comma {
            self.out.push(',');
        }
        self.comma = true;
    }

    pub(crate) fn begin_obj(&mut self) -> &mut Self {
        self.sep();
        self.out.push('{');
        self.comma = false;
        self
    }

    pub(crate) fn end_obj(&mut self) -> &mut Self {
        self.out.push('}');
        self.comma = true;
        self
    }

    pub(crate) fn begin_arr(&mut self) -> &mut Self {
        self.sep();
        self.out.push('[');
        self.comma = false;
        self
    }

    pub(crate) fn end_arr(&mut self) -> &mut Self {
        self.out.push(']');
        self.comma = true;
        self
    }

    /// Writes `"key":` ; the value call that follows must not add a comma.
    pub(crate) fn key(&mut self, key: &str) -> &mut Self {
        self.sep();
        escape_into(self.out, key);
        self.out.push(':');
        self.comma = false;
        self
    }

    pub(crate) fn str(&mut self, v: &str) -> &mut Self {
        self.sep();
        escape_into(self.out, v);
        self
    }

    pub(crate) fn uint(&mut self, v: u64) -> &mut Self {
        self.sep();
        let _ = write!(self.out, "{v}");
        self
    }

    pub(crate) fn bool(&mut self, v: bool) -> &mut Self {
        self.sep();
        self.out.push_str(if v { "true" } else { "false" });
        self
    }

    pub(crate) fn kstr(&mut self, k: &str, v: &str) -> &mut Self {
        self.key(k).str(v)
    }

    pub(crate) fn kuint(&mut self, k: &str, v: u64) -> &mut Self {
        self.key(k).uint(v)
    }

    pub(crate) fn kbool(&mut self, k: &str, v: bool) -> &mut Self {
        self.key(k).bool(v)
    }

    pub(crate) fn kstrs<S: AsRef<str>>(&mut self, k: &str, items: &[S]) -> &mut Self {
        self.key(k).begin_arr();
        for item in items {
            self.str(item.as_ref());
        }
        self.end_arr()
    }
}

/// Bytes that cannot appear raw inside a JSON string: `"`, backslash, control characters, DEL.
static NEEDS_ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[0x7f] = true;
    t
};

/// Appends `s` as a JSON string literal (quotes included). Runs of plain bytes are copied
/// whole; a table lookup per byte finds the rest (this is the hottest loop of rendering).
pub(crate) fn escape_into(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !NEEDS_ESCAPE[b as usize] {
            continue;
        }
        out.push_str(&s[start..i]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ => {
                let _ = write!(out, "\\u{b:04x}");
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nested_documents_with_commas() {
        let mut s = String::new();
        let mut j = Json::new(&mut s);
        j.begin_obj().kstr("a", "x\"y\n\u{1}").kuint("b", 60).key("c").begin_arr().uint(1).str("2").end_arr();
        j.key("d").begin_obj().end_obj().kbool("e", false).end_obj();
        assert_eq!(s, r#"{"a":"x\"y\n\u0001","b":60,"c":[1,"2"],"d":{},"e":false}"#);
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["a"], "x\"y\n\u{1}");
    }

    #[test]
    fn every_byte_round_trips_through_a_json_parser() {
        let all: String = (0u32..0x250).filter_map(char::from_u32).chain(['\u{2028}', '\u{1F600}']).collect();
        for text in [all.as_str(), "", "plain", "\\\"\t\r\u{7f}end", "日本 🚀"] {
            let mut out = String::new();
            escape_into(&mut out, text);
            assert!(!out.bytes().any(|b| b < 0x20 || b == 0x7f), "raw control byte in {out:?}");
            assert_eq!(serde_json::from_str::<String>(&out).unwrap(), text);
        }
    }
}
