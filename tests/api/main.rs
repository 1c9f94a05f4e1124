//! One integration binary: each test starts the real application on a random
//! port with its own database (a temp SQLite file, or a freshly created
//! PostgreSQL database when MICROCHAT_TEST_DATABASE_URL is set) and talks to
//! it over HTTP like any client.

mod attachment_deletions;
mod attachments;
mod auth_login;
mod auth_register;
mod auth_tokens;
mod backend;
mod bus_outage;
mod chats_rest;
mod cli;
mod cluster;
mod db_outage;
mod file_harness;
mod file_modes;
mod files;
mod fixtures;
mod floods;
mod fuzz_live;
mod helpers;
mod login_limits;
mod low_findings;
mod members_changed;
mod message_changes;
mod message_sync;
mod openapi;
mod ops;
mod people_accounts;
mod people_consent;
mod people_invites;
mod people_profiles;
mod presence_scale;
mod process;
mod scaleout;
mod search;
mod slow_reader;
mod store_batch;
mod upload_memory;
mod uploads;
mod users;
mod ws_account_deletion;
mod ws_caps;
mod ws_client;
mod ws_frames;
mod ws_lifecycle;
mod ws_messages;
mod ws_ready_storm;
mod ws_transport;
