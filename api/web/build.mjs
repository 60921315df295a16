// Bundles the web app into dist/ (what `atelier serve` compiles in and serves at /app/):
// src/app.js (the views) and src/chain.js (wallet and chain, with @polkadot/api) as two
// minified ES modules, plus index.html and style.css. The contracts' selectors, enum variants and error names come from the committed
// metadata (contracts/artifacts/<name>.json) through the virtual module `atelier:abi`.
//
//   node build.mjs           write dist/
//   node build.mjs --check   build into a temporary folder and fail when dist/ differs
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, copyFileSync, mkdirSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, '..', '..', 'contracts', 'artifacts');
const check = process.argv.includes('--check');
const out = check ? mkdtempSync(join(tmpdir(), 'atelier-web-')) : join(here, 'dist');

/** Selectors, the variants of the named enums, and the Error variants of one contract. */
function abiOf(name, enums) {
  const m = JSON.parse(readFileSync(join(artifacts, `${name}.json`), 'utf8'));
  const types = new Map(m.types.map((t) => [t.id, t.type]));
  const variants = (path) => {
    for (const t of types.values()) {
      if (t.path && t.path.join('::') === path && t.def.variant) {
        return t.def.variant.variants.slice().sort((a, b) => a.index - b.index).map((v) => v.name);
      }
    }
    throw new Error(`${name}: no enum ${path} in the metadata`);
  };
  const messages = {};
  for (const msg of m.spec.messages) messages[msg.label] = { selector: msg.selector };
  const out = { messages, enums: {}, errors: variants(`${name}::${name}::Error`) };
  for (const [short, path] of Object.entries(enums)) out.enums[short] = variants(path);
  return out;
}

const abi = {
  governor: abiOf('governor', { Support: 'governor::governor::Support' }),
  treasury: abiOf('treasury', {}),
};

const abiPlugin = {
  name: 'atelier-abi',
  setup(b) {
    b.onResolve({ filter: /^atelier:abi$/ }, () => ({ path: 'abi', namespace: 'atelier' }));
    b.onLoad({ filter: /.*/, namespace: 'atelier' }, () => ({ contents: JSON.stringify(abi), loader: 'json' }));
  },
};

mkdirSync(out, { recursive: true });
const common = { bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2020', legalComments: 'none', logLevel: 'warning' };
// The page itself, small: the wallet and chain code stays a separate module it imports on
// first use.
await build({ ...common, entryPoints: [join(here, 'src', 'app.js')], outfile: join(out, 'app.js'), external: ['./chain.js'] });
await build({ ...common, entryPoints: [join(here, 'src', 'chain.js')], outfile: join(out, 'chain.js'), plugins: [abiPlugin] });
for (const f of ['index.html', 'style.css']) copyFileSync(join(here, 'src', f), join(out, f));

if (check) {
  const dist = join(here, 'dist');
  const stale = readdirSync(out).filter((f) => {
    try {
      return !readFileSync(join(out, f)).equals(readFileSync(join(dist, f)));
    } catch {
      return true;
    }
  });
  rmSync(out, { recursive: true, force: true });
  if (stale.length) {
    console.error(`api/web/dist is stale (${stale.join(', ')}): run scripts/web.sh and commit dist/`);
    process.exit(1);
  }
  console.log('api/web/dist matches the sources');
} else {
  const kib = (f) => (readFileSync(join(out, f)).length / 1024).toFixed(0);
  console.log(`dist/app.js: ${kib('app.js')} KiB, dist/chain.js (loaded on first wallet use): ${kib('chain.js')} KiB`);
}
