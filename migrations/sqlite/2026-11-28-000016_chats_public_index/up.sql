-- Issue 12: every batch updates activity_at of each chat it touched, and
-- with (is_public, activity_at) indexed each update also moved that chat's
-- entry in the index: another page written to the WAL per chat and batch.
-- Only the public directory reads that order, so only public chats are in
-- the index now (a partial index is not touched for the others).
DROP INDEX chats_public;
CREATE INDEX chats_public ON chats (activity_at) WHERE is_public = 1;
