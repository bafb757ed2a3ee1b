// The endpoint on a plain node:http server: the local `baton-serverless webhook` command and the
// loopback tests. `publicUrl` is the URL ConductorOne (or a tunnel in front of us) addresses, which
// the token's htu and aud name.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleWebhook, type EndpointDeps } from './endpoint.ts';

/** C1 answers are small; a bigger request is not a webhook. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

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
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://local');
      const url = new URL(`${path.pathname}${path.search}`, base);
      handleWebhook({ method: req.method ?? 'GET', url, headers: headersOf(req), body: Buffer.concat(chunks) }, deps)
        .then((out) => res.writeHead(out.status, out.headers).end(out.body))
        .catch(() => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal error"}'));
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
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
