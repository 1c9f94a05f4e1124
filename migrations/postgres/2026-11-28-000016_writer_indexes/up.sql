-- Issue 12: every batch updates each chat it touched (activity_at, last
-- message, version). With activity_at in an index, none of those updates
-- can be HOT: each writes new entries into every index of chats and leaves
-- a dead tuple behind. Only the public directory reads that order; it now
-- finds public chats by this partial index (whose columns no message
-- changes) and sorts them.
DROP INDEX chats_public;
CREATE INDEX chats_public ON chats (id) WHERE is_public = 1;
-- Room on each page for the updated tuple, so the update stays HOT.
ALTER TABLE chats SET (fillfactor = 80);
