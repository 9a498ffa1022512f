//! Lazily connected RabbitMQ handle that reconnects after the broker drops it.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use lapin::uri::AMQPUri;
use lapin::{Connection, ConnectionProperties};
use tokio::sync::Mutex;

const CONNECT_TIMEOUT: Duration = Duration::from_millis(1500);

/// The largest AMQP frame we negotiate unless MQ_URL sets `frame_max`. lapin sizes each of
/// its two I/O buffers at 32 frames and zero-fills them: at RabbitMQ's default of 128 KiB
/// that is 8 MiB resident per connection, for events of a few hundred bytes (a larger
/// message is simply sent in several frames).
const DEFAULT_FRAME_MAX: u32 = 16 * 1024;

/// MQ_URL with our frame size unless it names one.
fn broker_uri(url: &str) -> anyhow::Result<AMQPUri> {
    let mut uri = AMQPUri::from_str(url).map_err(|e| anyhow::anyhow!("MQ_URL: {e}"))?;
    uri.query.frame_max = uri.query.frame_max.or(Some(DEFAULT_FRAME_MAX));
    Ok(uri)
}

#[derive(Clone)]
pub struct MqHandle {
    inner: Arc<Inner>,
}

struct Inner {
    url: String,
    conn: Mutex<Option<Arc<Connection>>>,
}

impl MqHandle {
    pub fn new(url: impl Into<String>) -> Self {
        Self { inner: Arc::new(Inner { url: url.into(), conn: Mutex::new(None) }) }
    }

    fn properties() -> ConnectionProperties {
        ConnectionProperties::default()
            .with_executor(tokio_executor_trait::Tokio::current())
            .with_reactor(tokio_reactor_trait::Tokio)
            .with_connection_name("helium".into())
    }

    /// The live connection, reconnecting (bounded in time) when it is missing or closed.
    pub async fn connection(&self) -> anyhow::Result<Arc<Connection>> {
        let mut guard = self.inner.conn.lock().await;
        if let Some(c) = guard.as_ref()
            && c.status().connected()
        {
            return Ok(c.clone());
        }
        let uri = broker_uri(&self.inner.url)?;
        let conn =
            crate::with_timeout(CONNECT_TIMEOUT, "RabbitMQ", Connection::connect_uri(uri, Self::properties())).await?;
        let conn = Arc::new(conn);
        *guard = Some(conn.clone());
        Ok(conn)
    }

    /// Readiness: the connection is (or can be made) open.
    pub async fn ping(&self) -> anyhow::Result<()> {
        self.connection().await.map(|_| ())
    }

    /// Closes the connection on shutdown; later calls reconnect.
    pub async fn close(&self) {
        if let Some(c) = self.inner.conn.lock().await.take() {
            let _ = c.close(200, "shutdown").await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{DEFAULT_FRAME_MAX, broker_uri};

    #[test]
    fn our_frame_size_applies_unless_mq_url_names_one() {
        let ours = broker_uri("amqp://guest:guest@127.0.0.1:5672/%2f").unwrap();
        assert_eq!(ours.query.frame_max, Some(DEFAULT_FRAME_MAX));
        assert_eq!(ours.vhost, "/");
        let theirs = broker_uri("amqp://guest:guest@127.0.0.1:5672/%2f?frame_max=65536").unwrap();
        assert_eq!(theirs.query.frame_max, Some(65536));
        assert!(broker_uri("http://nope").is_err());
    }
}
