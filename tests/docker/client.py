#!/usr/bin/env python3
"""A small REST client for tests/docker/run.sh (standard library only).

    client.py setup URL STATE            sign up, log in, create a chat, send one message
    client.py find URL STATE             the message from `setup` is in the chat's history
    client.py burst URL STATE ACKED      send until the server goes away; one line per 201
    client.py check URL STATE ACKED      every message in ACKED is in the history

STATE is a JSON file written by `setup`; every later step logs in again, so
it also checks that accounts survive a restart.
"""

import json
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

PASSWORD = "correct horse 1"


def call(base, method, path, body=None, token=None, timeout=10):
    """(status, parsed JSON body or None). HTTP errors are answers, not exceptions."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            raw = res.read()
            return res.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as err:
        raw = err.read()
        return err.code, json.loads(raw) if raw else None


def expect(status, body, wanted, what):
    if status != wanted:
        sys.exit(f"{what}: expected {wanted}, got {status}: {body}")
    return body


def login(base, username):
    status, body = call(base, "POST", "/api/v1/auth/login", {"login": username, "password": PASSWORD})
    return expect(status, body, 200, f"login {username}")["access_token"]


def history(base, token, chat_id):
    """Every message of the chat, oldest first, paging back with `before`."""
    messages, before = [], None
    while True:
        query = "?limit=100" + (f"&before={before}" if before else "")
        status, page = call(base, "GET", f"/api/v1/chats/{chat_id}/messages{query}", token=token)
        page = expect(status, page, 200, "history")
        messages = page + messages
        if len(page) < 100:
            return messages
        before = page[0]["id"]


def setup(base, state_path):
    username = "dock" + uuid.uuid4().hex[:8]
    expect(
        *call(base, "POST", "/api/v1/auth/register",
              {"username": username, "email": f"{username}@example.com", "password": PASSWORD}),
        201, "register")
    token = login(base, username)
    chat = expect(*call(base, "POST", "/api/v1/chats", {"name": "docker test", "members": []}, token),
                  201, "create chat")
    message = expect(
        *call(base, "POST", f"/api/v1/chats/{chat['id']}/messages",
              {"body": "kept across restarts", "client_id": "first"}, token),
        201, "send")
    with open(state_path, "w") as f:
        json.dump({"username": username, "chat_id": chat["id"], "message_id": message["id"]}, f)
    print(f"signed up {username}, chat {chat['id']}, message {message['id']}")


def find(base, state_path):
    state = json.load(open(state_path))
    token = login(base, state["username"])
    ids = [m["id"] for m in history(base, token, state["chat_id"])]
    if state["message_id"] not in ids:
        sys.exit(f"message {state['message_id']} is gone; history has {ids}")
    print(f"message {state['message_id']} found among {len(ids)}")


def burst(base, state_path, acked_path, senders=4, limit_s=60):
    """Sends from several threads until the server stops answering; writes the
    client_id of every send answered 201 (acknowledged, so committed)."""
    state = json.load(open(state_path))
    token = login(base, state["username"])
    path = f"/api/v1/chats/{state['chat_id']}/messages"
    lock = threading.Lock()
    out = open(acked_path, "w")
    deadline = time.monotonic() + limit_s
    counts = {"acked": 0, "refused": 0, "cut off": 0}

    def sender(n):
        i = 0
        while time.monotonic() < deadline:
            client_id = f"burst-{n}-{i}"
            i += 1
            try:
                status, _ = call(base, "POST", path, {"body": client_id, "client_id": client_id}, token, timeout=15)
            except (OSError, urllib.error.URLError):
                with lock:
                    counts["cut off"] += 1
                return  # the server is gone (or going): stop, as a client would
            with lock:
                if status == 201:
                    out.write(client_id + "\n")
                    out.flush()
                    counts["acked"] += 1
                else:
                    counts["refused"] += 1
            if status >= 500:
                return

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.close()
    print("burst: " + ", ".join(f"{n} {what}" for what, n in counts.items()))


def check(base, state_path, acked_path):
    state = json.load(open(state_path))
    token = login(base, state["username"])
    stored = [m["client_id"] for m in history(base, token, state["chat_id"])]
    acked = [line.strip() for line in open(acked_path) if line.strip()]
    missing = sorted(set(acked) - set(stored))
    if missing:
        sys.exit(f"{len(missing)} of {len(acked)} acknowledged messages lost, e.g. {missing[:5]}")
    if len(stored) != len(set(stored)):
        sys.exit("a message is stored twice")
    if len(acked) < 10:
        sys.exit(f"only {len(acked)} messages were acknowledged before the stop: the test proves little")
    print(f"all {len(acked)} acknowledged messages are in the history ({len(stored)} stored)")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"setup": setup, "find": find, "burst": burst, "check": check}[command](*args)
