//! microchat: a self-hostable realtime group chat server.
//!
//! Data flows one way: `http` (REST and the WebSocket upgrade) → `actors` →
//! `db`. `domain` holds the parsed value types, `security` the token and
//! password primitives.

pub mod actors;
pub mod admin;
pub mod config;
pub mod db;
pub mod domain;
pub mod healthcheck;
pub mod http;
pub mod limits;
pub mod media;
pub mod metrics;
pub mod protocol;
pub mod security;
pub mod startup;
pub mod storage;
pub mod telemetry;
