import { createHash } from 'node:crypto';

/** The status page, rendered once: its HTML and the headers it is served with. */
export interface StatusPage {
  html: string;
  headers: Record<string, string>;
}

/** How often the page fetches its data, in milliseconds. */
export const statusRefreshMs = 3_000;

const style = `
:root { color-scheme: light dark; --ok: #1a7f37; --bad: #cf222e; --muted: #6e7781; font: 14px/1.45 system-ui, sans-serif; }
body { margin: 0 auto; max-width: 1200px; padding: 1.5rem; }
header { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
h1 { font-size: 1.4rem; margin: 0; } h2 { font-size: 1.1rem; margin: 2rem 0 .5rem; }
.muted { color: var(--muted); } .bad { color: var(--bad); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: .75rem; margin-top: 1rem; }
.card { border: 1px solid #8884; border-radius: 8px; padding: .75rem 1rem; }
.card b { display: block; font-size: 1.5rem; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #8883; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.health { font-weight: 600; } .health.healthy { color: var(--ok); } .health.failing { color: var(--bad); } .health.unknown { color: var(--muted); }
.message { max-width: 36rem; overflow-wrap: anywhere; }
.criticality { font-weight: 600; } .criticality.breaking { color: var(--bad); } .criticality.dangerous { color: #9a6700; } .criticality.safe { color: var(--ok); }
tr[data-graph] { cursor: pointer; } tr[aria-selected="true"] { background: #8882; }
`;

function script(dataPath: string): string {
  return `
const dataUrl = ${JSON.stringify(dataPath).replace(/</g, '\\u003c')};
let selected = null;
const $ = (selector) => document.querySelector(selector);
const rate = (n) => (n < 10 ? n.toFixed(2) : n.toFixed(1)) + '/s';
const percent = (n) => (n * 100).toFixed(1) + '%';
const ms = (n) => (n === null ? '\u2013' : (n < 10 ? n.toFixed(1) : Math.round(n)) + ' ms');
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '\u2013');
function row(cells, data) {
  const tr = document.createElement('tr');
  Object.assign(tr.dataset, data);
  for (const [text, field, className] of cells) {
    const td = document.createElement('td');
    td.textContent = String(text);
    if (field) td.dataset.field = field;
    if (className) td.className = className;
    tr.append(td);
  }
  return tr;
}
const numbers = (item) => [[item.requests, 'requests', 'num'], [rate(item.ratePerSecond), 'rate', 'num'], [percent(item.errorRate), 'errorRate', 'num'], [ms(item.p95Ms), 'p95', 'num']];
function render(data) {
  for (const [field, text] of [['requests', data.gateway.requests], ['rate', rate(data.gateway.ratePerSecond)], ['errorRate', percent(data.gateway.errorRate)], ['p95', ms(data.gateway.p95Ms)]]) {
    $('[data-total="' + field + '"]').textContent = String(text);
  }
  $('#sources').replaceChildren(...data.sources.map((s) => row([[s.name, 'name'], [s.kind, 'kind'], [s.origin, 'origin'], [s.health, 'health', 'health ' + s.health], [s.lastErrorAt ? time(s.lastErrorAt) + ': ' + s.lastError : '\u2013', 'lastError', 'message'], ...numbers(s)], { source: s.name })));
  $('#operations').replaceChildren(...data.operations.map((o) => row([[o.type, 'type'], [o.operation, 'operation'], ...numbers(o)], { operation: o.type + ' ' + o.operation })));
  $('#errors').replaceChildren(...data.recentErrors.map((e) => row([[time(e.time), 'time'], [e.code, 'code'], [e.count > 1 ? e.message + ' (\u00d7' + e.count + ')' : e.message, 'message', 'message'], [e.operation, 'operation'], [e.service ?? '\u2013', 'service']], {})));
  renderSchema(data.schema);
  renderClients(data.clients ?? []);
  renderInstances(data.instances ?? []);
  renderMirrors(data.mirrors ?? []);
  $('#window').textContent = 'last ' + Math.max(1, Math.round(data.windowSeconds / 60)) + ' min';
  $('#updated').textContent = 'updated ' + time(data.generatedAt);
  $('#updated').classList.remove('bad');
}
function renderClients(clients) {
  $('#clients-section').hidden = clients.length === 0;
  $('#clients').replaceChildren(...clients.map((c) => row([[c.client, 'client'], [c.version, 'version'], ...numbers(c)], { client: c.client + ' ' + c.version })));
}
function renderMirrors(mirrors) {
  $('#mirroring').hidden = mirrors.length === 0;
  $('#mirrors').replaceChildren(...mirrors.map((m) => row([[m.service, 'service'], [m.sent, 'sent', 'num'], [m.same, 'same', 'num'], [m.different, 'different', 'num' + (m.different > 0 ? ' bad' : '')], [m.failed, 'failed', 'num'], [m.dropped, 'dropped', 'num'], [m.differences.map((d) => d.path + ': ' + d.primary + ' \u2192 ' + d.shadow).join('; ') || '\u2013', 'differences', 'message']], { mirror: m.service })));
}
function renderInstances(sources) {
  const rows = sources.flatMap((s) => s.instances.map((i) => row([[s.service, 'service'], [i.url, 'url'], [i.weight, 'weight', 'num'], [i.state, 'state', 'health ' + (i.state === 'healthy' ? 'healthy' : i.state === 'probation' ? 'unknown' : 'failing')], [i.outstanding, 'outstanding', 'num'], [i.requests, 'requests', 'num'], [ms(i.latencyMs), 'latency', 'num'], [i.ejections, 'ejections', 'num'], [i.lastCheck ? time(i.lastCheck.at) + (i.lastCheck.passed ? ' passed' : ' failed') : '\u2013', 'lastCheck']], { instance: s.service + ' ' + i.url })));
  $('#instances-section').hidden = rows.length === 0;
  $('#instances').replaceChildren(...rows);
}
function renderSchema(schema) {
  $('#schema').hidden = !schema;
  if (!schema) return;
  $('#schema-version').textContent = schema.file ? 'supergraph file ' + schema.file.label : schema.version === null ? 'config sources' : 'v' + schema.version;
  $('#schema-services').replaceChildren(...schema.services.map((s) => row([[s.name, 'name'], [s.kind, 'kind'], [s.version === null ? 'config' : 'v' + s.version, 'version']], { service: s.name })));
  $('#schema-swaps').replaceChildren(...schema.swaps.map((w) => row([[time(w.at), 'time'], [w.label ?? 'v' + w.version, 'version'], [w.result, 'result', w.result === 'failed' ? 'bad' : ''], [w.reason ?? '\u2013', 'reason', 'message'], [w.durationMs + ' ms', 'duration', 'num']], { swap: String(w.version) })));
  $('#schema-checks').replaceChildren(...schema.checks.map((c) => row([[time(c.at), 'time'], [c.service, 'service'], [c.action, 'action'], [c.passed ? 'passed' : 'failed', 'passed', c.passed ? '' : 'bad'], [c.author, 'author'], [c.summary, 'summary'], [c.reason ?? '\u2013', 'reason', 'message']], { check: String(c.id) })));
  $('#schema-history').replaceChildren(...schema.history.map((g) => {
    const tr = row([['v' + g.version, 'version'], [time(g.at), 'time'], [g.author, 'author'], [g.changes.map((c) => c.service + ' v' + c.version + ' (' + c.action + ')').join(', '), 'changes']], { graph: String(g.version) });
    tr.setAttribute('aria-selected', String(schema.diff !== null && schema.diff.version === g.version));
    tr.addEventListener('click', () => { selected = g.version; refresh(false); });
    return tr;
  }));
  const diff = schema.diff;
  $('#schema-diff-title').textContent = diff ? 'Changes in v' + diff.version + (diff.from === null ? '' : ' from v' + diff.from) : '';
  $('#schema-diff').replaceChildren(...(diff ? diff.changes.map((c) => row([[c.criticality, 'criticality', 'criticality ' + c.criticality], [c.message, 'message', 'message']], { change: c.criticality })) : []));
  $('#schema-diff-note').textContent = diff?.note ?? '';
}
async function refresh(repeat = true) {
  try {
    const response = await fetch(dataUrl + (selected === null ? '' : '?version=' + selected), { cache: 'no-store', credentials: 'same-origin' });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    render(await response.json());
  } catch (error) {
    $('#updated').textContent = 'refresh failed: ' + error.message;
    $('#updated').classList.add('bad');
  }
  if (repeat) setTimeout(refresh, ${statusRefreshMs});
}
refresh();
`;
}

const body = `
<header><h1>Concierge status</h1><span class="muted" id="window">last 5 min</span><span class="muted" id="updated" aria-live="polite">loading\u2026</span></header>
<section class="cards" aria-label="Gateway">
  <div class="card">Requests<b data-total="requests">\u2013</b></div>
  <div class="card">Request rate<b data-total="rate">\u2013</b></div>
  <div class="card">Error rate<b data-total="errorRate">\u2013</b></div>
  <div class="card">p95 latency<b data-total="p95">\u2013</b></div>
</section>
<h2>Sources</h2>
<table><thead><tr><th>Service</th><th>Kind</th><th>Origin</th><th>Health</th><th>Last error</th><th class="num">Calls</th><th class="num">Rate</th><th class="num">Errors</th><th class="num">p95</th></tr></thead><tbody id="sources"></tbody></table>
<section id="instances-section" hidden>
<h2>Instances <span class="muted">(per source: load balancing, outlier ejection, health checks)</span></h2>
<table><thead><tr><th>Service</th><th>URL</th><th class="num">Weight</th><th>State</th><th class="num">In flight</th><th class="num">Calls</th><th class="num">Latency (EWMA)</th><th class="num">Ejections</th><th>Last check</th></tr></thead><tbody id="instances"></tbody></table>
</section>
<section id="mirroring" hidden>
<h2>Mirroring <span class="muted">(shadow copies compared with the source's answers; last differences first)</span></h2>
<table><thead><tr><th>Service</th><th class="num">Sent</th><th class="num">Same</th><th class="num">Different</th><th class="num">Failed</th><th class="num">Dropped</th><th>Where they differed (source \u2192 shadow)</th></tr></thead><tbody id="mirrors"></tbody></table>
</section>
<section id="clients-section" hidden>
<h2>Clients <span class="muted">(by client profile and version)</span></h2>
<table><thead><tr><th>Client</th><th>Version</th><th class="num">Requests</th><th class="num">Rate</th><th class="num">Errors</th><th class="num">p95</th></tr></thead><tbody id="clients"></tbody></table>
</section>
<h2>Operations</h2>
<table><thead><tr><th>Type</th><th>Operation</th><th class="num">Requests</th><th class="num">Rate</th><th class="num">Errors</th><th class="num">p95</th></tr></thead><tbody id="operations"></tbody></table>
<section id="schema" hidden>
<h2>Schema <span class="muted" id="schema-version"></span></h2>
<table><thead><tr><th>Service</th><th>Kind</th><th>Version</th></tr></thead><tbody id="schema-services"></tbody></table>
<h2>Schema swaps</h2>
<table><thead><tr><th>Time</th><th>Graph</th><th>Result</th><th>Reason</th><th class="num">Took</th></tr></thead><tbody id="schema-swaps"></tbody></table>
<h2>Graph versions <span class="muted">(select one to see its changes)</span></h2>
<table><thead><tr><th>Graph</th><th>Time</th><th>Author</th><th>Services changed</th></tr></thead><tbody id="schema-history"></tbody></table>
<h2 id="schema-diff-title"></h2>
<table><tbody id="schema-diff"></tbody></table><p class="muted" id="schema-diff-note"></p>
<h2>Schema checks</h2>
<table><thead><tr><th>Time</th><th>Service</th><th>Action</th><th>Result</th><th>Author</th><th>In words</th><th>Why it failed</th></tr></thead><tbody id="schema-checks"></tbody></table>
</section>
<h2>Recent errors</h2>
<table><thead><tr><th>Time</th><th>Code</th><th>Message</th><th>Operation</th><th>Service</th></tr></thead><tbody id="errors"></tbody></table>
`;

/**
 * Renders the status page for `path`: one HTML document with its style and script inline and
 * nothing else to load. A Content-Security-Policy allows exactly that inline style and script (by
 * hash) and requests to this origin only, so the page cannot load or send anything elsewhere.
 */
export function renderStatusPage(path: string): StatusPage {
  const code = script(`${path.replace(/\/+$/, '')}/data.json`);
  const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Concierge status</title><link rel="icon" href="data:,">
<style>${style}</style></head>
<body>${body}<script>${code}</script></body></html>
`;
  const policy = [
    `default-src 'none'`,
    `style-src ${hash(style)}`,
    `script-src ${hash(code)}`,
    `connect-src 'self'`,
    `img-src data:`,
    `base-uri 'none'`,
    `form-action 'none'`,
    `frame-ancestors 'none'`,
  ].join('; ');
  return {
    html,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': policy,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
  };
}
