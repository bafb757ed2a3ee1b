// Starting a Slack simulator: the options both Slack apps take, the server with its route bound to
// the server's own limiter, and the `extra` knobs as the command line passes them.
import { type Route, type RunningSim, type SimRateLimiter, type SimServer, startSim } from '../../sim/kit.ts';

export interface SlackSimStartOptions {
  port?: number;
  gov?: boolean;
  /** 'real' (default), 'off', or a time scale (limits × N; pair it with the client's rateLimitScale). */
  rateLimits?: 'real' | 'off' | number;
  recordCalls?: boolean;
}

export interface RunningSlackSimOf<Tenant, Controls> extends RunningSim {
  tenant: Tenant;
  controls: Controls;
  expected: NonNullable<RunningSim['expected']>;
}

export async function startSlackServer<Controls>(
  name: string,
  options: SlackSimStartOptions,
  createRoute: (limiter: SimRateLimiter) => { route: Route; controls: Controls },
): Promise<{ server: SimServer; controls: Controls }> {
  // The route needs the server's limiter, so it is bound once the server exists.
  let routeFn: Route | undefined;
  const server = await startSim((req) => routeFn!(req), { name, port: options.port, recordCalls: options.recordCalls });
  const { route, controls } = createRoute(server.limiter);
  routeFn = route;
  const limits = options.rateLimits ?? 'real';
  if (limits === 'off') server.limiter.enabled = false;
  else if (typeof limits === 'number') server.limiter.timeScale = limits;
  return { server, controls };
}

/** A number `extra` knob; undefined when absent, empty or not a number. */
export function extraNumber(v: string | number | boolean | undefined): number | undefined {
  if (v === undefined || v === '' || typeof v === 'boolean') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
