//! The real SMTP sink (`support/smtp_sink.py`, aiosmtpd from `.tools/venv` or `HELIUM_PYTHON`):
//! it listens on a port and saves each message as `<n>.eml` in its own directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::TempDir;

/// A running sink; killed (and its directory removed) on drop.
pub struct SmtpSink {
    _child: Child,
    dir: TempDir,
    pub port: u16,
}

impl SmtpSink {
    pub async fn start(port: u16) -> Self {
        let python = std::env::var_os("HELIUM_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools/venv/bin/python"));
        let hint = "set HELIUM_PYTHON or run deploy/tools/ensure-venv.sh (tool venv with aiosmtpd)";
        assert!(python.exists(), "no Python interpreter at {}: {hint}", python.display());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/support/smtp_sink.py");
        let dir = TempDir::new("smtp-sink");
        let mut child = Command::new(python)
            .arg(script)
            .args(["--port", &port.to_string(), "--dir"])
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.path().join("sink.log")).expect("sink log"))
            .kill_on_drop(true)
            .spawn()
            .expect("spawn the SMTP sink");
        // The sink's first line is READY, once it listens.
        let mut lines = BufReader::new(child.stdout.take().expect("sink stdout")).lines();
        let ready = tokio::time::timeout(Duration::from_secs(15), lines.next_line()).await;
        let sink = Self { _child: child, dir, port };
        assert!(
            matches!(&ready, Ok(Ok(Some(l))) if l == "READY"),
            "SMTP sink not up on {port}: {ready:?}\n{}",
            sink.log()
        );
        sink
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sink.log")).unwrap_or_default()
    }

    /// Every received message, raw, in arrival order.
    pub fn messages(&self) -> Vec<String> {
        let files: BTreeMap<u64, PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("read the sink directory")
            .filter_map(|e| {
                let path = e.ok()?.path();
                Some((path.file_name()?.to_str()?.strip_suffix(".eml")?.parse().ok()?, path))
            })
            .collect();
        files
            .into_values()
            .map(|p| String::from_utf8_lossy(&std::fs::read(p).expect("read a message")).into_owned())
            .collect()
    }
}
