#!/usr/bin/env python3
"""Seeds benchmark users straight into a migrated microchat database and
writes a `--users-file` for loadgen, with access tokens signed by a known
HS256 secret (run the server with the same MICROCHAT_JWT_SECRET).

Registering 10 000 users over REST costs 10 000 Argon2 hashes (minutes on
two busy cores); a benchmark of the connect storm or of rooms measures
neither, so the rows are inserted directly. Nobody can log in as these
users (their password hash is not a valid one); their tokens are all they
have.

    target/release/microchat --database-url URL migrate
    python3 loadgen/seed_users.py --database-url URL --users 10000 \
        --secret S --base http://127.0.0.1:18080 --out users.jsonl

Standard library only; PostgreSQL goes through `psql` (COPY).
"""

import argparse
import base64
import hashlib
import hmac
import json
import sqlite3
import subprocess
import sys
import time
import uuid


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(secret: str, user_id: int, name: str, ttl: int) -> str:
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {
        "sub": str(user_id),
        "name": name,
        "role": "user",
        "iat": now,
        "exp": now + ttl,
        "jti": str(uuid.uuid4()),
    }
    signing = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    mac = hmac.new(secret.encode(), signing.encode(), hashlib.sha256).digest()
    return signing + "." + b64(mac)


def seed_sqlite(path: str, names: list[str]) -> list[int]:
    db = sqlite3.connect(path)
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    with db:
        db.executemany(
            "INSERT INTO users (username, username_lower, email, password_hash, role, created_at)"
            " VALUES (?, ?, ?, '!seeded', 'user', ?)",
            [(n, n.lower(), f"{n}@bench.invalid", now) for n in names],
        )
    marks = ",".join("?" * len(names))
    ids = dict(db.execute(f"SELECT username, id FROM users WHERE username IN ({marks})", names))
    return [ids[n] for n in names]


def seed_postgres(url: str, names: list[str]) -> list[int]:
    now = time.strftime("%Y-%m-%d %H:%M:%S")
    rows = "".join(f"{n}\t{n.lower()}\t{n}@bench.invalid\t!seeded\tuser\t{now}\n" for n in names)
    copy = (
        "\\copy users (username, username_lower, email, password_hash, role, created_at)"
        " FROM STDIN"
    )
    subprocess.run(["psql", "-v", "ON_ERROR_STOP=1", "-q", url, "-c", copy],
                   input=rows, text=True, check=True)
    prefix = names[0].rsplit("_", 1)[0]
    out = subprocess.run(
        ["psql", "-At", "-F", "\t", url, "-c",
         f"SELECT username, id FROM users WHERE username LIKE '{prefix}\\_%'"],
        capture_output=True, text=True, check=True).stdout
    ids = dict((n, int(i)) for n, i in (line.split("\t") for line in out.splitlines()))
    return [ids[n] for n in names]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", required=True, help="sqlite:///path or postgres://…")
    p.add_argument("--users", type=int, default=10_000)
    p.add_argument("--secret", required=True, help="the server's MICROCHAT_JWT_SECRET")
    p.add_argument("--base", required=True, help="the URL loadgen will be given (--url)")
    p.add_argument("--out", required=True, help="users file to append to")
    p.add_argument("--ttl", type=int, default=86_400, help="token lifetime, seconds")
    a = p.parse_args()

    tag = uuid.uuid4().hex[:6]
    names = [f"s{tag}_{i}" for i in range(a.users)]
    url = a.database_url
    if url.startswith("sqlite://"):
        ids = seed_sqlite(url[len("sqlite://"):], names)
    elif url.startswith(("postgres://", "postgresql://")):
        ids = seed_postgres(url, names)
    else:
        print(f"{url}: sqlite:// or postgres:// only", file=sys.stderr)
        return 2
    with open(a.out, "a") as f:
        for n, i in zip(names, ids):
            line = {"base": a.base, "id": i, "username": n,
                    "token": token(a.secret, i, n, a.ttl)}
            f.write(json.dumps(line) + "\n")
    print(f"{len(ids)} users seeded into {url}, tokens in {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
