// vmterm-serve's page: xterm.js over the terminal WebSocket (protocol in vmterm-serve(1)).
// Output is acknowledged after xterm.js has written it, which is what lets the server stop
// reading the shell when this page falls behind; a dropped connection, or a reload of this tab,
// is resumed with the session id and the byte count this page has, so no output is repeated.
import { Terminal } from './vendor/xterm.mjs';
import { FitAddon } from './vendor/addon-fit.mjs';
import { routeInlineStylesThroughCssom } from './csp.js';

const ACK_EVERY_BYTES = 64 * 1024;
const ACK_DELAY_MS = 20;
const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 4000];
// Input goes in messages of at most this size: the server closes with 1009 beyond its
// --max-message, whose smallest value is 4 KiB, so a large paste is never refused.
const INPUT_PIECE_BYTES = 4096;
// The server's bound on each side of the terminal (vmterm-serve(1), "resize"): a wider window
// gets this many columns rather than a refusal.
const MAX_CELLS = 1000;
// How long a server error that did not end the session stays in the status bar.
const NOTICE_MS = 4000;
// This tab's session across a reload (sessionStorage is per tab). It is written when the page
// goes away and removed when it loads, so a duplicated tab starts its own session.
const STORE_KEY = 'vmterm.session';
// The trace of the GET that served this page (the server's <meta name="traceparent">): the
// terminal session's span joins it.
const TRACEPARENT = document.querySelector('meta[name="traceparent"]')?.content || '';
// Close codes after which reconnecting cannot help (the reason is shown instead).
const FINAL_CLOSE = new Map([
  [1008, 'the server refused this session'],
  [1013, 'the server has as many sessions as it allows (--max-sessions); try again later'],
  [4401, 'not signed in: open the login URL again'],
  [4403, 'this page\'s origin is not allowed'],
]);
const RESTARTED = 'the server restarted: open the new login URL (vmterm-serve prints it when it '
  + 'starts)';

routeInlineStylesThroughCssom(document);

const ui = {
  state: document.getElementById('state'),
  detail: document.getElementById('detail'),
  banner: document.getElementById('banner'),
  again: document.getElementById('again'),
  fresh: document.getElementById('new-session'),
  screen: document.getElementById('terminal'),
};
const term = new Terminal({
  cursorBlink: true,
  scrollback: 10000,
  fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace',
  allowProposedApi: false,
});
const fit = new FitAddon();
term.loadAddon(fit);
term.open(ui.screen);

const encoder = new TextEncoder();
let ws = null;
let session = null;      // id from the server's hello
let graceMs = 0;         // how long the server keeps a dropped session
let received = 0;        // output bytes written to the screen (what we acknowledge)
let acked = 0;
let ackTimer = null;
let readonly = false;
let finished = false;    // exit or fatal error: do not reconnect
let attempt = 0;
let droppedAt = 0;
let lastError = '';      // the server's last error message, until the close that may follow
let noticeTimer = null;
let resumedFromStore = false;
let target = '';         // what sessions run, from /info, for the title
let startedAgainAt = 0;  // when this tab last gave up its session for a new one
let generation = 0;      // counts sessions started in this tab; stale callbacks compare it

function show(state, detail = '') {
  ui.state.dataset.state = state;
  ui.state.textContent = state;
  ui.detail.textContent = detail;
  ui.again.hidden = state !== 'exited' && state !== 'error';
}

function setTitle() {
  document.title = target ? `vmterm \u2014 ${target}` : 'vmterm';
}

function takeStoredSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || 'null');
    sessionStorage.removeItem(STORE_KEY);
    if (saved && typeof saved.session === 'string' && Number.isSafeInteger(saved.offset)) {
      return saved;
    }
  } catch {
    // No storage (a sandboxed frame) or a bad entry: a new session.
  }
  return null;
}

function storeSession() {
  try {
    if (session && !finished) {
      sessionStorage.setItem(STORE_KEY, JSON.stringify({ session, offset: received }));
    }
  } catch {
    // Storage full or refused: the reload starts a new session.
  }
}

function socketUrl() {
  const url = new URL('ws/terminal/', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  if (/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/.test(TRACEPARENT)) {
    url.searchParams.set('traceparent', TRACEPARENT);
  }
  if (session) {
    url.searchParams.set('session', session);
    url.searchParams.set('offset', String(received));
    // After a reload the screen is empty: ask for all the output the server still holds.
    if (resumedFromStore) url.searchParams.set('replay', 'held');
  }
  return url.toString();
}

function sendControl(message) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
}

function sendAck() {
  ackTimer = null;
  if (received !== acked) {
    acked = received;
    sendControl({ type: 'ack', bytes: received });
  }
}

function onOutput(bytes) {
  term.write(bytes, () => {
    received += bytes.length;
    if (received - acked >= ACK_EVERY_BYTES) sendAck();
    else if (ackTimer === null) ackTimer = setTimeout(sendAck, ACK_DELAY_MS);
  });
}

// The size the page asks for: what fits the window, at most the server's bound.
function refit() {
  const size = fit.proposeDimensions();
  if (!size || !Number.isFinite(size.cols) || !Number.isFinite(size.rows)) return;
  const cols = Math.min(MAX_CELLS, size.cols);
  const rows = Math.min(MAX_CELLS, size.rows);
  if (cols !== term.cols || rows !== term.rows) term.resize(cols, rows);
}

function onHello(msg) {
  session = msg.session;
  if (resumedFromStore && Number.isSafeInteger(msg.offset)) {
    // The stream restarts at the oldest byte held (replay=held): count from there.
    received = msg.offset;
    acked = msg.offset;
  }
  graceMs = msg.resume_grace_ms || 0;
  readonly = Boolean(msg.readonly);
  ui.banner.hidden = !readonly;  // the ResizeObserver refits the terminal to what is left
  attempt = 0;
  droppedAt = 0;
  lastError = '';
  resumedFromStore = false;
  show('connected', readonly ? 'read-only' : '');
}

function onControl(text) {
  let msg;
  try { msg = JSON.parse(text); } catch { return; }
  switch (msg.type) {
    case 'hello':
      onHello(msg);
      break;
    case 'exit':
      finished = true;
      show('exited', `the session ended with exit code ${msg.code}; press Enter to start again`);
      term.write(`\r\n\x1b[2m[session ended with exit code ${msg.code}; press Enter to start `
        + 'again]\x1b[0m\r\n');
      break;
    case 'error':
      // Shown now; final only if the server closes the connection after it.
      lastError = String(msg.message || 'error');
      show('error', lastError);
      clearTimeout(noticeTimer);
      noticeTimer = setTimeout(() => {
        if (!finished && ws && ws.readyState === WebSocket.OPEN) {
          lastError = '';
          show('connected', readonly ? 'read-only' : '');
        }
      }, NOTICE_MS);
      break;
    default:
      break;
  }
}

function fail(message) {
  finished = true;
  show('error', message);
  term.write(`\r\n\x1b[31m${message}\x1b[0m\r\n`);
}

// Why can the page not connect? /info answers without upgrading: 401 after a restart (the
// login is gone with the old server), 200 when only the connection is at fault.
async function loginGone() {
  try {
    const res = await fetch(new URL('info', window.location.href), { cache: 'no-store' });
    return res.status === 401;
  } catch {
    return false;  // the server is not there (yet): keep trying
  }
}

async function onClose(event) {
  ws = null;
  clearTimeout(noticeTimer);
  if (finished) return;
  if (event.code === 1013 && Date.now() - startedAgainAt < 3000) {
    // The place this tab just gave up is freed once its shell has gone: ask again shortly.
    attempt += 1;
    reconnectLater(150 * attempt);
    return;
  }
  if (lastError && event.code !== 1001) {
    // The server said why and closed: a session a reload brought back that has ended since
    // gives way to a new one; anything else is final.
    if (resumedFromStore && event.code === 1008) {
      resumedFromStore = false;
      startAgain();
      return;
    }
    fail(lastError);
    return;
  }
  if (FINAL_CLOSE.has(event.code)) {
    fail(event.reason || FINAL_CLOSE.get(event.code));
    return;
  }
  if (!droppedAt) droppedAt = Date.now();
  const asked = generation;
  const gone = event.code !== 1001 && await loginGone();
  if (asked !== generation || finished) return;  // "new session" meanwhile
  if (gone) {
    fail(session ? `${RESTARTED}; the shell of this page ended with the old server` : RESTARTED);
    return;
  }
  if (session && graceMs && Date.now() - droppedAt > graceMs) {
    fail('the connection was lost and the session has expired; press Enter to start again');
    return;
  }
  const delay = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)];
  attempt += 1;
  const why = event.code === 1001 ? 'the server is shutting down or restarting'
    : event.reason || 'connection lost';
  show('reconnecting', `${why}; retrying in ${delay} ms`);
  reconnectLater(delay);
}

// A "new session" meanwhile cancels it.
function reconnectLater(ms) {
  const planned = generation;
  setTimeout(() => {
    if (planned === generation && !finished && !ws) connect();
  }, ms);
}

function connect() {
  show(session ? 'reconnecting' : 'connecting', attempt ? `attempt ${attempt + 1}` : '');
  lastError = '';
  ws = new WebSocket(socketUrl());
  ws.binaryType = 'arraybuffer';
  ws.onopen = () => {
    // The shell starts at the first size we send, not at 80x24.
    sendControl({ type: 'resize', cols: term.cols, rows: term.rows });
  };
  ws.onmessage = (event) => {
    if (typeof event.data === 'string') onControl(event.data);
    else onOutput(new Uint8Array(event.data));
  };
  ws.onclose = onClose;
  ws.onerror = () => {};  // onclose follows with the details
}

// A new shell in this tab: the old session is ended on the server ({"type":"end"}), so it does
// not hold a --max-sessions slot while its grace runs.
function startAgain() {
  const old = ws;
  finished = true;  // the old connection's close must not reconnect it
  ws = null;
  if (old) {
    old.onclose = null;
    old.onmessage = null;
  }
  if (old && old.readyState === WebSocket.OPEN) {
    old.send(JSON.stringify({ type: 'end' }));
    old.close(1000, 'new session');
  }
  clearTimeout(ackTimer);
  ackTimer = null;
  session = null;
  received = 0;
  acked = 0;
  attempt = 0;
  droppedAt = 0;
  finished = false;
  startedAgainAt = Date.now();
  generation += 1;
  term.reset();
  connect();
  term.focus();
}

function sendInput(bytes) {
  if (readonly || !ws || ws.readyState !== WebSocket.OPEN) return;
  for (let at = 0; at < bytes.length; at += INPUT_PIECE_BYTES) {
    ws.send(bytes.subarray(at, at + INPUT_PIECE_BYTES));
  }
}
term.onData((data) => {
  if (finished) {
    if (data === '\r') startAgain();
    return;
  }
  sendInput(encoder.encode(data));
});
term.onBinary((data) => {
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 1) bytes[i] = data.charCodeAt(i) & 0xff;
  sendInput(bytes);
});
term.onResize(({ cols, rows }) => sendControl({ type: 'resize', cols, rows }));

// Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes: plain Ctrl+C stays the shell's. The
// browser's own action for the keys (paste again, open DevTools) is prevented.
term.attachCustomKeyEventHandler((event) => {
  if (!event.ctrlKey || !event.shiftKey || event.altKey || event.metaKey) return true;
  if (event.code !== 'KeyC' && event.code !== 'KeyV') return true;
  event.preventDefault();
  if (event.type !== 'keydown') return false;
  if (event.code === 'KeyC') {
    const text = term.getSelection();
    if (text && navigator.clipboard) navigator.clipboard.writeText(text).catch(() => {});
  } else if (navigator.clipboard) {
    navigator.clipboard.readText().then((text) => term.paste(text)).catch(() => {});
  }
  return false;
});

// Every layout change (the window, the read-only banner, the status bar) refits the terminal.
let refitFrame = 0;
new ResizeObserver(() => {
  cancelAnimationFrame(refitFrame);
  refitFrame = requestAnimationFrame(refit);
}).observe(ui.screen);
document.addEventListener('visibilitychange', () => {
  // A hidden tab does not need output now; the server keeps it (and the shell waits).
  sendControl({ type: document.hidden ? 'pause' : 'resume' });
});
window.addEventListener('pagehide', storeSession);
ui.again.addEventListener('click', startAgain);
ui.fresh.addEventListener('click', startAgain);

// Exposed for the browser test: what the page has written and its connection state.
window.vmterm = {
  term,
  sendControl,
  get received() { return received; },
  get session() { return session; },
  get state() { return ui.state.dataset.state; },
};

fetch(new URL('info', window.location.href), { cache: 'no-store' })
  .then((res) => (res.ok ? res.json() : {}))
  .then((info) => { target = typeof info.target === 'string' ? info.target : ''; setTitle(); })
  .catch(() => {});

refit();
term.focus();
const saved = takeStoredSession();
if (saved) {
  session = saved.session;
  received = saved.offset;
  acked = saved.offset;
  resumedFromStore = true;
}
connect();
