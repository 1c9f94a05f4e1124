//! The deciding phases of the group-commit write, without a database.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;

use super::attachments::{apply_claims, NOT_YOURS, TAKEN};
use super::matching::*;
use super::plan::*;
use super::resolve::*;
use super::{PendingMessage, Stored};
use crate::db::attachments::UploadState;
use crate::db::messages::MessageRow;
use crate::db::DbError;
use crate::domain::{ChatId, MessageId, UserId};

const ANN: UserId = UserId(1);
const BOB: UserId = UserId(2);
const EVE: UserId = UserId(3);
const CHAT: ChatId = ChatId(10);
const OTHER: ChatId = ChatId(20);

fn at() -> NaiveDateTime {
    chrono::DateTime::UNIX_EPOCH.naive_utc()
}

fn send(chat_id: ChatId, sender_id: UserId, client_id: Option<&str>) -> PendingMessage {
    PendingMessage {
        chat_id,
        sender_id,
        body: "hi".into(),
        client_id: client_id.map(Into::into),
        created_at: at(),
        reply_to: None,
        attachments: Vec::new(),
    }
}

fn row(id: i64, item: &PendingMessage) -> MessageRow {
    MessageRow {
        id: MessageId(id),
        chat_id: item.chat_id,
        sender_id: item.sender_id,
        body: item.body.clone(),
        client_id: item.client_id.clone(),
        created_at: at(),
        version: id,
        edited_at: None,
        deleted: 0,
        reply_to_id: None,
        mentions: String::new(),
    }
}

fn members() -> HashSet<(ChatId, UserId)> {
    HashSet::from([(CHAT, ANN), (CHAT, BOB), (OTHER, ANN)])
}

#[test]
fn plan_refuses_outsiders_and_inserts_a_client_id_once_per_sender() {
    let batch = [
        send(CHAT, ANN, Some("c1")),
        send(CHAT, EVE, Some("x")),
        send(CHAT, ANN, Some("c1")),
        send(CHAT, BOB, Some("c1")),
        send(OTHER, ANN, None),
        send(OTHER, ANN, None),
    ];
    use Decision::*;
    assert_eq!(
        plan(&batch, &members(), &HashSet::new()),
        Plan {
            decisions: vec![Insert, Refused, Replay(0), Insert, Insert, Insert],
            inserts: vec![0, 3, 4, 5],
        }
    );
}

#[test]
fn rows_are_matched_by_client_id_or_in_order_and_skipped_ones_are_retries() {
    let batch = [
        send(CHAT, ANN, Some("c1")),
        send(CHAT, BOB, None),
        send(CHAT, ANN, Some("old")),
        send(OTHER, ANN, None),
    ];
    let inserts = [0, 1, 2, 3];
    // The database skipped "old" (stored by an earlier batch).
    let rows = vec![row(5, &batch[0]), row(6, &batch[1]), row(7, &batch[3])];
    let matched = match_rows(&batch, &inserts, rows).unwrap();
    assert_eq!(
        matched.stored,
        vec![
            (0, row(5, &batch[0])),
            (1, row(6, &batch[1])),
            (3, row(7, &batch[3]))
        ]
    );
    assert_eq!(matched.retried, vec![2]);
}

#[test]
fn rows_that_do_not_fit_the_batch_fail_it() {
    let batch = [send(CHAT, BOB, None), send(OTHER, ANN, None)];
    let swapped = vec![row(5, &batch[1]), row(6, &batch[0])];
    assert!(matches!(
        match_rows(&batch, &[0, 1], swapped),
        Err(DbError::BatchMismatch)
    ));
    let missing = vec![row(5, &batch[0])];
    assert!(match_rows(&batch, &[0, 1], missing).is_err());
    let extra = vec![row(5, &batch[0]), row(6, &batch[1]), row(7, &batch[1])];
    assert!(match_rows(&batch, &[0, 1], extra).is_err());
}

#[test]
fn resolve_gives_every_send_its_outcome_and_newest_one_row_per_chat() {
    let batch = [
        send(CHAT, ANN, Some("c1")),
        send(OTHER, EVE, None),
        send(CHAT, ANN, Some("c1")),
        send(CHAT, ANN, Some("old")),
        send(CHAT, BOB, None),
    ];
    let plan = plan(&batch, &members(), &HashSet::new());
    let matched = Matched {
        stored: vec![(0, row(5, &batch[0])), (4, row(6, &batch[4]))],
        retried: vec![3],
    };
    let earlier = HashMap::from([((ANN, "old".to_owned()), row(2, &batch[3]))]);
    let public = HashMap::from([(OTHER, true)]);
    let out = resolve(&plan, matched, earlier, &public, &batch).unwrap();
    assert_eq!(
        out,
        vec![
            Stored::Message(row(5, &batch[0]), true, vec![]),
            Stored::NotMember { public: true },
            Stored::Message(row(5, &batch[0]), false, vec![]),
            Stored::Message(row(2, &batch[3]), false, vec![]),
            Stored::Message(row(6, &batch[4]), true, vec![]),
        ]
    );
    assert_eq!(newest(&out), vec![(CHAT, MessageId(6), at())]);
}

#[test]
fn a_retry_whose_earlier_row_is_missing_fails_the_batch() {
    let batch = [send(CHAT, ANN, Some("gone"))];
    let plan = plan(&batch, &members(), &HashSet::new());
    let matched = Matched {
        stored: vec![],
        retried: vec![0],
    };
    let out = resolve(&plan, matched, HashMap::new(), &HashMap::new(), &batch);
    assert!(matches!(out, Err(DbError::BatchMismatch)));
}

fn with_files(mut item: PendingMessage, ids: &[i64]) -> PendingMessage {
    item.attachments = ids.to_vec();
    item
}

#[test]
fn claims_take_only_the_senders_free_uploads_once_and_let_retries_through() {
    let free = |owner| UploadState {
        owner: Some(owner),
        attached_to: None,
    };
    let held = |cid: &str| UploadState {
        owner: Some(ANN),
        attached_to: Some(Some((ANN, Some(cid.to_owned())))),
    };
    let states = HashMap::from([
        (1, free(ANN)),
        (2, free(ANN)),
        (3, held("r")),
        (4, held("r")),
        (
            5,
            UploadState {
                owner: Some(ANN),
                attached_to: Some(None),
            },
        ),
        (6, free(BOB)),
    ]);
    let batch = [
        with_files(send(CHAT, ANN, Some("c1")), &[1, 2]),
        with_files(send(CHAT, BOB, None), &[1]),
        with_files(send(CHAT, ANN, None), &[2]),
        with_files(send(CHAT, ANN, Some("r")), &[3]),
        with_files(send(CHAT, ANN, Some("s")), &[4]),
        with_files(send(CHAT, ANN, None), &[99]),
        with_files(send(CHAT, ANN, None), &[5]),
        with_files(send(CHAT, ANN, None), &[6]),
        send(CHAT, BOB, None),
    ];
    let mut plan = plan(&batch, &members(), &HashSet::new());
    apply_claims(&batch, &mut plan, &states);
    use Decision::*;
    assert_eq!(
        plan.decisions,
        vec![
            Insert,
            BadAttachments(NOT_YOURS),
            BadAttachments(TAKEN),
            Insert,
            BadAttachments(TAKEN),
            BadAttachments(NOT_YOURS),
            BadAttachments(TAKEN),
            BadAttachments(NOT_YOURS),
            Insert,
        ]
    );
    assert_eq!(plan.inserts, vec![0, 3, 8]);
}
