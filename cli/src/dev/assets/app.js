// The inspector page of `cargo mcp dev`: an MCP client in the browser.
//
// The backend (cli/src/dev) builds and runs the server and relays messages:
//   GET  /api/events  server-sent events: status, build, build_failed,
//                     build_ok, restarted, message, stderr, exited
//   POST /api/send    one JSON-RPC message for the server
//   GET  /api/info    cargo-mcp version, transport, project
// The page speaks the legacy protocol era (2025-11-25): initialize, then
// notifications/initialized, then lists and calls. After every restart it
// initializes again and keeps the user's place (tab, selection, form values).
//
// Sections of this file, in order:
//   1. small DOM and formatting helpers
//   2. the user's place, kept in sessionStorage
//   3. tabs
//   4. the MCP client: ids, pending requests, server requests, sessions
//   5. backend events and the status indicator
//   6. the server panel
//   7. forms generated from JSON Schema
//   8. rendering results (text, JSON, images, audio, resources)
//   9. tools, 10. resources, 11. prompts
//  12. elicitation, 13. history, 14. logs and the JSON-RPC log
//  15. start-up

const PROTOCOL_VERSION = '2025-11-25';
const CLIENT_INFO = { name: 'cargo-mcp-inspector', version: '0.1.0' };
const CLIENT_CAPABILITIES = { elicitation: {}, roots: { listChanged: true } };
const MAX_LOG_ENTRIES = 1000;
const INIT_TIMEOUT_MS = 15000;
const READY_TIMEOUT_MS = 60000;

// ==== 1. Helpers ================================================================

/** Finds an element by id. */
const byId = (id) => document.getElementById(id);

/**
 * Makes an element: `h('button', {type: 'button', onclick: f}, 'text', child)`.
 * Attributes starting with `on` become listeners, `dataset` and `style`
 * objects are merged, `false`/`null` attributes are skipped.
 */
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else if (key === 'dataset') {
      Object.assign(node.dataset, value);
    } else if (key === 'class') {
      node.className = value;
    } else if (key in node && typeof value !== 'string') {
      node[key] = value; // properties such as checked, value, hidden
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  appendAll(node, children);
  return node;
}

/** Appends children, skipping null/false and flattening arrays. */
function appendAll(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Replaces the children of `node`. */
function setChildren(node, ...children) {
  node.replaceChildren();
  return appendAll(node, children);
}

/** JSON with two-space indentation. */
const pretty = (value) => JSON.stringify(value, null, 2);

/** `12:03:04.512` for a timestamp. */
function clock(ms) {
  const d = new Date(ms);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** `85 ms` or `3.21 s`. */
function duration(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** A number with at most three decimals: `0.333`, `2`. */
const num = (n) => (typeof n === 'number' ? String(Math.round(n * 1000) / 1000) : String(n));

/** A promise with its resolve/reject exposed. */
function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

/** Ids unique within the page, for label/aria wiring. */
let idCounter = 0;
const uid = (prefix) => `${prefix}-${++idCounter}`;

/** A pre block of pretty JSON. */
const jsonBlock = (value, label) => h('pre', { class: 'json', tabindex: 0, 'aria-label': label || 'JSON' }, pretty(value));

// ==== 2. The user's place ======================================================

const STORAGE_KEY = 'cargo-mcp-inspector';

/**
 * What survives restarts and reloads: the tab, the selections and every
 * form's raw values (keyed by tool/prompt/template name).
 */
const place = loadPlace();

function loadPlace() {
  const empty = { tab: 'tools', tool: null, resource: null, prompt: null, forms: {} };
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
    return saved && typeof saved === 'object' ? { ...empty, ...saved } : empty;
  } catch {
    return empty;
  }
}

let saveTimer = null;
/** Saves the place soon (changes come in bursts while typing). */
function savePlace() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    try { sessionStorage.setItem(STORAGE_KEY, JSON.stringify(place)); } catch { /* storage full or off */ }
  }, 200);
}

/** The raw state of one form, created on first use. */
function formState(key) {
  if (!place.forms[key]) place.forms[key] = { values: {}, mode: 'form', json: '' };
  return place.forms[key];
}

// ==== 3. Tabs ==================================================================

const tabs = () => [...document.querySelectorAll('[role="tab"]')];

/** Shows one tab's panel; `focus` moves the keyboard focus to the tab. */
function selectTab(name, focus = false) {
  for (const tab of tabs()) {
    const selected = tab.dataset.tab === name;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    byId(tab.getAttribute('aria-controls')).hidden = !selected;
    if (selected && focus) tab.focus();
  }
  place.tab = name;
  savePlace();
}

/** Click and arrow-key handling of the tablist (automatic activation). */
function initTabs() {
  const list = byId('tablist');
  list.addEventListener('click', (e) => {
    const tab = e.target.closest('[role="tab"]');
    if (tab) selectTab(tab.dataset.tab);
  });
  list.addEventListener('keydown', (e) => {
    const all = tabs();
    const index = all.indexOf(document.activeElement);
    if (index < 0) return;
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: all.length - 1 };
    if (!(e.key in moves)) return;
    e.preventDefault();
    const next = all[(moves[e.key] + all.length) % all.length];
    selectTab(next.dataset.tab, true);
  });
  const known = tabs().some((t) => t.dataset.tab === place.tab);
  selectTab(known ? place.tab : 'tools');
}

// ==== 4. The MCP client ========================================================

/**
 * One server process is one session: `generation` is the backend's process
 * number, `ready` resolves once initialize has been answered.
 */
const session = {
  generation: null,
  initResult: null,
  ready: deferred(),
  isReady: false,
  status: null, // the last `status` event
  initPromise: null, // the running or finished initializeSession
};

let nextId = 1;
/** id -> {method, resolve, reject, onProgress?} for requests awaiting an answer. */
const pending = new Map();
/** progressToken -> callback for notifications/progress. */
const progressHandlers = new Map();

/** Posts one message to the backend; throws with the backend's error text. */
async function send(message) {
  logRpc('out', message);
  let response;
  try {
    response = await fetch('/api/send', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(message),
    });
  } catch (e) {
    throw new Error(`The inspector backend is unreachable: ${e.message}`);
  }
  if (response.status !== 202) {
    let detail = `HTTP ${response.status}`;
    try { detail = (await response.json()).error || detail; } catch { /* not JSON */ }
    throw new Error(detail);
  }
}

/** Sends a request now (without waiting for the session) and awaits its answer. */
function rawRequest(method, params, { onProgress, timeoutMs } = {}) {
  const id = nextId++;
  const wait = deferred();
  const entry = { method, resolve: wait.resolve, reject: wait.reject, id };
  if (onProgress) {
    const token = `inspector-${id}`;
    params = { ...(params || {}), _meta: { ...((params && params._meta) || {}), progressToken: token } };
    progressHandlers.set(token, onProgress);
    entry.token = token;
  }
  pending.set(id, entry);
  let timer = null;
  if (timeoutMs) {
    timer = setTimeout(() => settle(id, null, new Error(`No answer to ${method} after ${duration(timeoutMs)}`)), timeoutMs);
  }
  const message = { jsonrpc: '2.0', id, method };
  if (params !== undefined) message.params = params;
  send(message).catch((e) => settle(id, null, e));
  wait.promise.id = id;
  return {
    id,
    promise: wait.promise.finally(() => clearTimeout(timer)),
  };
}

/** Resolves or rejects a pending request and forgets it. */
function settle(id, result, error) {
  const entry = pending.get(id);
  if (!entry) return;
  pending.delete(id);
  if (entry.token) progressHandlers.delete(entry.token);
  if (error) entry.reject(error); else entry.resolve(result);
}

/** Waits until the session is initialized (or fails after a while). */
async function whenReady() {
  if (session.isReady) return;
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('The server is not running (waiting for a successful build)')), READY_TIMEOUT_MS);
  });
  try {
    await Promise.race([session.ready.promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends a request once the session is ready. Returns `{id, promise}` so
 * that the caller can cancel it with `cancelRequest(id)`.
 */
function request(method, params, options = {}) {
  const holder = deferred();
  const handle = { id: null, promise: holder.promise };
  whenReady().then(() => {
    const sent = rawRequest(method, params, options);
    handle.id = sent.id;
    sent.promise.then(holder.resolve, holder.reject);
  }, holder.reject);
  return handle;
}

/** Sends a notification (no answer expected). */
function notify(method, params) {
  const message = { jsonrpc: '2.0', method };
  if (params !== undefined) message.params = params;
  return send(message).catch((e) => addLog('inspector', 'error', `${method}: ${e.message}`));
}

/** Tells the server to stop working on a request, and stops waiting for it. */
function cancelRequest(id, reason = 'Cancelled by the user') {
  if (id === null || !pending.has(id)) return;
  notify('notifications/cancelled', { requestId: id, reason });
  settle(id, null, Object.assign(new Error(reason), { cancelled: true }));
}

/** Fails every request in flight (the process that would answer is gone). */
function failAllPending(reason) {
  for (const id of [...pending.keys()]) settle(id, null, new Error(reason));
}

/** Answers a request the server sent to us. */
function respond(id, result) {
  return send({ jsonrpc: '2.0', id, result }).catch((e) => addLog('inspector', 'error', `answer to ${id}: ${e.message}`));
}

/** Answers a server request with a JSON-RPC error. */
function respondError(id, code, message) {
  return send({ jsonrpc: '2.0', id, error: { code, message } }).catch(() => {});
}

/** Routes one message from the server: answer, notification or request. */
function handleServerMessage(msg) {
  if (!msg || typeof msg !== 'object') return;
  const isResponse = msg.id !== undefined && msg.method === undefined;
  if (isResponse) {
    if (msg.error) {
      const err = new Error(msg.error.message || 'JSON-RPC error');
      err.rpc = msg.error;
      settle(msg.id, null, err);
    } else {
      settle(msg.id, msg.result, null);
    }
    return;
  }
  if (msg.id !== undefined) {
    handleServerRequest(msg);
  } else {
    handleNotification(msg);
  }
}

/** Requests from the server: ping, roots/list, elicitation/create, sampling. */
function handleServerRequest(msg) {
  switch (msg.method) {
    case 'ping':
      respond(msg.id, {});
      break;
    case 'roots/list':
      respond(msg.id, { roots: [] });
      break;
    case 'elicitation/create':
      queueElicitation(msg);
      break;
    case 'sampling/createMessage':
      addLog('inspector', 'warning', 'The server asked for sampling, which the inspector does not offer.');
      respondError(msg.id, -32601, 'The inspector does not support sampling');
      break;
    default:
      respondError(msg.id, -32601, `Method not found: ${msg.method}`);
  }
}

/** Notifications from the server. */
function handleNotification(msg) {
  const params = msg.params || {};
  switch (msg.method) {
    case 'notifications/progress': {
      const handler = progressHandlers.get(params.progressToken);
      if (handler) handler(params);
      break;
    }
    case 'notifications/message': {
      const text = typeof params.data === 'string' ? params.data : pretty(params.data);
      const line = params.logger ? `[${params.logger}] ${text}` : text;
      addLog('server', params.level || 'info', line);
      for (const call of activeToolCalls) call.addLog(params.level || 'info', line);
      break;
    }
    case 'notifications/tools/list_changed':
      loadTools();
      break;
    case 'notifications/resources/list_changed':
      loadResources();
      break;
    case 'notifications/prompts/list_changed':
      loadPrompts();
      break;
    case 'notifications/resources/updated':
      addLog('inspector', 'info', `Resource updated: ${params.uri}`);
      break;
    case 'notifications/cancelled':
      closeElicitationFor(params.requestId);
      break;
    default:
      break;
  }
}

/**
 * Starts a session with the server process `generation`: initialize,
 * notifications/initialized, then the lists. Retries a few times, since a
 * fresh process may not be listening yet.
 */
function initializeSession(generation) {
  // `status` and `restarted` both announce a new process: start once and
  // hand the same promise to both.
  if (session.generation === generation && session.initPromise) return session.initPromise;
  session.generation = generation;
  session.initPromise = runInitialize(generation);
  return session.initPromise;
}

async function runInitialize(generation) {
  session.isReady = false;
  session.initResult = null;
  failAllPending('The server restarted before answering');
  closeAllElicitations();
  if (session.ready.settled) session.ready = deferred();
  for (let attempt = 1; attempt <= 5; attempt++) {
    if (session.generation !== generation) return; // superseded
    try {
      const { promise } = rawRequest('initialize', {
        protocolVersion: PROTOCOL_VERSION,
        capabilities: CLIENT_CAPABILITIES,
        clientInfo: CLIENT_INFO,
      }, { timeoutMs: INIT_TIMEOUT_MS });
      const result = await promise;
      if (session.generation !== generation) return;
      session.initResult = result;
      await notify('notifications/initialized');
      session.isReady = true;
      session.ready.settled = true;
      session.ready.resolve();
      onSessionReady();
      return;
    } catch (e) {
      addLog('inspector', 'warning', `initialize (attempt ${attempt}): ${e.message}`);
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
  addLog('inspector', 'error', 'Could not initialize the server; waiting for the next restart.');
}

/** After initialize: show the server and load everything it offers. */
function onSessionReady() {
  renderServerPanel();
  renderStatus();
  document.body.dataset.sessionGeneration = String(session.generation);
  const caps = (session.initResult && session.initResult.capabilities) || {};
  if (caps.logging) {
    const level = byId('log-level').value;
    if (level !== 'debug') request('logging/setLevel', { level });
  }
  loadTools();
  loadResources();
  loadPrompts();
}

// ==== 5. Backend events and the status indicator ===============================

let events = null;
let restartCount = 0;

/** Opens /api/events; EventSource reconnects by itself after an error. */
function connectEvents() {
  events = new EventSource('/api/events');
  events.addEventListener('open', () => setConnection('connected', 'Connected'));
  events.addEventListener('error', () => {
    setConnection('reconnecting', 'Reconnecting…');
    // EventSource gives up for good on a non-event-stream answer: retry.
    if (events.readyState === EventSource.CLOSED) setTimeout(connectEvents, 2000);
  });
  const on = (kind, handler) => events.addEventListener(kind, (e) => {
    let data = {};
    try { data = JSON.parse(e.data); } catch { return; }
    handler(data);
  });
  on('status', onStatus);
  on('build', (d) => addLog('build', 'info', d.line));
  on('build_failed', (d) => showBuildError(d.output || ''));
  on('build_ok', () => { hideBuildError(); addLog('inspector', 'info', 'Build succeeded'); });
  on('restarted', onRestarted);
  on('message', onMessageEvent);
  on('stderr', (d) => addLog('stderr', 'info', d.line));
  on('exited', onExited);
}

function setConnection(state, text) {
  const node = byId('connection');
  node.dataset.state = state;
  node.textContent = text;
}

/** `status`: the backend's state; starts a session if a server is up. */
function onStatus(status) {
  session.status = status;
  byId('project').textContent = status.project ? `· ${status.project}` : '';
  renderStatus();
  renderServerPanel();
  // A server runs while the backend is `running`, and also while it
  // rebuilds (`building`, `build_failed`) once a first process started.
  const hasServer = typeof status.generation === 'number'
    && (status.state === 'running' || (status.generation > 0 && ['building', 'build_failed'].includes(status.state)));
  if (hasServer && status.generation !== session.generation) initializeSession(status.generation);
  if (status.state === 'exited' && status.generation === session.generation) markServerGone();
}

/** `restarted`: a new process is up; initialize it, keep the user's place. */
function onRestarted({ generation }) {
  hideBuildError();
  if (session.status) {
    session.status = { ...session.status, state: 'running', generation };
  }
  restartCount += 1;
  addLog('inspector', 'info', `Server restarted (generation ${generation})`);
  showNotice(`Server restarted (generation ${generation}); reconnecting…`);
  initializeSession(generation).then(() => {
    if (session.isReady && session.generation === generation) {
      showNotice(`Server restarted (generation ${generation}) and reconnected`);
    }
  });
  renderStatus();
}

/** `message`: a JSON-RPC message from the server process `generation`. */
function onMessageEvent({ generation, message }) {
  const stale = session.generation !== null && generation !== undefined && generation !== session.generation;
  logRpc('in', message, stale);
  if (!stale) handleServerMessage(message);
}

/** `exited`: the server process ended by itself. */
function onExited({ generation, code }) {
  addLog('inspector', 'warning', `Server (generation ${generation}) exited with code ${code ?? 'none'}`);
  if (session.status) session.status = { ...session.status, state: 'exited', exitCode: code };
  if (generation === session.generation) markServerGone();
  renderStatus();
}

function markServerGone() {
  session.isReady = false;
  if (session.ready.settled) session.ready = deferred();
  failAllPending('The server exited before answering');
  closeAllElicitations();
}

const STATE_TEXT = {
  building: 'Building…',
  starting: 'Starting…',
  running: 'Running',
  build_failed: 'Build failed',
  exited: 'Server exited',
};

/** The build/server indicator in the header. */
function renderStatus() {
  const node = byId('server-status');
  const status = session.status;
  if (!status) return;
  let text = STATE_TEXT[status.state] || status.state;
  if (status.state === 'exited' && status.exitCode !== undefined) text += ` (code ${status.exitCode ?? 'none'})`;
  if (status.generation > 0) text += `, generation ${status.generation}`;
  if (status.state === 'build_failed' && session.isReady) text += ' (previous server still running)';
  if (status.state === 'running' && !session.isReady) text += ', connecting…';
  node.textContent = text;
  node.dataset.state = status.state;
  node.dataset.generation = String(status.generation ?? '');
  document.title = `${STATE_TEXT[status.state] || status.state} · ${status.project || 'cargo mcp dev'}`;
}

function showBuildError(output) {
  byId('build-error-output').textContent = output;
  byId('build-error').hidden = false;
  addLog('build', 'error', 'Build failed');
}

function hideBuildError() {
  byId('build-error').hidden = true;
  byId('build-error-output').textContent = '';
}

let noticeTimer = null;
/** A short message under the header (read out by screen readers). */
function showNotice(text) {
  const node = byId('notice');
  node.textContent = text;
  node.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { node.hidden = true; }, 8000);
}

// ==== 6. The server panel ======================================================

let backendInfo = null;

/** Server info, capabilities and instructions from initialize. */
function renderServerPanel() {
  const init = session.initResult;
  const status = session.status || {};
  const info = (init && init.serverInfo) || {};
  const rows = [
    ['Name', info.title ? `${info.title} (${info.name})` : info.name],
    ['Version', info.version],
    ['Protocol version', init && init.protocolVersion],
    ['Project', status.project],
    ['Transport', status.transport],
    ['Command', status.target],
    ['Generation', status.generation],
    ['cargo-mcp', backendInfo && backendInfo.version],
  ];
  setChildren(byId('server-info'), rows
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([key, value]) => [h('dt', {}, key), h('dd', {}, String(value))]));

  const caps = (init && init.capabilities) || {};
  const known = ['tools', 'resources', 'prompts', 'logging', 'completions', 'tasks'];
  const names = [...new Set([...known, ...Object.keys(caps)])];
  setChildren(byId('capabilities'), init
    ? names.map((name) => {
      const on = caps[name] !== undefined;
      const flags = on && caps[name] && typeof caps[name] === 'object'
        ? Object.entries(caps[name]).filter(([, v]) => v === true).map(([k]) => k)
        : [];
      return h('li', { class: on ? 'on' : 'off' },
        h('span', { class: 'mark', 'aria-hidden': 'true' }, on ? '✓' : '–'),
        h('span', {}, `${name}${on ? '' : ' (not offered)'}`),
        flags.length ? h('span', { class: 'muted' }, ` ${flags.join(', ')}`) : null);
    })
    : h('li', { class: 'off' }, 'Not connected yet'));

  const instructions = init && init.instructions;
  byId('instructions-box').hidden = !instructions;
  byId('instructions').textContent = instructions || '';
  byId('init-json').textContent = init ? pretty(init) : '';
}

// ==== 7. Forms generated from JSON Schema ======================================
//
// A form is a tree of fields made from a schema. Each field keeps its raw
// input in `state.values[path]` (strings as typed, booleans, chosen enum
// values as JSON text), so values survive re-rendering, restarts and
// reloads. `collect()` turns raw input into a value and reports errors.
//
// Field kinds (see fieldKind): string, number, integer, boolean, enum,
// multienum (array of enum values, as checkboxes), array, object (fixed
// properties), const, json (anything else, typed as JSON).

/** Follows a local `$ref` (`#/$defs/X`, `#/definitions/X`). */
function lookupRef(root, ref) {
  if (typeof ref !== 'string' || !ref.startsWith('#')) return null;
  let node = root;
  for (const part of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!node || typeof node !== 'object') return null;
    node = node[key];
  }
  return node && typeof node === 'object' ? node : null;
}

/**
 * Resolves `$ref`s, single-entry `allOf`s and nullable wrappers
 * (`anyOf: [X, {type: null}]`, `type: [T, "null"]`).
 * Returns `{schema, nullable}`.
 */
function resolveSchema(schema, root) {
  let s = schema && typeof schema === 'object' ? schema : {};
  let nullable = false;
  for (let guard = 0; guard < 32; guard++) {
    if (s.$ref) {
      const target = lookupRef(root, s.$ref);
      const { $ref, ...rest } = s;
      s = target ? { ...target, ...rest } : rest;
      continue;
    }
    if (Array.isArray(s.allOf) && s.allOf.length === 1) {
      const { allOf, ...rest } = s;
      s = { ...allOf[0], ...rest };
      continue;
    }
    const alternatives = s.anyOf || s.oneOf;
    if (Array.isArray(alternatives) && !enumOptions(s)) {
      const nonNull = alternatives.filter((a) => !(a && a.type === 'null'));
      if (nonNull.length < alternatives.length) nullable = true;
      if (nonNull.length === 1) {
        const { anyOf, oneOf, ...rest } = s;
        s = { ...nonNull[0], ...rest };
        continue;
      }
    }
    if (Array.isArray(s.type)) {
      const types = s.type.filter((t) => t !== 'null');
      if (types.length < s.type.length) nullable = true;
      if (types.length === 1) {
        s = { ...s, type: types[0] };
        continue;
      }
    }
    break;
  }
  return { schema: s, nullable };
}

/** The choices of an enum-like schema as `[{value, label}]`, or null. */
function enumOptions(s) {
  if (!s || typeof s !== 'object') return null;
  if (Array.isArray(s.enum)) {
    const names = Array.isArray(s.enumNames) ? s.enumNames : [];
    return s.enum.map((value, i) => ({ value, label: names[i] !== undefined ? String(names[i]) : String(value) }));
  }
  const alternatives = s.oneOf || s.anyOf;
  if (Array.isArray(alternatives) && alternatives.length && alternatives.every((a) => a && a.const !== undefined)) {
    return alternatives.map((a) => ({ value: a.const, label: a.title ? String(a.title) : String(a.const) }));
  }
  return null;
}

/** Which widget a (resolved) schema gets. */
function fieldKind(s, root) {
  if (s.const !== undefined) return 'const';
  if (enumOptions(s)) return 'enum';
  const type = s.type || (s.properties ? 'object' : s.items ? 'array' : undefined);
  if (type === 'array' && s.items && !Array.isArray(s.items)) {
    return enumOptions(resolveSchema(s.items, root).schema) ? 'multienum' : 'array';
  }
  if (type === 'object' && s.properties && Object.keys(s.properties).length) return 'object';
  if (['string', 'number', 'integer', 'boolean'].includes(type)) return type;
  return 'json';
}

/** Child paths: `user/name`, `items/0`. */
const childPath = (path, key) => (path ? `${path}/${key}` : String(key));

/**
 * Writes the raw form state for `value` under `path` (the reverse of
 * collect); used for defaults, the JSON editor and "Load into form".
 */
function rawFromValue(schema, root, value, path, values) {
  const { schema: s } = resolveSchema(schema, root);
  const kind = fieldKind(s, root);
  if (value === undefined) return;
  switch (kind) {
    case 'string': case 'number': case 'integer':
      values[path] = value === null ? '' : String(value);
      break;
    case 'boolean':
      values[path] = value === null ? undefined : Boolean(value);
      break;
    case 'enum':
      values[path] = value === null ? '' : JSON.stringify(value);
      break;
    case 'multienum':
      values[path] = Array.isArray(value) ? value.map((v) => JSON.stringify(v)) : [];
      break;
    case 'array':
      if (!Array.isArray(value)) { values[`${path}#len`] = 0; break; }
      values[`${path}#len`] = value.length;
      value.forEach((item, i) => rawFromValue(s.items, root, item, childPath(path, i), values));
      break;
    case 'object':
      if (path) values[`${path}#on`] = value !== null;
      if (value && typeof value === 'object') {
        for (const [key, sub] of Object.entries(s.properties)) {
          rawFromValue(sub, root, value[key], childPath(path, key), values);
        }
      }
      break;
    case 'json':
      values[path] = pretty(value);
      break;
    default:
      break;
  }
}

/**
 * Builds the form of an object schema into `container`.
 * Returns `{collect}`; `collect()` gives `{value, errors}` and marks the
 * invalid fields. `onChange` runs after every edit.
 */
function buildSchemaForm(container, schema, state, onChange) {
  const root = schema || {};
  const ctx = { root, values: state.values, onChange, idBase: uid('f') };
  const { schema: top } = resolveSchema(root, root);
  const props = top.properties || {};
  const plainObject = (top.type === 'object' || top.type === undefined) && !top.anyOf && !top.oneOf && !top.allOf;
  if (!Object.keys(props).length && plainObject) {
    setChildren(container, h('p', { class: 'muted' }, 'No arguments.'));
    return { collect: () => ({ value: {}, errors: [] }) };
  }
  const field = buildField(ctx, top, '', null, true, false);
  setChildren(container, field.el);
  return {
    collect() {
      const errors = [];
      const value = field.collect(errors);
      return { value: value === undefined ? {} : value, errors };
    },
  };
}

/**
 * One field for `schema` at `path`. `label` is null for the form's root
 * object (which has no legend). Returns `{el, collect(errors)}`.
 */
function buildField(ctx, schema, path, label, required, isItem) {
  const { schema: s, nullable } = resolveSchema(schema, ctx.root);
  const kind = fieldKind(s, ctx.root);
  if (ctx.values[path] === undefined && ctx.values[`${path}#len`] === undefined && s.default !== undefined) {
    rawFromValue(s, ctx.root, s.default, path, ctx.values);
  }
  const meta = { s, path, label, required, nullable, isItem };
  switch (kind) {
    case 'object': return objectField(ctx, meta);
    case 'array': return arrayField(ctx, meta);
    case 'multienum': return multiEnumField(ctx, meta);
    case 'boolean': return booleanField(ctx, meta);
    case 'enum': return enumField(ctx, meta);
    case 'const': return constField(meta);
    default: return inputField(ctx, meta, kind);
  }
}

/**
 * The label, description and error line around an input. Returns the
 * wrapper and a `showError(message|null)` function.
 */
function fieldShell(meta, input, id) {
  const descId = `${id}-desc`;
  const errId = `${id}-err`;
  const description = meta.s.description || meta.s.title && meta.label !== meta.s.title && meta.s.title;
  const error = h('p', { class: 'field-error', id: errId, hidden: true });
  input.id = id;
  input.setAttribute('aria-describedby', `${description ? descId : ''} ${errId}`.trim());
  if (meta.required) input.setAttribute('aria-required', 'true');
  const typeHint = meta.s.type && typeof meta.s.type === 'string' ? meta.s.type : '';
  const el = h('div', { class: 'field', dataset: { path: meta.path } },
    // The label holds only the name (its accessible name); the required
    // mark and the type are beside it, hidden from assistive technology
    // (aria-required says the same).
    h('div', { class: 'field-head' },
      h('label', { for: id, class: 'field-name' }, meta.label),
      meta.required ? h('span', { class: 'req', 'aria-hidden': 'true', title: 'required' }, ' *') : null,
      typeHint ? h('span', { class: 'type', 'aria-hidden': 'true' }, ` ${typeHint}`) : null),
    input,
    description ? h('small', { id: descId, class: 'field-desc' }, description) : null,
    error);
  const showError = (message) => {
    error.hidden = !message;
    error.textContent = message || '';
    if (message) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  };
  return { el, showError };
}

/** Reports a missing value (or gives null when the schema allows it). */
function missing(meta, errors, showError, input) {
  if (!meta.required) return undefined;
  if (meta.nullable) return null;
  errors.push({ path: meta.path, message: 'Required', input });
  showError('Required');
  return undefined;
}

/** Text and number inputs (also used for `json`, as a textarea). */
function inputField(ctx, meta, kind) {
  const { s, path } = meta;
  const id = `${ctx.idBase}-${path || 'root'}`;
  let input;
  if (kind === 'json') {
    input = h('textarea', { rows: 4, spellcheck: 'false', class: 'code', placeholder: 'JSON' });
  } else if (kind === 'string' && (s.maxLength === undefined || s.maxLength > 200) && /multi|text|body|content/i.test(`${s.format || ''} ${path}`)) {
    input = h('textarea', { rows: 3 });
  } else {
    const type = kind === 'number' || kind === 'integer' ? 'number'
      : s.format === 'email' ? 'email' : s.format === 'uri' ? 'url' : 'text';
    input = h('input', { type, spellcheck: 'false' });
    if (type === 'number') {
      input.step = kind === 'integer' ? '1' : 'any';
      if (typeof s.minimum === 'number') input.min = String(s.minimum);
      if (typeof s.maximum === 'number') input.max = String(s.maximum);
    }
    if (s.format === 'date') input.type = 'date';
  }
  if (s.examples && s.examples.length && !input.placeholder) input.placeholder = `e.g. ${JSON.stringify(s.examples[0])}`;
  input.value = ctx.values[path] ?? '';
  input.addEventListener('input', () => { ctx.values[path] = input.value; shell.showError(null); ctx.onChange(); });
  const shell = fieldShell({ ...meta, label: meta.label ?? 'arguments (JSON)' }, input, id);

  const collect = (errors) => {
    const raw = (ctx.values[path] ?? '').toString();
    shell.showError(null);
    const fail = (message) => { errors.push({ path, message, input }); shell.showError(message); return undefined; };
    if (raw.trim() === '' && !(kind === 'string' && raw !== '' )) {
      return missing(meta, errors, shell.showError, input);
    }
    if (kind === 'json') {
      try { return JSON.parse(raw); } catch (e) { return fail(`Not valid JSON: ${e.message}`); }
    }
    if (kind === 'number' || kind === 'integer') {
      const n = Number(raw);
      if (!Number.isFinite(n)) return fail('Not a number');
      if (kind === 'integer' && !Number.isInteger(n)) return fail('Must be a whole number');
      if (typeof s.minimum === 'number' && n < s.minimum) return fail(`Must be at least ${s.minimum}`);
      if (typeof s.maximum === 'number' && n > s.maximum) return fail(`Must be at most ${s.maximum}`);
      if (typeof s.exclusiveMinimum === 'number' && n <= s.exclusiveMinimum) return fail(`Must be more than ${s.exclusiveMinimum}`);
      if (typeof s.exclusiveMaximum === 'number' && n >= s.exclusiveMaximum) return fail(`Must be less than ${s.exclusiveMaximum}`);
      if (typeof s.multipleOf === 'number' && s.multipleOf > 0 && Math.abs(n / s.multipleOf - Math.round(n / s.multipleOf)) > 1e-9) {
        return fail(`Must be a multiple of ${s.multipleOf}`);
      }
      return n;
    }
    // Strings.
    const length = [...raw].length;
    if (typeof s.minLength === 'number' && length < s.minLength) return fail(`At least ${s.minLength} characters`);
    if (typeof s.maxLength === 'number' && length > s.maxLength) return fail(`At most ${s.maxLength} characters`);
    if (typeof s.pattern === 'string') {
      let re = null;
      try { re = new RegExp(s.pattern, 'u'); } catch { /* a pattern JS cannot read: let the server judge */ }
      if (re && !re.test(raw)) return fail(`Must match ${s.pattern}`);
    }
    return raw;
  };
  return { el: shell.el, collect };
}

/** A checkbox, or a three-way select when the value may be left unset. */
function booleanField(ctx, meta) {
  const { path } = meta;
  const id = `${ctx.idBase}-${path || 'root'}`;
  const triState = !meta.required && meta.s.default === undefined;
  let input;
  if (triState) {
    input = h('select', {},
      h('option', { value: '' }, '(not set)'), h('option', { value: 'true' }, 'true'), h('option', { value: 'false' }, 'false'));
    const raw = ctx.values[path];
    input.value = raw === undefined ? '' : String(raw);
    input.addEventListener('change', () => {
      ctx.values[path] = input.value === '' ? undefined : input.value === 'true';
      ctx.onChange();
    });
  } else {
    input = h('input', { type: 'checkbox', checked: Boolean(ctx.values[path]) });
    input.addEventListener('change', () => { ctx.values[path] = input.checked; ctx.onChange(); });
  }
  const shell = fieldShell(meta, input, id);
  shell.el.classList.add(triState ? 'field-select' : 'field-check');
  return {
    el: shell.el,
    collect: () => {
      const raw = ctx.values[path];
      if (triState) return raw === undefined ? undefined : Boolean(raw);
      return Boolean(raw);
    },
  };
}

/** A select of enum choices. */
function enumField(ctx, meta) {
  const { path, s } = meta;
  const id = `${ctx.idBase}-${path || 'root'}`;
  const options = enumOptions(s);
  const input = h('select', {},
    h('option', { value: '' }, meta.required ? '(choose)' : '(not set)'),
    options.map((o) => h('option', { value: JSON.stringify(o.value) }, o.label)));
  input.value = ctx.values[path] ?? '';
  input.addEventListener('change', () => { ctx.values[path] = input.value; shell.showError(null); ctx.onChange(); });
  const shell = fieldShell(meta, input, id);
  return {
    el: shell.el,
    collect: (errors) => {
      shell.showError(null);
      const raw = ctx.values[path] ?? '';
      if (raw === '') return missing(meta, errors, shell.showError, input);
      try { return JSON.parse(raw); } catch { return undefined; }
    },
  };
}

/** Checkboxes for an array of enum values. */
function multiEnumField(ctx, meta) {
  const { path, s } = meta;
  const options = enumOptions(resolveSchema(s.items, ctx.root).schema);
  const chosen = () => (Array.isArray(ctx.values[path]) ? ctx.values[path] : []);
  const error = h('p', { class: 'field-error', hidden: true });
  const boxes = options.map((o) => {
    const key = JSON.stringify(o.value);
    const box = h('input', { type: 'checkbox', checked: chosen().includes(key) });
    box.addEventListener('change', () => {
      const set = new Set(chosen());
      if (box.checked) set.add(key); else set.delete(key);
      ctx.values[path] = options.map((x) => JSON.stringify(x.value)).filter((k) => set.has(k));
      error.hidden = true;
      ctx.onChange();
    });
    return h('label', { class: 'check' }, box, ` ${o.label}`);
  });
  const el = h('fieldset', { class: 'field group' },
    h('legend', {}, meta.label, meta.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    s.description ? h('small', { class: 'field-desc' }, s.description) : null,
    h('div', { class: 'checks' }, boxes), error);
  return {
    el,
    collect: (errors) => {
      const values = chosen().map((k) => JSON.parse(k));
      const fail = (message) => { errors.push({ path, message, input: boxes[0] && boxes[0].querySelector('input') }); error.textContent = message; error.hidden = false; };
      error.hidden = true;
      if (!values.length && !meta.required) return undefined;
      if (typeof s.minItems === 'number' && values.length < s.minItems) { fail(`Choose at least ${s.minItems}`); return undefined; }
      if (typeof s.maxItems === 'number' && values.length > s.maxItems) { fail(`Choose at most ${s.maxItems}`); return undefined; }
      return values;
    },
  };
}

/** A fixed value: shown, always sent. */
function constField(meta) {
  return {
    el: h('div', { class: 'field' }, h('span', { class: 'field-name' }, meta.label), ' = ', h('code', {}, JSON.stringify(meta.s.const))),
    collect: () => meta.s.const,
  };
}

/**
 * A fieldset of the object's properties. An optional nested object has an
 * "Include" checkbox; left unchecked it is not sent.
 */
function objectField(ctx, meta) {
  const { s, path } = meta;
  const requiredKeys = new Set(Array.isArray(s.required) ? s.required : []);
  const isRoot = meta.label === null;
  const optional = !isRoot && !meta.required;
  const children = Object.entries(s.properties).map(([key, sub]) => {
    const resolved = resolveSchema(sub, ctx.root).schema;
    return { key, field: buildField(ctx, sub, childPath(path, key), resolved.title || key, requiredKeys.has(key), false) };
  });
  const body = h('div', { class: 'fields' }, children.map((c) => c.field.el));
  if (isRoot) return { el: body, collect: (errors) => collectObject(children, errors) };

  const onKey = `${path}#on`;
  let toggle = null;
  if (optional) {
    toggle = h('input', { type: 'checkbox', checked: Boolean(ctx.values[onKey]) });
    body.hidden = !toggle.checked;
    toggle.addEventListener('change', () => { ctx.values[onKey] = toggle.checked; body.hidden = !toggle.checked; ctx.onChange(); });
  }
  const el = h('fieldset', { class: 'field group' },
    h('legend', {}, meta.label, meta.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    s.description ? h('small', { class: 'field-desc' }, s.description) : null,
    toggle ? h('label', { class: 'check' }, toggle, ` Include ${meta.label}`) : null,
    body);
  return {
    el,
    collect: (errors) => {
      if (optional && !ctx.values[onKey]) return meta.nullable && meta.required ? null : undefined;
      return collectObject(children, errors);
    },
  };
}

function collectObject(children, errors) {
  const out = {};
  for (const { key, field } of children) {
    const value = field.collect(errors);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** A list of item fields with Add and Remove buttons. */
function arrayField(ctx, meta) {
  const { s, path } = meta;
  const lenKey = `${path}#len`;
  const list = h('ol', { class: 'array-items' });
  const error = h('p', { class: 'field-error', hidden: true });
  let items = [];

  /** Re-draws the items from the state (after add/remove). */
  const render = () => {
    const count = Number(ctx.values[lenKey] || 0);
    items = [];
    setChildren(list, Array.from({ length: count }, (_, i) => {
      const field = buildField(ctx, s.items, childPath(path, i), `${meta.label} item ${i + 1}`, true, true);
      items.push(field);
      const remove = h('button', { type: 'button', class: 'small', 'aria-label': `Remove ${meta.label} item ${i + 1}`, onclick: () => removeAt(i) }, 'Remove');
      return h('li', {}, field.el, remove);
    }));
  };

  /** Drops item i and shifts the raw values of the later items down. */
  const removeAt = (i) => {
    const count = Number(ctx.values[lenKey] || 0);
    for (let j = i; j < count; j++) {
      moveRaw(ctx.values, childPath(path, j + 1), childPath(path, j));
    }
    ctx.values[lenKey] = count - 1;
    render();
    ctx.onChange();
    addButton.focus();
  };

  const addButton = h('button', {
    type: 'button',
    class: 'small',
    onclick: () => {
      const count = Number(ctx.values[lenKey] || 0);
      clearRaw(ctx.values, childPath(path, count));
      ctx.values[lenKey] = count + 1;
      render();
      ctx.onChange();
      const inputs = list.lastElementChild && list.lastElementChild.querySelector('input, select, textarea');
      if (inputs) inputs.focus();
    },
  }, `Add ${meta.label} item`);

  render();
  const el = h('fieldset', { class: 'field group array' },
    h('legend', {}, meta.label, meta.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null,
      h('span', { class: 'type', 'aria-hidden': 'true' }, ' array')),
    s.description ? h('small', { class: 'field-desc' }, s.description) : null,
    list, addButton, error);
  return {
    el,
    collect: (errors) => {
      error.hidden = true;
      const values = items.map((f) => f.collect(errors));
      const fail = (message) => { errors.push({ path, message, input: addButton }); error.textContent = message; error.hidden = false; };
      if (!values.length && !meta.required) return undefined;
      if (typeof s.minItems === 'number' && values.length < s.minItems) fail(`At least ${s.minItems} items`);
      if (typeof s.maxItems === 'number' && values.length > s.maxItems) fail(`At most ${s.maxItems} items`);
      if (s.uniqueItems && new Set(values.map((v) => JSON.stringify(v))).size !== values.length) fail('Items must be unique');
      return values;
    },
  };
}

/** Moves every raw value under `from` to `to` (for array item removal). */
function moveRaw(values, from, to) {
  clearRaw(values, to);
  for (const key of Object.keys(values)) {
    if (key === from || key.startsWith(`${from}/`) || key.startsWith(`${from}#`)) {
      values[to + key.slice(from.length)] = values[key];
      delete values[key];
    }
  }
}

/** Forgets every raw value under `path`. */
function clearRaw(values, path) {
  for (const key of Object.keys(values)) {
    if (key === path || key.startsWith(`${path}/`) || key.startsWith(`${path}#`)) delete values[key];
  }
}

/** Moves focus to the first invalid field and lists the errors. */
function reportErrors(errors, summary) {
  setChildren(summary, `Fix ${errors.length} field${errors.length > 1 ? 's' : ''} before sending: `,
    errors.map((e, i) => [i ? ', ' : '', `${e.path || 'arguments'}: ${e.message}`]));
  summary.hidden = false;
  // The summary goes away at the next edit (each field clears its own error).
  const form = summary.closest('form');
  if (form) form.addEventListener('input', () => { summary.hidden = true; }, { once: true });
  const first = errors.find((e) => e.input);
  if (first) first.input.focus();
}

// ==== 8. Rendering results ======================================================

/** Text, shown as pretty JSON when it is a JSON object or array. */
function textBlock(text, label = 'Text') {
  const trimmed = (text || '').trim();
  if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && trimmed.length < 2_000_000) {
    try { return jsonBlock(JSON.parse(trimmed), `${label} (JSON)`); } catch { /* plain text */ }
  }
  return h('pre', { class: 'text', tabindex: 0, 'aria-label': label }, text ?? '');
}

/** A `data:` URL for base64 content. */
const dataUrl = (mime, base64) => `data:${mime || 'application/octet-stream'};base64,${base64}`;

/** Approximate byte size of base64 text. */
const base64Bytes = (b64) => Math.floor(((b64 || '').length * 3) / 4);

/** One content block of a tool result or a prompt message. */
function renderContent(item) {
  const kind = item && item.type;
  switch (kind) {
    case 'text':
      return h('div', { class: 'content content-text' }, textBlock(item.text));
    case 'image':
      return h('figure', { class: 'content content-image' },
        h('img', { src: dataUrl(item.mimeType, item.data), alt: `Image result (${item.mimeType || 'image'})` }),
        h('figcaption', { class: 'muted' }, `${item.mimeType || 'image'}, ${base64Bytes(item.data)} bytes`));
    case 'audio':
      return h('figure', { class: 'content content-audio' },
        h('audio', { controls: true, src: dataUrl(item.mimeType, item.data), 'aria-label': `Audio result (${item.mimeType || 'audio'})` }),
        h('figcaption', { class: 'muted' }, `${item.mimeType || 'audio'}, ${base64Bytes(item.data)} bytes`));
    case 'resource_link':
      return resourceLink(item);
    case 'resource':
      return h('div', { class: 'content content-resource' },
        h('p', { class: 'content-head' }, 'Embedded resource'), renderResourceContents(item.resource || {}));
    default:
      return h('div', { class: 'content' }, jsonBlock(item, `Content (${kind || 'unknown'})`));
  }
}

/** A resource link with a button that reads it in place. */
function resourceLink(item) {
  const out = h('div', { class: 'content-result' });
  const read = h('button', {
    type: 'button',
    class: 'small',
    'aria-label': `Read resource ${item.name || item.uri}`,
    onclick: async () => {
      read.disabled = true;
      setChildren(out, h('p', { class: 'muted' }, 'Reading…'));
      try {
        const result = await readResource(item.uri, item.name || item.uri);
        setChildren(out, (result.contents || []).map(renderResourceContents));
      } catch (e) {
        setChildren(out, errorBox(e));
      } finally {
        read.disabled = false;
      }
    },
  }, 'Read');
  return h('div', { class: 'content content-link' },
    h('p', { class: 'content-head' }, 'Resource link: ', h('strong', {}, item.title || item.name || item.uri)),
    h('p', {}, h('code', {}, item.uri), item.mimeType ? h('span', { class: 'muted' }, ` ${item.mimeType}`) : null),
    item.description ? h('p', { class: 'muted' }, item.description) : null,
    read, out);
}

/** One entry of resources/read `contents` (or an embedded resource). */
function renderResourceContents(c) {
  const mime = c.mimeType || '';
  const head = h('p', { class: 'content-head' }, h('code', {}, c.uri || ''), mime ? h('span', { class: 'muted' }, ` ${mime}`) : null);
  let body;
  if (typeof c.text === 'string') {
    body = textBlock(c.text, c.uri || 'Resource text');
  } else if (typeof c.blob === 'string') {
    if (mime.startsWith('image/')) {
      body = h('img', { src: dataUrl(mime, c.blob), alt: `Resource ${c.uri || ''}` });
    } else if (mime.startsWith('audio/')) {
      body = h('audio', { controls: true, src: dataUrl(mime, c.blob), 'aria-label': `Audio ${c.uri || ''}` });
    } else {
      const name = (c.uri || 'resource').split('/').pop() || 'resource';
      body = h('p', {}, `Binary, ${base64Bytes(c.blob)} bytes. `,
        h('a', { href: dataUrl(mime, c.blob), download: name }, `Download ${name}`));
    }
  } else {
    body = jsonBlock(c);
  }
  return h('div', { class: 'resource-contents' }, head, body);
}

/** A tools/call result: error flag, content blocks, structured content. */
function renderToolResult(result) {
  const blocks = [];
  if (result.isError) blocks.push(h('p', { class: 'result-error' }, 'The tool reported an error'));
  for (const item of result.content || []) blocks.push(renderContent(item));
  if (result.structuredContent !== undefined) {
    blocks.push(h('div', { class: 'content' }, h('p', { class: 'content-head' }, 'Structured content'),
      jsonBlock(result.structuredContent, 'Structured content')));
  }
  if (!blocks.length) blocks.push(h('p', { class: 'muted' }, 'Empty result'));
  blocks.push(h('details', {}, h('summary', {}, 'Raw result'), jsonBlock(result, 'Raw result')));
  return blocks;
}

/** A failed request (JSON-RPC error or transport error). */
function errorBox(e) {
  return h('div', { class: 'result-error', role: 'alert' },
    e.cancelled ? 'Cancelled' : `Error: ${e.message}`,
    e.rpc ? jsonBlock(e.rpc, 'Error details') : null);
}

// ==== 9. Tools =================================================================

let tools = [];
/** Tool calls in flight (they receive log lines while they run). */
const activeToolCalls = new Set();
/** The latest call per tool, shown under its form. */
const lastCallByTool = new Map();
/** The form of the displayed tool. */
let currentToolForm = null;

/**
 * Whether a detail pane must be drawn again for `definition`: false when
 * it already shows exactly that (after a restart the lists are fetched
 * again; an unchanged item keeps its form, output and focus as they are).
 */
function needsRedraw(detail, definition) {
  const text = definition ? JSON.stringify(definition) : '';
  if (text && detail.dataset.rendered === text) return false;
  detail.dataset.rendered = text;
  return true;
}

/** Fetches every page of a list method. */
async function listAll(method, key) {
  const all = [];
  let cursor;
  for (let page = 0; page < 100; page++) {
    const { promise } = request(method, cursor ? { cursor } : {});
    const result = await promise;
    all.push(...(result[key] || []));
    cursor = result.nextCursor;
    if (!cursor) break;
  }
  return all;
}

/** Whether initialize offered a capability. */
const offers = (name) => Boolean(session.initResult && session.initResult.capabilities && session.initResult.capabilities[name]);

async function loadTools() {
  if (!offers('tools')) { tools = []; renderToolList(); renderToolDetail(); return; }
  try {
    tools = await listAll('tools/list', 'tools');
  } catch (e) {
    addLog('inspector', 'error', `tools/list: ${e.message}`);
    return;
  }
  renderToolList();
  renderToolDetail();
}

/** The tool buttons, filtered by the search box. */
function renderToolList() {
  byId('count-tools').textContent = tools.length ? `(${tools.length})` : '';
  const filter = byId('tool-filter').value.trim().toLowerCase();
  const shown = tools.filter((t) => !filter || `${t.name} ${t.title || ''} ${t.description || ''}`.toLowerCase().includes(filter));
  keepFocus(byId('tool-list'), () => setChildren(byId('tool-list'), shown.length ? shown.map((tool) => h('li', { class: tool.name === place.tool ? 'item selected' : 'item' },
    h('button', {
      type: 'button',
      'aria-current': tool.name === place.tool ? 'true' : false,
      onclick: () => selectTool(tool.name),
    }, tool.name),
    tool.description ? h('span', { class: 'item-desc' }, firstLine(tool.description)) : null))
    : h('li', { class: 'empty' }, session.isReady ? (offers('tools') ? 'No tools' : 'The server offers no tools') : 'Not connected')));
}

const firstLine = (text) => String(text).split('\n')[0];

/**
 * Re-renders a list of buttons and gives the focus back to the button with
 * the same text, so that a refresh (e.g. after a restart) keeps the place.
 */
function keepFocus(container, render) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.textContent : null;
  render();
  if (key === null) return;
  const again = [...container.querySelectorAll('button')].find((b) => b.textContent === key);
  if (again) again.focus();
}

function selectTool(name) {
  place.tool = name;
  savePlace();
  renderToolList();
  renderToolDetail();
  const heading = byId('tool-detail').querySelector('h2');
  if (heading) heading.focus();
}

/** The selected tool: description, form (or JSON editor), call button, output. */
function renderToolDetail() {
  const detail = byId('tool-detail');
  const tool = tools.find((t) => t.name === place.tool);
  if (!tool) {
    currentToolForm = null;
    needsRedraw(detail, null);
    setChildren(detail, h('p', { class: 'empty' }, place.tool && session.isReady ? `The tool ${place.tool} is gone.` : 'Select a tool to call it.'));
    return;
  }
  // After a restart the list is fetched again: when the tool did not
  // change, keep the form as it is (values, focus, scroll position).
  if (!needsRedraw(detail, tool)) return;
  const state = formState(`tool:${tool.name}`);
  const fieldsBox = h('div', { class: 'form-fields' });
  const jsonBox = h('textarea', { class: 'code json-editor', rows: 10, spellcheck: 'false', 'aria-label': 'Arguments as JSON' });
  const summary = h('p', { class: 'form-errors', role: 'alert', hidden: true });
  const modeButton = h('button', { type: 'button', class: 'small', 'aria-pressed': String(state.mode === 'json') }, 'Edit as JSON');
  const callButton = h('button', { type: 'submit', class: 'primary' }, 'Call tool');
  const output = h('div', { class: 'call-output', 'aria-label': 'Call output' });

  currentToolForm = buildSchemaForm(fieldsBox, tool.inputSchema, state, savePlace);
  jsonBox.value = state.json || '';
  jsonBox.addEventListener('input', () => { state.json = jsonBox.value; summary.hidden = true; savePlace(); });

  /** Switches between the generated form and the raw JSON editor. */
  const applyMode = () => {
    const json = state.mode === 'json';
    fieldsBox.hidden = json;
    jsonBox.hidden = !json;
    modeButton.setAttribute('aria-pressed', String(json));
    modeButton.textContent = json ? 'Edit as form' : 'Edit as JSON';
  };
  modeButton.addEventListener('click', () => {
    summary.hidden = true;
    if (state.mode === 'json') {
      let value;
      try { value = JSON.parse(jsonBox.value || '{}'); } catch (e) {
        reportErrors([{ path: 'JSON', message: e.message, input: jsonBox }], summary);
        return;
      }
      state.values = {};
      rawFromValue(tool.inputSchema || {}, tool.inputSchema || {}, value, '', state.values);
      state.mode = 'form';
      currentToolForm = buildSchemaForm(fieldsBox, tool.inputSchema, state, savePlace);
    } else {
      const { value } = currentToolForm.collect([]);
      fieldsBox.querySelectorAll('.field-error').forEach((e) => { e.hidden = true; });
      fieldsBox.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
      state.json = pretty(value);
      jsonBox.value = state.json;
      state.mode = 'json';
    }
    applyMode();
    savePlace();
    (state.mode === 'json' ? jsonBox : modeButton).focus();
  });
  applyMode();

  const form = h('form', { class: 'tool-form', novalidate: true, 'aria-label': `Arguments of ${tool.name}` },
    h('div', { class: 'form-head' }, h('h3', {}, 'Arguments'), modeButton),
    fieldsBox, jsonBox, summary,
    h('div', { class: 'actions' }, callButton));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    summary.hidden = true;
    let args;
    if (state.mode === 'json') {
      try { args = JSON.parse(jsonBox.value || '{}'); } catch (err) {
        reportErrors([{ path: 'JSON', message: err.message, input: jsonBox }], summary);
        return;
      }
      if (!args || typeof args !== 'object' || Array.isArray(args)) {
        reportErrors([{ path: 'JSON', message: 'Arguments must be a JSON object', input: jsonBox }], summary);
        return;
      }
    } else {
      const { value, errors } = currentToolForm.collect();
      if (errors.length) { reportErrors(errors, summary); return; }
      args = value;
    }
    callTool(tool, args);
  });

  const annotations = tool.annotations || {};
  const badges = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']
    .filter((k) => annotations[k] !== undefined)
    .map((k) => h('span', { class: 'badge' }, `${k.replace('Hint', '')}: ${annotations[k]}`));
  setChildren(detail,
    h('h2', { tabindex: -1 }, tool.title || tool.name),
    tool.title ? h('p', { class: 'muted' }, h('code', {}, tool.name)) : null,
    tool.description ? h('p', { class: 'description' }, tool.description) : null,
    badges.length ? h('p', { class: 'badges' }, badges) : null,
    form,
    output,
    h('details', {}, h('summary', {}, 'Input schema'), jsonBlock(tool.inputSchema || {}, 'Input schema')),
    tool.outputSchema ? h('details', {}, h('summary', {}, 'Output schema'), jsonBlock(tool.outputSchema, 'Output schema')) : null);

  const last = lastCallByTool.get(tool.name);
  if (last) last.attach(output);
}

/**
 * One tools/call: shows a progress bar and log lines while it runs, then
 * the result; records it in the history.
 */
function callTool(tool, args) {
  const call = new ToolCall(tool.name, args);
  lastCallByTool.set(tool.name, call);
  const output = byId('tool-detail').querySelector('.call-output');
  if (output && place.tool === tool.name) call.attach(output);
  call.start();
}

/** The state and view of one tool call. */
class ToolCall {
  constructor(name, args) {
    this.name = name;
    this.args = args;
    this.status = 'running';
    this.progress = null;
    this.logs = [];
    this.result = null;
    this.error = null;
    this.requestId = null;
    this.view = null;
    this.record = null;
  }

  start() {
    activeToolCalls.add(this);
    this.record = startHistory('tools/call', this.name, { name: this.name, arguments: this.args });
    const handle = request('tools/call', { name: this.name, arguments: this.args }, {
      onProgress: (p) => { this.progress = p; this.update(); },
    });
    this.handle = handle;
    this.update();
    handle.promise.then(
      (result) => { this.finish('ok', result, null); },
      (error) => { this.finish(error.cancelled ? 'cancelled' : 'error', null, error); },
    );
  }

  finish(status, result, error) {
    activeToolCalls.delete(this);
    this.status = result && result.isError ? 'error' : status;
    this.result = result;
    this.error = error;
    endHistory(this.record, this.status, result, error);
    this.update();
  }

  cancel() {
    if (this.handle && this.handle.id !== null) cancelRequest(this.handle.id);
  }

  addLog(level, text) {
    this.logs.push({ t: Date.now(), level, text });
    if (this.view) this.view.logList.append(logLine({ t: Date.now(), level, text }));
    this.updateLogsVisibility();
  }

  updateLogsVisibility() {
    if (this.view) this.view.logBox.hidden = this.logs.length === 0;
  }

  /** Builds the output view inside `container` (the tool panel's output box). */
  attach(container) {
    const statusLine = h('p', { class: 'call-status', tabindex: -1, role: 'status' });
    const progress = h('progress', { max: 1, 'aria-label': 'Tool progress' });
    const progressText = h('span', { class: 'muted progress-text' });
    const progressBox = h('div', { class: 'progress-box' }, progress, progressText);
    const cancel = h('button', { type: 'button', class: 'small', onclick: () => this.cancel() }, 'Cancel call');
    const logList = h('ol', { class: 'loglist compact', 'aria-label': 'Log messages of this call' }, this.logs.map(logLine));
    const logBox = h('div', { class: 'call-logs' }, h('h4', {}, 'Log messages'), logList);
    const resultBox = h('div', { class: 'result', 'aria-label': 'Result' });
    setChildren(container, h('h3', {}, 'Result'), statusLine, progressBox, cancel, logBox, resultBox);
    this.view = { container, statusLine, progress, progressText, progressBox, cancel, logList, logBox, resultBox };
    this.updateLogsVisibility();
    this.update();
  }

  /** Refreshes the view in place (progress events come often). */
  update() {
    const v = this.view;
    if (!v || !v.container.isConnected) return;
    const elapsed = (this.record && (this.record.ended || performance.now()) - this.record.started) || 0;
    const running = this.status === 'running';
    v.statusLine.dataset.status = this.status;
    v.statusLine.textContent = running ? `Calling ${this.name}…`
      : this.status === 'ok' ? `${this.name} answered in ${duration(elapsed)}`
        : this.status === 'cancelled' ? `${this.name} cancelled after ${duration(elapsed)}`
          : `${this.name} failed after ${duration(elapsed)}`;
    v.cancel.hidden = !running;
    const p = this.progress;
    v.progressBox.hidden = !running && !p;
    if (p) {
      const total = typeof p.total === 'number' && p.total > 0 ? p.total : null;
      if (total) {
        v.progress.max = total;
        v.progress.value = Math.min(p.progress, total);
        v.progress.setAttribute('aria-valuenow', String(p.progress));
        v.progress.setAttribute('aria-valuemax', String(total));
      } else {
        v.progress.removeAttribute('value'); // indeterminate
      }
      const percent = total ? ` (${Math.round((Math.min(p.progress, total) / total) * 100)}%)` : '';
      v.progressText.textContent = `${num(p.progress)}${total ? ` / ${num(total)}` : ''}${percent}${p.message ? ` · ${p.message}` : ''}`;
    } else if (running) {
      v.progress.removeAttribute('value');
      v.progressText.textContent = 'Working…';
    }
    if (!running && this.status === 'ok' && p && p.total) v.progress.value = v.progress.max;
    if (running) {
      v.resultBox.replaceChildren();
    } else if (!v.resultBox.hasChildNodes()) {
      setChildren(v.resultBox, this.result ? renderToolResult(this.result) : errorBox(this.error || new Error('No result')));
    }
  }
}

// ==== 10. Resources ============================================================

let resources = [];
let templates = [];

async function loadResources() {
  if (!offers('resources')) { resources = []; templates = []; renderResourceLists(); renderResourceDetail(); return; }
  try {
    [resources, templates] = await Promise.all([
      listAll('resources/list', 'resources'),
      listAll('resources/templates/list', 'resourceTemplates').catch(() => []),
    ]);
  } catch (e) {
    addLog('inspector', 'error', `resources/list: ${e.message}`);
    return;
  }
  renderResourceLists();
  renderResourceDetail();
}

function renderResourceLists() {
  const total = resources.length + templates.length;
  byId('count-resources').textContent = total ? `(${total})` : '';
  const sel = place.resource || {};
  const emptyText = session.isReady ? (offers('resources') ? 'None' : 'The server offers no resources') : 'Not connected';
  keepFocus(byId('resource-list'), () => setChildren(byId('resource-list'), resources.length ? resources.map((r) => h('li', { class: sel.kind === 'resource' && sel.key === r.uri ? 'item selected' : 'item' },
    h('button', { type: 'button', 'aria-current': sel.kind === 'resource' && sel.key === r.uri ? 'true' : false, onclick: () => selectResource('resource', r.uri) }, r.title || r.name || r.uri),
    h('span', { class: 'item-desc' }, r.uri))) : h('li', { class: 'empty' }, emptyText)));
  keepFocus(byId('template-list'), () => setChildren(byId('template-list'), templates.length ? templates.map((t) => h('li', { class: sel.kind === 'template' && sel.key === t.uriTemplate ? 'item selected' : 'item' },
    h('button', { type: 'button', 'aria-current': sel.kind === 'template' && sel.key === t.uriTemplate ? 'true' : false, onclick: () => selectResource('template', t.uriTemplate) }, t.title || t.name || t.uriTemplate),
    h('span', { class: 'item-desc' }, t.uriTemplate))) : h('li', { class: 'empty' }, emptyText)));
}

function selectResource(kind, key) {
  place.resource = { kind, key };
  savePlace();
  renderResourceLists();
  renderResourceDetail();
  const heading = byId('resource-detail').querySelector('h2');
  if (heading) heading.focus();
}

/** Reads a URI; recorded in the history. */
async function readResource(uri, label) {
  const record = startHistory('resources/read', label || uri, { uri });
  try {
    const result = await request('resources/read', { uri }).promise;
    endHistory(record, 'ok', result, null);
    return result;
  } catch (e) {
    endHistory(record, 'error', null, e);
    throw e;
  }
}

/** Reads `uri` into `box`, with timing. */
async function readInto(box, uri, label, button) {
  if (button) button.disabled = true;
  setChildren(box, h('p', { class: 'muted', role: 'status' }, `Reading ${uri}…`));
  const started = performance.now();
  try {
    const result = await readResource(uri, label);
    setChildren(box, h('p', { class: 'call-status', role: 'status', dataset: { status: 'ok' } }, `Read in ${duration(performance.now() - started)}`),
      (result.contents || []).map(renderResourceContents),
      h('details', {}, h('summary', {}, 'Raw result'), jsonBlock(result, 'Raw result')));
  } catch (e) {
    setChildren(box, errorBox(e));
  } finally {
    if (button) button.disabled = false;
  }
}

/** The variables of an RFC 6570 template: `{a}`, `{+path}`, `{?x,y}`. */
function templateVariables(template) {
  const names = [];
  for (const [, body] of template.matchAll(/\{([^}]+)\}/g)) {
    const vars = body.replace(/^[+#./;?&]/, '');
    for (const v of vars.split(',')) {
      const name = v.replace(/\*$/, '').replace(/:\d+$/, '').trim();
      if (name && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

/** Expands an RFC 6570 template (levels 1-3, enough for MCP servers). */
function expandTemplate(template, values) {
  return template.replace(/\{([^}]+)\}/g, (_, body) => {
    const op = /^[+#./;?&]/.test(body) ? body[0] : '';
    const vars = (op ? body.slice(1) : body).split(',').map((v) => v.replace(/\*$/, '').replace(/:\d+$/, '').trim());
    const encode = op === '+' || op === '#' ? encodeURI : encodeURIComponent;
    const parts = vars.filter((v) => values[v] !== undefined && values[v] !== '')
      .map((v) => (op === ';' || op === '?' || op === '&' ? `${v}=${encode(values[v])}` : encode(values[v])));
    if (!parts.length) return '';
    const joiners = { '': ',', '+': ',', '#': ',', '.': '.', '/': '/', ';': ';', '?': '&', '&': '&' };
    const prefix = { '': '', '+': '', '#': '#', '.': '.', '/': '/', ';': ';', '?': '?', '&': '&' };
    return prefix[op] + parts.join(joiners[op]);
  });
}

function renderResourceDetail() {
  const detail = byId('resource-detail');
  const sel = place.resource;
  const item = sel && (sel.kind === 'resource' ? resources.find((x) => x.uri === sel.key) : templates.find((x) => x.uriTemplate === sel.key));
  if (!needsRedraw(detail, item ? { sel, item } : null)) return;
  const out = h('div', { class: 'call-output', 'aria-label': 'Read output' });
  if (sel && sel.kind === 'resource') {
    const r = resources.find((x) => x.uri === sel.key);
    if (r) {
      const button = h('button', { type: 'button', class: 'primary', onclick: () => readInto(out, r.uri, r.name, button) }, 'Read resource');
      setChildren(detail,
        h('h2', { tabindex: -1 }, r.title || r.name || r.uri),
        h('p', {}, h('code', {}, r.uri), r.mimeType ? h('span', { class: 'muted' }, ` ${r.mimeType}`) : null),
        r.description ? h('p', { class: 'description' }, r.description) : null,
        h('div', { class: 'actions' }, button), out);
      return;
    }
  }
  if (sel && sel.kind === 'template') {
    const t = templates.find((x) => x.uriTemplate === sel.key);
    if (t) { renderTemplateDetail(detail, t, out); return; }
  }
  setChildren(detail, h('p', { class: 'empty' }, 'Select a resource or a template.'));
}

/** A template: one input per variable, the expanded URI, and Read. */
function renderTemplateDetail(detail, t, out) {
  const state = formState(`template:${t.uriTemplate}`);
  const names = templateVariables(t.uriTemplate);
  const preview = h('code', { class: 'uri-preview' });
  const summary = h('p', { class: 'form-errors', role: 'alert', hidden: true });
  const updatePreview = () => { preview.textContent = expandTemplate(t.uriTemplate, state.values); };
  const fields = names.map((name) => {
    const id = uid('tv');
    const input = h('input', { type: 'text', id, spellcheck: 'false', value: state.values[name] ?? '', 'aria-required': 'true' });
    input.addEventListener('input', () => { state.values[name] = input.value; updatePreview(); savePlace(); });
    return { name, input, el: h('div', { class: 'field' }, h('div', { class: 'field-head' }, h('label', { for: id, class: 'field-name' }, name), h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')), input) };
  });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Read resource');
  const form = h('form', { novalidate: true, 'aria-label': `Parameters of ${t.name || t.uriTemplate}` },
    h('div', { class: 'fields' }, fields.map((f) => f.el)),
    h('p', {}, 'URI: ', preview), summary, h('div', { class: 'actions' }, button));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const errors = fields.filter((f) => !(state.values[f.name] || '').trim())
      .map((f) => ({ path: f.name, message: 'Required', input: f.input }));
    if (errors.length) { reportErrors(errors, summary); return; }
    summary.hidden = true;
    readInto(out, expandTemplate(t.uriTemplate, state.values), t.name, button);
  });
  updatePreview();
  setChildren(detail,
    h('h2', { tabindex: -1 }, t.title || t.name || t.uriTemplate),
    h('p', {}, h('code', {}, t.uriTemplate), t.mimeType ? h('span', { class: 'muted' }, ` ${t.mimeType}`) : null),
    t.description ? h('p', { class: 'description' }, t.description) : null,
    form, out);
}

/** The free-form "Read any URI" box. */
function initReadUri() {
  byId('read-uri-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const uri = byId('read-uri').value.trim();
    if (!uri) { byId('read-uri').focus(); return; }
    place.resource = null;
    renderResourceLists();
    const out = h('div', { class: 'call-output' });
    setChildren(byId('resource-detail'), h('h2', { tabindex: -1 }, uri), out);
    readInto(out, uri, uri, null);
  });
}

// ==== 11. Prompts ==============================================================

let prompts = [];

async function loadPrompts() {
  if (!offers('prompts')) { prompts = []; renderPromptList(); renderPromptDetail(); return; }
  try {
    prompts = await listAll('prompts/list', 'prompts');
  } catch (e) {
    addLog('inspector', 'error', `prompts/list: ${e.message}`);
    return;
  }
  renderPromptList();
  renderPromptDetail();
}

function renderPromptList() {
  byId('count-prompts').textContent = prompts.length ? `(${prompts.length})` : '';
  keepFocus(byId('prompt-list'), () => setChildren(byId('prompt-list'), prompts.length ? prompts.map((p) => h('li', { class: p.name === place.prompt ? 'item selected' : 'item' },
    h('button', { type: 'button', 'aria-current': p.name === place.prompt ? 'true' : false, onclick: () => selectPrompt(p.name) }, p.name),
    p.description ? h('span', { class: 'item-desc' }, firstLine(p.description)) : null))
    : h('li', { class: 'empty' }, session.isReady ? (offers('prompts') ? 'No prompts' : 'The server offers no prompts') : 'Not connected')));
}

function selectPrompt(name) {
  place.prompt = name;
  savePlace();
  renderPromptList();
  renderPromptDetail();
  const heading = byId('prompt-detail').querySelector('h2');
  if (heading) heading.focus();
}

/** A prompt's arguments as a form (all strings, per the protocol), and Get. */
function renderPromptDetail() {
  const detail = byId('prompt-detail');
  const prompt = prompts.find((p) => p.name === place.prompt);
  if (!needsRedraw(detail, prompt)) return;
  if (!prompt) { setChildren(detail, h('p', { class: 'empty' }, 'Select a prompt.')); return; }
  const args = prompt.arguments || [];
  const schema = {
    type: 'object',
    properties: Object.fromEntries(args.map((a) => [a.name, { type: 'string', title: a.title || a.name, description: a.description }])),
    required: args.filter((a) => a.required).map((a) => a.name),
  };
  const state = formState(`prompt:${prompt.name}`);
  const fieldsBox = h('div', {});
  const formApi = buildSchemaForm(fieldsBox, schema, state, savePlace);
  const summary = h('p', { class: 'form-errors', role: 'alert', hidden: true });
  const out = h('div', { class: 'call-output', 'aria-label': 'Prompt output' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Get prompt');
  const form = h('form', { novalidate: true, 'aria-label': `Arguments of ${prompt.name}` }, fieldsBox, summary, h('div', { class: 'actions' }, button));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const { value, errors } = formApi.collect();
    if (errors.length) { reportErrors(errors, summary); return; }
    summary.hidden = true;
    button.disabled = true;
    setChildren(out, h('p', { class: 'muted', role: 'status' }, 'Getting prompt…'));
    const record = startHistory('prompts/get', prompt.name, { name: prompt.name, arguments: value });
    try {
      const result = await request('prompts/get', { name: prompt.name, arguments: value }).promise;
      endHistory(record, 'ok', result, null);
      setChildren(out, h('p', { class: 'call-status', role: 'status', dataset: { status: 'ok' } }, `Got in ${duration(record.ended - record.started)}`),
        result.description ? h('p', { class: 'description' }, result.description) : null,
        (result.messages || []).map((m) => h('div', { class: `message role-${m.role}` },
          h('p', { class: 'content-head' }, m.role), renderContent(m.content || {}))),
        h('details', {}, h('summary', {}, 'Raw result'), jsonBlock(result, 'Raw result')));
    } catch (err) {
      endHistory(record, 'error', null, err);
      setChildren(out, errorBox(err));
    } finally {
      button.disabled = false;
    }
  });
  setChildren(detail,
    h('h2', { tabindex: -1 }, prompt.title || prompt.name),
    prompt.description ? h('p', { class: 'description' }, prompt.description) : null,
    form, out);
}

// ==== 12. Elicitation ==========================================================

/** elicitation/create requests waiting for the user, oldest first. */
const elicitQueue = [];
let elicitCurrent = null;

function queueElicitation(msg) {
  elicitQueue.push(msg);
  addLog('inspector', 'info', `The server asks: ${(msg.params && msg.params.message) || '(no message)'}`);
  for (const call of activeToolCalls) call.addLog('info', 'The server asked for input (see the dialog)');
  showNextElicitation();
}

/** Shows the oldest waiting request as a form in the dialog. */
function showNextElicitation() {
  if (elicitCurrent || !elicitQueue.length) return;
  const msg = elicitQueue.shift();
  const params = msg.params || {};
  const dialog = byId('elicit-dialog');
  const fields = byId('elicit-fields');
  const errorsBox = byId('elicit-errors');
  errorsBox.hidden = true;
  byId('elicit-message').textContent = params.message || '';
  let formApi;
  if (params.mode === 'url') {
    setChildren(fields, h('p', {}, 'Open this address to continue: ', h('a', { href: params.url, target: '_blank', rel: 'noopener' }, params.url)));
    formApi = { collect: () => ({ value: undefined, errors: [] }) };
  } else {
    const state = { values: {} };
    formApi = buildSchemaForm(fields, params.requestedSchema || { type: 'object', properties: {} }, state, () => { errorsBox.hidden = true; });
  }
  elicitCurrent = { msg, formApi };
  if (!dialog.open) dialog.showModal();
  const first = fields.querySelector('input, select, textarea, a');
  if (first) first.focus();
}

/** Answers the current request and shows the next one. */
function answerElicitation(action) {
  if (!elicitCurrent) return;
  const { msg, formApi } = elicitCurrent;
  let result = { action };
  if (action === 'accept') {
    const { value, errors } = formApi.collect();
    if (errors.length) { reportErrors(errors, byId('elicit-errors')); return; }
    if (value !== undefined) result = { action, content: value };
  }
  respond(msg.id, result);
  addLog('inspector', 'info', `Answered the server's question: ${action}`);
  elicitCurrent = null;
  byId('elicit-dialog').close();
  showNextElicitation();
}

/** The server cancelled its request (or the process is gone). */
function closeElicitationFor(requestId) {
  const index = elicitQueue.findIndex((m) => m.id === requestId);
  if (index >= 0) elicitQueue.splice(index, 1);
  if (elicitCurrent && elicitCurrent.msg.id === requestId) {
    elicitCurrent = null;
    byId('elicit-dialog').close();
    showNextElicitation();
  }
}

function closeAllElicitations() {
  elicitQueue.length = 0;
  elicitCurrent = null;
  const dialog = byId('elicit-dialog');
  if (dialog.open) dialog.close();
}

function initElicitation() {
  byId('elicit-form').addEventListener('submit', (e) => { e.preventDefault(); answerElicitation('accept'); });
  byId('elicit-decline').addEventListener('click', () => answerElicitation('decline'));
  byId('elicit-cancel').addEventListener('click', () => answerElicitation('cancel'));
  // Escape closes a modal dialog: that is a cancel.
  byId('elicit-dialog').addEventListener('cancel', (e) => { e.preventDefault(); answerElicitation('cancel'); });
}

// ==== 13. History ==============================================================

const history = [];

/** Records the start of a user call; returns the record for endHistory. */
function startHistory(method, name, params) {
  const record = { method, name, params, started: performance.now(), at: Date.now(), ended: null, status: 'running', result: null, error: null, el: null };
  history.push(record);
  record.el = h('li', { class: 'history-item' });
  byId('history-list').prepend(record.el);
  renderHistoryItem(record);
  updateHistoryCount();
  return record;
}

function endHistory(record, status, result, error) {
  record.ended = performance.now();
  record.status = status;
  record.result = result;
  record.error = error;
  renderHistoryItem(record);
}

function updateHistoryCount() {
  byId('count-history').textContent = history.length ? `(${history.length})` : '';
  byId('history-empty').hidden = history.length > 0;
}

/** One history entry: time, method, name, status, duration, and details. */
function renderHistoryItem(record) {
  const took = record.ended ? duration(record.ended - record.started) : 'running…';
  const answer = record.error ? { error: record.error.rpc || record.error.message } : record.result;
  const again = record.method === 'tools/call'
    ? h('button', { type: 'button', class: 'small', onclick: () => loadIntoToolForm(record.params) }, `Load ${record.name} arguments into the form`)
    : null;
  setChildren(record.el, h('details', {},
    h('summary', {},
      h('span', { class: 'time' }, clock(record.at)), ' ',
      h('span', { class: 'method' }, record.method), ' ',
      h('strong', {}, record.name), ' ',
      h('span', { class: `badge status-${record.status}` }, record.status), ' ',
      h('span', { class: 'duration' }, took)),
    h('h4', {}, 'Request'), jsonBlock(record.params, 'Request'),
    answer !== null && answer !== undefined ? [h('h4', {}, 'Answer'), jsonBlock(answer, 'Answer')] : null,
    again));
}

/** Puts a past call's arguments back into its tool's form. */
function loadIntoToolForm(params) {
  const tool = tools.find((t) => t.name === params.name);
  if (!tool) return;
  const state = formState(`tool:${tool.name}`);
  state.values = {};
  rawFromValue(tool.inputSchema || {}, tool.inputSchema || {}, params.arguments || {}, '', state.values);
  state.json = pretty(params.arguments || {});
  selectTab('tools');
  selectTool(tool.name);
}

function initHistory() {
  byId('history-clear').addEventListener('click', () => {
    history.length = 0;
    byId('history-list').replaceChildren();
    updateHistoryCount();
  });
  updateHistoryCount();
}

// ==== 14. Logs and the JSON-RPC log ============================================

/** A log line element. */
function logLine(entry) {
  return h('li', { class: `log level-${entry.level}`, dataset: { source: entry.source || '' } },
    h('span', { class: 'time' }, clock(entry.t)), ' ',
    entry.source ? h('span', { class: 'source' }, entry.source) : null, ' ',
    h('span', { class: 'level' }, entry.level), ' ',
    h('span', { class: 'text' }, entry.text));
}

/** Keeps a list at MAX_LOG_ENTRIES entries. */
function trim(list) {
  while (list.childElementCount > MAX_LOG_ENTRIES) list.firstElementChild.remove();
}

/** Sticks to the bottom when the user was already there. */
function appendScrolled(list, node) {
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.append(node);
  trim(list);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

/** Adds to the Logs tab; source is server, stderr, build or inspector. */
function addLog(source, level, text) {
  const node = logLine({ t: Date.now(), source, level, text });
  const filter = byId('log-source').value;
  node.hidden = Boolean(filter) && filter !== source;
  appendScrolled(byId('log-list'), node);
}

/** A one-line summary of a JSON-RPC message. */
function summarize(msg) {
  if (!msg || typeof msg !== 'object') return String(msg);
  if (msg.method) return msg.id !== undefined ? `${msg.method} #${msg.id}` : msg.method;
  if (msg.error) return `error #${msg.id}: ${msg.error.message || ''}`;
  return `result #${msg.id}`;
}

/** Adds to the JSON-RPC tab: `dir` is `out` (page to server) or `in`. */
function logRpc(dir, msg, stale = false) {
  const text = pretty(msg);
  const node = h('li', { class: `rpc rpc-${dir}${stale ? ' stale' : ''}` },
    h('details', {},
      h('summary', {},
        h('span', { class: 'time' }, clock(Date.now())), ' ',
        h('span', { class: 'dir', 'aria-label': dir === 'out' ? 'sent' : 'received' }, dir === 'out' ? '→' : '←'), ' ',
        summarize(msg), stale ? ' (old server)' : ''),
      h('pre', { class: 'json' }, text)));
  const filter = byId('rpc-filter').value.trim().toLowerCase();
  node.hidden = Boolean(filter) && !text.toLowerCase().includes(filter);
  appendScrolled(byId('rpc-list'), node);
}

function initLogs() {
  byId('log-source').addEventListener('change', () => {
    const filter = byId('log-source').value;
    for (const node of byId('log-list').children) node.hidden = Boolean(filter) && node.dataset.source !== filter;
  });
  byId('log-level').addEventListener('change', () => {
    const level = byId('log-level').value;
    if (!offers('logging')) { addLog('inspector', 'warning', 'The server does not offer logging'); return; }
    request('logging/setLevel', { level }).promise
      .then(() => addLog('inspector', 'info', `Server log level set to ${level}`))
      .catch((e) => addLog('inspector', 'error', `logging/setLevel: ${e.message}`));
  });
  byId('logs-clear').addEventListener('click', () => byId('log-list').replaceChildren());
  byId('rpc-filter').addEventListener('input', () => {
    const filter = byId('rpc-filter').value.trim().toLowerCase();
    for (const node of byId('rpc-list').children) node.hidden = Boolean(filter) && !node.textContent.toLowerCase().includes(filter);
  });
  byId('rpc-clear').addEventListener('click', () => byId('rpc-list').replaceChildren());
}

// ==== 15. Start-up =============================================================

function boot() {
  initTabs();
  initReadUri();
  initElicitation();
  initHistory();
  initLogs();
  byId('tool-filter').addEventListener('input', renderToolList);
  byId('tools-refresh').addEventListener('click', loadTools);
  byId('resources-refresh').addEventListener('click', loadResources);
  byId('prompts-refresh').addEventListener('click', loadPrompts);
  renderToolList();
  renderResourceLists();
  renderPromptList();
  renderServerPanel();
  fetch('/api/info').then((r) => r.json()).then((info) => { backendInfo = info; renderServerPanel(); }).catch(() => {});
  connectEvents();
}

boot();
