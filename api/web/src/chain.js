// The member's side of the chain: a Polkadot browser wallet through the standard
// injected-extension interface (`window.injectedWeb3`, read by @polkadot/extension-dapp), and
// `Revive::call` transactions to the DAO's contracts, dry-run first for the weight and the
// storage deposit limit, signed by the wallet and followed to finality.

import { ApiPromise, WsProvider } from '@polkadot/api';
import { web3Accounts, web3Enable, web3FromAddress } from '@polkadot/extension-dapp';
import { compactToU8a, u8aConcat, u8aToHex, hexToU8a, stringToU8a, bnToU8a } from '@polkadot/util';
import { decodeAddress, keccakAsU8a } from '@polkadot/util-crypto';
import abi from 'atelier:abi';

const APP = 'Atelier';

/** Accounts of every enabled wallet extension; throws a sentence when there is none. */
export async function connectWallet() {
  const extensions = await web3Enable(APP);
  if (extensions.length === 0) {
    throw new Error('No Polkadot wallet extension was found (or it refused this page). Install one, allow this site, and try again.');
  }
  const accounts = await web3Accounts();
  if (accounts.length === 0) {
    throw new Error('The wallet has no account to offer this page. Create or import one, and allow this site to see it.');
  }
  return accounts.map((a) => ({ address: a.address, name: a.meta.name || '', source: a.meta.source }));
}

/**
 * The H160 pallet-revive maps an SS58 account to: its first 20 bytes for an
 * Ethereum-derived id (twelve 0xEE bytes at the end), else the last 20 bytes of keccak-256.
 */
export function h160Of(ss58) {
  const id = decodeAddress(ss58);
  const ethDerived = id.slice(20).every((b) => b === 0xee);
  return u8aToHex(ethDerived ? id.slice(0, 20) : keccakAsU8a(id).slice(12));
}

let apiPromise = null;

/** The chain connection (one per page), to the URL `atelier serve` was given. */
export function chain(url) {
  if (!apiPromise) {
    apiPromise = ApiPromise.create({ provider: new WsProvider(url, 2000), noInitWarn: true })
      .catch((e) => {
        apiPromise = null;
        throw new Error(`the chain at ${url} cannot be reached (${e.message})`);
      });
  }
  return apiPromise;
}

/** SCALE input of `contract.message(args)`: the selector, then the arguments. */
export function encodeCall(contract, message, args) {
  const m = abi[contract] && abi[contract].messages[message];
  if (!m) throw new Error(`${contract}.${message} is not in the committed metadata`);
  return u8aConcat(hexToU8a(m.selector), ...args);
}

/** SCALE encodings of the argument types the page sends. */
export const scale = {
  u32: (n) => bnToU8a(n, { bitLength: 32, isLe: true }),
  variant: (contract, type, name) => {
    const i = abi[contract].enums[type].indexOf(name);
    if (i < 0) throw new Error(`${type} has no variant ${name}`);
    return new Uint8Array([i]);
  },
  optionText: (text) => {
    if (text === null || text === undefined || text === '') return new Uint8Array([0]);
    const bytes = stringToU8a(text);
    return u8aConcat(new Uint8Array([1]), compactToU8a(bytes.length), bytes);
  },
};

/** Why a contract refused, from its revert data: `MessageResult<Result<T, Error>>`. */
export function refusal(contract, data) {
  const bytes = hexToU8a(data);
  // Ok(Err(error)): 0x00 (no LangError), 0x01 (Err), then the error's variant index.
  if (bytes.length >= 3 && bytes[0] === 0 && bytes[1] === 1) {
    const name = abi[contract].errors[bytes[2]];
    if (name) return name;
  }
  return null;
}

/** `pallet.Error` for a module error, else the error as text. */
function dispatchErrorName(api, err) {
  if (!err.isModule) return err.toString();
  const meta = api.registry.findMetaError(err.asModule);
  return `${meta.section}.${meta.name}`;
}

function deposit(v) {
  // StorageDeposit: Refund(u128) | Charge(u128); only a charge needs a limit
  return v.isCharge ? BigInt(v.asCharge.toString()) : 0n;
}

/**
 * Dry-runs `input` on contract `dest` as `origin` (`ReviveApi::call`). Returns the weight
 * required, the storage deposit, and the revert (an error name) when the contract refused.
 */
export async function dryRun(api, origin, dest, input) {
  const r = await api.call.reviveApi.call(origin, dest, 0, null, null, u8aToHex(input));
  if (r.result.isErr) throw new Error(`the runtime refused the call: ${dispatchErrorName(api, r.result.asErr)}`);
  const ok = r.result.asOk;
  // ReturnFlags { bits: u32 }: bit 0 is REVERT
  const bits = ok.flags.bits !== undefined ? ok.flags.bits : ok.flags;
  const reverted = Number(BigInt(bits.toString()) & 1n);
  const weight = r.gasRequired ?? r.weightRequired;
  return {
    weight: { refTime: BigInt(weight.refTime.toString()), proofSize: BigInt(weight.proofSize.toString()) },
    storageDeposit: deposit(r.storageDeposit),
    reverted: reverted === 1,
    data: ok.data.toHex(),
  };
}

/** Whether the runtime refused because `origin` has no H160 mapping yet. */
export function isUnmapped(err) {
  return /AccountUnmapped/.test(err.message);
}

/**
 * Maps `origin` for pallet-revive (`Revive::map_account`), for runtimes that do not map
 * accounts on their own; resolves at finality.
 */
export function mapAccount(api, origin, onStatus) {
  const say = (t) => onStatus(`This account is not mapped for contracts yet (Revive.map_account, once per account): ${t}`);
  return signAndFollow(api, api.tx.revive.mapAccount(), origin, say);
}

/**
 * Signs `Revive::call(dest, input)` with the wallet's signer for `origin`, with the dry
 * run's limits plus headroom, and follows it to finality (see `signAndFollow`).
 */
export function send(api, origin, dest, input, dry, onStatus) {
  const pad = (v) => v + v / 5n; // 20% headroom over the dry run, as state may move before inclusion
  const tx = api.tx.revive.call(
    dest,
    0,
    { refTime: pad(dry.weight.refTime), proofSize: pad(dry.weight.proofSize) },
    dry.storageDeposit + dry.storageDeposit / 5n + 1_000_000_000n,
    u8aToHex(input),
  );
  return signAndFollow(api, tx, origin, onStatus);
}

/**
 * Signs `tx` with the wallet's signer for `origin` and follows it: `onStatus(text)` at each
 * step; resolves at finality with the block hash, rejects with a sentence when the wallet
 * declines or the runtime refuses.
 */
async function signAndFollow(api, tx, origin, onStatus) {
  const injector = await web3FromAddress(origin);
  onStatus('Waiting for your signature in the wallet…');
  return new Promise((resolve, reject) => {
    let unsub = () => {};
    tx.signAndSend(origin, { signer: injector.signer }, ({ status, dispatchError }) => {
      if (dispatchError) {
        unsub();
        reject(new Error(`the chain refused the transaction: ${dispatchErrorName(api, dispatchError)}`));
        return;
      }
      if (status.isReady || status.isBroadcast) onStatus('Submitted; waiting for a block…');
      else if (status.isInBlock) onStatus(`In block ${status.asInBlock.toHex().slice(0, 10)}…; waiting for finality…`);
      else if (status.isFinalized) {
        unsub();
        resolve(status.asFinalized.toHex());
      } else if (status.isDropped || status.isInvalid || status.isUsurped) {
        unsub();
        reject(new Error(`the transaction was ${status.type.toLowerCase()}`));
      }
    }).then((u) => { unsub = u; }, (e) => {
      reject(new Error(/cancel|reject/i.test(e.message) ? 'You declined to sign in the wallet.' : `signing failed: ${e.message}`));
    });
  });
}
