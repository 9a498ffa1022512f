//! Durations stored as JSON strings of whole seconds.
//!
//! The documents store durations as strings (`"300"`) for compatibility
//! with the original Helium schema. Anything else — numbers, units,
//! fractions, whitespace — is rejected rather than guessed at, so a typo
//! like `"5m"` cannot silently become a different timeout.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

const EXPECTED: &str = "a string of whole seconds, e.g. \"300\"";

/// A whole number of seconds, (de)serialized as a decimal digit string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Seconds(pub u64);

impl Seconds {
    pub fn as_duration(self) -> Duration {
        Duration::from_secs(self.0)
    }
}

impl From<u64> for Seconds {
    fn from(secs: u64) -> Self {
        Seconds(secs)
    }
}

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Seconds {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(SecondsVisitor)
    }
}

struct SecondsVisitor;

impl Visitor<'_> for SecondsVisitor {
    type Value = Seconds;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Seconds, E> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(E::custom(format!("invalid duration {s:?}: expected {EXPECTED}")));
        }
        s.parse::<u64>().map(Seconds).map_err(|_| E::custom(format!("invalid duration {s:?}: value is too large")))
    }
}
