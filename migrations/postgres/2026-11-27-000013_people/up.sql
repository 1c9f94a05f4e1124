-- People (issue 13): profiles, disabled accounts, invites, reset links and
-- blocks. Flags stay nullable timestamps, as in the accounts migration.

ALTER TABLE users ADD COLUMN display_name TEXT;
-- The cropped 256 px square; the upload sweep keeps rows referenced here.
ALTER TABLE users ADD COLUMN avatar_upload_id BIGINT REFERENCES uploads(id) ON DELETE SET NULL;
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMP;
-- Whose invite the account was created with (`--add-policy shared`).
ALTER TABLE users ADD COLUMN invited_by BIGINT REFERENCES users(id) ON DELETE SET NULL;
CREATE INDEX users_avatar ON users (avatar_upload_id);

CREATE TABLE invites (
    code       TEXT PRIMARY KEY NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- NULL: any number of uses.
    max_uses   BIGINT,
    uses       BIGINT NOT NULL DEFAULT 0,
    -- NULL: never expires.
    expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX invites_created_by ON invites (created_by);

-- One-time password reset links; only the SHA-256 of the token is kept.
CREATE TABLE reset_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX reset_tokens_user ON reset_tokens (user_id);

CREATE TABLE blocks (
    blocker_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    blocked_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
-- "Who blocked me?" and the delete cascade from the blocked side.
CREATE INDEX blocks_blocked ON blocks (blocked_id);
