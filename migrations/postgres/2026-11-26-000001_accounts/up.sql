-- Accounts, roles and refresh tokens (PostgreSQL twin of the SQLite migration).
-- Booleans are avoided for the same reason as there: flags are nullable
-- timestamps. username_lower uses the C collation so prefix search is a
-- plain byte-order range scan on its index.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE roles (
    name TEXT PRIMARY KEY NOT NULL
);

CREATE TABLE role_permissions (
    role       TEXT NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
    permission TEXT NOT NULL,
    PRIMARY KEY (role, permission)
);

INSERT INTO roles (name) VALUES ('guest'), ('user'), ('admin');
INSERT INTO role_permissions (role, permission) VALUES
    ('guest', 'chats.read_public'),
    ('user',  'chats.read_public'),
    ('user',  'chats.write'),
    ('user',  'chats.manage_own'),
    ('user',  'users.search'),
    ('admin', 'chats.read_public'),
    ('admin', 'chats.write'),
    ('admin', 'chats.manage_own'),
    ('admin', 'users.search'),
    ('admin', 'admin.manage');

CREATE TABLE users (
    id             BIGSERIAL PRIMARY KEY,
    username       TEXT NOT NULL,
    username_lower TEXT NOT NULL COLLATE "C",
    email          TEXT,
    password_hash  TEXT,
    role           TEXT NOT NULL REFERENCES roles(name),
    created_at     TIMESTAMP NOT NULL
);
-- Login, registration conflicts and prefix search all go through these.
CREATE UNIQUE INDEX users_username_lower ON users (username_lower);
CREATE UNIQUE INDEX users_email ON users (email);

CREATE TABLE refresh_tokens (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    family_id  TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE UNIQUE INDEX refresh_tokens_hash ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
