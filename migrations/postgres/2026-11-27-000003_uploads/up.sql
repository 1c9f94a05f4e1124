-- Uploaded files. The bytes live in storage (a directory or S3) under
-- storage_key (and thumb_key for an image's thumbnail); a row is what makes
-- them reachable. A row whose owner or message is gone (SET NULL below), or
-- that was never attached within the orphan TTL, is swept with its bytes.

CREATE TABLE uploads (
    id           BIGSERIAL PRIMARY KEY,
    owner_id     BIGINT REFERENCES users(id) ON DELETE SET NULL,
    storage_key  TEXT NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    -- Hex SHA-256 of the stored bytes: the ETag, the same on every instance.
    sha256       TEXT NOT NULL,
    width        INTEGER,
    height       INTEGER,
    duration_ms  BIGINT,
    thumb_key    TEXT,
    thumb_content_type TEXT,
    thumb_size   BIGINT,
    created_at   TIMESTAMP NOT NULL,
    -- Filled when a message takes the upload as an attachment (issue 11 part 2).
    attached_at  TIMESTAMP,
    message_id   BIGINT REFERENCES messages(id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX uploads_storage_key ON uploads (storage_key);
-- Quota sums and deleting a user's files.
CREATE INDEX uploads_owner ON uploads (owner_id);
-- The FK check when messages are deleted, and a message's attachments.
CREATE INDEX uploads_message ON uploads (message_id);
-- The orphan sweep.
CREATE INDEX uploads_unattached ON uploads (created_at) WHERE attached_at IS NULL;
