//! Events and jobs over RabbitMQ: the outbox relay, the consumer framework with retry and
//! dead-letter queues, and DLQ tooling.

pub mod consumer;
pub mod dlq;
pub mod outbox;
pub mod probe;
pub mod relay;
pub mod topology;

pub use consumer::{ConsumerSettings, Handler, HandlerError};
pub use topology::Topology;
