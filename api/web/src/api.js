// The Atelier read API, served by the same `atelier serve` as this page (same origin).

/** An API error with its code and message (`{"error": {"code", "message"}}`). */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** GET `path` as JSON; the indexer head the answer was served at is reported to `onHead`. */
export async function get(path, onHead) {
  let res;
  try {
    res = await fetch(path, { headers: { accept: 'application/json' } });
  } catch (e) {
    throw new ApiError(0, 'unreachable', `the Atelier API cannot be reached (${e.message})`);
  }
  const head = res.headers.get('x-indexer-head');
  if (head && onHead) onHead(head);
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const err = body && body.error;
    throw new ApiError(res.status, err ? err.code : 'http', err ? err.message : `HTTP ${res.status}`);
  }
  return body;
}

/** The page's settings: the chain to send transactions to (`atelier serve --chain-url`). */
export function config() {
  return get('/app/config.json');
}

/**
 * Resolves with the first stored event of `kind` for which `match(decoded)` holds, read from
 * the live stream (`/events/stream`, Server-Sent Events); rejects after `timeoutMs`.
 */
export function waitForEvent(kind, match, timeoutMs = 120000) {
  return new Promise((resolve, reject) => {
    const source = new EventSource(`/events/stream?kind=${encodeURIComponent(kind)}`);
    const timer = setTimeout(() => {
      source.close();
      reject(new Error(`the indexer did not report the ${kind} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    source.addEventListener(kind, (msg) => {
      const event = JSON.parse(msg.data);
      if (event.decoded && match(event.decoded)) {
        clearTimeout(timer);
        source.close();
        resolve(event);
      }
    });
  });
}
