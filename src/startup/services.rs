//! Starts the actors and gathers them, with the limits they enforce, into
//! the [`Services`] every request and session shares.

use std::sync::Arc;
use std::time::Duration;

use actix::{Actor, SyncArbiter};

use crate::actors::accounts::{AccountsActor, Lifetimes};
use crate::actors::announce::Announcer;
use crate::actors::block_book::BlockBook;
use crate::actors::bus::{Appliers, Bus, Subscription};
use crate::actors::caps::{Counter, WsCaps};
use crate::actors::chats::ChatStore;
use crate::actors::history::HistoryWriter;
use crate::actors::hub::Hub;
use crate::actors::lookups::Lookups;
use crate::actors::rooms::Rooms;
use crate::actors::scopes::Scopes;
use crate::actors::send_budget::SendBudgets;
use crate::actors::services::Passwords;
use crate::actors::uploads::{Files, SweepSignal};
use crate::actors::{Services, WsLimits};
use crate::config::Settings;
use crate::db::DbPool;
use crate::metrics::Metrics;
use crate::security::access::{AccessCache, PermissionTable};
use crate::security::file_urls::FileUrls;
use crate::security::jwt::JwtKeys;
use crate::storage::Storage;

/// Password checks waiting or running at once; more are answered 429.
const HASHING_QUEUE: usize = 64;

/// How long a cached access check may be trusted without an invalidation.
const ACCESS_CACHE_TTL: Duration = Duration::from_secs(30);

/// Starts the actors: the hub and the history writer on this (the system)
/// arbiter, the accounts actor and chat store on their own thread pools. Rooms
/// start on demand on whichever worker first needs them.
pub(super) fn start(
    settings: &Settings,
    pool: DbPool,
    keys: Arc<JwtKeys>,
    permissions: PermissionTable,
    redis: Option<(Bus, Subscription)>,
    (storage, file_urls): (Storage, Arc<FileUrls>),
) -> Services {
    let metrics = Arc::new(Metrics::new());
    let access = Arc::new(AccessCache::new(permissions, ACCESS_CACHE_TTL));
    let (bus, subscription) = match redis {
        Some((bus, subscription)) => (bus, Some(subscription)),
        None => (Bus::default(), None),
    };
    let book = Arc::new(BlockBook::default());
    let scopes = Arc::new(Scopes::new(settings.presence_max_members));
    let hub = Hub::new(bus.clone(), metrics.clone(), book.clone(), scopes.clone()).start();
    let sweep = SweepSignal::default();
    let writer = HistoryWriter::new(
        pool.clone(),
        metrics.clone(),
        file_urls.clone(),
        sweep.clone(),
    )
    .start();
    let rooms = Rooms::new(writer.clone(), bus.clone(), book.clone());
    if let Some(subscription) = subscription {
        subscription.start(Appliers {
            rooms: rooms.clone(),
            hub: hub.clone(),
            access: access.clone(),
            book: book.clone(),
            metrics: metrics.clone(),
            pool: pool.clone(),
            urls: file_urls.clone(),
        });
    }
    let announce = Announcer::new(hub.clone(), rooms.clone(), sweep.clone(), scopes);
    let start_accounts = |threads: usize| {
        let (pool, keys, access, announce, bus, book) = (
            pool.clone(),
            keys.clone(),
            access.clone(),
            announce.clone(),
            bus.clone(),
            book.clone(),
        );
        let lifetimes = Lifetimes {
            refresh_token_secs: settings.refresh_token_ttl,
            reuse_grace_secs: settings.refresh_reuse_grace,
            reset_link_secs: settings.reset_link_ttl,
        };
        SyncArbiter::start(threads, move || {
            AccountsActor::new(
                pool.clone(),
                keys.clone(),
                access.clone(),
                announce.clone(),
                bus.clone(),
                book.clone(),
                lifetimes,
            )
        })
    };
    let accounts = start_accounts(accounts_threads());
    // Argon2 work has threads of its own, so access checks never wait behind it.
    let passwords = start_accounts(hashing_threads());
    let chats = {
        let (pool, rooms, urls) = (pool.clone(), rooms.clone(), file_urls.clone());
        let add_policy = settings.add_policy;
        SyncArbiter::start(STORE_THREADS, move || {
            ChatStore::new(
                pool.clone(),
                announce.clone(),
                rooms.clone(),
                urls.clone(),
                add_policy,
            )
        })
    };
    let files = Files::start(settings, pool.clone(), storage, file_urls, sweep);
    Services {
        lookups: Lookups::new(accounts.clone(), chats.clone()),
        accounts,
        chats,
        hub,
        rooms,
        bus,
        writer,
        access,
        keys,
        metrics,
        ws: WsLimits {
            send_rate: settings.ws_send_rate,
            send_burst: settings.ws_send_burst,
            outbound_queue: settings.ws_outbound_queue as usize,
            outbound_bytes: settings.ws_outbound_bytes as usize,
            frame_rate: settings.ws_frame_rate,
            frame_burst: settings.ws_frame_burst,
            presence_max_members: settings.presence_max_members,
        },
        sends: SendBudgets::new(settings.ws_send_rate, settings.ws_send_burst),
        passwords: Passwords::new(passwords, HASHING_QUEUE),
        ws_caps: WsCaps {
            users: Counter::new(settings.ws_sessions_per_user as usize),
            addresses: Counter::new(settings.ws_connections_per_address as usize),
        },
        files,
        pool,
    }
}

/// Threads serving chat reads and membership changes.
const STORE_THREADS: usize = 4;

/// Argon2 is CPU-bound: one thread per core, at least two so a slow hash
/// never stalls a token check entirely.
/// Half the cores for password hashing: the rest keep serving while a
/// flood of logins is being checked.
fn hashing_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get() / 2)
        .max(1)
}

fn accounts_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2)
}
