//! Helium's delivery layer: REST (axum + utoipa), gRPC (tonic), health, workers, the
//! `helium` server and the `helium-cli` operator tool.

pub mod app;
pub mod cli;
pub mod grpc;
pub mod health;
pub mod http;
pub mod limits;
pub mod memory;
pub mod metrics;
pub mod mode;
pub mod openapi;
pub mod otel;
pub mod rest;
pub mod server;
pub mod settings;
pub mod state;
pub mod telemetry;
pub mod workers;
