//! The integration tests of helium-api: one binary, one module per area, one shared harness
//! (`support`). Everything runs against the real PostgreSQL, Redis and RabbitMQ.
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod support;

mod admin_spa;
mod audit_chain;
mod auth_flows;
mod auth_mfa;
mod auth_recovery;
mod cli;
mod commerce;
mod commerce_events;
mod commerce_gateway;
mod config_store;
mod cron_leader;
mod cross_process_revocation;
mod dashboard_stats;
mod e2e_identity;
mod events_chaos;
mod events_pipeline;
mod grpc_adapter;
mod grpc_market_notify;
mod grpc_shop;
mod grpc_staff;
mod grpc_telecom;
mod hardening;
mod http_conventions;
mod idempotency_layer;
mod mailer_smtp;
mod market;
mod module_cycles;
mod notify;
mod openapi_spec;
mod pool_pressure;
mod process_modes;
mod rate_limit_layer;
mod staff_access;
mod staff_admins;
mod staff_audit_config;
mod staff_customers;
mod staff_mfa;
mod support_tickets;
mod telecom_agents;
mod telecom_rest;
mod webhooks_out;
