// The incident console's one script (served by api/console/routes.ts as /console/console.js; no build
// step). It keeps the API token in sessionStorage (this tab only), sends it as a bearer header, never in
// a URL, and puts server-rendered (escaped) fragments into the page. Routes and provider health are
// polled from the public API and written with textContent only.
'use strict';
(function () {
  var KEY = 'lifeline.console.token';
  var POLL_MS = 3000;
  var view = document.getElementById('view');
  var content = document.getElementById('content');
  var login = document.getElementById('login');
  var live = document.getElementById('live');
  var logout = document.getElementById('logout');
  var timers = [];
  var chartUrl = null;

  function token() { return sessionStorage.getItem(KEY); }

  function request(path, opts, tok) {
    opts = opts || {};
    var headers = Object.assign({ accept: 'application/json' }, opts.headers || {}, { authorization: 'Bearer ' + (tok || token()) });
    return fetch(path, { method: opts.method || 'GET', headers: headers, body: opts.body, cache: 'no-store', credentials: 'omit' });
  }

  /** A fresh key per click: a retried request (network blip) changes nothing twice. */
  function idempotencyKey() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return 'console-' + Array.prototype.map.call(b, function (x) { return x.toString(16).padStart(2, '0'); }).join('');
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function showLogin(message) {
    timers.forEach(clearTimeout);
    timers = [];
    sessionStorage.removeItem(KEY);
    content.replaceChildren();
    live.hidden = true;
    logout.hidden = true;
    document.getElementById('who').textContent = '';
    login.hidden = false;
    document.getElementById('login-error').textContent = message || '';
    document.getElementById('token').focus();
  }

  function later(fn, ms) { timers.push(setTimeout(fn, ms)); }

  /** Fetches the page's fragment; 401/403 send the user back to the sign-in form. */
  function fetchFragment(tok) {
    return request(view.dataset.fragment, { headers: { accept: 'text/html' } }, tok).then(function (res) {
      if (res.status === 401) throw new Error('That token was not accepted.');
      if (res.status === 403) throw new Error('That token lacks the read scope.');
      return res.text();
    });
  }

  function parse(html) { return new DOMParser().parseFromString('<body>' + html + '</body>', 'text/html').body; }

  function render(html) {
    content.replaceChildren.apply(content, Array.prototype.slice.call(parse(html).childNodes));
    var who = content.querySelector('.signed-in');
    document.getElementById('who').textContent = who ? who.textContent : '';
    loadChart();
  }

  /** Replaces the parts marked data-refresh (a half-typed note and the filters stay as they are). */
  function refresh() {
    return fetchFragment().then(function (html) {
      var fresh = parse(html);
      fresh.querySelectorAll('[data-refresh][id]').forEach(function (n) {
        var old = document.getElementById(n.id);
        if (old && old.innerHTML !== n.innerHTML) old.replaceWith(n);
      });
      var a = fresh.querySelector('#incident');
      var b = document.getElementById('incident');
      if (a && b) b.dataset.status = a.dataset.status;
    });
  }

  function loadChart() {
    var img = document.getElementById('timeline-chart');
    if (!img) return Promise.resolve();
    return request(img.dataset.src, { headers: { accept: 'image/svg+xml' } }).then(function (res) {
      if (!res.ok) return;
      return res.blob().then(function (blob) {
        if (chartUrl) URL.revokeObjectURL(chartUrl);
        chartUrl = URL.createObjectURL(blob);
        img.src = chartUrl;
      });
    });
  }

  function pollView() {
    later(function () {
      refresh().then(function () {
        var inc = document.getElementById('incident');
        return inc && inc.dataset.status === 'open' ? loadChart() : undefined;
      }).catch(function (err) { if (/token/.test(err.message)) showLogin(err.message); }).finally(pollView);
    }, POLL_MS + 2000);
  }

  function weightsCell(weights) {
    var td = el('td');
    Object.keys(weights).forEach(function (p) {
      var row = el('div', null, 'weight');
      row.appendChild(el('span', p + ' ' + weights[p] + ' %'));
      var bar = el('span', null, 'bar');
      bar.style.width = Math.max(0, Math.min(100, Number(weights[p]) || 0)) + '%';
      row.appendChild(bar);
      td.appendChild(row);
    });
    return td;
  }

  function fill(tableId, rows) {
    var body = document.querySelector('#' + tableId + ' tbody');
    body.replaceChildren.apply(body, rows);
  }

  // The live tables: one conditional GET each (ETag → 304 while nothing changed), rows rebuilt on change.
  var etags = {};

  function pollTable(path, table, key, row) {
    return request(path, { headers: etags[path] ? { 'if-none-match': etags[path] } : {} }).then(function (res) {
      if (res.status === 304 || !res.ok) return;
      etags[path] = res.headers.get('etag');
      return res.json().then(function (body) { fill(table, body[key].map(row)); });
    });
  }

  function routeRow(r) {
    var tr = el('tr');
    tr.dataset.chain = r.id;
    tr.appendChild(el('th', r.id)).setAttribute('scope', 'row');
    tr.appendChild(el('td', r.mode));
    tr.appendChild(weightsCell(r.weights));
    tr.appendChild(el('td', r.version));
    return tr;
  }

  function providerRow(p) {
    var tr = el('tr');
    tr.dataset.provider = p.id;
    tr.appendChild(el('th', p.id)).setAttribute('scope', 'row');
    var health = p.healthy === null ? 'unknown' : p.healthy ? 'healthy' : 'unhealthy';
    tr.appendChild(el('td', health, 'health-' + health));
    tr.appendChild(el('td', p.breaker ? p.breaker.phase : '—'));
    tr.appendChild(el('td', p.incidentId || '—'));
    return tr;
  }

  function pollLive() {
    Promise.all([pollTable('/v1/routes', 'routes', 'routes', routeRow), pollTable('/v1/providers', 'providers', 'providers', providerRow)]).then(function () {
      document.getElementById('live-at').textContent = 'updated ' + new Date().toISOString().slice(11, 19) + ' UTC';
    }).catch(function () { /* the next round tries again */ }).finally(function () { later(pollLive, POLL_MS); });
  }

  function start(html) {
    login.hidden = true;
    logout.hidden = false;
    live.hidden = false;
    render(html);
    pollView();
    pollLive();
  }

  function say(text) { var s = document.getElementById('action-status'); if (s) s.textContent = text; }

  var DONE = { acknowledge: 'Acknowledged.', escalate: 'Escalated.', resolve: 'Resolved.', notes: 'Note added.' };

  /** An operator action against the public API, one Idempotency-Key per click. */
  function act(action, body, button) {
    var inc = document.getElementById('incident');
    if (!inc) return;
    if (button) button.disabled = true;
    say('Sending…');
    request('/v1/incidents/' + encodeURIComponent(inc.dataset.incident) + '/' + action, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey() },
      body: JSON.stringify(body),
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) {
        if (!res.ok) throw new Error(json.error || ('HTTP ' + res.status));
        return refresh().then(loadChart).then(function () { say(DONE[action]); });
      });
    }).catch(function (err) {
      say('Not done: ' + err.message);
    }).finally(function () { if (button && button.isConnected) button.disabled = false; });
  }

  content.addEventListener('click', function (e) {
    var b = e.target.closest('button[data-action]');
    if (b) act(b.dataset.action, {}, b);
  });

  content.addEventListener('submit', function (e) {
    if (e.target.id !== 'note-form') return;
    e.preventDefault();
    var f = e.target;
    var text = f.elements.text.value.trim();
    if (!text) return;
    act('notes', { text: text, public: f.elements.public.checked }, f.querySelector('button'));
    f.reset();
  });

  content.addEventListener('toggle', function (e) {
    var d = e.target;
    if (d.id !== 'report-details' || !d.open) return;
    var pre = document.getElementById('report-text');
    pre.textContent = 'Loading…';
    request(d.dataset.src, { headers: { accept: 'text/markdown' } }).then(function (res) {
      return res.text().then(function (t) { pre.textContent = res.ok ? t : 'The report is unavailable (HTTP ' + res.status + ').'; });
    });
  }, true);

  login.addEventListener('submit', function (e) {
    e.preventDefault();
    var tok = document.getElementById('token').value.trim();
    fetchFragment(tok).then(function (html) {
      sessionStorage.setItem(KEY, tok);
      document.getElementById('token').value = '';
      start(html);
    }).catch(function (err) { showLogin(err.message); });
  });

  logout.addEventListener('click', function () { showLogin('Signed out.'); });

  if (token()) fetchFragment().then(start).catch(function (err) { showLogin(err.message); });
  else showLogin();
})();
