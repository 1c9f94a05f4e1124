//! microchat: a self-hostable realtime group chat server.
//!
//! Data flows one way: `http` (REST and the WebSocket upgrade) → `actors` →
//! `db`. `domain` holds the parsed value types, `auth` the token and
//! password primitives.

pub mod actors;
pub mod admin;
pub mod auth;
pub mod config;
pub mod db;
pub mod domain;
pub mod healthcheck;
pub mod http;
pub mod metrics;
pub mod startup;
pub mod telemetry;
