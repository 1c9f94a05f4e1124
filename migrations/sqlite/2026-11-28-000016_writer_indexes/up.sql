-- Issue 12: every batch updates activity_at of each chat it touched, and
-- with (is_public, activity_at) indexed each update also moved that chat's
-- entry in the index: another page written to the WAL per chat and batch.
-- Only the public directory reads that order, so only public chats are in
-- the index now (a partial index is not touched for the others).
DROP INDEX chats_public;
CREATE INDEX chats_public ON chats (activity_at) WHERE is_public = 1;

-- Issue 14's slower ingest: the search index's per-row insert trigger cost
-- as much writer CPU as the rest of the insert. The writer now adds each
-- batch's rows to messages_fts in one statement (db::messages::insert_many);
-- edits and deletions keep their triggers.
DROP TRIGGER messages_fts_insert;
