//! Property tests of what parses client input: the client-frame reader and
//! the domain parsers. Random input never panics; what is accepted keeps
//! the contract's invariants; well-formed frames read back as themselves.
//!
//! Bounded by case count, not time: `PROPTEST_CASES` (default 256 per
//! property, a few seconds in all) raises it for a longer run, e.g.
//! `PROPTEST_CASES=20000 cargo test --test fuzz`.

use microchat::domain::{ChatName, ClientId, Email, MessageBody, Password, Username};
use microchat::protocol::{ClientFrame, Incoming};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Any JSON value, nested a little.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(".{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const TYPES: [&str; 10] = [
    "auth",
    "send",
    "typing",
    "read",
    "sync",
    "subscribe",
    "unsubscribe",
    "ping",
    "pong",
    "nonsense",
];

const FIELDS: [&str; 9] = [
    "token",
    "chat_id",
    "body",
    "client_id",
    "attachments",
    "message_id",
    "after_id",
    "limit",
    "ref",
];

/// Objects shaped like frames: a known (or unknown) type and the contract's
/// field names with values of any type.
fn frame_like() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(&TYPES[..]),
        prop::collection::vec((prop::sample::select(&FIELDS[..]), any_json()), 0..6),
    )
        .prop_map(|(kind, fields)| {
            let mut object = serde_json::Map::new();
            object.insert("type".into(), Value::from(kind));
            for (name, value) in fields {
                object.insert(name.into(), value);
            }
            Value::Object(object)
        })
}

/// The `ref` the reader reports back, whatever else it made of the frame.
fn reference(incoming: &Incoming) -> Option<&Value> {
    incoming.reference()
}

proptest! {
    #[test]
    fn any_text_reads_without_panicking(text in ".{0,200}") {
        let _ = Incoming::read(&text);
    }

    #[test]
    fn any_json_reads_without_panicking(value in any_json()) {
        let _ = Incoming::read(&value.to_string());
    }

    #[test]
    fn frame_like_objects_read_and_keep_their_ref(frame in frame_like(), r in any_json()) {
        let mut frame = frame;
        frame["ref"] = r.clone();
        let incoming = Incoming::read(&frame.to_string());
        // A `ref` of null counts as present: it is echoed as given.
        prop_assert_eq!(reference(&incoming), Some(&r), "{}", frame);
    }

    #[test]
    fn well_formed_sends_read_back_as_themselves(
        chat_id in any::<i64>(),
        body in ".{0,50}",
        client_id in proptest::option::of("[a-z0-9-]{1,20}"),
        attachments in proptest::option::of(prop::collection::vec(any::<i64>(), 0..4)),
    ) {
        let text = json!({
            "type": "send", "chat_id": chat_id, "body": body,
            "client_id": client_id, "attachments": attachments, "ref": 1,
        })
        .to_string();
        match Incoming::read(&text) {
            Incoming::Frame { frame: ClientFrame::Send { chat_id: c, body: b, client_id: id, attachments: a, reply_to: _ }, .. } => {
                prop_assert_eq!(c.0, chat_id);
                prop_assert_eq!(b, body);
                prop_assert_eq!(id, client_id);
                prop_assert_eq!(a, attachments);
            }
            _ => prop_assert!(false, "not read as a send: {}", text),
        }
    }

    #[test]
    fn accepted_usernames_keep_the_contract(raw in ".{0,40}") {
        if let Ok(name) = Username::parse(&raw) {
            let s = name.as_str();
            prop_assert!((3..=32).contains(&s.chars().count()));
            prop_assert!(s.chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)));
            prop_assert!(!s.to_ascii_lowercase().starts_with("guest-"));
        }
    }

    #[test]
    fn accepted_bodies_are_trimmed_bounded_and_safe(raw in "(?s).{0,80}") {
        if let Ok(body) = MessageBody::parse(&raw) {
            let s = body.as_str();
            prop_assert_eq!(s, s.trim());
            prop_assert!((1..=4000).contains(&s.chars().count()));
            prop_assert!(s.chars().all(|c| !c.is_control() || c == '\n' || c == '\t'));
            let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
            prop_assert!(!s.chars().any(bidi), "bidi control in {:?}", s);
        }
    }

    #[test]
    fn chat_names_are_cleaned_not_refused_for_control_characters(raw in "(?s).{0,120}") {
        if let Ok(name) = ChatName::parse(&raw) {
            let s = name.as_str();
            prop_assert!((1..=100).contains(&s.chars().count()));
            prop_assert!(s.chars().all(|c| !c.is_control() || c == '\n' || c == '\t'));
        }
    }

    #[test]
    fn other_parsers_never_panic_and_bound_what_they_accept(raw in "(?s).{0,300}") {
        if let Ok(email) = Email::parse(&raw) {
            prop_assert!(email.as_str().chars().count() <= 254);
            prop_assert!(email.as_str().contains('@'));
        }
        if Password::parse(&raw).is_ok() {
            prop_assert!((8..=128).contains(&raw.chars().count()));
        }
        if let Ok(id) = ClientId::parse(&raw) {
            prop_assert!((1..=64).contains(&id.as_str().chars().count()));
        }
    }
}
