// The Atelier web app: proposals (read from the API, voted on through the wallet), the
// stewards' payouts, the top works, and the provenance registry. Plain DOM, no framework: each view is a function
// that renders into <main> from the API's JSON.

import { get, config, waitForEvent, ApiError } from './api.js';

// The wallet and chain code (@polkadot/api, most of the page's weight) loads only when it is
// needed: reading proposals, funds and works never fetches it.
let chainModule = null;
const walletSide = () => {
  chainModule = chainModule || import('./chain.js');
  return chainModule;
};

const $ = (sel) => document.querySelector(sel);
const state = { accounts: [], account: null, config: null };

// ---- small helpers ---------------------------------------------------------------------

function esc(v) {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

function short(addr) {
  return addr ? `${addr.slice(0, 8)}…${addr.slice(-6)}` : '';
}

/** Token amounts: the API gives contract units (18 decimals) as decimal strings. */
function units(s) {
  if (s === null || s === undefined) return '–';
  const v = BigInt(s);
  const whole = v / 10n ** 18n;
  const frac = (v % 10n ** 18n).toString().padStart(18, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}

/** Voting weight: a plain integer (decimal string). */
function weight(s) {
  if (s === null || s === undefined) return '–';
  return BigInt(s).toLocaleString('en');
}

function notice(text, kind = '') {
  const n = $('#notice');
  n.textContent = text;
  n.className = kind;
  n.hidden = !text;
}

function onHead(head) {
  $('#head').textContent = `indexed to block ${head.split(':')[0]}`;
}

const api = (path) => get(path, onHead);

function words(name) {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** What a contract's refusal means to the person who clicked. */
const REFUSALS = {
  VotingNotOpen: 'Voting on this proposal is not open: it has not started yet or has closed.',
  AlreadyVoted: 'This account has already voted on this proposal.',
  NoVotingWeight: 'This account had no voting weight at the proposal’s snapshot, so it cannot vote on it.',
  ReasonTooLong: 'The reason is too long for the governor; shorten it.',
  NotSteward: 'Only a steward of this fund can pay out its spends, and this account is not one.',
  Expired: 'This spend has expired: its payout window has closed.',
  OutflowCapReached: 'Paying this now would exceed the fund’s outflow cap over its rolling window; it can be paid once earlier payouts leave the window.',
  NotYetValid: 'This spend’s payout window has not opened yet.',
  TrancheNotDue: 'The next tranche of this spend is not due yet.',
  AlreadyPaid: 'This spend has been paid in full.',
  Voided: 'This spend was voided and can no longer be paid.',
  InsufficientFunds: 'The fund does not hold enough to pay this.',
  ConsentMissing: 'A dataset this spend trains on lacks its rights holders’ consent.',
};

function refusalText(refusal, contract, data) {
  const name = refusal(contract, data);
  if (!name) return `The ${contract} refused the call (${data}).`;
  return `${REFUSALS[name] || `The ${contract} refused: ${words(name)}.`} (${name})`;
}

function requireAccount() {
  if (!state.account) throw new Error('Connect a wallet and pick an account first.');
  return state.account;
}

async function contracts() {
  const list = await api('/contracts');
  return Object.fromEntries(list.items.map((c) => [c.role, c.address]));
}

/**
 * Dry-runs, signs and follows one `Revive::call`, then waits until the indexer's live stream
 * reports the event `kind` that `match` picks: what the page shows only once it is indexed.
 */
async function transact({ contract, dest, input, kind, match, status }) {
  const origin = requireAccount();
  const { chain, dryRun, send, refusal, isUnmapped, mapAccount } = await walletSide();
  state.config = state.config || (await config());
  if (!state.config.chain_url) throw new Error('This server was started without a chain URL (atelier serve --chain-url), so it cannot send transactions.');
  status('Connecting to the chain…');
  const chainApi = await chain(state.config.chain_url);
  status('Dry-running the call…');
  let dry;
  try {
    dry = await dryRun(chainApi, origin, dest, input);
  } catch (e) {
    // A runtime that does not map accounts itself: map this one, then dry-run again.
    if (!isUnmapped(e)) throw e;
    await mapAccount(chainApi, origin, status);
    dry = await dryRun(chainApi, origin, dest, input);
  }
  if (dry.reverted) throw new Error(refusalText(refusal, contract, dry.data));
  // Listen before sending, so that the event cannot be indexed before the page listens.
  const indexed = waitForEvent(kind, match);
  indexed.catch(() => {});
  const block = await send(chainApi, origin, dest, input, dry, status);
  status(`Finalized in block ${block.slice(0, 10)}…; waiting for the indexer…`);
  return indexed;
}

// ---- views -------------------------------------------------------------------------------

async function proposalsView(view) {
  const page = await api('/proposals?limit=100');
  const rows = page.items.slice().reverse().map((p) => `
    <tr>
      <td><a href="#/proposals/${p.id}">#${p.id}</a></td>
      <td><a href="#/proposals/${p.id}">${esc(p.title || '(untitled)')}</a></td>
      <td><span class="state" data-state="${esc(p.state)}">${esc(p.state)}</span></td>
      <td>${esc(weight(p.tallies.for))} / ${esc(weight(p.tallies.against))} / ${esc(weight(p.tallies.abstain))}</td>
    </tr>`).join('');
  view.innerHTML = `
    <h1>Proposals</h1>
    ${page.items.length ? `<table>
      <thead><tr><th>Id</th><th>Title</th><th>State</th><th>For / Against / Abstain</th></tr></thead>
      <tbody>${rows}</tbody></table>` : '<p class="muted">No proposals indexed yet.</p>'}`;
}

function summaryBlock(p) {
  const s = p.summary;
  if (!s || !s.text) {
    return `<section class="card summary" aria-label="AI summary"><h2>Summary</h2>
      <p class="muted">Summary pending: the worker has not summarised this proposal yet.</p></section>`;
  }
  const anchor = s.anchored
    ? (s.matches_anchor ? '<span class="ok">anchored on-chain: its hash matches the governor’s record</span>'
      : '<span class="error">anchored on-chain, but the hash on chain differs from this text</span>')
    : '<span class="muted">not anchored on-chain</span>';
  return `<section class="card summary" aria-label="AI summary"><h2>Summary</h2>
    <p>${esc(s.text)}</p>
    <p class="muted">Neutral summary by <code>${esc(s.model_id)}</code>, hash <code>${esc(short(s.hash))}</code>; ${anchor}.</p></section>`;
}

function actionsBlock(p) {
  if (!p.actions || !p.actions.length) return '<p class="muted">No actions.</p>';
  return `<table id="actions"><thead><tr><th>Target</th><th>Call</th><th>Value</th></tr></thead><tbody>${p.actions.map((a) => `
    <tr><td class="mono">${esc(a.call ? a.call.contract : '')} ${esc(short(a.target))}</td>
      <td>${a.call ? `<strong>${esc(a.call.message)}</strong><pre class="mono">${esc(JSON.stringify(a.call.args, null, 1))}</pre>`
    : `<code>${esc(a.selector)}</code> <code>${esc(a.input)}</code> <span class="muted">(not decoded: the target is not a contract of this DAO)</span>`}</td>
      <td>${esc(units(a.value))}</td></tr>`).join('')}</tbody></table>`;
}

async function proposalView(view, id) {
  const [p, votes] = await Promise.all([api(`/proposals/${id}`), api(`/proposals/${id}/votes?limit=200`)]);
  const q = p.quorum || {};
  const cast = ['for', 'against', 'abstain'].reduce((s, k) => s + BigInt(p.tallies[k]), 0n);
  const required = q.required ? BigInt(q.required) : 0n;
  const pct = required > 0n ? Number((cast * 100n) / required) : 100;
  let mine = '';
  if (state.account) {
    const snapshot = p.timeline.snapshot;
    try {
      const m = await api(`/members/${state.account}?at_block=${snapshot}`);
      mine = `Your voting weight at the snapshot (block ${snapshot}): <strong>${esc(weight(m.at.votes))}</strong>.`;
    } catch (e) {
      if (e instanceof ApiError && e.code === 'not_found') mine = 'This account is not a member: it has no voting weight.';
      else if (e instanceof ApiError && e.code === 'block_not_indexed') mine = `The snapshot (block ${snapshot}) is not indexed yet.`;
      else throw e;
    }
  }
  view.innerHTML = `
    <p><a href="#/proposals">← Proposals</a></p>
    <h1>#${p.id} ${esc(p.title || '(untitled)')}</h1>
    <p><span class="state" data-state="${esc(p.state)}">${esc(p.state)}</span>
      proposed by <span class="mono">${esc(p.proposer)}</span> in block ${p.timeline.created};
      voting blocks ${p.timeline.snapshot}–${p.timeline.vote_end}.</p>
    ${summaryBlock(p)}
    <h2>Tallies</h2>
    <table><tbody>
      <tr><th>For</th><td id="tally-for">${esc(weight(p.tallies.for))}</td></tr>
      <tr><th>Against</th><td id="tally-against">${esc(weight(p.tallies.against))}</td></tr>
      <tr><th>Abstain</th><td id="tally-abstain">${esc(weight(p.tallies.abstain))}</td></tr>
    </tbody></table>
    <p>Quorum: ${esc(weight(String(cast)))} of ${esc(weight(q.required))} needed (${q.bps / 100}% of ${esc(weight(q.total_weight))})
      ${q.reached ? '<span class="ok">reached</span>' : ''}</p>
    <div class="bar" role="progressbar" aria-label="Quorum progress" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${Math.min(pct, 100)}"><span style="width:${Math.min(pct, 100)}%"></span></div>
    <form id="vote" class="card" aria-label="Cast your vote">
      <fieldset><legend>Your vote</legend>
        <p id="my-weight">${mine || 'Connect a wallet to vote.'}</p>
        <label><input type="radio" name="support" value="For" checked> For</label>
        <label><input type="radio" name="support" value="Against"> Against</label>
        <label><input type="radio" name="support" value="Abstain"> Abstain</label>
        <p><label for="reason">Reason (optional, public)</label><br><textarea id="reason" rows="2" maxlength="1024"></textarea></p>
        <button type="submit" id="cast">Cast vote</button>
        <p class="status" id="vote-status" role="status" aria-live="polite"></p>
      </fieldset>
    </form>
    <h2>Actions</h2>
    ${actionsBlock(p)}
    <h2>Votes</h2>
    <table id="votes"><thead><tr><th>Voter</th><th>Support</th><th>Weight</th><th>Reason</th></tr></thead>
      <tbody>${votes.items.map((v) => `<tr><td class="mono">${esc(v.voter)}</td><td>${esc(v.support)}</td><td>${esc(weight(v.weight))}</td><td>${esc(v.reason || '')}</td></tr>`).join('') || '<tr><td colspan="4" class="muted">No votes yet.</td></tr>'}</tbody></table>
    <h2>Description</h2>
    <pre class="description">${esc(p.description || '')}</pre>`;
  $('#vote').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const status = (t, kind = '') => { const s = $('#vote-status'); s.textContent = t; s.className = `status ${kind}`; };
    const button = $('#cast');
    button.disabled = true;
    try {
      const account = requireAccount();
      const support = new FormData(ev.target).get('support');
      const reason = $('#reason').value.trim();
      const { h160Of, encodeCall, scale } = await walletSide();
      const governor = (await contracts()).governor;
      const voter = h160Of(account);
      const input = encodeCall('governor', 'cast_vote', [scale.u32(p.id), scale.variant('governor', 'Support', support), scale.optionText(reason)]);
      await transact({
        contract: 'governor', dest: governor, input, kind: 'VoteCast', status,
        match: (d) => d.id === p.id && d.voter.toLowerCase() === voter,
      });
      await proposalView(view, id);
      const s = $('#vote-status');
      s.textContent = `Your ${support} vote is indexed.`;
      s.className = 'status ok';
    } catch (e) {
      status(e.message, 'error');
      button.disabled = false;
    }
  });
}

async function stewardsView(view) {
  const [funds, spends] = await Promise.all([api('/funds'), api('/spends?state=open&limit=200')]);
  const me = state.account ? (await walletSide()).h160Of(state.account) : null;
  const fundRows = funds.items.map((f) => `
    <tr><td>${esc(f.role || '')}<br><span class="mono">${esc(f.address)}</span></td>
      <td>${esc(units(f.balance))}</td>
      <td>${esc(units(f.outflow_cap))} per ${esc(f.epoch_blocks)} blocks</td>
      <td>${esc(units(f.remaining_outflow))}</td>
      <td>${f.stewards.map((s) => `<span class="mono">${esc(short(s))}</span>${s === me ? ' (you)' : ''}`).join('<br>')}</td></tr>`).join('');
  const byFund = Object.fromEntries(funds.items.map((f) => [f.address, f]));
  const spendRows = spends.items.map((s) => `
    <tr data-spend="${s.id}"><td>#${s.id}</td><td>${esc((byFund[s.fund] || {}).role || short(s.fund))}</td>
      <td class="mono">${esc(short(s.beneficiary))}</td>
      <td>${esc(units(s.paid))} of ${esc(units(s.amount))}; ${s.tranches_paid}/${s.tranches} tranches</td>
      <td>blocks ${s.valid_from}–${s.expires_at}</td>
      <td><span class="state">${esc(s.state)}</span></td>
      <td><button type="button" class="payout" data-id="${s.id}" data-fund="${esc(s.fund)}">Pay out</button>
        <p class="status" id="payout-status-${s.id}" role="status" aria-live="polite"></p></td></tr>`).join('');
  view.innerHTML = `
    <h1>Stewards</h1>
    <p>Stewards pay out what governance approved, within each spend’s window and the fund’s outflow cap, which holds over any window of the fund’s epoch length.</p>
    <h2>Funds</h2>
    <table><thead><tr><th>Fund</th><th>Balance</th><th>Outflow cap</th><th>Left in the window</th><th>Stewards</th></tr></thead><tbody>${fundRows}</tbody></table>
    <h2>Approved spends</h2>
    ${spends.items.length ? `<table><thead><tr><th>Spend</th><th>Fund</th><th>Beneficiary</th><th>Paid</th><th>Window</th><th>State</th><th></th></tr></thead><tbody>${spendRows}</tbody></table>`
    : '<p class="muted">No approved spend is open.</p>'}`;
  view.querySelectorAll('button.payout').forEach((button) => button.addEventListener('click', async () => {
    const id = Number(button.dataset.id);
    const status = (t, kind = '') => { const s = $(`#payout-status-${id}`); s.textContent = t; s.className = `status ${kind}`; };
    button.disabled = true;
    try {
      const account = requireAccount();
      const { h160Of, encodeCall, scale } = await walletSide();
      const steward = h160Of(account);
      const input = encodeCall('treasury', 'payout', [scale.u32(id)]);
      const event = await transact({
        contract: 'treasury', dest: button.dataset.fund, input, kind: 'PayoutMade', status,
        match: (d) => d.id === id && d.steward.toLowerCase() === steward,
      });
      await stewardsView(view);
      notice(`Spend #${id}: paid ${units(event.decoded.amount)} to ${short(event.decoded.beneficiary)} (tranche ${event.decoded.tranche + 1}); indexed in block ${event.block}.`, 'ok');
    } catch (e) {
      status(e.message, 'error');
      button.disabled = false;
    }
  }));
}

async function worksView(view) {
  const top = await api('/works/top?limit=20');
  view.innerHTML = `
    <h1>Top works</h1>
    <p class="muted">Ranked by curation quality (originality × (1 − spam) × descriptiveness), not by recency.</p>
    ${top.items.length ? `<table><thead><tr><th>Work</th><th>Quality</th><th>Originality</th><th>Spam</th><th>Style</th><th>Flags</th></tr></thead><tbody>${top.items.map((w) => `
      <tr><td><strong>${esc(w.title)}</strong><br><span class="muted">${esc(w.prompt)}</span></td>
        <td>${w.curation.quality.toFixed(3)}</td><td>${w.curation.originality.toFixed(3)}</td>
        <td>${w.curation.spam.toFixed(3)}</td><td>${esc(w.curation.style || '–')}</td>
        <td>${w.curation.near_duplicate ? `near-duplicate of #${esc(w.curation.copy_of ?? w.curation.nearest)}` : ''}${w.curation.is_spam ? ' spam' : ''}</td></tr>`).join('')}</tbody></table>`
    : '<p class="muted">No work is scored yet: the curation scores appear once the worker has run.</p>'}`;
}

async function provenanceView(view) {
  const assets = await api('/assets?limit=100');
  view.innerHTML = `
    <h1>Provenance</h1>
    <p class="muted">Datasets and models, registered by one of their rights holders. While someone disputes a registration its consent is suspended, until governance resolves the dispute.</p>
    ${assets.items.length ? `<table><thead><tr><th>Asset</th><th>Kind</th><th>Holders</th><th>Consent</th><th>Registration</th></tr></thead><tbody>${assets.items.map((a) => `
      <tr><td>#${esc(a.id)} <code title="${esc(a.content_hash)}">${esc(a.content_hash.slice(0, 14))}…</code></td>
        <td>${esc(a.kind)}</td><td>${a.holders.map((h) => esc(short(h))).join(', ')}</td>
        <td>${esc(a.consenting)} of ${esc(a.holders.length)}</td>
        <td>${a.dispute ? `<span class="error">disputed by ${esc(short(a.dispute.claimant))}</span>` : 'undisputed'}</td></tr>`).join('')}</tbody></table>`
    : '<p class="muted">No dataset or model is registered yet.</p>'}`;
}

// ---- shell -----------------------------------------------------------------------------

async function render() {
  const view = $('#view');
  const hash = location.hash || '#/proposals';
  const m = hash.match(/^#\/proposals\/(\d+)$/);
  try {
    if (m) await proposalView(view, Number(m[1]));
    else if (hash === '#/stewards') await stewardsView(view);
    else if (hash === '#/works') await worksView(view);
    else if (hash === '#/provenance') await provenanceView(view);
    else await proposalsView(view);
  } catch (e) {
    view.innerHTML = `<p class="error">${esc(e.message)}</p>`;
  }
}

function fillAccounts() {
  const select = $('#account');
  select.innerHTML = state.accounts.map((a) => `<option value="${esc(a.address)}">${esc(a.name || short(a.address))} (${esc(short(a.address))})</option>`).join('');
  const preferred = localStorage.getItem('atelier.account');
  state.account = state.accounts.some((a) => a.address === preferred) ? preferred : state.accounts[0].address;
  select.value = state.account;
  $('#account-label').hidden = false;
  $('#connect').hidden = true;
}

$('#connect').addEventListener('click', async () => {
  try {
    state.accounts = await (await walletSide()).connectWallet();
    fillAccounts();
    localStorage.setItem('atelier.account', state.account);
    notice(`Connected: ${state.accounts.length} account(s).`, 'ok');
    render();
  } catch (e) {
    notice(e.message, 'error');
  }
});
$('#account').addEventListener('change', (e) => {
  state.account = e.target.value;
  localStorage.setItem('atelier.account', state.account);
  render();
});
window.addEventListener('hashchange', () => { notice(''); render(); });
render();
