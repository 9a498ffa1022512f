//! Lazily connected RabbitMQ handle that reconnects after the broker drops it.

use std::sync::Arc;
use std::time::Duration;

use lapin::{Connection, ConnectionProperties};
use tokio::sync::Mutex;

const CONNECT_TIMEOUT: Duration = Duration::from_millis(1500);

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
        let conn =
            crate::with_timeout(CONNECT_TIMEOUT, "RabbitMQ", Connection::connect(&self.inner.url, Self::properties()))
                .await?;
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
