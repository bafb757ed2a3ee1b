// The endpoint on a plain node:http server: the local `baton-serverless webhook` command and the
// loopback tests. `publicUrl` is the URL ConductorOne (or a tunnel in front of us) addresses, which
// the token's htu and aud name.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type EndpointDeps, handleWebhook } from './endpoint.ts';

/** C1 answers are small; a bigger request is not a webhook. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;
/** How long close() lets deliveries in flight answer (503, their app calls cancelled) before cutting connections. */
const DRAIN_MS = 3000;

export interface WebhookServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

export interface WebhookServerOptions {
  port?: number;
  host?: string;
  /** Base URL as seen by the sender; default `http://<host>:<port>`. */
  publicUrl?: string;
}

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export async function startWebhookServer(deps: EndpointDeps, options: WebhookServerOptions = {}): Promise<WebhookServer> {
  const host = options.host ?? '127.0.0.1';
  let base = '';
  const draining = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      if (refused) return;
      size += c.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(c);
        return;
      }
      // Answer at once and read the rest into nothing: a reset would leave the sender guessing.
      refused = true;
      chunks.length = 0;
      deps.audit.rejected(`request body over ${MAX_BODY_BYTES / 1024 / 1024} MiB refused with 413`, { path: req.url ?? '/' });
      res.writeHead(413, { 'content-type': 'application/json', connection: 'close' }).end('{"error":"request body too large"}');
    });
    req.on('end', () => {
      if (refused) return;
      const path = new URL(req.url ?? '/', 'http://local');
      const url = new URL(`${path.pathname}${path.search}`, base);
      const handled = handleWebhook({ method: req.method ?? 'GET', url, headers: headersOf(req), body: Buffer.concat(chunks) }, deps, draining.signal)
        .then((out) => res.writeHead(out.status, out.headers).end(out.body))
        .catch(() => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal error"}'));
      inFlight.add(handled);
      void handled.finally(() => inFlight.delete(handled));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  base = (options.publicUrl ?? `http://${host}:${port}`).replace(/\/+$/, '') + '/';
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    async close() {
      // Stop taking deliveries, call off the ones in flight (each answers 503 at once), give them
      // a moment to send it, then cut whatever is left.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      draining.abort();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_MS)))]);
      clearTimeout(timer);
      server.closeAllConnections();
      await closed;
    },
  };
}
