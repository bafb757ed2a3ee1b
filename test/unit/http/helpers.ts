// Shared fixtures for the HTTP client tests: one loopback simulator whose behaviour each test sets,
// and a clock that skips sleeps while recording them.
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { Clock } from '../../../shared/http/clock.ts';
import { type Route, type SimServer, startSim } from '../../../shared/sim/kit.ts';

export interface FakeClock extends Clock {
  readonly sleeps: number[];
}

/** Wall time plus every sleep taken so far: time moves as if the sleeps happened, instantly. */
export function fakeClock(): FakeClock {
  let offset = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now() + offset,
    sleep: async (ms) => {
      sleeps.push(ms);
      offset += Math.max(0, ms);
    },
  };
}

/** A clock that moves only by its sleeps, so what a test reads of it never depends on machine speed. */
export function manualClock(start = 1_700_000_000_000): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += Math.max(0, ms);
    },
  };
}

/** Starts a simulator for the file; `sim.handle` replaces its route for the current test. */
export function useSim(): { readonly server: SimServer; handle(route: Route): void } {
  let route: Route = () => ({ body: { ok: true } });
  let server: SimServer | undefined;
  beforeAll(async () => {
    server = await startSim((req) => route(req), { name: 'test' });
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    route = () => ({ body: { ok: true } });
    server?.calls.splice(0);
  });
  afterEach(() => {
    server?.clearFaults();
  });
  return {
    get server() {
      if (!server) throw new Error('simulator not started');
      return server;
    },
    handle(next) {
      route = next;
    },
  };
}

/** The rejection of `promise`, failing the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the request to fail, but it succeeded');
}
