// veritrain explorer: a single-page app over the node's JSON-RPC (docs/rpc.md).
//
// Read top to bottom:
//   1. where the RPC is            5. the live head (WebSocket, polling fallback)
//   2. calling it                  6. charts (uPlot)
//   3. building HTML safely        7. pages, one function per route
//   4. formatting values           8. the router, the search box, start-up
//
// Every value from the chain is escaped by the `html` template tag (section 3):
// event attributes, job specs and endpoints are chosen by whoever sent them.
'use strict';

// ---------------------------------------------------------------------------
// 1. Where the RPC is: the origin this page came from, or ?rpc=http://host:port.

const RPC_URL = (() => {
  const override = new URLSearchParams(location.search).get('rpc');
  const url = new URL(override || location.origin);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('?rpc must be http(s)');
  return url.origin;
})();
const WS_URL = RPC_URL.replace(/^http/, 'ws') + '/';

// ---------------------------------------------------------------------------
// 2. Calling the RPC. One POST per call, or one batch (up to 100) per list.

class RpcError extends Error {
  constructor(method, code, message, data) {
    super(`${method}: ${message}` + (code !== undefined ? ` (code ${code})` : ''));
    this.method = method;
    this.code = code;
    this.data = data;
  }
  get notFound() { return this.code === -32004; }
}

let nextRequestId = 1;

async function post(body, what) {
  let response;
  try {
    response = await fetch(RPC_URL + '/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw new RpcError(what, undefined, `cannot reach the node at ${RPC_URL} (${e.message})`);
  }
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RpcError(what, undefined, `HTTP ${response.status}: not JSON: ${text.slice(0, 200)}`);
  }
}

function resultOf(method, answer) {
  if (answer.error) {
    const err = answer.error;
    const reason = err.data && err.data.reason ? `: ${err.data.reason}` : '';
    throw new RpcError(method, err.code, err.message + reason, err.data);
  }
  return answer.result;
}

async function rpc(method, params) {
  const request = { jsonrpc: '2.0', id: nextRequestId++, method };
  if (params !== undefined) request.params = params;
  return resultOf(method, await post(request, method));
}

// Several calls in one HTTP request. Each entry is [method, params]; the
// answer is, in the same order, each result or an RpcError (not thrown).
async function rpcBatch(calls) {
  const out = [];
  for (let start = 0; start < calls.length; start += 100) {
    const chunk = calls.slice(start, start + 100);
    const firstId = nextRequestId;
    nextRequestId += chunk.length;
    const body = chunk.map(([method, params], i) => ({ jsonrpc: '2.0', id: firstId + i, method, params }));
    const answers = await post(body, chunk[0][0]);
    if (!Array.isArray(answers)) resultOf(chunk[0][0], answers);  // a whole-batch error: throws
    const byId = new Map(answers.map((a) => [a.id, a]));
    chunk.forEach(([method], i) => {
      const answer = byId.get(firstId + i);
      try {
        out.push(answer ? resultOf(method, answer) : new RpcError(method, undefined, 'no answer in batch'));
      } catch (e) {
        out.push(e);
      }
    });
  }
  return out;
}

// Null instead of a "not found" error; any other error is thrown.
async function rpcOrNull(method, params) {
  try {
    return await rpc(method, params);
  } catch (e) {
    if (e instanceof RpcError && (e.notFound || e.code === -32602)) return null;
    throw e;
  }
}

// Every page of a paginated list method (state_list*), up to `max` items.
async function listAll(method, params, key, max = 1000) {
  const items = [];
  let after;
  for (;;) {
    const page = await rpc(method, Object.assign({}, params, after === undefined ? {} : { after }));
    items.push(...page[key]);
    if (page.next === null || page.next === undefined || items.length >= max) return { items, page };
    after = page.next;
  }
}

// ---------------------------------------------------------------------------
// 3. Building HTML safely. html`<td>${value}</td>` escapes every value unless
// it is itself html`...` (or an array of those). Nothing else reaches innerHTML.

class SafeHtml {
  constructor(text) { this.text = text; }
  toString() { return this.text; }
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function fragment(value) {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(fragment).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(value);
}

function html(strings, ...values) {
  let out = strings[0];
  values.forEach((value, i) => { out += fragment(value) + strings[i + 1]; });
  return new SafeHtml(out);
}

// A link inside the app: every path segment is URI-encoded.
function route(...parts) {
  return '#/' + parts.map((p) => encodeURIComponent(String(p))).join('/');
}

function link(text, ...parts) {
  return html`<a href="${route(...parts)}">${text}</a>`;
}

// ---------------------------------------------------------------------------
// 4. Formatting values.

function isAmount(value) {
  return typeof value === 'string' && /^(0|[1-9][0-9]*)$/.test(value);
}

// "1234567" -> "1,234,567 uvt" (exact: amounts are u64 decimal strings).
function amount(value) {
  if (!isAmount(value)) return html`<span class="amount">${value}</span>`;
  const grouped = value.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return html`<span class="amount" data-uvt="${value}">${grouped} uvt</span>`;
}

function shortHash(hash) {
  return typeof hash === 'string' && hash.length > 16 ? `${hash.slice(0, 8)}…${hash.slice(-6)}` : hash;
}

function shortAddress(address) {
  return typeof address === 'string' && address.length > 20 ? `${address.slice(0, 10)}…${address.slice(-6)}` : address;
}

function isAddress(text) {
  return /^vt1[02-9ac-hj-np-z]{20,}$/.test(text);
}

function isHash(text) {
  return /^[0-9a-fA-F]{64}$/.test(text);
}

function addressLink(address, full = false) {
  if (!address) return html`<span class="muted">—</span>`;
  const text = full ? address : shortAddress(address);
  return html`<a class="mono${full ? '' : ' short'}" href="${route('account', address)}" title="${address}">${text}</a>`;
}

function blockLink(height) {
  return html`<a href="${route('block', height)}">${height}</a>`;
}

function txLink(hash, full = false) {
  return html`<a class="mono${full ? '' : ' short'}" href="${route('tx', hash)}" title="${hash}">${full ? hash : shortHash(hash)}</a>`;
}

function jobLink(id) { return html`<a href="${route('job', id)}">job ${id}</a>`; }
function disputeLink(id) { return html`<a href="${route('dispute', id)}">dispute ${id}</a>`; }

function hashText(hash, full = true) {
  if (hash === null || hash === undefined || hash === '') return html`<span class="muted">—</span>`;
  return html`<span class="mono${full ? '' : ' short'}" title="${hash}">${full ? hash : shortHash(hash)}</span>`;
}

function time(ms) {
  if (!ms) return '—';
  return new Date(Number(ms)).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

function age(ms) {
  const s = Math.max(0, (Date.now() - Number(ms)) / 1000);
  if (s < 60) return `${s.toFixed(0)} s ago`;
  if (s < 3600) return `${(s / 60).toFixed(0)} min ago`;
  if (s < 86400) return `${(s / 3600).toFixed(1)} h ago`;
  return `${(s / 86400).toFixed(1)} d ago`;
}

function badge(text, kind) {
  return html`<span class="badge ${kind || ''}">${text}</span>`;
}

// The colour of a status word: good, bad, live or neutral.
function statusBadge(status) {
  const good = ['settled', 'agreed', 'agree', 'resolved', 'success', 'revealed', 'checkpoint_published'];
  const bad = ['slashed', 'expired', 'cancelled', 'failed', 'absent', 'disputed', 'disagree', 'fraud_proven',
    'false_challenge', 'checkpoint_withheld', 'challenger_timeout', 'provider_timeout', 'jailed', 'tombstoned'];
  const live = ['open', 'accepted', 'committed', 'verifying', 'commit_window', 'probe_window', 'reveal_window',
    'disputes', 'drawing_probe', 'waiting_for_sampling', 'pending'];
  const kind = good.includes(status) ? 'good' : bad.includes(status) ? 'bad' : live.includes(status) ? 'live' : '';
  return badge(status, kind);
}

function successBadge(receipt) {
  if (!receipt) return badge('pending', 'live');
  return receipt.success ? badge('success', 'good') : badge('failed', 'bad');
}

// A table of label/value rows (values already html or plain text).
function fields(rows) {
  return html`<table class="fields"><tbody>${rows.filter(Boolean).map(([label, value]) =>
    html`<tr><th>${label}</th><td>${value}</td></tr>`)}</tbody></table>`;
}

// A list table: columns are [header, row => cell].
function table(columns, rows, empty = 'none') {
  if (!rows.length) return html`<p class="muted empty">${empty}</p>`;
  return html`<div class="table-wrap"><table class="list">
    <thead><tr>${columns.map(([title]) => html`<th>${title}</th>`)}</tr></thead>
    <tbody>${rows.map((row) => html`<tr class="${row.rowClass || ''}">${columns.map(([, cell]) =>
      html`<td>${cell(row)}</td>`)}</tr>`)}</tbody></table></div>`;
}

// Attribute and field names whose values are amounts of uvt.
const AMOUNT_KEY = /(^|_)(amount|fee|fees|stake|payment|bond|refund|reward|burned|paid|slashed|balance)$/;

// One value of an event attribute or a message field, linked where it names
// something the explorer can show.
function valueCell(key, value) {
  if (value === null || value === undefined) return html`<span class="muted">—</span>`;
  if (typeof value === 'object') return html`<code class="json">${JSON.stringify(value)}</code>`;
  const text = String(value);
  if (isAddress(text)) return addressLink(text, true);
  if (/^\d+$/.test(text)) {
    if (key === 'job_id') return jobLink(text);
    if (key === 'dispute_id') return disputeLink(text);
    if (AMOUNT_KEY.test(key)) return amount(text);
  }
  if (isHash(text)) return hashText(text);
  return html`<span class="value">${text}</span>`;
}

function keyValues(object) {
  const keys = Object.keys(object || {});
  if (!keys.length) return html`<span class="muted">—</span>`;
  return html`<dl class="kv">${keys.map((k) => html`<dt>${k}</dt><dd>${valueCell(k, object[k])}</dd>`)}</dl>`;
}

function eventsTable(events, empty = 'no events') {
  return table([
    ['event', (e) => html`<span class="event-type">${e.type}</span>`],
    ['attributes', (e) => keyValues(e.attributes)],
  ], events || [], empty);
}

function section(title, body, extra) {
  return html`<section class="card"><h2>${title}${extra ? html` <span class="h-extra">${extra}</span>` : ''}</h2>${body}</section>`;
}

function pageTitle(title, sub) {
  return html`<h1>${title}${sub ? html` <span class="sub">${sub}</span>` : ''}</h1>`;
}

// ---------------------------------------------------------------------------
// Errors: shown above the page, never lost in the console.

function showError(error) {
  const box = document.getElementById('errors');
  const message = error instanceof Error ? error.message : String(error);
  const item = document.createElement('div');
  item.className = 'error';
  item.textContent = message;
  box.appendChild(item);
  while (box.children.length > 3) box.removeChild(box.firstChild);
}

function clearErrors() {
  document.getElementById('errors').textContent = '';
}

function errorPage(error) {
  if (error instanceof RpcError && error.notFound) {
    return html`${pageTitle('Not found')}<p class="notice">${error.message}</p>`;
  }
  return html`${pageTitle('Error')}<p class="error">${error.message || String(error)}</p>
    <p class="muted">The RPC at <code>${RPC_URL}</code> answered with an error or could not be reached.</p>`;
}

// ---------------------------------------------------------------------------
// 5. The live head: a WebSocket subscription to newBlocks, or polling
// chain_status every two seconds when the WebSocket cannot be used.

const live = {
  head: null,            // the latest height seen
  mode: 'connecting',    // 'websocket', 'polling' or 'offline'
  socket: null,
  pollTimer: null,
  listeners: new Set(),  // functions called with (height) on each new head
  jobListeners: new Set(),  // functions called with each jobEvents event
};

function setConnection(mode, text) {
  live.mode = mode;
  document.getElementById('conn-dot').className = 'dot ' + mode;
  document.getElementById('conn-text').textContent = text;
}

function onNewHead(height) {
  if (live.head !== null && height <= live.head) return;
  live.head = height;
  const headLink = document.getElementById('head-link');
  headLink.textContent = String(height);
  headLink.href = route('block', height);
  for (const listener of live.listeners) listener(height);
}

function startPolling() {
  if (live.pollTimer) return;
  const poll = async () => {
    try {
      const status = await rpc('chain_status');
      if (live.mode !== 'websocket') setConnection('polling', 'polling every 2 s');
      onNewHead(status.height);
    } catch (e) {
      setConnection('offline', 'node unreachable');
    }
  };
  poll();
  live.pollTimer = setInterval(poll, 2000);
}

function stopPolling() {
  clearInterval(live.pollTimer);
  live.pollTimer = null;
}

// The topics the explorer follows, by the id of the chain_subscribe request
// that asks for each. Events are told apart by their subscription id.
const TOPICS = { 1: 'newBlocks', 2: 'jobEvents' };

function connectWebSocket() {
  let socket;
  try {
    socket = new WebSocket(WS_URL);
  } catch (e) {
    startPolling();
    return;
  }
  const topicOf = new Map();  // subscription id -> topic
  live.socket = socket;
  socket.onopen = () => {
    for (const [id, topic] of Object.entries(TOPICS)) {
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: Number(id), method: 'chain_subscribe', params: { topic } }));
    }
  };
  socket.onmessage = (message) => {
    let body;
    try { body = JSON.parse(message.data); } catch (e) { return; }
    if (body.id !== undefined && TOPICS[body.id]) {  // the answer to a subscription
      if (body.error) {
        showError(new RpcError('chain_subscribe', body.error.code, `${TOPICS[body.id]}: ${body.error.message}`));
        return;
      }
      topicOf.set(body.result, TOPICS[body.id]);
      if (TOPICS[body.id] === 'newBlocks') {
        stopPolling();
        setConnection('websocket', 'live (WebSocket)');
        rpc('chain_status').then((s) => onNewHead(s.height), () => {});
      }
      return;
    }
    if (body.method !== 'subscription' || !body.params) return;
    const topic = topicOf.get(body.params.subscription);
    const event = body.params.result;
    if (!event) return;  // a subscription ended with an error: polling covers the head
    if (topic === 'newBlocks' && typeof event.height === 'number') onNewHead(event.height);
    if (topic === 'jobEvents') for (const listener of live.jobListeners) listener(event);
  };
  socket.onclose = () => {
    live.socket = null;
    if (live.mode === 'websocket') setConnection('polling', 'WebSocket closed; polling');
    startPolling();
    setTimeout(connectWebSocket, 10000);  // and try the WebSocket again later
  };
  socket.onerror = () => {};  // onclose follows and falls back to polling
}

// ---------------------------------------------------------------------------
// 6. Charts (uPlot, vendor/uPlot.iife.min.js). A chart is a <div data-chart>
// placeholder in the page's HTML, drawn once the page is in the document.

const charts = new Set();

function lineChart(element, { xLabel, yLabel, xs, ys, color = '#2563eb', points = false, xRange, yRange }) {
  if (typeof uPlot === 'undefined') {
    element.textContent = 'chart library not loaded';
    return null;
  }
  element.textContent = '';
  const options = {
    width: Math.max(240, element.clientWidth),
    height: 200,
    scales: {
      x: xRange ? { time: false, range: () => xRange } : { time: false },
      y: yRange ? { range: () => yRange } : {},
    },
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    series: [
      { label: xLabel },
      { label: yLabel, stroke: color, width: 1.5, fill: color + '22', points: { show: points, size: 6 } },
    ],
    axes: [
      { label: xLabel, stroke: '#555', grid: { stroke: '#eee' } },
      { label: yLabel, stroke: '#555', grid: { stroke: '#eee' }, size: 60 },
    ],
  };
  const plot = new uPlot(options, [xs, ys], element);
  plot.element = element;
  charts.add(plot);
  return plot;
}

function destroyCharts() {
  for (const plot of charts) plot.destroy();
  charts.clear();
}

window.addEventListener('resize', () => {
  for (const plot of charts) plot.setSize({ width: Math.max(240, plot.element.clientWidth), height: 200 });
});

// Block time (seconds since the block before) and transactions per second,
// by height, from a list of blocks in ascending height order.
function blockSeries(blocks) {
  const heights = [];
  const seconds = [];
  const tps = [];
  for (let i = 1; i < blocks.length; i++) {
    const dt = (blocks[i].header.time_ms - blocks[i - 1].header.time_ms) / 1000;
    heights.push(blocks[i].header.height);
    seconds.push(dt);
    tps.push(dt > 0 ? blocks[i].txs.length / dt : 0);
  }
  return { heights, seconds, tps };
}

// ---------------------------------------------------------------------------
// 7. Pages. Each takes the route's arguments and returns
// { html, mount(view), onHead(height) } (mount and onHead optional).

// Blocks by height, from a cache (a block never changes once committed).
const blockCache = new Map();

async function getBlocks(heights) {
  const missing = heights.filter((h) => !blockCache.has(h));
  const answers = await rpcBatch(missing.map((height) => ['chain_getBlock', { height }]));
  answers.forEach((block, i) => {
    if (!(block instanceof Error)) blockCache.set(missing[i], block);
  });
  while (blockCache.size > 500) blockCache.delete(blockCache.keys().next().value);
  return heights.map((h) => blockCache.get(h)).filter(Boolean);
}

// The receipts of the transactions of some blocks, in block order, by height (cached).
const receiptCache = new Map();

async function getReceipts(heights) {
  const missing = heights.filter((h) => !receiptCache.has(h));
  const answers = await rpcBatch(missing.map((height) => ['chain_getBlockResults', { height }]));
  answers.forEach((r, i) => {
    if (!(r instanceof Error) && r.next_offset === null) receiptCache.set(missing[i], r.results);
  });
  while (receiptCache.size > 200) receiptCache.delete(receiptCache.keys().next().value);
  return new Map(heights.map((h) => [h, receiptCache.get(h)]));
}

function blocksTable(blocks) {
  return table([
    ['height', (b) => blockLink(b.header.height)],
    ['hash', (b) => html`<a class="mono short" href="${route('block', b.header.height)}" title="${b.hash}">${shortHash(b.hash)}</a>`],
    ['time', (b) => html`<span title="${time(b.header.time_ms)}">${age(b.header.time_ms)}</span>`],
    ['txs', (b) => b.txs.length],
    ['proposer', (b) => hashText(b.header.proposer, false)],
  ], blocks, 'no blocks yet');
}

function txSummary(tx) {
  const m = tx.msg || {};
  if (tx.type === 'transfer') return html`${amount(m.amount)} → ${addressLink(m.to)}`;
  if (m.job_id !== undefined) return jobLink(m.job_id);
  if (m.dispute_id !== undefined) return disputeLink(m.dispute_id);
  if (m.stake !== undefined) return html`stake ${amount(m.stake)}`;
  if (m.amount !== undefined) return amount(m.amount);
  if (m.payment !== undefined) return html`pays ${amount(m.payment)}`;
  return '';
}

// --- home: status, charts, recent blocks and transactions (live) ---

async function pageHome() {
  const status = await rpc('chain_status');
  const view = { html: html`${pageTitle('veritrain', status.chain_id)}<div id="home-live"></div>` };
  let plots = null;
  let rendering = false;

  const render = async (head) => {
    if (rendering) return;
    rendering = true;
    try {
      const [status2, validators] = await Promise.all([rpc('chain_status'), rpc('chain_getValidators')]);
      const top = Math.max(head || 0, status2.height);
      const low = Math.max(status2.earliest_height || 1, top - 59, 1);
      const heights = [];
      for (let h = low; h <= top; h++) heights.push(h);
      const blocks = await getBlocks(heights);
      const recent = blocks.slice().reverse();
      const txs = [];
      for (const b of recent) {
        b.txs.forEach((tx, index) => {
          if (txs.length < 15) txs.push(Object.assign({ height: b.header.height, index }, tx));
        });
      }
      const receipts = await getReceipts([...new Set(txs.map((t) => t.height))]);
      for (const t of txs) {
        t.receipt = (receipts.get(t.height) || [])[t.index];
        t.rowClass = t.receipt && !t.receipt.success ? 'failed' : '';
      }
      const series = blockSeries(blocks);
      const lastTimes = series.seconds.slice(-20);
      const meanBlock = lastTimes.length ? lastTimes.reduce((a, b) => a + b, 0) / lastTimes.length : 0;
      const container = document.getElementById('home-live');
      if (!container) return;
      container.innerHTML = html`
        <div class="cards">
          <div class="stat"><div class="label">height</div><div class="big" id="stat-height">${blockLink(status2.height)}</div></div>
          <div class="stat"><div class="label">head time</div><div>${time(status2.time_ms)}</div></div>
          <div class="stat"><div class="label">mean block time (last 20)</div><div class="big">${meanBlock.toFixed(2)} s</div></div>
          <div class="stat"><div class="label">mempool</div><div class="big">${status2.mempool_size}</div></div>
          <div class="stat"><div class="label">validators</div><div class="big">${link(validators.validators.length, 'validators')}</div></div>
        </div>
        <div class="two">
          <section class="card"><h2>Block time (s)</h2><div class="chart" id="chart-block-time"></div></section>
          <section class="card"><h2>Transactions per second</h2><div class="chart" id="chart-tps"></div></section>
        </div>
        <div class="two">
          ${section('Latest blocks', blocksTable(recent.slice(0, 15)), link('all blocks', 'blocks'))}
          ${section('Latest transactions', table([
            ['hash', (t) => txLink(t.hash)],
            ['block', (t) => blockLink(t.height)],
            ['type', (t) => t.type],
            ['from', (t) => addressLink(t.sender)],
            ['', (t) => txSummary(t)],
            ['result', (t) => successBadge(t.receipt)],
          ], txs, 'no transactions in the last blocks'))}
        </div>`;
      if (plots) { plots.forEach((p) => { p.destroy(); charts.delete(p); }); }
      plots = [
        lineChart(document.getElementById('chart-block-time'),
          { xLabel: 'height', yLabel: 'block time (s)', xs: series.heights, ys: series.seconds }),
        lineChart(document.getElementById('chart-tps'),
          { xLabel: 'height', yLabel: 'tx/s', xs: series.heights, ys: series.tps, color: '#059669' }),
      ].filter(Boolean);
    } finally {
      rendering = false;
    }
  };
  view.mount = () => render(status.height);
  view.onHead = throttle(render, 1000);
  return view;
}

function throttle(fn, ms) {
  let last = 0;
  let timer = null;
  return (...args) => {
    const wait = last + ms - Date.now();
    clearTimeout(timer);
    if (wait <= 0) {
      last = Date.now();
      fn(...args);
    } else {
      timer = setTimeout(() => { last = Date.now(); fn(...args); }, wait);
    }
  };
}

// --- chain status ---

async function pageStatus() {
  const [status, discover] = await Promise.all([rpc('chain_status'), rpcOrNull('rpc_discover')]);
  const methods = discover && Array.isArray(discover.methods) ? discover.methods.map((m) => m.name) : [];
  return {
    html: html`${pageTitle('Chain status')}
      ${section('Head', fields([
        ['chain id', status.chain_id],
        ['height', blockLink(status.height)],
        ['block hash', hashText(status.block_hash)],
        ['state root', hashText(status.state_root)],
        ['time', time(status.time_ms)],
        ['mempool', status.mempool_size],
        ['genesis hash', hashText(status.genesis_hash)],
        ['earliest served height', status.earliest_height],
      ]))}
      ${section('Consensus', keyValues(status.consensus))}
      ${section('RPC', fields([
        ['endpoint', html`<code>${RPC_URL}</code>`],
        ['live updates', live.mode],
        ['server', discover && discover.info ? `${discover.info.title || ''} ${discover.info.version || ''}` : '—'],
        ['methods', methods.join(', ')],
      ]))}`,
  };
}

// --- blocks ---

async function pageBlocks(args, query) {
  const status = await rpc('chain_status');
  const top = Math.min(Number(query.get('top')) || status.height, status.height);
  const low = Math.max(status.earliest_height || 1, top - 24, 1);
  const heights = [];
  for (let h = top; h >= low; h--) heights.push(h);
  const blocks = await getBlocks(heights);
  const older = low > 1 ? html`<a href="#/blocks?top=${low - 1}">older →</a>` : '';
  const newer = top < status.height ? html`<a href="#/blocks?top=${Math.min(status.height, top + 25)}">← newer</a>` : '';
  return {
    html: html`${pageTitle('Blocks', `${low} – ${top}`)}
      <div class="pager">${newer} ${older}</div>
      ${section('Blocks', blocksTable(blocks))}`,
  };
}

async function pageBlock([id]) {
  const params = /^\d+$/.test(id) ? { height: Number(id) } : { hash: id };
  const block = await rpc('chain_getBlock', params);
  const h = block.header;
  const results = await rpc('chain_getBlockResults', { height: h.height });
  const receipts = results.results || [];
  const txRows = block.txs.map((tx, i) => Object.assign({ index: i, receipt: receipts[i] }, tx,
    { rowClass: receipts[i] && !receipts[i].success ? 'failed' : '' }));
  const failed = txRows.filter((t) => t.receipt && !t.receipt.success).length;
  const more = results.next_offset !== null ? html`<p class="muted">receipts shown for the first ${receipts.length} of ${results.txs_total} transactions</p>` : '';
  return {
    html: html`${pageTitle(`Block ${h.height}`)}
      <div class="pager">
        ${h.height > 1 ? link(`← ${h.height - 1}`, 'block', h.height - 1) : ''}
        ${link(`${h.height + 1} →`, 'block', h.height + 1)}
      </div>
      ${section('Header', fields([
        ['height', html`<span id="block-height">${h.height}</span>`],
        ['hash', html`<span class="mono" id="block-hash">${block.hash}</span>`],
        ['time', time(h.time_ms)],
        ['chain id', h.chain_id],
        ['parent', h.height > 1 ? html`<a class="mono" href="${route('block', h.height - 1)}">${h.prev_hash}</a>` : hashText(h.prev_hash)],
        ['proposer', hashText(h.proposer)],
        ['state root', hashText(h.state_root)],
        ['tx root', hashText(h.tx_root)],
        ['receipts root', hashText(h.receipts_root)],
        ['evidence root', hashText(h.evidence_root)],
        ['last commit', html`round ${block.last_commit.round}, signed by validators ${(block.last_commit.signers || []).join(', ') || '—'} ${h.height > 1 ? html`(of block ${h.height - 1})` : ''}`],
        ['randomness', hashText(h.randomness)],
      ]))}
      ${section(`Transactions (${block.txs.length}${failed ? `, ${failed} failed` : ''})`, table([
        ['#', (t) => t.index],
        ['hash', (t) => txLink(t.hash)],
        ['type', (t) => t.type],
        ['from', (t) => addressLink(t.sender)],
        ['', (t) => txSummary(t)],
        ['fee', (t) => amount(t.fee)],
        ['result', (t) => html`${successBadge(t.receipt)} ${t.receipt && !t.receipt.success ? html`<span class="reason">${t.receipt.reason}</span>` : ''}`],
        ['events', (t) => t.receipt ? t.receipt.events.map((e) => html`<span class="event-type">${e.type}</span> `) : ''],
      ], txRows, 'no transactions'))}
      ${section('Begin-block events', eventsTable(results.begin_events, 'none'))}
      ${block.evidence.length ? section('Evidence', table([
        ['type', (e) => e.type], ['validator', (e) => hashText(e.validator, false)],
        ['height', (e) => blockLink(e.height)], ['round', (e) => e.round],
      ], block.evidence)) : ''}`,
  };
}

// --- transactions ---

async function pageTx([hash]) {
  const t = await rpc('chain_getTransaction', { hash });
  if (t.pending) {
    return {
      html: html`${pageTitle('Transaction', 'pending')}
        ${section('Pending', fields([['hash', hashText(t.hash)], ['status', badge('waiting in the mempool', 'live')]]))}`,
      onHead: () => showPage(),
    };
  }
  const tx = t.tx;
  const r = t.receipt;
  return {
    html: html`${pageTitle('Transaction', tx.type)}
      ${r.success ? '' : html`<div class="failed-banner" id="tx-failed">Failed: ${r.code_name} — ${r.reason}</div>`}
      ${section('Transaction', fields([
        ['hash', html`<span class="mono" id="tx-hash">${t.hash}</span>`],
        ['status', html`<span id="tx-status">${successBadge(r)}</span>`],
        ['block', html`<span id="tx-height">${blockLink(t.height)}</span> (index ${t.index})`],
        ['type', tx.type],
        ['sender', addressLink(tx.sender, true)],
        ['nonce', tx.nonce],
        ['fee', amount(tx.fee)],
        ['chain id', tx.chain_id],
      ]))}
      ${section('Message', keyValues(tx.msg))}
      ${section('Receipt', fields([
        ['success', r.success ? 'yes' : 'no'],
        ['code', `${r.code} (${r.code_name})`],
        ['reason', r.reason || '—'],
        ['fee charged', amount(r.fee)],
      ]))}
      ${section('Events', eventsTable(r.events))}`,
  };
}

// --- accounts ---

async function pageAccount([address]) {
  const [account, hashes, provider, verifier] = await Promise.all([
    rpc('state_getAccount', { address }),
    rpc('account_getTransactions', { address, limit: 50 }),
    rpcOrNull('state_getProvider', { address }),
    rpcOrNull('state_getVerifier', { address }),
  ]);
  const txs = (await rpcBatch(hashes.map((hash) => ['chain_getTransaction', { hash }])))
    .filter((t) => !(t instanceof Error));
  const [asClient, asProvider, slashes] = await Promise.all([
    rpc('state_listJobs', { client: address, limit: 50 }),
    rpc('state_listJobs', { provider: address, limit: 50 }),
    rpc('state_listSlashes', { offender: address, limit: 50 }),
  ]);
  const jobs = asClient.jobs.concat(asProvider.jobs.filter((j) => !asClient.jobs.some((c) => c.id === j.id)));
  const roles = [
    provider ? html`${link('provider', 'provider', address)} ` : '',
    verifier ? html`${link('verifier', 'verifier', address)} ` : '',
  ];
  return {
    html: html`${pageTitle('Account')}
      ${section('Account', fields([
        ['address', html`<span class="mono" id="account-address">${account.address}</span>`],
        ['balance', html`<span id="account-balance">${amount(account.balance)}</span>`],
        ['nonce', html`<span id="account-nonce">${account.nonce}</span>`],
        ['pending nonce', account.pending_nonce],
        ['roles', roles.some(Boolean) ? roles : html`<span class="muted">none</span>`],
      ]))}
      ${section(`Transactions (${txs.length}${hashes.length >= 50 ? ', newest 50' : ''})`, txHistoryTable(txs, address))}
      ${section('Jobs', jobsTable(jobs))}
      ${slashes.slashes.length ? section('Slashes', slashesTable(slashes.slashes)) : ''}`,
  };
}

function txHistoryTable(txs, address) {
  const rows = txs.map((t) => Object.assign({ rowClass: t.receipt && !t.receipt.success ? 'failed' : '' }, t));
  return table([
    ['hash', (t) => txLink(t.hash)],
    ['block', (t) => (t.pending ? badge('pending', 'live') : blockLink(t.height))],
    ['type', (t) => (t.tx ? t.tx.type : '')],
    ['direction', (t) => (t.tx && t.tx.sender === address ? 'out' : 'in')],
    ['counterparty', (t) => (!t.tx ? '' : t.tx.sender === address ? (t.tx.msg.to ? addressLink(t.tx.msg.to) : '') : addressLink(t.tx.sender))],
    ['', (t) => (t.tx ? txSummary(t.tx) : '')],
    ['fee', (t) => (t.tx ? amount(t.tx.fee) : '')],
    ['result', (t) => html`${successBadge(t.receipt)} ${t.receipt && !t.receipt.success ? html`<span class="reason">${t.receipt.reason}</span>` : ''}`],
  ], rows, 'no transactions');
}

// --- providers and verifiers ---

function reputation(p) {
  const closed = p.jobs_settled + p.jobs_slashed + p.jobs_expired;
  return closed ? `${((100 * p.jobs_settled) / closed).toFixed(0)} % settled` : 'no closed jobs';
}

function providersTable(providers) {
  return table([
    ['provider', (p) => html`<a class="mono short" href="${route('provider', p.address)}" title="${p.address}">${shortAddress(p.address)}</a>`],
    ['stake', (p) => amount(p.stake)],
    ['locked', (p) => amount(p.locked)],
    ['accepted', (p) => p.jobs_accepted],
    ['settled', (p) => p.jobs_settled],
    ['slashed', (p) => p.jobs_slashed],
    ['expired', (p) => p.jobs_expired],
    ['reputation', (p) => reputation(p)],
    ['endpoint', (p) => html`<code>${p.endpoint}</code>`],
  ], providers, 'no providers registered');
}

async function pageProviders() {
  const { items } = await listAll('state_listProviders', {}, 'providers');
  return { html: html`${pageTitle('Providers', `${items.length}`)}${section('Providers', providersTable(items))}` };
}

async function pageProvider([address]) {
  const p = await rpc('state_getProvider', { address });
  const [jobs, slashes, disputes] = await Promise.all([
    listAll('state_listJobs', { provider: address }, 'jobs', 200),
    rpc('state_listSlashes', { offender: address, limit: 100 }),
    listAll('state_listDisputes', { party: address }, 'disputes', 200),
  ]);
  return {
    html: html`${pageTitle('Provider')}
      ${section('Provider', fields([
        ['address', addressLink(p.address, true)],
        ['stake', html`<span id="provider-stake">${amount(p.stake)}</span>`],
        ['locked in bonds', html`<span id="provider-locked">${amount(p.locked)}</span>`],
        ['endpoint', html`<code>${p.endpoint}</code>`],
        ['registered at', blockLink(p.registered_height)],
        ['jobs accepted', p.jobs_accepted],
        ['jobs settled', html`<span id="provider-settled">${p.jobs_settled}</span>`],
        ['jobs slashed', html`<span id="provider-slashed">${p.jobs_slashed}</span>`],
        ['jobs expired', p.jobs_expired],
        ['reputation', reputation(p)],
      ]))}
      ${section('Jobs', jobsTable(jobs.items))}
      ${section('Disputes', disputesTable(disputes.items))}
      ${section('Slashes', slashesTable(slashes.slashes))}`,
  };
}

function verifiersTable(verifiers) {
  return table([
    ['verifier', (v) => html`<a class="mono short" href="${route('verifier', v.address)}" title="${v.address}">${shortAddress(v.address)}</a>`],
    ['stake', (v) => amount(v.stake)],
    ['segments assigned', (v) => v.segments_assigned],
    ['agreed', (v) => v.segments_agreed],
    ['disputes won', (v) => v.disputes_won],
    ['disputes lost', (v) => v.disputes_lost],
    ['registered', (v) => blockLink(v.registered_height)],
  ], verifiers, 'no verifiers registered');
}

async function pageVerifiers() {
  const { items } = await listAll('state_listVerifiers', {}, 'verifiers');
  return { html: html`${pageTitle('Verifiers', `${items.length}`)}${section('Verifiers', verifiersTable(items))}` };
}

async function pageVerifier([address]) {
  const v = await rpc('state_getVerifier', { address });
  const [slashes, disputes] = await Promise.all([
    rpc('state_listSlashes', { offender: address, limit: 100 }),
    listAll('state_listDisputes', { party: address }, 'disputes', 200),
  ]);
  const known = ['address', 'stake', 'registered_height', 'segments_assigned', 'segments_agreed',
    'disputes_won', 'disputes_lost'];
  const rest = Object.fromEntries(Object.entries(v).filter(([k]) => !known.includes(k)));
  return {
    html: html`${pageTitle('Verifier')}
      ${section('Verifier', fields([
        ['address', addressLink(v.address, true)],
        ['stake', html`<span id="verifier-stake">${amount(v.stake)}</span>`],
        ['registered at', blockLink(v.registered_height)],
        ['segments assigned', html`<span id="verifier-assigned">${v.segments_assigned}</span>`],
        ['segments agreed', html`<span id="verifier-agreed">${v.segments_agreed}</span>`],
        v.disputes_won !== undefined ? ['disputes won', html`<span id="verifier-won">${v.disputes_won}</span>`] : null,
        v.disputes_lost !== undefined ? ['disputes lost', html`<span id="verifier-lost">${v.disputes_lost}</span>`] : null,
        ...Object.entries(rest).map(([k, value]) => [k.replace(/_/g, ' '), valueCell(k, value)]),
      ]))}
      ${section('Disputes', disputesTable(disputes.items))}
      ${section('Slashes', slashesTable(slashes.slashes))}`,
  };
}

// --- validators ---

async function pageValidators() {
  const v = await rpc('chain_getValidators');
  return {
    html: html`${pageTitle('Validators', `for height ${v.height}`)}
      ${section('Set', fields([
        ['total power', amount(String(v.total_power))],
        ['proposer (round 0)', hashText(v.proposer)],
      ]))}
      ${section('Validators', table([
        ['index', (x) => (x.index === null ? html`<span class="muted">out of set</span>` : x.index)],
        ['consensus key', (x) => hashText(x.consensus_key, false)],
        ['operator', (x) => addressLink(x.operator)],
        ['power', (x) => amount(x.power)],
        ['share', (x) => `${((100 * Number(x.power)) / Number(v.total_power || 1)).toFixed(1)} %`],
        ['state', (x) => (x.tombstoned ? statusBadge('tombstoned') : x.jailed ? statusBadge('jailed') : badge('active', 'good'))],
        ['', (x) => (x.consensus_key === v.proposer ? badge('proposer', 'live') : '')],
      ], v.validators))}`,
  };
}

// --- jobs ---

function jobsTable(jobs) {
  return table([
    ['job', (j) => jobLink(j.id)],
    ['status', (j) => statusBadge(j.status)],
    ['client', (j) => addressLink(j.client)],
    ['provider', (j) => addressLink(j.provider)],
    ['payment', (j) => amount(j.payment)],
    ['bond', (j) => amount(j.bond_required)],
    ['created', (j) => blockLink(j.created_height)],
    ['deadline', (j) => j.deadline_height],
  ], jobs, 'no jobs');
}

const JOB_STATUSES = ['open', 'accepted', 'committed', 'verifying', 'settled', 'slashed', 'expired', 'cancelled'];

async function pageJobs(args, query) {
  const status = query.get('status');
  const params = status ? { status } : {};
  const { items } = await listAll('state_listJobs', params, 'jobs', 1000);
  const filters = ['all'].concat(JOB_STATUSES).map((s) =>
    html`<a class="${(s === 'all' && !status) || s === status ? 'active' : ''}" href="${s === 'all' ? '#/jobs' : '#/jobs?status=' + s}">${s}</a>`);
  return {
    html: html`${pageTitle('Jobs', status || '')}<div class="filters">${filters}</div>
      ${section(`Jobs (${items.length})`, jobsTable(items.slice().reverse()))}`,
  };
}

// The training loss over the committed checkpoints: per-checkpoint losses where
// the commitment or the manifest carries them, else the committed final loss.
async function lossSeries(pol) {
  const c = pol.commitment;
  const steps = c.checkpoints.map((_, i) => Math.min(i * c.checkpoint_interval, c.steps));
  const perCheckpoint = c.checkpoint_losses_micro || c.losses_micro || null;
  if (Array.isArray(perCheckpoint) && perCheckpoint.length) {
    return { xs: steps.slice(-perCheckpoint.length), ys: perCheckpoint.map((v) => Number(v) / 1e6), source: 'commitment' };
  }
  const manifest = await readManifest(pol.manifest);
  const entries = manifest && Array.isArray(manifest.checkpoints) ? manifest.checkpoints : [];
  const withLoss = entries.filter((e) => typeof e.loss === 'number' && typeof e.step === 'number');
  if (withLoss.length) {
    return { xs: withLoss.map((e) => e.step), ys: withLoss.map((e) => e.loss), source: 'manifest (not verified)' };
  }
  return { xs: [c.steps], ys: [c.final_loss_micro / 1e6], source: 'final' };
}

// The checkpoint manifest blob (JSON, uploaded by the provider; only a locator).
async function readManifest(hash) {
  if (!hash || /^0+$/.test(hash)) return null;
  try {
    const chunk = await rpc('blob_get', { hash, length: 65536 });
    if (chunk.fetching || chunk.size > 65536) return null;  // fetching: not on this node yet
    const bytes = new Uint8Array(chunk.data.match(/../g).map((b) => parseInt(b, 16)));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    return null;
  }
}

function segmentsTable(pol) {
  return table([
    ['segment', (s) => s.segment],
    ['steps', (s) => `${s.start_step} → ${s.end_step}`],
    ['checked by', (s) => html`<a class="mono short" href="${route('verifier', s.verifier)}" title="${s.verifier}">${shortAddress(s.verifier)}</a>`],
    ['attestation', (s) => statusBadge(s.attestation)],
    ['probe step', (s) => (s.probe_step !== null ? s.probe_step : html`<span class="muted">not drawn</span>`)],
    ['provider probe', (s) => hashText(s.provider_probe, false)],
    ['revealed end', (s) => hashText(s.revealed_end, false)],
    ['outcome', (s) => (s.outcome ? statusBadge(s.outcome) : html`<span class="muted">—</span>`)],
    ['result', (s) => statusBadge(s.result)],
  ], pol.segments.map((s) => Object.assign({ rowClass: s.result === 'disputed' ? 'failed' : '' }, s)),
  'no segments sampled yet');
}

function checkpointsTable(pol) {
  const c = pol.commitment;
  const sampled = new Set(pol.segments.map((s) => s.segment));
  return table([
    ['index', (r) => r.index],
    ['step', (r) => r.step],
    ['state hash', (r) => hashText(r.hash)],
    ['', (r) => (r.index === c.checkpoints.length - 1 ? badge('final model', 'good') : sampled.has(r.index) ? badge(`start of sampled segment ${r.index}`, 'live') : '')],
  ], c.checkpoints.map((hash, index) => ({ index, hash, step: Math.min(index * c.checkpoint_interval, c.steps) })));
}

// The heights of a job's proof-of-learning windows as a timeline.
function polTimeline(job, pol) {
  const marks = [
    ['created', job.created_height], ['accepted', job.accepted_height], ['committed', pol.commit_height],
    ['sampled', pol.sample_height], ['attest commits until', pol.commit_deadline],
    ['probes until', pol.probe_deadline], ['reveals until', pol.reveal_deadline],
    ['settles at', pol.settle_height], ['closed', job.closed_height || null],
  ].filter(([, h]) => h);
  return html`<ol class="timeline">${marks.map(([label, h]) =>
    html`<li class="${h <= pol.height ? 'past' : 'future'}"><span class="label">${label}</span> ${blockLink(h)}</li>`)}</ol>`;
}

async function pageJob([id]) {
  const job = await rpc('state_getJob', { id: Number(id) });
  const pol = job.pol;
  const parts = [];
  parts.push(section('Job', fields([
    ['id', html`<span id="job-id">${job.id}</span>`],
    ['status', html`<span id="job-status">${statusBadge(job.status)}</span>`],
    ['client', addressLink(job.client, true)],
    ['provider', job.provider ? html`${addressLink(job.provider, true)} (${link('provider record', 'provider', job.provider)})` : html`<span class="muted">not accepted yet</span>`],
    ['payment', amount(job.payment)],
    ['bond required', amount(job.bond_required)],
    ['segments sampled', job.samples],
    ['created', blockLink(job.created_height)],
    ['deadline', job.deadline_height],
    ['accepted', job.accepted_height ? blockLink(job.accepted_height) : '—'],
    ['closed', job.closed_height ? blockLink(job.closed_height) : '—'],
    ['spec hash', hashText(job.spec_hash)],
  ])));
  let loss = null;
  if (pol) {
    const c = pol.commitment;
    loss = await lossSeries(pol);
    parts.push(section('Proof of learning', html`
      ${fields([
        ['phase', html`<span id="job-phase">${statusBadge(pol.phase)}</span>`],
        ['commitment root', hashText(pol.commitment_root)],
        ['manifest blob', hashText(pol.manifest)],
        ['steps', `${c.steps} (checkpoint every ${c.checkpoint_interval}; ${pol.segment_count} segments)`],
        ['final model', hashText(c.final_model_hash)],
        ['claimed final loss', html`<span id="job-final-loss">${(c.final_loss_micro / 1e6).toFixed(6)}</span> <span class="muted">(not verified on chain)</span>`],
        ['claimed test accuracy', `${(c.accuracy_bps / 100).toFixed(2)} %`],
        ['probe seed', hashText(pol.probe_seed)],
        ['judged', pol.judged ? 'yes' : 'no'],
      ])}
      ${polTimeline(job, pol)}`));
    parts.push(html`<section class="card"><h2>Training loss over the committed checkpoints</h2>
      <div class="chart" id="chart-loss"></div>
      <p class="muted small">${loss.source === 'final'
        ? `The commitment carries the claimed loss of the last step only (step ${c.steps}); per-checkpoint losses are not committed on chain.`
        : `Per-checkpoint losses from the ${loss.source}.`}</p></section>`);
    parts.push(section(`Sampled segments (${pol.segments.length})`, segmentsTable(pol)));
    parts.push(section(`Disputes (${pol.disputes.length})`, disputesTable(pol.disputes, true)));
    parts.push(section(`Slashes (${pol.slashes.length})`, slashesTable(pol.slashes)));
    parts.push(section(`Committed checkpoints (${c.checkpoints.length})`, checkpointsTable(pol)));
  } else {
    parts.push(section('Proof of learning', html`<p class="muted">nothing committed yet</p>`));
  }
  parts.push(section('Spec', job.spec ? html`<pre class="json">${JSON.stringify(job.spec, null, 2)}</pre>` : html`<p class="muted">not stored</p>`));
  const open = !['settled', 'slashed', 'expired', 'cancelled'].includes(job.status);
  return {
    html: html`${pageTitle(`Job ${job.id}`, job.status)}${parts}`,
    mount: () => {
      if (loss) {
        lineChart(document.getElementById('chart-loss'),
          { xLabel: 'step', yLabel: 'loss', xs: loss.xs, ys: loss.ys, color: '#dc2626', points: true,
            xRange: [0, Math.ceil(pol.commitment.steps * 1.05)], yRange: [0, Math.max(...loss.ys, 0.001) * 1.25] });
      }
    },
    onJobEvent: (e) => { if (e.attributes && String(e.attributes.job_id) === String(job.id)) showPage(); },
    onHead: open ? throttle(() => showPage(), 3000) : undefined,
  };
}

// --- disputes ---

function bisectionCell(d) {
  if (d.kind === 'availability') return `checkpoint at step ${d.step}`;
  const narrowed = d.hi === d.lo + 1;
  return html`${d.lo} → ${d.hi}${narrowed ? html` ${badge('one step', 'good')}` : ''}`;
}

function disputesTable(disputes, withoutJob = false) {
  return table([
    ['dispute', (d) => disputeLink(d.id)],
    withoutJob ? null : ['job', (d) => jobLink(d.job_id)],
    ['segment', (d) => d.segment],
    ['kind', (d) => d.kind],
    ['status', (d) => statusBadge(d.status)],
    ['provider', (d) => addressLink(d.provider)],
    ['challenger', (d) => addressLink(d.challenger)],
    ['steps (lo → hi)', (d) => bisectionCell(d)],
    ['round', (d) => (d.round !== undefined ? d.round : '—')],
    ['loser', (d) => (d.loser ? d.loser : html`<span class="muted">—</span>`)],
    ['outcome', (d) => (d.outcome ? statusBadge(d.outcome) : html`<span class="muted">—</span>`)],
  ].filter(Boolean), disputes, 'no disputes');
}

async function pageDisputes(args, query) {
  const status = query.get('status');
  const { items } = await listAll('state_listDisputes', status ? { status } : {}, 'disputes', 1000);
  const filters = ['all', 'open', 'resolved'].map((s) =>
    html`<a class="${(s === 'all' && !status) || s === status ? 'active' : ''}" href="${s === 'all' ? '#/disputes' : '#/disputes?status=' + s}">${s}</a>`);
  return {
    html: html`${pageTitle('Disputes')}<div class="filters">${filters}</div>
      ${section(`Disputes (${items.length})`, disputesTable(items.slice().reverse()))}`,
  };
}

// The rounds of a dispute, read back from the events of the blocks it spanned:
// dispute_opened, each dispute_move (lo, hi after it), the referee, the resolution.
async function disputeHistory(d, head) {
  const from = d.opened_height;
  const to = Math.min(d.resolved_height || head, from + 400);
  const heights = [];
  for (let h = from; h <= to; h++) heights.push(h);
  const results = await rpcBatch(heights.map((height) => ['chain_getBlockResults', { height }]));
  const rows = [];
  results.forEach((r, i) => {
    if (r instanceof Error) return;
    const events = (r.begin_events || []).map((e) => ({ e, tx: null }));
    (r.results || []).forEach((receipt, index) => {
      for (const e of receipt.events || []) events.push({ e, tx: receipt.hash || null, index });
    });
    for (const { e, tx, index } of events) {
      const a = e.attributes || {};
      if (String(a.dispute_id) !== String(d.id)) continue;
      rows.push({ height: heights[i], type: e.type, a, tx, index });
    }
  });
  return { rows, truncated: to < (d.resolved_height || head) };
}

// The bisection as bars: each round's [lo, hi] inside the first range.
function bisectionBars(rows, d) {
  const ranges = rows.filter((r) => r.a.lo !== undefined && r.a.hi !== undefined)
    .map((r) => ({ lo: Number(r.a.lo), hi: Number(r.a.hi), label: r.type }));
  if (!ranges.length && d.lo !== undefined) ranges.push({ lo: d.lo, hi: d.hi, label: 'now' });
  if (!ranges.length) return '';
  const min = ranges[0].lo;
  const max = Math.max(ranges[0].hi, min + 1);
  const W = 600;
  const rowH = 22;
  const x = (step) => 40 + ((step - min) / (max - min)) * (W - 80);
  const bars = ranges.map((r, i) => html`
    <g><rect x="${x(r.lo).toFixed(1)}" y="${i * rowH + 4}" width="${Math.max(3, x(r.hi) - x(r.lo)).toFixed(1)}" height="14" rx="2" class="${r.hi === r.lo + 1 ? 'bar final' : 'bar'}"></rect>
    <text x="${(x(r.hi) + 6).toFixed(1)}" y="${i * rowH + 15}" class="bar-label">${r.lo} → ${r.hi}</text></g>`);
  const axisY = ranges.length * rowH + 14;
  const axis = html`<line x1="${x(min)}" x2="${x(max)}" y1="${axisY - 10}" y2="${axisY - 10}" class="axis"></line>
    <text x="${x(min)}" y="${axisY + 4}" class="bar-label" text-anchor="middle">step ${min}</text>
    <text x="${x(max)}" y="${axisY + 4}" class="bar-label" text-anchor="middle">step ${max}</text>`;
  return html`<svg class="bisection" viewBox="0 0 ${W + 80} ${axisY + 8}" role="img" aria-label="bisection rounds">${bars}${axis}</svg>`;
}

async function pageDispute([id]) {
  const d = await rpc('state_getDispute', { id: Number(id) });
  const status = await rpc('chain_status');
  const history = await disputeHistory(d, status.height);
  const slashes = (await rpc('state_listSlashes', { job_id: d.job_id, limit: 100 })).slashes.filter((s) => s.dispute_id === d.id);
  const narrowed = d.kind !== 'availability' && d.hi === d.lo + 1;
  const game = d.kind === 'availability' ? fields([
    ['checkpoint step', d.step],
    ['committed state hash', hashText(d.state_hash)],
    ['published checkpoint blob', hashText(d.checkpoint_blob)],
  ]) : fields([
    ['steps in dispute', html`<span id="dispute-range">${d.lo} → ${d.hi}</span>`],
    ['narrowed to', narrowed ? html`<strong id="dispute-step">step ${d.hi}</strong> (from the agreed state after step ${d.lo})` : html`<span class="muted">not yet: midpoint ${d.mid}</span>`],
    ['round', d.round],
    ['turn', d.status === 'open' ? d.turn : '—'],
    ['agreed hash at lo', hashText(d.lo_hash)],
    ['provider claims at hi', hashText(d.provider_hi)],
    ['challenger claims at hi', hashText(d.challenger_hi)],
    ['referee computed', d.referee_hash ? html`${hashText(d.referee_hash)} ${d.referee_hash === d.challenger_hi ? badge('= challenger', 'good') : d.referee_hash === d.provider_hi ? badge('= provider', 'good') : badge('neither', 'bad')}` : html`<span class="muted">not run</span>`],
    ['provider midpoint', d.provider_mid ? hashText(d.provider_mid) : '—'],
    ['move window', `${d.window} blocks`],
    ['checkpoint for the referee', hashText(d.checkpoint_blob)],
  ]);
  const roundRows = history.rows.map((r) => ({
    height: r.height, type: r.type, a: r.a,
    rowClass: r.type === 'dispute_resolved' ? 'final' : '',
  }));
  return {
    html: html`${pageTitle(`Dispute ${d.id}`, `${d.kind} · ${d.status}`)}
      ${section('Dispute', fields([
        ['id', d.id],
        ['job', html`<span id="dispute-job">${jobLink(d.job_id)}</span>, segment ${d.segment}`],
        ['kind', d.kind],
        ['status', html`<span id="dispute-status">${statusBadge(d.status)}</span>`],
        ['provider', addressLink(d.provider, true)],
        ['challenger', addressLink(d.challenger, true)],
        ['opened', blockLink(d.opened_height)],
        ['deadline', d.deadline],
        ['resolved', d.resolved_height ? blockLink(d.resolved_height) : '—'],
        ['loser', html`<span id="dispute-loser">${d.loser || '—'}</span>`],
        ['outcome', html`<span id="dispute-outcome">${d.outcome ? statusBadge(d.outcome) : '—'}</span>`],
      ]))}
      ${section(d.kind === 'availability' ? 'Checkpoint request' : 'Bisection', game)}
      ${section('Rounds', html`${bisectionBars(history.rows, d)}
        ${table([
          ['block', (r) => blockLink(r.height)],
          ['event', (r) => html`<span class="event-type">${r.type}</span>`],
          ['by', (r) => (r.a.mover ? addressLink(r.a.mover) : r.type === 'referee' ? 'referee (every validator)' : 'ledger')],
          ['lo → hi', (r) => (r.a.lo !== undefined ? `${r.a.lo} → ${r.a.hi}` : r.a.from_step !== undefined ? `${r.a.from_step} → ${r.a.step}` : r.a.step !== undefined ? `step ${r.a.step}` : '')],
          ['details', (r) => keyValues(Object.fromEntries(Object.entries(r.a).filter(([k]) => !['dispute_id', 'job_id', 'lo', 'hi', 'mover'].includes(k))))],
        ], roundRows, 'no events found')}
        ${history.truncated ? html`<p class="muted">history shown for the first 400 blocks</p>` : ''}`)}
      ${section('Slashes', slashesTable(slashes))}`,
    onHead: d.status === 'open' ? throttle(() => showPage(), 3000) : undefined,
  };
}

// --- slashes ---

function slashesTable(slashes) {
  return table([
    ['slash', (s) => s.id],
    ['block', (s) => blockLink(s.height)],
    ['job', (s) => jobLink(s.job_id)],
    ['dispute', (s) => (s.dispute_id !== null && s.dispute_id !== undefined ? disputeLink(s.dispute_id) : '—')],
    ['offender', (s) => addressLink(s.offender)],
    ['role', (s) => s.role],
    ['amount', (s) => html`<span class="slash-amount">${amount(s.amount)}</span>`],
    ['to winner', (s) => html`${amount(s.reward)}${s.beneficiary ? html` → ${addressLink(s.beneficiary)}` : ''}`],
    ['verifier fees', (s) => amount(s.paid_fees)],
    ['burned', (s) => amount(s.burned)],
    ['reason', (s) => statusBadge(s.reason)],
  ], slashes, 'no slashes');
}

async function pageSlashes() {
  const { items, page } = await listAll('state_listSlashes', {}, 'slashes', 1000);
  return {
    html: html`${pageTitle('Slashes', `${items.length}`)}
      ${section('Burned', fields([['total ever burned', html`<span id="burned-total">${amount(page.burned_total)}</span>`]]))}
      ${section('Slashes', slashesTable(items.slice().reverse()))}`,
  };
}

// --- search ---

// Where a search goes: a height, a job, a hash (transaction or block) or an address.
async function pageSearch([text]) {
  const q = (text || '').trim();
  const job = /^(?:job\s*#?|j)(\d+)$/i.exec(q);
  if (job) return redirect(route('job', job[1]));
  if (/^\d+$/.test(q)) {
    const [block, jobRecord] = await Promise.all([
      rpcOrNull('chain_getBlock', { height: Number(q) }),
      rpcOrNull('state_getJob', { id: Number(q) }),
    ]);
    if (block && !jobRecord) return redirect(route('block', q));
    if (jobRecord && !block) return redirect(route('job', q));
    return searchChoices(q, [block && link(`block ${q}`, 'block', q), jobRecord && link(`job ${q}`, 'job', q)]);
  }
  if (isHash(q)) {
    const hash = q.toLowerCase();
    const tx = await rpcOrNull('chain_getTransaction', { hash });
    if (tx) return redirect(route('tx', hash));
    const block = await rpcOrNull('chain_getBlock', { hash });
    if (block) return redirect(route('block', block.header.height));
    return searchChoices(q, []);
  }
  if (isAddress(q.toLowerCase())) return redirect(route('account', q.toLowerCase()));
  return searchChoices(q, []);
}

function searchChoices(q, links) {
  const found = links.filter(Boolean);
  return {
    html: html`${pageTitle('Search', q)}
      ${found.length ? html`<ul class="choices">${found.map((l) => html`<li>${l}</li>`)}</ul>`
        : html`<p class="notice">Nothing found for <code>${q}</code>. Search a block height, a job (<code>job 3</code>), a transaction or block hash (64 hex digits) or an address (<code>vt1…</code>).</p>`}`,
  };
}

function redirect(hash) {
  return { redirect: hash };
}

// ---------------------------------------------------------------------------
// 8. The router: #/<page>/<args...>?<query>. One page is shown at a time; a
// page that finishes loading after the user moved on is dropped.

const ROUTES = {
  '': pageHome,
  status: pageStatus,
  blocks: pageBlocks,
  block: pageBlock,
  tx: pageTx,
  account: pageAccount,
  providers: pageProviders,
  provider: pageProvider,
  verifiers: pageVerifiers,
  verifier: pageVerifier,
  validators: pageValidators,
  jobs: pageJobs,
  job: pageJob,
  disputes: pageDisputes,
  dispute: pageDispute,
  slashes: pageSlashes,
  search: pageSearch,
};

let current = { token: 0, page: null };

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, queryString] = raw.split('?');
  const parts = path.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
  return { name: parts[0] || '', args: parts.slice(1), query: new URLSearchParams(queryString || '') };
}

async function showPage() {
  const { name, args, query } = parseHash();
  const token = ++current.token;
  const handler = ROUTES[name];
  const view = document.getElementById('view');
  let page;
  try {
    if (!handler) throw new RpcError('page', -32004, `no page named "${name}"`);
    page = await handler(args, query);
  } catch (e) {
    page = { html: errorPage(e) };
    if (!(e instanceof RpcError && e.notFound)) console.warn(e);
  }
  if (token !== current.token) return;  // the user moved on
  if (page.redirect) {
    location.replace(page.redirect);
    return;
  }
  const sameRoute = current.page && current.page.routeKey === location.hash;
  const scroll = window.scrollY;
  destroyCharts();
  clearErrors();
  view.innerHTML = page.html;
  page.routeKey = location.hash;
  current.page = page;
  document.title = `${(view.querySelector('h1') || {}).textContent || 'explorer'} · veritrain explorer`;
  view.dataset.page = name || 'home';
  view.dataset.ready = String(token);
  if (sameRoute) window.scrollTo(0, scroll);
  else window.scrollTo(0, 0);
  if (page.mount) {
    try {
      await page.mount(view);
    } catch (e) {
      showError(e);
    }
  }
  document.body.dataset.loaded = 'true';
}

live.listeners.add((height) => {
  const page = current.page;
  if (page && page.onHead) Promise.resolve(page.onHead(height)).catch(showError);
});
live.jobListeners.add((event) => {
  const page = current.page;
  if (page && page.onJobEvent) page.onJobEvent(event);
});

function setUpSearch() {
  const form = document.getElementById('search');
  const input = document.getElementById('search-input');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (q) location.hash = route('search', q);
    input.blur();
  });
}

function start() {
  document.getElementById('rpc-url').textContent = RPC_URL;
  // Keep ?rpc= on every in-app link: links are hash-only, so the query stays.
  setUpSearch();
  window.addEventListener('hashchange', showPage);
  window.addEventListener('unhandledrejection', (e) => showError(e.reason));
  connectWebSocket();
  startPolling();  // until the WebSocket answers its subscription
  showPage();
}

start();
