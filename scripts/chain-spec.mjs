// Writes a raw chain spec for Atelier's runtime from its wasm alone, without a node: the
// runtime's genesis builder runs in Chopsticks' wasm executor (chopsticks-core).
//
//   node scripts/chain-spec.mjs --wasm RUNTIME.wasm --out SPEC.json [--preset development]
//
// Steps: GenesisBuilder_get_preset(None) gives the full default genesis config,
// GenesisBuilder_get_preset(Some(preset)) the preset's patch; the patch is merged into the
// default as polkadot-sdk's chain-spec builder does (objects merged key by key, null removes,
// anything else replaces); GenesisBuilder_build_state runs the merged config and its storage
// writes become the spec's `genesis.raw.top`, plus `:code` (the wasm itself).
//
// chopsticks-core is not a dependency of the repository: scripts/setup.sh installs it under
// $ATELIER_CACHE/chopsticks, which ATELIER_CHOPSTICKS_DIR names (scripts/chain.sh sets it).
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

function fail(message) {
    process.stderr.write(`error: ${message}\n`);
    process.exit(1);
}

function parseArgs(argv) {
    const args = { preset: 'development' };
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        const value = argv[i + 1];
        if (!['--wasm', '--out', '--preset'].includes(flag) || value === undefined) {
            fail(`unexpected argument ${flag}; usage: chain-spec.mjs --wasm FILE --out FILE [--preset NAME]`);
        }
        args[flag.slice(2)] = value;
        i++;
    }
    if (!args.wasm || !args.out) fail('usage: chain-spec.mjs --wasm FILE --out FILE [--preset NAME]');
    return args;
}

// --- JSON with u128 numbers -------------------------------------------------------------
// Balances are u128 and exceed what a JS number holds exactly. Integers that are not safe
// JS integers are turned into marker strings before parsing and back into bare numbers after
// serialising, so the runtime's serde reads exactly the digits it wrote.
const BIG = '\u0000big:';

function parseJsonKeepingBigInts(text) {
    let out = '';
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        if (c === '"') {
            let j = i + 1;
            while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
            out += text.slice(i, j + 1);
            i = j + 1;
        } else if (c === '-' || (c >= '0' && c <= '9')) {
            const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
            const token = m[0];
            const isInt = m[1] === undefined && m[2] === undefined;
            out += isInt && !Number.isSafeInteger(Number(token)) ? JSON.stringify(BIG + token) : token;
            i += token.length;
        } else {
            out += c;
            i++;
        }
    }
    return JSON.parse(out);
}

function stringifyKeepingBigInts(value) {
    return JSON.stringify(value).replace(/"\\u0000big:(-?\d+)"/g, '$1');
}

// sc-chain-spec's json_merge: objects merge recursively, null deletes, the rest replaces.
function merge(base, patch) {
    if (base === null || typeof base !== 'object' || Array.isArray(base) ||
        patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
        return patch;
    }
    const out = { ...base };
    for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete out[key];
        else out[key] = key in out ? merge(out[key], value) : value;
    }
    return out;
}

// --- SCALE helpers ----------------------------------------------------------------------
function compact(n) {
    if (n < 1 << 6) return Buffer.from([n << 2]);
    if (n < 1 << 14) return Buffer.from([((n << 2) | 1) & 0xff, n >> 6]);
    if (n < 1 << 30) {
        const b = Buffer.alloc(4);
        b.writeUInt32LE(((n << 2) | 2) >>> 0);
        return b;
    }
    throw new Error('length too large for this encoder');
}

function decodeCompact(bytes, offset) {
    const mode = bytes[offset] & 3;
    if (mode === 0) return [bytes[offset] >> 2, offset + 1];
    if (mode === 1) return [bytes.readUInt16LE(offset) >> 2, offset + 2];
    if (mode === 2) return [bytes.readUInt32LE(offset) >>> 2, offset + 4];
    const len = (bytes[offset] >> 2) + 4;
    let n = 0;
    for (let k = len - 1; k >= 0; k--) n = n * 256 + bytes[offset + 1 + k];
    return [n, offset + 1 + len];
}

const encodeBytes = (buf) => Buffer.concat([compact(buf.length), buf]);
const hex = (buf) => '0x' + Buffer.from(buf).toString('hex');
const unhex = (h) => Buffer.from(h.replace(/^0x/, ''), 'hex');

// --- main -------------------------------------------------------------------------------
const args = parseArgs(process.argv.slice(2));
const chopsticksDir = process.env.ATELIER_CHOPSTICKS_DIR;
if (!chopsticksDir) fail('ATELIER_CHOPSTICKS_DIR is not set; run this through scripts/chain.sh');
let executor;
try {
    const require = createRequire(join(chopsticksDir, 'package.json'));
    const entry = require.resolve('@acala-network/chopsticks-core/wasm-executor/index');
    executor = await import(pathToFileURL(entry.replace('/dist/cjs/', '/dist/esm/')).href);
} catch (e) {
    fail(`cannot load @acala-network/chopsticks-core from ${chopsticksDir} (${e.message}); run scripts/setup.sh`);
}

let wasmBytes;
try {
    wasmBytes = readFileSync(args.wasm);
} catch (e) {
    fail(`cannot read the runtime wasm ${args.wasm}: ${e.message}`);
}
const wasm = hex(wasmBytes);

// A fresh state: nothing is stored before genesis.
const state = new Map();
const handler = {
    getStorage: async (key) => state.get(key) ?? undefined,
    getNextKey: async (prefix, key) => {
        const keys = [...state.keys()].filter((k) => k.startsWith(prefix) && k > key).sort();
        return keys[0];
    },
    offchainGetStorage: async () => undefined,
    offchainTimestamp: async () => Date.now(),
    offchainRandomSeed: async () => hex(Buffer.alloc(32)),
    offchainSubmitTransaction: async () => false,
};

async function call(method, argHex) {
    const response = await executor.runTask(
        { wasm, calls: [[method, [argHex]]], mockSignatureHost: false, allowUnresolvedImports: false, runtimeLogLevel: 0 },
        handler,
    );
    if ('Error' in response) fail(`the runtime's ${method} failed: ${response.Error}`);
    return response.Call;
}

// Option<Vec<u8>> -> the JSON text, or null for None.
function decodeOptionBytes(resultHex, what) {
    const bytes = unhex(resultHex);
    if (bytes[0] === 0) return null;
    if (bytes[0] !== 1) fail(`unexpected answer from GenesisBuilder_get_preset(${what})`);
    const [len, start] = decodeCompact(bytes, 1);
    return bytes.subarray(start, start + len).toString('utf8');
}

try {
    const version = await executor.getRuntimeVersion(wasm);
    const defaultJson = decodeOptionBytes((await call('GenesisBuilder_get_preset', '0x00')).result, 'None');
    if (defaultJson === null) fail('the runtime returned no default genesis config');
    const presetArg = Buffer.concat([Buffer.from([1]), encodeBytes(Buffer.from(args.preset, 'utf8'))]);
    const patchJson = decodeOptionBytes((await call('GenesisBuilder_get_preset', hex(presetArg))).result, args.preset);
    if (patchJson === null) fail(`the runtime has no genesis preset named "${args.preset}"`);

    const config = merge(parseJsonKeepingBigInts(defaultJson), parseJsonKeepingBigInts(patchJson));
    const configText = stringifyKeepingBigInts(config);
    const built = await call('GenesisBuilder_build_state', hex(encodeBytes(Buffer.from(configText, 'utf8'))));
    // Result<(), String>: 0x00 is Ok.
    const result = unhex(built.result);
    if (result[0] !== 0) {
        const [len, start] = decodeCompact(result, 1);
        fail(`the runtime rejected the genesis config: ${result.subarray(start, start + len).toString('utf8')}`);
    }

    const top = {};
    for (const [key, value] of built.storageDiff) {
        if (value !== null) top[key] = value;
    }
    top['0x3a636f6465'] = wasm; // ":code"

    const spec = {
        name: 'Atelier Development',
        id: 'atelier_dev',
        chainType: 'Development',
        bootNodes: [],
        protocolId: null,
        properties: { tokenDecimals: 12, tokenSymbol: 'UNIT', ss58Format: 42 },
        codeSubstitutes: {},
        genesis: { raw: { top, childrenDefault: {} } },
    };
    const tmp = `${args.out}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(spec, null, 1) + '\n');
    renameSync(tmp, args.out);
    process.stdout.write(
        `wrote ${args.out}: ${version.specName} spec_version ${version.specVersion}, ` +
        `preset "${args.preset}", ${Object.keys(top).length} storage entries\n`,
    );
} finally {
    await executor.destroyWorker();
}
