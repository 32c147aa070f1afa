// vmterm-serve's page: xterm.js over the terminal WebSocket (protocol in vmterm-serve(1)).
// Output is acknowledged after xterm.js has written it, which is what lets the server stop
// reading the shell when this page falls behind; a dropped connection is resumed with the
// session id and the byte count this page has, so no output is lost or repeated.
import { Terminal } from './vendor/xterm.mjs';
import { FitAddon } from './vendor/addon-fit.mjs';

const ACK_EVERY_BYTES = 64 * 1024;
const ACK_DELAY_MS = 20;
const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 4000];
// Input goes in messages of at most this size: the server closes with 1009 beyond its
// --max-message, whose smallest value is 4 KiB, so a large paste is never refused.
const INPUT_PIECE_BYTES = 4096;
// Close codes after which reconnecting cannot help (the reason is shown instead).
const FINAL_CLOSE = new Map([
  [1008, 'the server refused this session'],
  [1013, 'the server has as many sessions as it allows (--max-sessions); try again later'],
  [4401, 'not signed in: open the login URL again'],
  [4403, 'this page\'s origin is not allowed'],
]);

// xterm.js keeps its theme, cell metrics and scrollbar styles in <style> elements, which the
// server's Content-Security-Policy (style-src 'self': no inline styles) blocks. Their text goes
// into constructed style sheets instead (CSSOM), which the policy allows.
function routeStyleElementsToConstructedSheets(doc) {
  const createElement = doc.createElement.bind(doc);
  doc.createElement = (name, options) => {
    if (String(name).toLowerCase() !== 'style') return createElement(name, options);
    // An inert stand-in: even an empty <style> element is reported as a policy violation.
    const element = createElement('template');
    const sheet = new CSSStyleSheet();
    let text = '';
    doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
    Object.defineProperty(element, 'textContent', {
      get: () => text,
      set: (value) => { text = String(value ?? ''); sheet.replaceSync(text); },
    });
    const remove = element.remove.bind(element);
    element.remove = () => {
      doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => s !== sheet);
      remove();
    };
    return element;
  };
}
routeStyleElementsToConstructedSheets(document);

const ui = {
  state: document.getElementById('state'),
  detail: document.getElementById('detail'),
  banner: document.getElementById('banner'),
};
const term = new Terminal({
  cursorBlink: true,
  scrollback: 10000,
  fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace',
  allowProposedApi: false,
});
const fit = new FitAddon();
term.loadAddon(fit);
term.open(document.getElementById('terminal'));
fit.fit();
term.focus();

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

function show(state, detail = '') {
  ui.state.dataset.state = state;
  ui.state.textContent = state;
  ui.detail.textContent = detail;
}

function socketUrl() {
  const url = new URL('ws/terminal/', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  if (session) {
    url.searchParams.set('session', session);
    url.searchParams.set('offset', String(received));
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

function onControl(text) {
  let msg;
  try { msg = JSON.parse(text); } catch { return; }
  switch (msg.type) {
    case 'hello':
      session = msg.session;
      graceMs = msg.resume_grace_ms || 0;
      readonly = Boolean(msg.readonly);
      ui.banner.hidden = !readonly;
      attempt = 0;
      droppedAt = 0;
      show('connected', readonly ? 'read-only' : '');
      break;
    case 'exit':
      finished = true;
      show('exited', `the session ended with exit code ${msg.code}`);
      term.write(`\r\n\x1b[2m[session ended with exit code ${msg.code}]\x1b[0m\r\n`);
      break;
    case 'error':
      finished = true;
      show('error', msg.message);
      term.write(`\r\n\x1b[31m${msg.message}\x1b[0m\r\n`);
      break;
    default:
      break;
  }
}

function connect() {
  show(session ? 'reconnecting' : 'connecting', attempt ? `attempt ${attempt + 1}` : '');
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
  ws.onclose = (event) => {
    ws = null;
    if (finished) return;
    if (FINAL_CLOSE.has(event.code)) {
      finished = true;
      show('error', event.reason || FINAL_CLOSE.get(event.code));
      return;
    }
    if (event.code === 1001) {
      show('reconnecting', 'the server is shutting down or restarting');
    }
    if (!droppedAt) droppedAt = Date.now();
    if (session && graceMs && Date.now() - droppedAt > graceMs) {
      finished = true;
      show('error', 'the connection was lost and the session has expired; reload to start anew');
      return;
    }
    const delay = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)];
    attempt += 1;
    show('reconnecting', `${event.reason || 'connection lost'}; retrying in ${delay} ms`);
    setTimeout(connect, delay);
  };
  ws.onerror = () => {};  // onclose follows with the details
}

function sendInput(bytes) {
  if (readonly || !ws || ws.readyState !== WebSocket.OPEN) return;
  for (let at = 0; at < bytes.length; at += INPUT_PIECE_BYTES) {
    ws.send(bytes.subarray(at, at + INPUT_PIECE_BYTES));
  }
}
term.onData((data) => sendInput(encoder.encode(data)));
term.onBinary((data) => {
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 1) bytes[i] = data.charCodeAt(i) & 0xff;
  sendInput(bytes);
});
term.onResize(({ cols, rows }) => sendControl({ type: 'resize', cols, rows }));

// Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes: plain Ctrl+C stays the shell's.
term.attachCustomKeyEventHandler((event) => {
  if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
  if (event.code === 'KeyC') {
    const text = term.getSelection();
    if (text && navigator.clipboard) navigator.clipboard.writeText(text);
    return false;
  }
  if (event.code === 'KeyV') {
    if (navigator.clipboard) navigator.clipboard.readText().then((text) => term.paste(text));
    return false;
  }
  return true;
});

let resizeTimer = null;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => fit.fit(), 50);
});
document.addEventListener('visibilitychange', () => {
  // A hidden tab does not need output now; the server keeps it (and the shell waits).
  sendControl({ type: document.hidden ? 'pause' : 'resume' });
});

// Exposed for the browser test: what the page has written and its connection state.
window.vmterm = { term, get received() { return received; }, get state() { return ui.state.dataset.state; } };

connect();
