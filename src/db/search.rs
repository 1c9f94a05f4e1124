//! Message search: the backend's full-text index over `search_text` (the
//! folded words of each body) finds candidates, newest first; matching
//! offsets are computed from the body by `domain::text`, the same on both.

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::messages::{self, MessageWithSender};
use super::{DbConn, DbError};
use crate::domain::{ChatId, MessageId, SearchQuery, UserId};

/// Where to search: the caller's chats, or one chat they may read.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    MemberOf(UserId),
    Chat(ChatId),
}

#[derive(QueryableByName)]
struct Hit {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// FTS5: every word as a phrase, the last one as a prefix.
fn fts5_query(q: &SearchQuery) -> String {
    let last = q.words.len() - 1;
    q.words
        .iter()
        .enumerate()
        .map(|(i, w)| format!("\"{w}\"{}", if i == last { "*" } else { "" }))
        .collect::<Vec<_>>()
        .join(" ")
}

/// tsquery: every word ANDed, the last one as a prefix.
fn ts_query(q: &SearchQuery) -> String {
    let last = q.words.len() - 1;
    q.words
        .iter()
        .enumerate()
        .map(|(i, w)| format!("'{w}'{}", if i == last { ":*" } else { "" }))
        .collect::<Vec<_>>()
        .join(" & ")
}

/// Up to `limit` live messages in `scope` whose words match `q`, with id <
/// `before`, newest first.
pub fn search(
    conn: &mut DbConn,
    q: &SearchQuery,
    scope: Scope,
    before: Option<MessageId>,
    limit: i64,
) -> Result<Vec<MessageWithSender>, DbError> {
    let before = before.map_or(i64::MAX, |b| b.0);
    let (scope_sql, scope_id) = match scope {
        Scope::MemberOf(user) => (
            "m.chat_id IN (SELECT chat_id FROM chat_members WHERE user_id = $3)",
            user.0,
        ),
        Scope::Chat(chat) => ("m.chat_id = $3", chat.0),
    };
    let hits: Vec<Hit> = match conn {
        DbConn::Pg(pg) => {
            let sql = format!(
                "SELECT m.id FROM messages m \
                 WHERE to_tsvector('simple', m.search_text) @@ to_tsquery('simple', $1) \
                 AND m.id < $2 AND m.deleted = 0 AND {scope_sql} \
                 ORDER BY m.id DESC LIMIT $4"
            );
            diesel::sql_query(sql)
                .bind::<diesel::sql_types::Text, _>(ts_query(q))
                .bind::<BigInt, _>(before)
                .bind::<BigInt, _>(scope_id)
                .bind::<BigInt, _>(limit)
                .load(pg)?
        }
        DbConn::Sqlite(lite) => {
            // FTS5 walks its matches in rowid order, newest first here.
            let sql = format!(
                "SELECT m.id AS id FROM messages_fts f JOIN messages m ON m.id = f.rowid \
                 WHERE messages_fts MATCH $1 AND f.rowid < $2 AND m.deleted = 0 \
                 AND {scope_sql} ORDER BY f.rowid DESC LIMIT $4"
            );
            // SQLite numbers its parameters ?1, ?2, …
            diesel::sql_query(sql.replace('$', "?"))
                .bind::<diesel::sql_types::Text, _>(fts5_query(q))
                .bind::<BigInt, _>(before)
                .bind::<BigInt, _>(scope_id)
                .bind::<BigInt, _>(limit)
                .load(lite)?
        }
    };
    let ids: Vec<MessageId> = hits.into_iter().map(|h| MessageId(h.id)).collect();
    let mut rows = messages::by_ids(conn, &ids)?;
    rows.sort_by_key(|(r, _)| std::cmp::Reverse(r.id));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_quote_words_and_prefix_the_last() {
        let q = SearchQuery::parse("Café, AU").unwrap();
        assert_eq!(fts5_query(&q), r#""cafe" "au"*"#);
        assert_eq!(ts_query(&q), "'cafe' & 'au':*");
    }
}
