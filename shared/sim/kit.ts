// The HTTP plumbing every app simulator shares: a loopback server, a record of the calls it served,
// generic fault switches and per-key token-bucket rate limits. Each app's simulator supplies only
// its routes, auth and tenant.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** Raw body text; `form` is its parsed urlencoded view, `json` its JSON view (undefined when not JSON). */
  body: string;
  form: URLSearchParams;
  json: unknown;
}

export interface SimResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless `raw` is given. */
  body?: unknown;
  raw?: string;
}

export type FaultKind =
  | '5xx' // HTTP 500 with a JSON error body
  | '503' // HTTP 503 with an HTML body, as a load balancer sends
  | 'timeout' // accept the request and never answer (until the server closes)
  | 'malformed' // 200 with a body that is not JSON
  | 'truncated' // 200 with JSON cut off half way, content-length honest about the cut
  | 'html' // 200 with an HTML page
  | 'reset'; // destroy the socket without a response

export interface Fault {
  kind: FaultKind;
  /** How many matching requests it applies to (default 1); Infinity for a persistent fault. */
  times?: number;
  /** Only requests whose path contains this string; default all. */
  pathIncludes?: string;
}

export interface CallRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  at: number;
}

/** Token bucket per key; `timeScale` > 1 makes the simulated minute shorter (for tests). */
export class SimRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  enabled = true;
  timeScale = 1;
  /** Milliseconds on the simulator's clock; a test can stop it so that no token refills mid-test. */
  now: () => number = () => performance.now();

  /** Returns 0 when the request may proceed, else the seconds to wait (Retry-After). */
  take(key: string, perMinute: number, burst = perMinute): number {
    if (!this.enabled) return 0;
    const ratePerMs = (perMinute * this.timeScale) / 60_000;
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + (now - b.at) * ratePerMs);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / ratePerMs / 1000));
  }
}

export type Route = (req: SimRequest) => SimResponse | Promise<SimResponse>;

export interface SimServer {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly calls: CallRecord[];
  readonly limiter: SimRateLimiter;
  /** Queue a fault; faults apply in the order queued. */
  fault(f: Fault): void;
  clearFaults(): void;
  /** Number of served calls whose path contains `fragment`. */
  count(fragment?: string): number;
  close(): Promise<void>;
}

export interface StartOptions {
  name: string;
  port?: number;
  host?: string;
  /** Keep no call records (large benchmarks). */
  recordCalls?: boolean;
}

export async function startSim(route: Route, options: StartOptions): Promise<SimServer> {
  const calls: CallRecord[] = [];
  const faults: (Fault & { left: number })[] = [];
  const limiter = new SimRateLimiter();
  const hanging = new Set<ServerResponse>();
  const record = options.recordCalls ?? true;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void handle(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname;
    const note = (status: number) => {
      if (record) calls.push({ method: req.method ?? 'GET', path, query: Object.fromEntries(url.searchParams), status, at: Date.now() });
    };
    const fault = faults.find((f) => f.left > 0 && (!f.pathIncludes || path.includes(f.pathIncludes)));
    if (fault) {
      fault.left -= 1;
      if (fault.left <= 0) faults.splice(faults.indexOf(fault), 1);
      return serveFault(fault.kind, res, note);
    }
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = undefined;
    }
    const simReq: SimRequest = {
      method: req.method ?? 'GET',
      path,
      query: url.searchParams,
      headers: req.headers,
      body,
      form: new URLSearchParams(req.headers['content-type']?.includes('application/x-www-form-urlencoded') ? body : ''),
      json,
    };
    let out: SimResponse;
    try {
      out = await route(simReq);
    } catch (err) {
      out = { status: 500, body: { error: 'simulator_error', message: String(err) } };
    }
    const status = out.status ?? 200;
    const text = out.raw ?? JSON.stringify(out.body ?? {});
    note(status);
    res.writeHead(status, {
      'content-type': out.raw === undefined ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...out.headers,
    });
    res.end(text);
  }

  function serveFault(kind: FaultKind, res: ServerResponse, note: (s: number) => void): void {
    switch (kind) {
      case '5xx':
        note(500);
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal_error"}');
        return;
      case '503':
        note(503);
        res.writeHead(503, { 'content-type': 'text/html' }).end('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
        return;
      case 'timeout':
        note(0);
        hanging.add(res);
        return;
      case 'malformed':
        note(200);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok": true, "members": [1, 2,,]');
        return;
      case 'truncated': {
        note(200);
        const text = '{"ok":true,"data":{"items":[{"id":"1"},{"id":"2"}';
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
        return;
      }
      case 'html':
        note(200);
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!DOCTYPE html><html><body>Sign in</body></html>');
        return;
      case 'reset':
        note(0);
        res.socket?.destroy();
        return;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    name: options.name,
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    limiter,
    fault(f) {
      faults.push({ ...f, left: f.times ?? 1 });
    },
    clearFaults() {
      faults.length = 0;
    },
    count(fragment) {
      return fragment === undefined ? calls.length : calls.filter((c) => c.path.includes(fragment)).length;
    },
    async close() {
      for (const res of hanging) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Deterministic PRNG (mulberry32) so a seed always yields the same tenant. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimStartOptions {
  port?: number;
  seed?: number;
  /** Tenant size: number of users (each app maps it to a proportionate tenant). */
  users?: number;
  /** 'real': the API's published limits; 'off'; or a number = time scale (limits × N). Default 'real'. */
  rateLimits?: 'real' | 'off' | number;
  /** App-specific size/mode knobs (e.g. groups, plan), parsed by the app. */
  extra?: Record<string, string | number | boolean>;
}

/**
 * Faults a person can switch on from the command line (`sim <app> --fault KIND[:COUNT]`), each for
 * the next COUNT requests (Infinity: until the simulator stops).
 */
export const SIM_FAULTS = {
  '5xx': 'HTTP 500 with a JSON error body',
  timeout: 'accept the request and never answer',
  truncated: 'HTTP 200 with the JSON cut off half way',
  malformed: 'HTTP 200 with a body that is not JSON',
  '429': "HTTP 429 with Retry-After, in the app's own throttle form",
  ratelimited: "the app's other throttle form where it has one (Slack: HTTP 200 ok:false ratelimited, with Retry-After)",
  revoked: "the app's answer to a revoked or invalid token",
} as const;

export type SimFaultKind = keyof typeof SIM_FAULTS;

export interface SimFaultRequest {
  kind: SimFaultKind;
  count: number;
  /** Seconds a throttle asks to wait (Retry-After); default 1. */
  retryAfterSec?: number;
}

/** The kit's own faults; an app's `fault` hook handles the rest (throttles, auth). */
export function applyGenericFault(server: SimServer, request: SimFaultRequest): boolean {
  const kinds: Partial<Record<SimFaultKind, FaultKind>> = { '5xx': '5xx', timeout: 'timeout', truncated: 'truncated', malformed: 'malformed' };
  const kind = kinds[request.kind];
  if (!kind) return false;
  server.fault({ kind, times: request.count });
  return true;
}

export interface RunningSim {
  server: SimServer;
  /**
   * Switches on one fault; throws when this app has no such form (e.g. `ratelimited` where the
   * app throttles only with 429). Without it only the kit's generic faults are available.
   */
  fault?(request: SimFaultRequest): void;
  /** The `BATON_*` secret map that points a connector at this simulator. */
  config: Record<string, string>;
  /** What the generated tenant should sync to, for tests and the demo: counts of rows. */
  expected?: { resourceTypes: number; resources: number; entitlements: number; grants: number };
}

/** One `extra` knob as `sim --set KEY=VALUE` takes it; the CLI checks values against it. */
export type SimSetting = { help: string } & ({ kind: 'number'; min?: number } | { kind: 'boolean' } | { kind: 'choice'; values: readonly string[] });

/** What `baton-serverless sim <app>` and `demo` need from each app's simulator module. */
export interface AppSimulator {
  name: string;
  /** Every `extra` key `start` reads, so a misspelt one is refused instead of ignored. */
  settings?: Record<string, SimSetting>;
  start(options: SimStartOptions): Promise<RunningSim>;
}
