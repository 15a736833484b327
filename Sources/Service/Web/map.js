// The map page: draws the server's SVG map of the selected départements, the candidate table
// beside it, and a card per commune. Every word comes from /api/v1/vocabulary (one table, French
// first); every request goes to this server only.
'use strict';

(() => {
  const params = new URLSearchParams(location.search);
  const state = {
    lang: params.get('lang') === 'en' ? 'en' : 'fr',
    deps: params.getAll('dep').filter(Boolean),
    words: null,
    alerts: [],
    communes: [],
    byCode: new Map(),
    categories: [],
    fieldStatuses: [],
    sort: { key: 'rank', dir: 1 },
    selected: null,
    // Only the latest card request may fill the card (an earlier, slower one would overwrite it).
    cardRequest: 0,
  };
  const $ = (selector) => document.querySelector(selector);

  const t = (key) => state.words?.[state.lang]?.[key] ?? key.split('.').pop();
  const num = (value, decimals = 0) => new Intl.NumberFormat(state.lang === 'fr' ? 'fr-FR' : 'en-GB',
    { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);
  const el = (tag, attributes = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children) node.append(child);
    return node;
  };

  async function getJSON(url) {
    const response = await fetch(url);
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  }

  function selectionQuery(extra = {}) {
    const q = new URLSearchParams();
    for (const dep of state.deps) q.append('dep', dep);
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return q.toString();
  }

  function say(text) { $('#message').textContent = text || ''; }

  function applyWords() {
    document.documentElement.lang = state.lang;
    for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
    document.title = `${t('ui.title')} — ruralmap`;
  }

  // ----- Département picker -----

  async function showPicker() {
    const list = await getJSON('/api/v1/departements');
    if (list.length === 0) { say(t('ui.no_data')); return; }
    const fieldset = $('#picker-list');
    fieldset.querySelectorAll('label').forEach((n) => n.remove());
    for (const d of list) {
      fieldset.append(el('label', {}, el('input', { type: 'checkbox', name: 'dep', value: d.code }),
        ` ${d.code} — ${num(d.communes)} ${t('ui.communes')}, ${num(d.candidates)} ${t('ui.candidates_count')}`));
    }
    $('#picker').hidden = false;
  }

  $('#picker-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const deps = [...document.querySelectorAll('#picker-list input:checked')].map((i) => i.value);
    if (deps.length === 0) return;
    const q = new URLSearchParams();
    deps.forEach((d) => q.append('dep', d));
    if (state.lang !== 'fr') q.set('lang', state.lang);
    location.search = q.toString();
  });

  // ----- Map -----

  async function loadMap() {
    const response = await fetch(`/api/v1/map.svg?${selectionQuery({ lang: state.lang })}`);
    const text = await response.text();
    if (!response.ok) throw new Error(JSON.parse(text).error);
    const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
    const map = $('#map');
    map.replaceChildren(document.importNode(svg, true));
    for (const shape of map.querySelectorAll('[data-code]')) {
      shape.addEventListener('mouseenter', (e) => showTooltip(shape, e));
      shape.addEventListener('mousemove', (e) => moveTooltip(e.clientX, e.clientY));
      shape.addEventListener('mouseleave', hideTooltip);
      shape.addEventListener('focus', () => { const r = shape.getBoundingClientRect(); showTooltip(shape); moveTooltip(r.right, r.top); });
      shape.addEventListener('blur', hideTooltip);
      shape.addEventListener('click', () => select(shape.dataset.code));
      shape.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(shape.dataset.code); }
      });
    }
    markAlerts();
    if (state.selected) highlight(state.selected);
  }

  function showTooltip(shape, event) {
    const c = state.byCode.get(shape.dataset.code);
    if (!c) return;
    const tip = $('#tooltip');
    tip.textContent = c.population == null ? c.name : `${c.name} — ${num(c.population)} ${t('ui.inhabitants')}`;
    tip.hidden = false;
    if (event) moveTooltip(event.clientX, event.clientY);
  }
  function moveTooltip(x, y) { const tip = $('#tooltip'); tip.style.left = `${x + 12}px`; tip.style.top = `${y + 12}px`; }
  function hideTooltip() { $('#tooltip').hidden = true; }

  function highlight(code) {
    const svg = $('#map svg');
    if (!svg) return;
    svg.querySelectorAll('.highlight').forEach((n) => n.remove());
    const shape = svg.querySelector(`[data-code="${CSS.escape(code)}"]`);
    if (!shape) return;
    // An outline drawn over every neighbour; not a commune shape itself (no data-code).
    const outline = shape.cloneNode(false);
    outline.removeAttribute('data-code');
    outline.removeAttribute('tabindex');
    outline.removeAttribute('role');
    outline.removeAttribute('aria-label');
    outline.setAttribute('aria-hidden', 'true');
    outline.setAttribute('class', 'highlight');
    svg.append(outline);
  }

  function select(code) {
    state.selected = code;
    highlight(code);
    for (const row of document.querySelectorAll('#candidates tbody tr')) {
      row.setAttribute('aria-selected', row.dataset.code === code ? 'true' : 'false');
    }
    openCard(code);
  }

  // ----- Candidate table -----

  function fillFilters() {
    const option = (value, label, selected) => el('option', { value, selected }, label);
    const keep = (id) => $(id).value;
    const dep = keep('#f-dep'), cat = keep('#f-cat'), status = keep('#f-status'), perDep = keep('#f-perdep');
    $('#f-dep').replaceChildren(option('', t('ui.all')), ...state.deps.map((d) => option(d, d, d === dep)));
    $('#f-cat').replaceChildren(option('', t('ui.all')), ...state.categories.map((c) => option(c, t(`category.${c}`), c === cat)));
    $('#f-status').replaceChildren(option('', t('ui.all')), ...state.fieldStatuses.map((s) => option(s, t(`field.${s}`), s === status)));
    $('#f-perdep').replaceChildren(option('', t('ui.all')),
      ...[1, 3, 5, 10, 20].map((n) => option(String(n), t('ui.per_dep_best').replace('%1', num(n)), String(n) === perDep)));
  }

  function renderTable() {
    const dep = $('#f-dep').value, cat = $('#f-cat').value, status = $('#f-status').value, perDep = Number($('#f-perdep').value);
    const { key, dir } = state.sort;
    // The N best of each département, among the candidates the other filters keep.
    const seen = new Map();
    const rows = state.communes
      .filter((c) => c.rank != null)
      .filter((c) => (!dep || c.dep === dep) && (!cat || c.missing.includes(cat)) && (!status || c.field_status === status))
      .sort((a, b) => a.rank - b.rank)
      .filter((c) => { const n = (seen.get(c.dep) ?? 0) + 1; seen.set(c.dep, n); return !perDep || n <= perDep; })
      .sort((a, b) => {
        const x = a[key] ?? '', y = b[key] ?? '';
        const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), state.lang);
        return (order || a.rank - b.rank) * dir;
      });
    const body = $('#candidates tbody');
    body.replaceChildren(...rows.map((c) => {
      const row = el('tr', { tabindex: '0', 'data-code': c.code, 'aria-selected': c.code === state.selected ? 'true' : 'false' },
        el('td', { class: 'num' }, num(c.rank)),
        el('th', { scope: 'row' }, c.name),
        el('td', {}, c.dep ?? ''),
        el('td', { class: 'num' }, c.population == null ? '' : num(c.population)),
        el('td', { class: 'num' }, num(c.score, 2)),
        el('td', {}, t(c.cafe_known ? 'cafe.known' : 'cafe.unknown')),
        el('td', {}, t(`field.${c.field_status}`)));
      row.addEventListener('click', () => select(c.code));
      row.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(c.code); } });
      return row;
    }));
    for (const th of document.querySelectorAll('#candidates th[data-sort]')) {
      if (th.dataset.sort === key) th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
  }

  for (const th of document.querySelectorAll('#candidates th[data-sort]')) {
    th.querySelector('button').addEventListener('click', () => {
      const key = th.dataset.sort;
      state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : 1 };
      renderTable();
    });
  }
  for (const id of ['#f-dep', '#f-cat', '#f-status', '#f-perdep']) $(id).addEventListener('change', renderTable);

  // ----- Commune card -----

  function table(headers, rows, numeric = []) {
    return el('table', {},
      el('thead', {}, el('tr', {}, ...headers.map((h, i) => el('th', { scope: 'col', class: numeric.includes(i) ? 'num' : null }, h)))),
      el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((cell, i) => el('td', { class: numeric.includes(i) ? 'num' : null }, cell))))));
  }

  async function openCard(code) {
    const card = $('#card');
    const request = ++state.cardRequest;
    let c, sites;
    try {
      [c, sites] = await Promise.all([getJSON(`/api/v1/communes/${encodeURIComponent(code)}`),
        getJSON(`/api/v1/communes/${encodeURIComponent(code)}/sites`)]);
    } catch (error) { say(error.message); return; }
    if (request !== state.cardRequest) return;
    const parts = [
      el('button', { type: 'button', class: 'close', 'aria-label': t('ui.close') }, '×'),
      el('h2', { id: 'card-title' }, `${c.name} (${c.code})`),
      el('p', {}, [
        c.dep ? `${t('ui.departement')} ${c.dep}` : '',
        c.population == null ? '' : `${num(c.population)} ${t('ui.inhabitants')} (${t('ui.population_year').replace('%1', c.population_year)})`,
      ].filter(Boolean).join(' · ')),
    ];

    const columns = [...new Set(c.services.map((s) => `${s.vintage} ${s.source}`))].sort();
    const categories = [...new Set(c.services.map((s) => s.category))];
    if (categories.length) {
      const counts = new Map(c.services.map((s) => [`${s.category}|${s.vintage} ${s.source}`, s.count]));
      parts.push(el('h3', {}, t('ui.card_services')), table([t('ui.category'), ...columns],
        categories.map((cat) => [t(`category.${cat}`), ...columns.map((col) => { const n = counts.get(`${cat}|${col}`); return n == null ? '' : num(n); })]),
        columns.map((_, i) => i + 1)));
    }
    if (c.flags.length) {
      const nearest = new Map(c.access.map((a) => [a.category, a.nearest_km]));
      parts.push(el('h3', {}, `${t('ui.card_flags')} · ${t('ui.card_nearest')}`), table(
        [t('ui.category'), t('ui.change'), `${t('ui.card_nearest')} (${t('ui.km')})`],
        c.flags.map((f) => [t(`category.${f.category}`), `${t(`flag.${f.flag}`)}${f.from && f.to ? ` (${f.from}→${f.to})` : ''}`,
          nearest.get(f.category) == null ? '' : num(nearest.get(f.category), 1)]), [2]));
    }
    const k = c.candidate;
    if (!c.cafe_known) parts.push(el('p', { class: 'cafe-unknown' }, t('cafe.unknown_note')));
    if (k && k.listed) {
      parts.push(el('h3', {}, `${t('ui.card_breakdown')} — ${t('ui.rank')} ${num(k.rank)}, ${t('ui.score')} ${num(k.score, 2)}`),
        table([t('ui.term'), t('ui.value'), t('ui.detail')], k.breakdown.map((b) => [t(`term.${b.term}`), num(b.value, 2), detail(b)]), [1]));
      parts.push(fieldForm(c.code, k));
    } else {
      parts.push(el('p', {}, t('ui.not_candidate')));
    }
    parts.push(...sitesSection(c.code, sites));
    card.replaceChildren(...parts);
    card.querySelector('.close').addEventListener('click', () => { card.hidden = true; });
    card.hidden = false;
    card.focus();
  }

  // A score term's reason in the page's language, from its language-neutral facts.
  function detail(term) {
    const f = term.facts;
    if (!f) return term.detail;
    const fill = (key, ...values) => values.reduce((text, v, i) => text.replace(`%${i + 1}`, v), t(key));
    const category = (code) => t(`category.${code}`);
    switch (term.term) {
      case 'population': return fill('detail.population', num(f.population), num(f.viability, 2), num(f.band_low), num(f.band_high));
      case 'vitality': return f.present?.length ? fill('detail.vitality', f.present.map(category).join(', '), num(f.present.length), num(f.known))
        : t('detail.vitality.none');
      case 'trend': return f.change_percent == null ? t('detail.trend.none')
        : fill('detail.trend', `${f.change_percent >= 0 ? '+' : '−'}${num(Math.abs(f.change_percent), 1)}`, f.from_year, f.to_year);
      case 'lost': return f.losses?.length ? fill('detail.lost', f.losses.map((l) => `${category(l.category)} (${l.from ?? '?'}→${l.to ?? '?'})`).join(', '))
        : t('detail.lost.none');
      case 'distance': return f.distances?.length ? f.distances.map((d) => `${category(d.category)} ${num(d.km, 1)} ${t('ui.km')}`).join(', ')
        : t('detail.distance.none');
      case 'catchment': return f.cafe_known ? fill('detail.catchment', num(f.people), num(f.radius_km)) : t('detail.catchment.unknown');
      default: return term.detail;
    }
  }

  // The commune's places (open and closed) and the team's premises, with the team's follow-up;
  // two forms: annotate a place, add premises.
  function sitesSection(code, sites) {
    const closing = (s) => {
      if (s.last_meeting_place) return s.closed ? t('site.last_cafe').replace('%1', s.closed.slice(0, 4)) : t('site.last_cafe_undated');
      return s.closed ?? (s.open === false ? t('site.closed') : '');
    };
    const what = (s) => (s.category ? t(`category.${s.category}`) : t(`kind.${s.kind}`));
    const followUp = (s) => [s.status ? t(`site_status.${s.status}`) : '', s.licence_iv === 'unknown' ? '' : `${t('ui.licence_iv')} : ${t(`licence.${s.licence_iv}`)}`, s.note ?? '']
      .filter(Boolean).join(' · ');
    const parts = [el('h3', {}, t('ui.card_sites'))];
    if (!sites.length) parts.push(el('p', {}, t('ui.no_sites')));
    else {
      const list = table([t('ui.category'), t('ui.site_label'), t('ui.address'), t('ui.opened'), t('ui.closed'), t('ui.source'), t('ui.site_status')],
        sites.map((s) => [what(s), s.label ?? '—', s.address ?? '', s.opened ?? '', closing(s), s.source, followUp(s)]));
      list.classList.add('sites');
      list.querySelectorAll('tbody tr').forEach((row, i) => { row.dataset.site = sites[i].id; });
      parts.push(list);
    }
    // The token is the one the candidate form uses (kept for the session).
    const tokenInput = el('input', { type: 'password', name: 'site_token', autocomplete: 'off' });
    tokenInput.value = sessionStorage.getItem('ruralmap-token') ?? '';
    tokenInput.addEventListener('change', () => sessionStorage.setItem('ruralmap-token', tokenInput.value));
    parts.push(el('label', { class: 'token' }, `${t('ui.token')} `, tokenInput));
    const token = () => tokenInput.value;
    const options = (prefix, values, selected) => values.map((v) => el('option', { value: v, selected: v === selected }, t(`${prefix}.${v}`)));
    const send = async (method, url, body, result) => {
      const response = await fetch(url, { method, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token()}` }, body: JSON.stringify(body) });
      const answer = await response.json();
      if (!response.ok) { result.textContent = `${t('ui.save_failed')} : ${answer.error}`; return; }
      result.textContent = t('ui.saved');
      await openCard(code);
    };
    if (sites.length) {
      const site = el('select', { name: 'site' }, ...sites.map((s) => el('option', { value: s.id }, `${what(s)} — ${s.label ?? s.id}`)));
      const status = el('select', { name: 'site_status' }, el('option', { value: '' }, '—'), ...options('site_status', ['proposed', 'visited', 'retained', 'rejected']));
      const licence = el('select', { name: 'licence_iv' }, ...options('licence', ['unknown', 'yes', 'no'], 'unknown'));
      const note = el('textarea', { name: 'site_note' });
      const result = el('span', { role: 'status' });
      // The form shows the chosen site's follow-up, so that saving one field keeps the others.
      const fill = () => {
        const chosen = sites.find((s) => s.id === site.value);
        status.value = chosen?.status ?? '';
        licence.value = chosen?.licence_iv ?? 'unknown';
        note.value = chosen?.note ?? '';
      };
      site.addEventListener('change', fill);
      fill();
      const form = el('form', { class: 'field', id: 'site-annotation' },
        el('label', {}, `${t('ui.site_label')} `, site), el('label', {}, `${t('ui.site_status')} `, status),
        el('label', {}, `${t('ui.licence_iv')} `, licence), el('label', {}, `${t('ui.note')} `, note),
        el('button', { type: 'submit' }, t('ui.save')), ' ', result);
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        const body = { licence_iv: licence.value };
        if (status.value) body.status = status.value;
        if (note.value) body.note = note.value;
        send('PUT', `/api/v1/sites/${encodeURIComponent(site.value)}`, body, result);
      });
      parts.push(form);
    }
    const label = el('input', { name: 'premises_label', required: true });
    const address = el('input', { name: 'premises_address' });
    const kind = el('select', { name: 'premises_kind' }, ...options('kind', ['former-cafe', 'communal', 'private', 'other'], 'other'));
    const licence = el('select', { name: 'premises_licence' }, ...options('licence', ['unknown', 'yes', 'no'], 'unknown'));
    const note = el('textarea', { name: 'premises_note' });
    const result = el('span', { role: 'status' });
    const add = el('form', { class: 'field', id: 'premises-add' },
      el('h3', {}, t('site.team')),
      el('label', {}, `${t('ui.site_label')} `, label), el('label', {}, `${t('ui.address')} `, address),
      el('label', {}, `${t('ui.category')} `, kind), el('label', {}, `${t('ui.licence_iv')} `, licence),
      el('label', {}, `${t('ui.note')} `, note), el('button', { type: 'submit' }, t('ui.save')), ' ', result);
    add.addEventListener('submit', (event) => {
      event.preventDefault();
      const body = { label: label.value, kind: kind.value, licence_iv: licence.value };
      if (address.value) body.address = address.value;
      if (note.value) body.note = note.value;
      send('POST', `/api/v1/communes/${encodeURIComponent(code)}/sites`, body, result);
    });
    parts.push(add);
    return parts;
  }

  function fieldForm(code, candidate) {
    const status = el('select', { name: 'status' }, ...state.fieldStatuses.map((s) =>
      el('option', { value: s, selected: s === candidate.status }, t(`field.${s}`))));
    const note = el('textarea', { name: 'note' });
    note.value = candidate.note ?? '';
    const token = el('input', { type: 'password', name: 'token', autocomplete: 'off' });
    token.value = sessionStorage.getItem('ruralmap-token') ?? '';
    const result = el('span', { role: 'status' });
    const form = el('form', { class: 'field' },
      el('h3', {}, t('ui.card_field')),
      el('label', {}, `${t('ui.field_status')} `, status),
      el('label', {}, `${t('ui.note')} `, note),
      el('label', {}, `${t('ui.token')} `, token),
      el('button', { type: 'submit' }, t('ui.save')), ' ', result);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      sessionStorage.setItem('ruralmap-token', token.value);
      const response = await fetch(`/api/v1/candidates/${encodeURIComponent(code)}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.value}` },
        body: JSON.stringify({ status: status.value, note: note.value }),
      });
      const body = await response.json();
      if (!response.ok) { result.textContent = `${t('ui.save_failed')} : ${body.error}`; return; }
      result.textContent = t('ui.saved');
      const row = state.byCode.get(code);
      if (row) { row.field_status = body.status; row.note = body.note; renderTable(); }
    });
    return form;
  }

  // ----- Start -----

  async function showMap() {
    const data = await getJSON(`/api/v1/map?${selectionQuery()}`);
    state.communes = data.communes;
    state.byCode = new Map(data.communes.map((c) => [c.code, c]));
    state.categories = data.categories;
    state.fieldStatuses = data.field_statuses;
    $('#dl-csv').href = `/api/v1/candidates?${selectionQuery({ format: 'csv', limit: 100000 })}`;
    $('#dl-geojson').href = `/api/v1/candidates?${selectionQuery({ format: 'geojson', limit: 100000 })}`;
    $('#change-deps').hidden = false;
    $('#mapview').hidden = false;
    fillFilters();
    renderTable();
    // The alerts are a side panel: the map shows without them.
    state.alerts = await getJSON(`/api/v1/alerts?${selectionQuery({ limit: 20 })}`).catch((error) => { say(error.message); return []; });
    $('#alerts-feed').href = `/api/v1/alerts.atom?${selectionQuery()}`;
    renderAlerts();
    await loadMap();
  }

  // The latest alerts of the selection: each opens its commune's card, whose shape is marked.
  function renderAlerts() {
    const items = state.alerts.map((a) => {
      const button = el('button', { type: 'button' },
        `${a.detected_at.slice(0, 10)} — ${a.name} : ${t(`change.${a.change}`)} · ${t(`category.${a.category}`)}`);
      button.addEventListener('click', () => select(a.code));
      return el('li', { 'data-code': a.code, 'data-change': a.change }, button);
    });
    $('#alerts').replaceChildren(...(items.length ? items : [el('li', {}, t('ui.no_alerts'))]));
  }

  function markAlerts() {
    for (const a of [...state.alerts].reverse()) {
      const shape = $('#map').querySelector(`[data-code="${CSS.escape(a.code)}"]`);
      if (shape) shape.dataset.alert = a.change;
    }
  }

  $('#change-deps').addEventListener('click', () => { location.search = state.lang === 'fr' ? '' : '?lang=en'; });
  $('#lang').addEventListener('click', async () => {
    state.lang = state.lang === 'fr' ? 'en' : 'fr';
    const q = new URLSearchParams(location.search);
    if (state.lang === 'fr') q.delete('lang'); else q.set('lang', state.lang);
    history.replaceState(null, '', `?${q}`);
    applyWords();
    if (state.deps.length === 0) { await showPicker(); return; }
    fillFilters();
    renderTable();
    renderAlerts();
    await loadMap();
    if (state.selected && !$('#card').hidden) await openCard(state.selected);
  });

  (async () => {
    try {
      state.words = await getJSON('/api/v1/vocabulary');
      applyWords();
      if (state.deps.length === 0) await showPicker(); else await showMap();
      // `#commune=CODE` (the feed's links) opens that commune's card.
      const linked = new URLSearchParams(location.hash.slice(1)).get('commune');
      if (linked && state.deps.length) await select(linked);
      document.body.dataset.ready = 'true';
    } catch (error) {
      say(error.message);
      document.body.dataset.ready = 'error';
    }
  })();
})();
