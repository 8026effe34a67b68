// The conversation explorer's page: plain JavaScript over the JSON API under /api/.
// The whole view lives in the URL's hash (filters, search, the open cluster or conversation), so a
// link or a reload gives the same view. Data is only ever put into the page as text (never HTML).
'use strict';

const FILTER_KEYS = ['lang', 'frustration', 'concerning', 'meta'];
const SCORE_OPTIONS = [['', 'any'], ['1', '1'], ['2', '2'], ['3', '3'], ['4', '4'], ['5', '5'],
  ['2-5', '2 or more'], ['3-5', '3 or more'], ['4-5', '4 or more'], ['1-2', '1 to 2']];
const PAGE = 20;

let state = new URLSearchParams();
const expanded = new Set();
let overview = null;
let tree = null; // {byId, children, roots}
let mapData = null;
let loadedFilterKey = null;

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

function filterParams() {
  const p = new URLSearchParams();
  for (const k of FILTER_KEYS) for (const v of state.getAll(k)) if (v) p.append(k, v);
  return p;
}

async function api(what, extra) {
  const p = filterParams();
  if (extra) for (const [k, v] of Object.entries(extra)) if (v !== undefined && v !== null) p.set(k, v);
  const res = await fetch('api/' + what + '?' + p.toString());
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || ('HTTP ' + res.status));
  return body;
}

// ------------------------------------------------------------------------------------ state

function readHash() {
  state = new URLSearchParams(location.hash.replace(/^#/, ''));
}

function go(changes, keepOthers = true) {
  const next = keepOthers ? new URLSearchParams(state) : new URLSearchParams();
  for (const [k, v] of Object.entries(changes)) {
    next.delete(k);
    if (Array.isArray(v)) v.forEach(x => next.append(k, x));
    else if (v !== null && v !== undefined && v !== '') next.set(k, v);
  }
  const h = next.toString();
  if (h === location.hash.replace(/^#/, '')) render();
  else location.hash = h;
}

// ----------------------------------------------------------------------------------- render

async function render() {
  readHash();
  const fk = filterParams().toString();
  try {
    if (fk !== loadedFilterKey || !overview) {
      const [o, t, m] = await Promise.all([api('overview'), api('tree'), api('map')]);
      overview = o;
      tree = buildTree(t.nodes);
      mapData = m;
      loadedFilterKey = fk;
    }
    renderHeader();
    renderFilters();
    const current = state.get('cluster');
    if (current && tree.byId.has(current)) expandTo(current);
    renderTree();
    renderMap();
    await renderDetail();
  } catch (e) {
    showError(e);
  }
}

function showError(e) {
  const d = document.getElementById('detail');
  d.replaceChildren(el('p', { class: 'error', text: 'Could not load: ' + e.message }));
}

function renderHeader() {
  document.getElementById('source').textContent = overview.source + ' · ' +
    overview.conversations.toLocaleString('en') + ' conversations';
  const n = document.getElementById('notices');
  n.replaceChildren(...overview.missing.map(m => el('div', { class: 'notice missing-stage', text: 'Missing stage ' + m })));
  const filtered = filterParams().toString() !== '';
  document.getElementById('selected-count').textContent = filtered
    ? overview.selected.toLocaleString('en') + ' of ' + overview.conversations.toLocaleString('en') + ' conversations match the filters'
    : '';
  document.getElementById('q').value = state.get('q') || '';
}

function fillSelect(sel, options, value) {
  sel.replaceChildren(...options.map(([v, label]) => el('option', { value: v, text: label })));
  sel.value = value || '';
}

function renderFilters() {
  const langs = overview.facets.languages.filter(l => l.value !== 'none');
  fillSelect(document.getElementById('f-lang'),
    [['', 'any']].concat(langs.map(l => [l.value, l.value + ' (' + l.count + ')'])), state.get('lang'));
  fillSelect(document.getElementById('f-frustration'), SCORE_OPTIONS, state.get('frustration'));
  fillSelect(document.getElementById('f-concerning'), SCORE_OPTIONS, state.get('concerning'));
  const keySel = document.getElementById('f-meta-key');
  const keys = Object.keys(overview.facets.metadata);
  const prevKey = keySel.value;
  fillSelect(keySel, [['', 'key…']].concat(keys.map(k => [k, k])), keys.includes(prevKey) ? prevKey : '');
  fillMetaValues();
  const chips = document.getElementById('meta-chips');
  chips.replaceChildren(...state.getAll('meta').map(m => el('span', { class: 'chip', 'data-meta': m }, m,
    el('button', { type: 'button', title: 'Remove', text: '×',
      onclick: () => go({ meta: state.getAll('meta').filter(x => x !== m), offset: null }) }))));
}

function fillMetaValues() {
  const key = document.getElementById('f-meta-key').value;
  const facet = key ? overview.facets.metadata[key] : null;
  const values = facet ? facet.values : [];
  fillSelect(document.getElementById('f-meta-value'),
    [['', 'value…']].concat(values.map(v => [v.value, v.value + ' (' + v.count + ')'])), '');
}

// ------------------------------------------------------------------------------------- tree

function buildTree(nodes) {
  const byId = new Map();
  const children = new Map();
  const roots = [];
  for (const n of nodes) { byId.set(n.id, n); children.set(n.id, []); }
  for (const n of nodes) {
    if (n.parent_id && byId.has(n.parent_id)) children.get(n.parent_id).push(n);
    else roots.push(n);
  }
  return { byId, children, roots };
}

function sorted(list) {
  const by = state.get('sort') || 'size';
  const copy = list.slice();
  if (by === 'name') copy.sort((a, b) => a.name.localeCompare(b.name));
  else copy.sort((a, b) => b.selected - a.selected || b.count - a.count || a.name.localeCompare(b.name));
  return copy;
}

function expandTo(id) {
  let n = tree.byId.get(id);
  while (n && n.parent_id) { expanded.add(n.parent_id); n = tree.byId.get(n.parent_id); }
}

function countText(n) {
  return filterParams().toString() !== '' ? n.selected + ' / ' + n.count : String(n.count);
}

function treeItem(n) {
  const kids = tree.children.get(n.id).filter(c => c.selected > 0);
  const open = expanded.has(n.id);
  const li = el('li', { 'data-id': n.id, class: 'node' });
  const toggle = kids.length
    ? el('button', { type: 'button', class: 'toggle', 'aria-expanded': String(open), title: open ? 'Collapse' : 'Expand',
        text: open ? '▾' : '▸',
        onclick: () => { if (expanded.has(n.id)) expanded.delete(n.id); else expanded.add(n.id); renderTree(); } })
    : el('span', { class: 'leaf-pad' });
  const name = el('a', { class: 'tree-name' + (state.get('cluster') === n.id ? ' current' : ''), href: '#',
    text: n.name || '(no name)',
    onclick: ev => { ev.preventDefault(); go({ cluster: n.id, chat: null, offset: null }); } });
  li.appendChild(el('div', { class: 'row' }, toggle, name, el('span', { class: 'count', text: countText(n) })));
  if (open && kids.length) li.appendChild(el('ul', null, ...sorted(kids).map(treeItem)));
  return li;
}

function renderTree() {
  const ul = document.getElementById('tree');
  document.getElementById('sort').value = state.get('sort') || 'size';
  if (!tree.roots.length) {
    ul.replaceChildren(el('li', { class: 'muted', text: 'No clusters: the clusters, meta_clusters and dimensionality stages are missing.' }));
    return;
  }
  const roots = sorted(tree.roots.filter(r => r.selected > 0));
  if (!roots.length) {
    ul.replaceChildren(el('li', { class: 'muted', text: 'No cluster holds a conversation that matches the filters.' }));
    return;
  }
  ul.replaceChildren(...roots.map(treeItem));
}

// -------------------------------------------------------------------------------------- map

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function renderMap() {
  const svgEl = document.getElementById('map');
  const missing = document.getElementById('map-missing');
  const levelSel = document.getElementById('level');
  if (!mapData.available) {
    svgEl.replaceChildren();
    svgEl.style.display = 'none';
    missing.hidden = false;
    missing.textContent = mapData.missing;
    levelSel.replaceChildren();
    return;
  }
  svgEl.style.display = '';
  missing.hidden = true;
  const levels = [...new Set(mapData.points.map(p => p.level))].sort((a, b) => a - b);
  const options = [['leaves', 'base clusters']].concat(levels.map(l => ['' + l, 'level ' + l + (l === 0 ? ' (top)' : '')]));
  fillSelect(levelSel, options, state.get('level') || 'leaves');
  const want = levelSel.value;
  const pts = mapData.points.filter(p => (want === 'leaves' ? p.leaf : String(p.level) === want) && p.selected > 0);
  const rootIndex = new Map(mapData.roots.map((r, i) => [r, i]));
  const W = 600, H = 460, M = 24;
  const xs = pts.map(p => p.x), ys = pts.map(p => p.y);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const sx = v => M + (x1 > x0 ? (v - x0) / (x1 - x0) : 0.5) * (W - 2 * M);
  const sy = v => H - M - (y1 > y0 ? (v - y0) / (y1 - y0) : 0.5) * (H - 2 * M);
  const maxSel = Math.max(1, ...pts.map(p => p.selected));
  const tip = document.getElementById('tip');
  const current = state.get('cluster');
  const circles = pts.slice().sort((a, b) => b.selected - a.selected).map(p => {
    const c = svg('circle', {
      cx: sx(p.x).toFixed(1), cy: sy(p.y).toFixed(1), r: (3 + 14 * Math.sqrt(p.selected / maxSel)).toFixed(1),
      fill: PALETTE[(rootIndex.get(p.root) || 0) % PALETTE.length], 'data-id': p.id, 'data-name': p.name,
      class: 'point' + (p.id === current ? ' current' : '') });
    const t = svg('title');
    t.textContent = p.name + ' (' + p.selected + ')';
    c.appendChild(t);
    c.addEventListener('mouseenter', ev => { tip.textContent = p.name + ' · ' + countText(p) + ' conversations'; tip.hidden = false; moveTip(ev); });
    c.addEventListener('mousemove', moveTip);
    c.addEventListener('mouseleave', () => { tip.hidden = true; });
    c.addEventListener('click', () => { tip.hidden = true; go({ cluster: p.id, chat: null, offset: null }); });
    return c;
  });
  svgEl.replaceChildren(...circles);
}

function moveTip(ev) {
  const tip = document.getElementById('tip');
  tip.style.left = (ev.clientX + 12) + 'px';
  tip.style.top = (ev.clientY + 12) + 'px';
}

// ----------------------------------------------------------------------------------- detail

async function renderDetail() {
  const d = document.getElementById('detail');
  const chat = state.get('chat');
  const cluster = state.get('cluster');
  const q = state.get('q');
  if (chat) return renderConversation(d, await api('conversation', { id: chat }));
  if (cluster) return renderCluster(d, await api('cluster', { id: cluster, offset: state.get('offset') || 0, limit: PAGE }));
  if (q) return renderSearch(d, await api('search', { q, offset: state.get('soffset') || 0, limit: PAGE }));
  renderOverview(d);
}

function charts(b) {
  const box = el('div', { class: 'charts' });
  const chart = (title, rows) => {
    const max = Math.max(1, ...rows.map(r => r.count));
    box.appendChild(el('div', { class: 'chart', 'data-chart': title },
      el('h3', { text: title }),
      ...rows.map(r => el('div', { class: 'bar-row' },
        el('span', { class: 'lbl', title: r.value, text: r.value }),
        el('span', { class: 'track' }, el('span', { class: 'fill', style: 'display:block;width:' + (100 * r.count / max).toFixed(1) + '%' })),
        el('span', { class: 'num', text: String(r.count) })))));
  };
  if (b.languages && b.languages.length) chart('Languages', b.languages);
  if (b.user_frustration) chart('User frustration', b.user_frustration);
  if (b.concerning_score) chart('Concerning score', b.concerning_score);
  for (const [k, v] of Object.entries(b.metadata)) if (v.values.length) chart('metadata: ' + k, v.values);
  return box;
}

function renderOverview(d) {
  d.replaceChildren(
    el('h2', { text: 'Overview' }),
    el('p', { class: 'muted', text: overview.selected.toLocaleString('en') + ' conversations' +
      (overview.cluster_stage ? ', clusters from the ' + overview.cluster_stage + ' stage' : '') +
      '. Pick a cluster in the tree or on the map, or search.' }),
    charts(overview.breakdowns));
}

function crumbs(path) {
  return el('div', { class: 'crumbs' }, ...path.map(p => el('a', { href: '#', text: p.name, 'data-id': p.id,
    onclick: ev => { ev.preventDefault(); go({ cluster: p.id, chat: null, offset: null }); } })));
}

function item(it) {
  const meta = [];
  if (it.languages && it.languages.length) meta.push(it.languages.join(', '));
  if (it.user_frustration !== null && it.user_frustration !== undefined) meta.push('frustration ' + it.user_frustration);
  if (it.concerning_score !== null && it.concerning_score !== undefined) meta.push('concerning ' + it.concerning_score);
  if (it.cluster) meta.push('in ' + it.cluster.name);
  return el('li', { class: 'conversation-item', 'data-chat': it.chat_id },
    el('a', { href: '#', class: 'chat-link', text: it.chat_id,
      onclick: ev => { ev.preventDefault(); go({ chat: it.chat_id }); } }),
    el('div', { class: 'text', text: it.snippet || it.text || '(no text)' }),
    el('div', { class: 'meta', text: meta.join(' · ') }));
}

function renderCluster(d, c) {
  const offset = c.conversations.offset, total = c.conversations.total;
  const pager = el('div', { class: 'pager' },
    el('button', { type: 'button', id: 'prev-page', disabled: offset <= 0 ? '' : null, text: '‹ Previous',
      onclick: () => go({ offset: Math.max(0, offset - PAGE) || null }) }),
    el('span', { class: 'muted', id: 'page-info', text: total ? (offset + 1) + '–' + Math.min(total, offset + PAGE) + ' of ' + total : 'no conversations' }),
    el('button', { type: 'button', id: 'next-page', disabled: offset + PAGE >= total ? '' : null, text: 'Next ›',
      onclick: () => go({ offset: offset + PAGE }) }));
  d.replaceChildren(
    crumbs(c.path),
    el('h2', { id: 'cluster-name', text: c.name }),
    el('p', null, el('span', { class: 'slug', id: 'cluster-slug', text: c.slug }), ' ',
      el('span', { class: 'muted', id: 'cluster-count', text: c.selected + (c.selected !== c.count ? ' of ' + c.count : '') + ' conversations' })),
    el('p', { id: 'cluster-description', text: c.description }),
    c.children.length ? el('div', null, el('h3', { text: 'Children' }),
      el('ul', { class: 'children' }, ...c.children.map(ch => el('li', null, el('a', { href: '#', text: ch.name, 'data-id': ch.id,
        onclick: ev => { ev.preventDefault(); go({ cluster: ch.id, offset: null }); } }), ' ', el('span', { class: 'count', text: String(ch.selected) }))))) : null,
    charts(c.breakdowns),
    el('h3', { text: 'Conversations' }),
    pager,
    el('ul', { class: 'items', id: 'cluster-conversations' }, ...c.conversations.items.map(item)));
}

function renderConversation(d, c) {
  const back = el('a', { href: '#', text: '‹ back', onclick: ev => { ev.preventDefault(); go({ chat: null }); } });
  const parts = [back, el('h2', { id: 'chat-id', text: c.chat_id })];
  if (c.clusters.length) parts.push(crumbs(c.clusters));
  if (c.created_at) parts.push(el('p', { class: 'muted', text: 'created ' + c.created_at }));
  if (c.summary) {
    const rows = ['summary', 'request', 'task', 'topic', 'languages', 'user_frustration', 'concerning_score', 'assistant_errors']
      .map(k => {
        const v = c.summary[k];
        const text = v === null || v === undefined ? '—' : Array.isArray(v) ? (v.length ? v.join(', ') : '(none)') : String(v);
        return el('tr', { 'data-field': k }, el('th', { text: k.replace('_', ' ') }), el('td', { text }));
      });
    parts.push(el('h3', { text: 'Summary' }), el('table', { class: 'fields', id: 'summary' }, ...rows));
  } else {
    parts.push(el('p', { class: 'notice', text: c.summary_missing }));
  }
  if (c.messages) {
    parts.push(el('h3', { text: 'Messages (' + c.messages.length + ')' }),
      el('div', { id: 'messages' }, ...c.messages.map(m => el('div', { class: 'msg ' + (m.role === 'user' ? 'user' : 'assistant') },
        el('span', { class: 'who', text: m.role + (m.created_at ? ' · ' + m.created_at : '') }),
        document.createTextNode(m.content || '')))));
  } else {
    parts.push(el('p', { class: 'notice', text: c.missing || c.error }));
  }
  if (c.metadata && typeof c.metadata === 'object') {
    parts.push(el('h3', { text: 'Metadata' }), el('table', { class: 'fields' },
      ...Object.entries(c.metadata).map(([k, v]) => el('tr', null, el('th', { text: k }), el('td', { text: JSON.stringify(v) })))));
  }
  d.replaceChildren(...parts);
}

function renderSearch(d, s) {
  const offset = s.offset;
  d.replaceChildren(
    el('h2', { text: 'Search' }),
    el('p', { id: 'search-summary', class: 'muted', text: (s.items.length ? 'Results ' + (offset + 1) + '–' + (offset + s.items.length) : 'No results') +
      ' for “' + s.q + '”' + (s.more ? ' (more)' : '') + ' · ' + s.rows_scanned + ' rows read in ' + s.ms + ' ms' + (s.capped ? ' (stopped at the scan cap)' : '') }),
    el('div', { class: 'pager' },
      el('button', { type: 'button', disabled: offset <= 0 ? '' : null, text: '‹ Previous', onclick: () => go({ soffset: Math.max(0, offset - PAGE) || null }) }),
      el('button', { type: 'button', disabled: s.more ? null : '', text: 'Next ›', onclick: () => go({ soffset: offset + PAGE }) })),
    el('ul', { class: 'items', id: 'search-results' }, ...s.items.map(item)));
}

// ----------------------------------------------------------------------------------- events

function wire() {
  document.getElementById('search-form').addEventListener('submit', ev => {
    ev.preventDefault();
    go({ q: document.getElementById('q').value.trim(), soffset: null, chat: null, cluster: null, offset: null });
  });
  document.getElementById('home').addEventListener('click', ev => { ev.preventDefault(); go({ cluster: null, chat: null, q: null, offset: null, soffset: null }); });
  document.getElementById('f-lang').addEventListener('change', ev => go({ lang: ev.target.value, offset: null, soffset: null }));
  document.getElementById('f-frustration').addEventListener('change', ev => go({ frustration: ev.target.value, offset: null, soffset: null }));
  document.getElementById('f-concerning').addEventListener('change', ev => go({ concerning: ev.target.value, offset: null, soffset: null }));
  document.getElementById('f-meta-key').addEventListener('change', fillMetaValues);
  document.getElementById('f-meta-add').addEventListener('click', () => {
    const k = document.getElementById('f-meta-key').value, v = document.getElementById('f-meta-value').value;
    if (!k || !v) return;
    const m = k + ':' + v;
    const all = state.getAll('meta');
    if (!all.includes(m)) all.push(m);
    go({ meta: all, offset: null, soffset: null });
  });
  document.getElementById('f-clear').addEventListener('click', () => go({ lang: null, frustration: null, concerning: null, meta: [], offset: null, soffset: null }));
  document.getElementById('sort').addEventListener('change', ev => go({ sort: ev.target.value === 'size' ? null : ev.target.value }));
  document.getElementById('level').addEventListener('change', ev => go({ level: ev.target.value === 'leaves' ? null : ev.target.value }));
  window.addEventListener('hashchange', render);
}

wire();
render();
