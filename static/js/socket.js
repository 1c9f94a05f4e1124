// The WebSocket: authenticates with a first `auth` frame (the token never
// goes into a URL), renews with another `auth` frame whenever the access
// token is refreshed, notices a dead link with its own pings, and reconnects
// with exponential backoff and jitter.

import { accessToken, refresh, tokenExpiresAt } from './api.js';

const PING_EVERY = 20000;
const SILENCE_LIMIT = 45000;
const MAX_BACKOFF = 30000;

export class Connection {
  /**
   * handlers: onFrame(frame), onReady(frame) once per new socket,
   * onState(state, detail), onRevoked() when the server closes with 4003.
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.ws = null;
    this.ready = false;
    this.attempt = 0;
    this.stopped = true;
    this.state = 'offline';
    this.retryAt = 0;
  }

  start() {
    this.stopped = false;
    this.attempt = 0;
    this.open();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    if (ws) {
      ws.onclose = null;
      ws.close(1000);
    }
    this.setState('offline');
  }

  setState(state) {
    this.state = state;
    this.handlers.onState(state, this);
  }

  async open() {
    clearTimeout(this.retryTimer);
    if (this.stopped || this.ws || this.opening) return;
    if (tokenExpiresAt() - Date.now() < 2000) {
      this.opening = true;
      await refresh().finally(() => {
        this.opening = false;
      });
    }
    if (this.stopped || this.ws || !accessToken()) return;
    this.setState(this.attempt ? 'reconnecting' : 'connecting');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/api/v1/ws`);
    this.ws = ws;
    this.ready = false;
    ws.onopen = () => {
      this.lastHeard = Date.now();
      ws.send(JSON.stringify({ type: 'auth', token: accessToken() }));
    };
    ws.onmessage = (event) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame.type === 'pong') return;
      if (frame.type === 'ready' && !this.ready) {
        this.ready = true;
        this.attempt = 0;
        this.startPing(ws);
        this.setState('online');
        this.handlers.onReady(frame);
        return;
      }
      this.handlers.onFrame(frame);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.lost(event.code);
    };
  }

  /** The socket is gone (closed by the server, or found dead by us). */
  lost(code) {
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    clearInterval(this.pingTimer);
    if (ws) {
      ws.onclose = null;
      ws.onmessage = null;
      if (ws.readyState <= 1) ws.close();
    }
    if (this.stopped) return;
    if (code === 4003) {
      this.stopped = true;
      this.setState('offline');
      this.handlers.onRevoked();
      return;
    }
    this.scheduleRetry(code === 4001);
  }

  async scheduleRetry(tokenExpired) {
    if (tokenExpired) await refresh();
    if (this.stopped) return;
    this.attempt += 1;
    const ceiling = Math.min(MAX_BACKOFF, 500 * 2 ** Math.min(this.attempt - 1, 8));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.retryAt = Date.now() + delay;
    this.setState('reconnecting');
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  /** Try at once (the network came back, the tab became visible, the user asked). */
  retryNow() {
    if (this.stopped || this.ws) return;
    this.open();
  }

  startPing(ws) {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (this.ws !== ws) return;
      if (Date.now() - this.lastHeard > SILENCE_LIMIT) this.lost(1006);
      else this.send({ type: 'ping' });
    }, PING_EVERY);
  }

  /** Send a frame when authenticated; false when it could not go out. */
  send(frame) {
    if (!this.ready || this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** A fresh access token: keep the open socket authenticated. */
  renew(token) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'auth', token }));
  }
}
