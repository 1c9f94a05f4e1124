//! The group-commit write itself, against the real database.

use chrono::Utc;
use microchat::db::history::{store_batch, PendingMessage, Stored};
use microchat::db::{self, chats, members, users};
use microchat::domain::{ChatId, ChatKind, MemberRole, MessageId, Role, UserId};

use crate::helpers::test_database;

fn pending(
    chat_id: ChatId,
    sender_id: UserId,
    body: &str,
    client_id: Option<&str>,
) -> PendingMessage {
    PendingMessage {
        chat_id,
        sender_id,
        body: body.into(),
        client_id: client_id.map(Into::into),
        created_at: Utc::now().naive_utc(),
        reply_to: None,
        attachments: Vec::new(),
    }
}

/// A plain user row, straight into the database (no Argon2: these tests are
/// about the write path, not sign-up).
fn new_user(conn: &mut db::DbConn, name: &str) -> UserId {
    users::create(
        conn,
        &users::NewUser {
            username: name,
            username_lower: name,
            email: None,
            password_hash: None,
            role: Role::User.as_str(),
            created_at: Utc::now().naive_utc(),
            invited_by: None,
        },
    )
    .unwrap()
    .id
}

#[test]
fn one_batch_stores_in_order_dedups_client_ids_and_refuses_non_members() {
    let (url, _db) = test_database();
    let pool = db::connect(&url, 2).unwrap();
    let mut conn = pool.get().unwrap();
    db::migrate(&mut conn).unwrap();
    let now = Utc::now().naive_utc();
    let mut user = |name: &str| new_user(&mut conn, name);
    let (ann, bob, eve) = (user("ann"), user("bob"), user("eve"));
    let mut group = |name: &str| {
        let new = chats::NewChat {
            name,
            kind: ChatKind::Group,
            public: false,
            owner_id: Some(ann),
            direct_key: None,
            created_at: now,
        };
        chats::create(&mut conn, &new).unwrap().id
    };
    let (chat, other_chat) = (group("c"), group("d"));
    members::add(&mut conn, chat, ann, MemberRole::Owner, now).unwrap();
    members::add(&mut conn, chat, bob, MemberRole::Member, now).unwrap();
    members::add(&mut conn, other_chat, ann, MemberRole::Owner, now).unwrap();

    let earlier = store_batch(&mut conn, &[pending(chat, ann, "earlier", Some("e1"))]).unwrap();
    let Stored::Message(earlier, true, _) = &earlier[0] else {
        panic!("{earlier:?}")
    };

    let batch = [
        pending(chat, ann, "one", Some("c1")),
        pending(chat, bob, "two", None),
        pending(chat, ann, "one again", Some("c1")),
        pending(chat, eve, "intruder", Some("x")),
        pending(chat, ann, "earlier retried", Some("e1")),
        pending(chat, bob, "three", Some("c1")),
        pending(other_chat, ann, "elsewhere", None),
    ];
    let out = store_batch(&mut conn, &batch).unwrap();
    let id = |s: &Stored| match s {
        Stored::Message(row, _, _) => row.id,
        other => panic!("{other:?}"),
    };
    assert!(matches!(&out[0], Stored::Message(r, true, _) if r.body == "one"));
    assert!(
        matches!(&out[1], Stored::Message(r, true, _) if r.body == "two" && r.client_id.is_none())
    );
    assert!(
        matches!(&out[2], Stored::Message(r, false, _) if r.body == "one"),
        "replay within the batch"
    );
    assert!(matches!(&out[3], Stored::NotMember { public: false }));
    assert!(
        matches!(&out[4], Stored::Message(r, false, _) if r.id == earlier.id),
        "replay of an earlier batch"
    );
    assert!(
        matches!(&out[5], Stored::Message(r, true, _) if r.body == "three"),
        "client ids are per sender"
    );
    assert!(
        id(&out[0]) < id(&out[1]) && id(&out[1]) < id(&out[5]),
        "ids follow arrival order"
    );
    // Every chat the batch touched records its own newest message.
    let chat_row = chats::find(&mut conn, chat).unwrap().unwrap();
    assert_eq!(chat_row.last_message_id(), Some(id(&out[5])));
    let other_row = chats::find(&mut conn, other_chat).unwrap().unwrap();
    assert_eq!(other_row.last_message_id(), Some(id(&out[6])));
    let Stored::Message(elsewhere, true, _) = &out[6] else {
        panic!("{:?}", out[6])
    };
    assert_eq!(other_row.activity_at, elsewhere.created_at);
    let stored = microchat::db::messages::page(&mut conn, chat, None, 100).unwrap();
    assert_eq!(stored.len(), 4);
}

/// A writer that reads before it writes must wait for another connection's
/// write, not fail: on SQLite a deferred transaction whose snapshot went
/// stale gets "database is locked" at once (a send refused as `internal`).
#[test]
fn a_write_transaction_waits_for_a_concurrent_writer_instead_of_failing() {
    let (url, _db) = test_database();
    let pool = db::connect(&url, 4).unwrap();
    let now = Utc::now().naive_utc();
    let chat = {
        let mut conn = pool.get().unwrap();
        db::migrate(&mut conn).unwrap();
        let new = chats::NewChat {
            name: "c",
            kind: ChatKind::Group,
            public: false,
            owner_id: None,
            direct_key: None,
            created_at: now,
        };
        chats::create(&mut conn, &new).unwrap().id
    };
    let (read_done, wait_for_read) = std::sync::mpsc::channel();
    let other_pool = pool.clone();
    let other = std::thread::spawn(move || {
        wait_for_read.recv().unwrap();
        let mut conn = other_pool.get().unwrap();
        chats::touch(&mut conn, &[(chat, MessageId(2), now)])
    });
    let mut conn = pool.get().unwrap();
    let outcome = db::write_transaction(&mut conn, |conn| -> Result<(), db::DbError> {
        chats::find(conn, chat)?;
        read_done.send(()).unwrap();
        // The other connection tries to write now.
        std::thread::sleep(std::time::Duration::from_millis(300));
        chats::touch(conn, &[(chat, MessageId(1), now)])
    });
    outcome.expect("the reading writer commits");
    other
        .join()
        .unwrap()
        .expect("the other writer commits after it");
}

/// Refusals decided inside the batch (on PostgreSQL membership and blocks
/// in one statement) refuse only the sends they concern: a non-member's, one to a
/// direct chat whose other member blocked the sender, a non-member's with a
/// bad `reply_to` (not told whether the message exists); the rest of the
/// batch is stored with versions that grow within each chat, and a chat
/// whose only send in the batch was a retry keeps its newest message.
#[test]
fn refusals_in_a_batch_refuse_only_their_own_sends_and_versions_keep_growing() {
    let (url, _db) = test_database();
    let pool = db::connect(&url, 2).unwrap();
    let mut conn = pool.get().unwrap();
    db::migrate(&mut conn).unwrap();
    let now = Utc::now().naive_utc();
    let mut user = |name: &str| new_user(&mut conn, name);
    let (ann, bob, eve) = (user("ann"), user("bob"), user("eve"));
    let mut chat = |name: &str, kind: ChatKind, public: bool, key: Option<&str>| {
        let new = chats::NewChat {
            name,
            kind,
            public,
            owner_id: Some(ann),
            direct_key: key,
            created_at: now,
        };
        chats::create(&mut conn, &new).unwrap().id
    };
    let group = chat("g", ChatKind::Group, false, None);
    let open = chat("o", ChatKind::Group, true, None);
    let direct = chat("d", ChatKind::Direct, false, Some("ann:bob"));
    let quiet = chat("q", ChatKind::Group, false, None);
    for (c, u) in [
        (group, ann),
        (group, bob),
        (open, ann),
        (direct, ann),
        (direct, bob),
    ] {
        members::add(&mut conn, c, u, MemberRole::Member, now).unwrap();
    }
    members::add(&mut conn, quiet, ann, MemberRole::Member, now).unwrap();
    microchat::db::blocks::block(&mut conn, ann, bob, now).unwrap();
    let first = store_batch(
        &mut conn,
        &[
            pending(group, ann, "first", None),
            pending(quiet, ann, "quiet", Some("q1")),
        ],
    )
    .unwrap();
    let (Stored::Message(first, true, _), Stored::Message(quiet_row, true, _)) =
        (&first[0], &first[1])
    else {
        panic!("{first:?}")
    };
    let mut probe = pending(group, eve, "probe", None);
    probe.reply_to = Some(MessageId(first.id.0 + 1000));
    let batch = [
        pending(group, ann, "a1", None),
        pending(group, eve, "intruder", None),
        pending(direct, bob, "blocked", Some("b1")),
        pending(open, bob, "not a member of the public chat", None),
        probe,
        pending(direct, ann, "to bob", None),
        pending(quiet, ann, "quiet retried", Some("q1")),
        pending(group, bob, "b2", Some("b2")),
    ];
    let out = store_batch(&mut conn, &batch).unwrap();
    assert!(
        matches!(&out[1], Stored::NotMember { public: false }),
        "{:?}",
        out[1]
    );
    assert_eq!(out[2], Stored::Blocked);
    assert!(
        matches!(&out[3], Stored::NotMember { public: true }),
        "{:?}",
        out[3]
    );
    assert!(
        matches!(&out[4], Stored::NotMember { public: false }),
        "{:?}",
        out[4]
    );
    assert!(matches!(&out[6], Stored::Message(r, false, _) if r.id == quiet_row.id));
    let row = |s: &Stored| match s {
        Stored::Message(row, true, _) => row.clone(),
        other => panic!("{other:?}"),
    };
    let (a1, to_bob, b2) = (row(&out[0]), row(&out[5]), row(&out[7]));
    assert!(first.id < a1.id && a1.id < to_bob.id && to_bob.id < b2.id);
    assert!(first.version < a1.version && a1.version < b2.version);
    let group_row = chats::find(&mut conn, group).unwrap().unwrap();
    assert_eq!(group_row.last_message_id(), Some(b2.id));
    assert!(
        group_row.version >= b2.version,
        "the counter is the top version"
    );
    assert_eq!(
        chats::find(&mut conn, direct)
            .unwrap()
            .unwrap()
            .last_message_id(),
        Some(to_bob.id)
    );
    assert_eq!(
        chats::find(&mut conn, quiet)
            .unwrap()
            .unwrap()
            .last_message_id(),
        Some(quiet_row.id),
        "a retry stores nothing new"
    );
    assert_eq!(
        chats::find(&mut conn, open)
            .unwrap()
            .unwrap()
            .last_message_id(),
        None
    );
    let stored = microchat::db::messages::page(&mut conn, group, None, 100).unwrap();
    let bodies: Vec<&str> = stored.iter().map(|(m, _)| m.body.as_str()).collect();
    assert_eq!(bodies, ["first", "a1", "b2"]);
}
