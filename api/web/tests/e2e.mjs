// End-to-end browser test of the web app on a local stack (chain, indexer, API), driven by
// tests/web.rs, which starts the stack and passes it here:
//   ATELIER_WEB_URL    the app, http://127.0.0.1:PORT/app/
//   ATELIER_CHAIN_URL  the chain's ws:// URL (the dev keyring signs against it)
//   ATELIER_PROPOSAL   the proposal open for voting
//   ATELIER_SPEND      the approved, unpaid Compute Fund spend
//   ATELIER_SHOTS      where the screenshots of each step go
//   ATELIER_CHROMIUM   the browser (default /usr/bin/chromium)
//
// The wallet is the standard injected-extension interface (`window.injectedWeb3`) a real
// extension provides, backed here by the Substrate dev keyring: the page calls the same
// `enable()` / `accounts.get()` / `signer.signPayload()` as with an extension, and the
// payload is signed in Node with the account's sr25519 key (the mock boundary: no real
// extension can be driven here).
import { chromium } from 'playwright-core';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const env = (k, d) => {
  const v = process.env[k] ?? d;
  if (v === undefined) throw new Error(`${k} is not set (tests/web.rs sets it)`);
  return v;
};
const web = env('ATELIER_WEB_URL');
const chainUrl = env('ATELIER_CHAIN_URL');
const proposal = Number(env('ATELIER_PROPOSAL'));
const spend = Number(env('ATELIER_SPEND'));
const shots = env('ATELIER_SHOTS');
const executablePath = env('ATELIER_CHROMIUM', '/usr/bin/chromium');
mkdirSync(shots, { recursive: true });

await cryptoWaitReady();
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const dev = (name) => keyring.addFromUri(`//${name}`, { name });
const api = await ApiPromise.create({ provider: new WsProvider(chainUrl), noInitWarn: true });

/** Signs what the page's signer hands over, as an extension does after the user approves. */
function signPayload(payload) {
  const pair = keyring.getPair(payload.address);
  const ext = api.registry.createType('ExtrinsicPayload', payload, { version: payload.version });
  return ext.sign(pair);
}

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** A fresh browser context whose injected wallet holds `names`. */
async function withWallet(names) {
  const pairs = names.map(dev);
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  let id = 0;
  await context.exposeBinding('__atelierTestSign', (_source, payload) => {
    const { signature } = signPayload(payload);
    id += 1;
    return { id, signature };
  });
  const accounts = pairs.map((p) => ({ address: p.address, name: p.meta.name, type: 'sr25519' }));
  await context.addInitScript((list) => {
    window.injectedWeb3 = {
      'atelier-dev-keyring': {
        version: '0.1.0',
        enable: async () => ({
          accounts: { get: async () => list, subscribe: (cb) => { cb(list); return () => {}; } },
          signer: { signPayload: (payload) => window.__atelierTestSign(payload) },
        }),
      },
    };
  }, accounts);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  return { context, page };
}

let passed = 0;
let failed = 0;
async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}: ${e.stack || e}`);
  }
}

async function expectText(page, selector, pattern, timeout = 150000) {
  const match = page.locator(selector).filter({ hasText: pattern }).first();
  await match.waitFor({ timeout });
  return match.textContent();
}

await step('a member connects, reads the proposal, votes For with a reason and sees the vote indexed', async () => {
  const { context, page } = await withWallet(['Eve']);
  await page.goto(`${web}#/proposals/${proposal}`);
  await expectText(page, 'h1', `#${proposal}`);
  // the worker has not run: the summary is shown as pending, the description in full
  await expectText(page, '.summary', /Summary pending/);
  await expectText(page, 'pre.description', /translations/);
  await page.screenshot({ path: join(shots, '01-proposal.png'), fullPage: true });
  await page.click('#connect');
  await expectText(page, '#account-label', /Eve/);
  await expectText(page, '#my-weight', /voting weight at the snapshot/);
  await page.check('input[value=For]');
  await page.fill('#reason', 'translations widen the community');
  await page.click('#cast');
  await expectText(page, '#vote-status', /Your For vote is indexed/);
  await expectText(page, '#votes', /translations widen the community/);
  await page.screenshot({ path: join(shots, '02-vote-indexed.png'), fullPage: true });
  // the same vote again is refused by the governor's dry run, with a sentence
  await page.click('#cast');
  await expectText(page, '#vote-status', /already voted/);
  await page.screenshot({ path: join(shots, '03-second-vote-refused.png'), fullPage: true });
  await context.close();
});

await step('a non-steward is refused with a clear message', async () => {
  const { context, page } = await withWallet(['Dave']);
  await page.goto(`${web}#/stewards`);
  await page.click('#connect');
  await expectText(page, '#account-label', /Dave/);
  await page.locator(`tr[data-spend="${spend}"] button.payout`).click();
  await expectText(page, `#payout-status-${spend}`, /Only a steward of this fund can pay out/);
  await page.screenshot({ path: join(shots, '04-not-a-steward.png'), fullPage: true });
  await context.close();
});

await step('a steward pays out an approved spend and sees the payout indexed', async () => {
  const { context, page } = await withWallet(['Charlie']);
  await page.goto(`${web}#/stewards`);
  await page.click('#connect');
  await expectText(page, '#account-label', /Charlie/);
  await expectText(page, 'table', /\(you\)/);
  await page.screenshot({ path: join(shots, '05-stewards.png'), fullPage: true });
  await page.locator(`tr[data-spend="${spend}"] button.payout`).click();
  await expectText(page, '#notice', new RegExp(`Spend #${spend}: paid 0.00004 `));
  // paid in full: no longer among the open spends
  if (await page.locator(`tr[data-spend="${spend}"]`).count()) throw new Error('the paid spend is still listed as open');
  await page.screenshot({ path: join(shots, '06-paid.png'), fullPage: true });
  await context.close();
});

await step('the works page ranks by curation score and reads without the worker', async () => {
  const { context, page } = await withWallet([]);
  await page.goto(`${web}#/works`);
  await expectText(page, 'h1', /Top works/);
  await page.screenshot({ path: join(shots, '07-works.png'), fullPage: true });
  await context.close();
});

await step('the provenance page shows the seeded dataset with consent and the disputed model', async () => {
  const { context, page } = await withWallet([]);
  await page.goto(`${web}#/provenance`);
  await expectText(page, 'h1', /Provenance/);
  await expectText(page, 'table', /Dataset[\s\S]*1 of 1[\s\S]*undisputed/);
  await expectText(page, 'table', /Model[\s\S]*0 of 1[\s\S]*disputed by/);
  await page.screenshot({ path: join(shots, '08-provenance.png'), fullPage: true });
  await context.close();
});

await browser.close();
await api.disconnect();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
