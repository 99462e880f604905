// HR Bridge operator console: reads /console/api/* of this port and draws the page. Every value is put in as text,
// never as HTML, so an event id or an error message cannot add anything to the page.
'use strict';

const STATES = ['PENDING', 'PROCESSING', 'SUCCEEDED', 'UNHANDLED', 'FAILED', 'DEAD'];
const REFRESH_MS = 10000;

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === 'onclick') {
      node.addEventListener('click', value);
    } else if (value !== null && value !== undefined) {
      node.setAttribute(name, value);
    }
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : text(child));
  }
  return node;
}

function text(value) {
  return document.createTextNode(value === null || value === undefined ? '' : String(value));
}

function when(iso) {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}

function fill(tbody, rows, empty, columns) {
  tbody.replaceChildren(...(rows.length ? rows : [el('tr', {class: 'empty'}, el('td', {colspan: columns}, empty))]));
}

async function api(path, options) {
  const answer = await fetch(path, Object.assign({credentials: 'same-origin', cache: 'no-store'}, options || {}));
  let body = null;
  try {
    body = await answer.json();
  } catch (notJson) {
    body = {error: 'unreadable', message: 'HTTP ' + answer.status};
  }
  return {status: answer.status, body};
}

function showProblem(message) {
  const problem = document.getElementById('problem');
  problem.hidden = !message;
  problem.textContent = message || '';
}

async function load() {
  const {status, body} = await api('/console/api/overview');
  if (status !== 200) {
    showProblem('The console could not read HR Bridge (' + status + ' ' + (body.error || '') + '): ' + (body.message || ''));
    return;
  }
  showProblem(null);
  drawInstance(body.instance, body.at);
  drawInbox(body.inbox);
  drawFailures(body.failures);
  drawDeadLetters(body.dead_letters);
  drawFeishu(body.feishu);
  drawQrCodes(body.qr_codes);
  const paused = await api('/console/api/flows/paused');
  drawPausedFlows(paused.status === 200 ? paused.body : {available: false, items: []});
}

function drawInstance(instance, at) {
  document.getElementById('instance').textContent =
      instance.name + ' · ' + instance.mode + ' mode · Camel ' + instance.camel + ' · up ' + instance.uptime;
  document.getElementById('updated').textContent = 'as of ' + when(at);
}

function drawInbox(inbox) {
  document.getElementById('inbox-states').replaceChildren(...STATES.map(state =>
      el('div', {class: 'tile state-' + state, 'data-state': state},
          el('span', {class: 'count'}, inbox.by_state[state] || 0), el('span', {class: 'label'}, state))));
  const rows = inbox.by_flow.map(flow => el('tr', {'data-flow': flow.flow},
      el('td', {}, flow.flow), ...STATES.map(state => el('td', {class: 'number'}, flow.by_state[state] || ''))));
  fill(document.querySelector('#inbox-flows tbody'), rows, 'nothing stored yet', 7);
  const notes = [];
  if (inbox.oldest_open_at) notes.push('oldest waiting since ' + when(inbox.oldest_open_at));
  if (inbox.journal_backlog) notes.push(inbox.journal_backlog + ' acknowledged event(s) on their way from the journal');
  if (inbox.stuck) notes.push('STUCK: ' + inbox.stuck);
  document.getElementById('inbox-note').textContent = notes.join(' · ');
}

function drawFailures(failures) {
  const rows = failures.map(message => el('tr', {'data-message': message.id, class: 'state-' + message.state},
      el('td', {}, when(message.updated_at)),
      el('td', {}, message.state),
      el('td', {}, message.flow),
      el('td', {}, message.event_type || message.kind, el('br'), el('code', {}, message.trace_id)),
      el('td', {class: 'number'}, message.attempts),
      el('td', {class: 'error'}, [message.outcome, message.last_error].filter(Boolean).join(': ')),
      el('td', {}, el('button', {type: 'button', class: 'story-button', onclick: () => openStory(message.id)}, 'story'))));
  fill(document.querySelector('#failures tbody'), rows, 'no failures', 7);
}

function drawDeadLetters(letters) {
  const rows = letters.map(letter => el('tr', {'data-dead-letter': letter.id},
      el('td', {}, when(letter.created_at)),
      el('td', {}, letter.flow, letter.kind === 'ingest' ? ' (ingest)' : ''),
      el('td', {}, el('code', {}, letter.trace_id)),
      el('td', {class: 'number'}, letter.attempts),
      el('td', {class: 'error'}, letter.error),
      el('td', {},
          letter.message_id ? el('button', {type: 'button', class: 'story-button', onclick: () => openStory(letter.message_id)}, 'story') : '',
          letter.replayable ? el('button', {type: 'button', class: 'replay-button', onclick: event => replay(letter.id, event.target)}, 'replay') : '')));
  fill(document.querySelector('#dead-letters tbody'), rows, 'no dead letters', 6);
}

async function replay(id, button) {
  button.disabled = true;
  const result = document.getElementById('replay-result');
  // the header and the JSON content type are what a page of another site cannot send here
  const {status, body} = await api('/console/api/dead-letters/' + encodeURIComponent(id) + '/replay', {
    method: 'POST', headers: {'Content-Type': 'application/json', 'X-HRB-Console': 'replay'}, body: '{}'});
  result.className = status === 202 ? 'ok' : 'problem';
  result.textContent = status === 202
      ? 'Dead letter ' + id + ' replayed: message ' + body.message_id + ' runs again.'
      : 'Replay of ' + id + ' refused (' + status + ' ' + body.error + '): ' + body.message;
  await load();
}

function drawPausedFlows(paused) {
  const body = document.querySelector('#paused-flows .body');
  if (!paused.available) {
    body.replaceChildren(el('p', {class: 'muted'}, 'The paused flows could not be read.'));
    return;
  }
  // pausing and resuming is the API's (POST /api/v1/flows/{flow}/pause, /resume) and the Flows MBean's
  body.replaceChildren(paused.items.length
      ? el('ul', {}, ...paused.items.map(flow => el('li', {'data-flow': flow.flow}, flow.flow + ' (paused: its messages wait PENDING)')))
      : el('p', {class: 'muted'}, 'no flow is paused'));
}

function drawFeishu(feishu) {
  const now = Date.now();
  fill(document.querySelector('#tokens tbody'), feishu.tokens.map(token => {
    const live = token.expires_at && Date.parse(token.expires_at) > now;
    const state = token.failing_in_a_row > 0 && !live ? 'FAILING' : live ? 'VALID' : 'NONE';
    return el('tr', {class: 'token-' + state},
        el('td', {}, token.app), el('td', {}, token.tenant || '—'), el('td', {}, token.kind),
        el('td', {}, when(token.expires_at)), el('td', {class: 'number'}, token.refreshes),
        el('td', {class: 'number'}, token.failures), el('td', {class: 'token-state'}, state));
  }), 'no token fetched yet', 7);
  fill(document.querySelector('#long-connections tbody'), feishu.long_connections.map(connection =>
      el('tr', {class: 'connection-' + connection.state},
          el('td', {}, connection.app), el('td', {class: 'connection-state'}, connection.state),
          el('td', {}, when(connection.connected_since)), el('td', {}, when(connection.last_pong)),
          el('td', {class: 'number'}, connection.events_received), el('td', {class: 'number'}, connection.reconnects),
          el('td', {class: 'error'}, connection.refusal || connection.last_disconnect_reason))),
      'events come by webhook only (feishu.event-mode)', 7);
  fill(document.querySelector('#app-tickets tbody'), feishu.app_tickets.map(ticket =>
      el('tr', {}, el('td', {}, ticket.app), el('td', {}, when(ticket.received_at)),
          ticket.problem ? el('td', {class: 'error'}, ticket.problem) : el('td', {class: 'ok'}, 'usable'))),
      'no store app configured', 3);
}

function drawQrCodes(qr) {
  const counts = qr.counts || {};
  document.getElementById('qr-counts').replaceChildren(...Object.keys(counts).sort().map(status =>
      el('div', {class: 'tile'}, el('span', {class: 'count'}, counts[status]), el('span', {class: 'label'}, status))));
  fill(document.querySelector('#qr-codes tbody'), (qr.awaiting_rotation || []).map(code =>
      el('tr', {}, el('td', {}, el('code', {}, code.id)), el('td', {}, when(code.created_at)), el('td', {}, code.url))),
      'none: every inactive code has its replacement', 3);
}

async function openStory(id) {
  const panel = document.getElementById('story');
  panel.hidden = false;
  document.getElementById('story-title').textContent = 'Story of ' + id;
  const {status, body} = await api('/console/api/messages/' + encodeURIComponent(id));
  const fields = document.getElementById('story-fields');
  if (status !== 200) {
    fields.replaceChildren(el('dt', {}, 'error'), el('dd', {}, status + ' ' + body.error + ': ' + body.message));
    return;
  }
  const shown = ['state', 'kind', 'flow', 'event_type', 'trace_id', 'attempts', 'outcome', 'http_status', 'platform_code',
    'platform_msg', 'last_error', 'next_attempt_at', 'feishu_app', 'tenant_key', 'created_at', 'updated_at'];
  fields.replaceChildren(...shown.filter(name => body[name] !== null && body[name] !== undefined && body[name] !== '')
      .flatMap(name => [el('dt', {}, name), el('dd', {'data-field': name}, name.endsWith('_at') ? when(body[name]) : body[name])]));
  const letters = body.dead_letters || [];
  document.getElementById('story-dead-letters').replaceChildren(...(letters.length ? letters.map(letter =>
      el('li', {}, when(letter.created_at) + ' ' + letter.state + ' after ' + letter.attempts + ' attempt(s): ' + (letter.error || '')))
      : [el('li', {class: 'muted'}, 'none')]));
  // each attempt as GET /api/v1/events/{id} tells it
  const history = document.getElementById('story-history');
  history.replaceChildren(Array.isArray(body.history) && body.history.length
      ? el('ol', {}, ...body.history.map(attempt => el('li', {'data-attempt': attempt.attempt ?? attempt.seq}, describeAttempt(attempt))))
      : el('p', {class: 'muted'}, 'No attempt recorded yet.'));
}

function describeAttempt(attempt) {
  const parts = [attempt.started_at ? when(attempt.started_at) : null, 'attempt ' + (attempt.attempt ?? attempt.seq),
    attempt.route || attempt.flow, attempt.result];
  if (attempt.duration_ms !== undefined) parts.push(attempt.duration_ms + ' ms');
  if (attempt.outcome) parts.push('outcome ' + attempt.outcome);
  if (attempt.http_status !== undefined) parts.push('HTTP ' + attempt.http_status);
  if (attempt.platform_code !== undefined) parts.push('code ' + attempt.platform_code + (attempt.platform_msg ? ' (' + attempt.platform_msg + ')' : ''));
  if (attempt.error) parts.push(attempt.error);
  if (attempt.next_attempt_at) parts.push('next try ' + when(attempt.next_attempt_at));
  return parts.filter(part => part !== undefined && part !== null).join(' · ');
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('refresh').addEventListener('click', load);
  document.getElementById('story-close').addEventListener('click', () => { document.getElementById('story').hidden = true; });
  load();
  setInterval(load, REFRESH_MS);
});
