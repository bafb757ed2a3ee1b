// Drives a connector: resource types → resources (and their children) → entitlements and grants,
// streaming every page into the writer. All progress lives in a small JSON state (pending page
// actions + a cursor over written resources), checkpointed into the sync run's sync_token, so a
// run can stop at a deadline on a page boundary and a later run can resume it. Rows are upserts
// keyed by id, so redoing a page that was in flight at a stop changes nothing.

import { z } from 'zod';
import {
  ChildResourceTypeSchema,
  type Resource,
  type ResourceType,
  SkipEntitlementsAndGrantsSchema,
  SkipEntitlementsSchema,
  SkipGrantsSchema,
} from '../c1z/messages.ts';
import type { C1zWriter, ResourceKey } from '../c1z/writer.ts';
import { isDeadlineReached } from '../http/clock.ts';
import type { CallStat } from '../http/types.ts';
import { type SliceBudget, unlimitedBudget } from './budget.ts';
import type { Connector, ResourceSyncer } from './connector.ts';
import { findAnnotation, resourceId } from './model.ts';

type Ref = { type: string; id: string };

export type Action = { op: 'list'; type: string; parent?: Ref; token?: string } | { op: 'entitlements' | 'grants'; type: string; id: string; token?: string };

export interface EngineState {
  version: 1;
  phase: 'resources' | 'access' | 'done';
  /** Page actions not yet done (including those in flight when the state was taken). */
  queue: Action[];
  /** Row id of the last written resource whose entitlement/grant actions were queued. */
  cursor: number;
  /**
   * In the resources phase: row id up to which resources of `accessWhileListing` types had theirs
   * queued; the access phase skips those. Absent in states of engines without it: nothing skipped.
   */
  early?: number;
}

const refSchema = z.object({ type: z.string(), id: z.string() });
const actionSchema = z.union([
  z.object({ op: z.literal('list'), type: z.string(), parent: refSchema.optional(), token: z.string().optional() }),
  z.object({ op: z.enum(['entitlements', 'grants']), type: z.string(), id: z.string(), token: z.string().optional() }),
]);
const engineStateSchema = z.object({
  version: z.literal(1),
  phase: z.enum(['resources', 'access', 'done']),
  queue: z.array(actionSchema),
  cursor: z.number().int().nonnegative(),
  early: z.number().int().nonnegative().optional(),
});
const tokenSchema = z.object({ baton_serverless: engineStateSchema });

/** The sync run's `sync_token`: the engine state under a key of ours, beside anything baton-sdk keeps. */
export function tokenOf(state: EngineState): string {
  return JSON.stringify({ baton_serverless: state });
}

/**
 * The state in a checkpoint's token, checked against the connector that will resume it: a token
 * that does not parse, or names resource types this connector does not sync, is refused.
 */
export function stateFromToken(token: string, resourceTypes: readonly string[]): EngineState {
  let json: unknown;
  try {
    json = JSON.parse(token);
  } catch {
    throw new Error('its sync_token is not JSON');
  }
  const parsed = tokenSchema.safeParse(json);
  if (!parsed.success) throw new Error('its sync_token holds no baton-serverless engine state');
  const state = parsed.data.baton_serverless as EngineState;
  const unknown = state.queue.find((a) => !resourceTypes.includes(a.type));
  if (unknown) throw new Error(`it queues resource type ${JSON.stringify(unknown.type)}, which this connector does not sync`);
  return state;
}

export interface Progress {
  phase: EngineState['phase'];
  actionsDone: number;
  queued: number;
}

export interface EngineOptions {
  connector: Connector;
  writer: C1zWriter;
  /** Pages in flight at once (independent pages only). Default 6. */
  concurrency?: number;
  /** Once spent, no page starts; the run returns `done: false` with its state. Default: none. */
  budget?: SliceBudget;
  /** Resume from a state a stopped run returned. */
  state?: EngineState;
  onProgress?: (p: Progress) => void;
}

export interface EngineResult {
  done: boolean;
  state: EngineState;
  /** Page actions this run finished: 0 for a run that ended without a single page done. */
  actionsDone: number;
  /** Per connector call (`<type>.list`, `<type>.entitlements`, `<type>.grants`). */
  callStats: Record<string, CallStat>;
}

/** A page call failed: names the call, so the run's error says where. */
export class SyncStepError extends Error {
  readonly step: string;
  constructor(step: string, cause: unknown) {
    super(`${step}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SyncStepError';
    this.step = step;
  }
}

const FEED_BATCH = 200;

export function initialState(syncers: ResourceSyncer[]): EngineState {
  return { version: 1, phase: 'resources', queue: syncers.map((s) => ({ op: 'list', type: s.resourceType.id })), cursor: 0 };
}

export async function runEngine(options: EngineOptions): Promise<EngineResult> {
  const { connector, writer } = options;
  const syncers = new Map(connector.resourceSyncers().map((s) => [s.resourceType.id, s]));
  const concurrency = Math.max(1, options.concurrency ?? 6);
  const budget = options.budget ?? unlimitedBudget;
  const callStats: Record<string, CallStat> = {};

  writer.putResourceTypes([...syncers.values()].map((s) => s.resourceType));
  const state: EngineState = options.state ? structuredClone(options.state) : initialState([...syncers.values()]);
  /** Started and not done: being fetched, or fetched and not yet written. */
  const inflight = new Set<Action>();
  /** Fetched, not yet written. Each holds a slot, unless it handed it to its list's next page. */
  const held = new Set<Action>();
  const handedOver = new Set<Action>();
  /** A page started by a hand-over → the page that handed it over. */
  const predecessor = new Map<Action, Action>();
  const slotsUsed = () => inflight.size - handedOver.size;
  const written = new Map<Action, PromiseWithResolvers<void>>();
  const writtenOf = (a: Action) => (written.get(a) ?? written.set(a, Promise.withResolvers<void>()).get(a)!).promise;
  let failure: unknown;
  // A wait that would cross the deadline: the page goes back in the queue and the slice ends.
  let yielded = false;
  let actionsDone = 0;
  let started = 0;

  const snapshot = (): EngineState => ({ ...state, queue: [...inflight, ...state.queue] });
  const spent = () => yielded || budget.spent(started);

  const queueAccess = (k: ResourceKey, rt: ResourceType) => {
    if (has(rt, SkipEntitlementsAndGrantsSchema)) return;
    if (!has(rt, SkipEntitlementsSchema)) state.queue.push({ op: 'entitlements', type: k.resourceType, id: k.resourceId });
    if (!has(rt, SkipGrantsSchema)) state.queue.push({ op: 'grants', type: k.resourceType, id: k.resourceId });
  };
  const earlyTypes = [...syncers.values()].filter((s) => s.accessWhileListing).map((s) => s.resourceType.id);
  /** Resources of an early type may have been written since the early cursor last caught up. */
  let earlyBehind = earlyTypes.length > 0;
  /** In the resources phase: queues the access of written resources whose types ask for it early. */
  const feedEarly = () => {
    while (earlyBehind && state.phase === 'resources' && state.queue.length < concurrency * 2) {
      const { keys, scannedTo } = writer.resourceKeysOf(earlyTypes, state.early ?? 0, FEED_BATCH);
      for (const k of keys) queueAccess(k, syncers.get(k.resourceType)!.resourceType);
      state.early = Math.max(state.early ?? 0, scannedTo);
      if (keys.length < FEED_BATCH) earlyBehind = false;
    }
  };

  /** Moves the access phase's cursor forward, queueing entitlement/grant actions of written resources. */
  const feed = () => {
    if (state.phase === 'resources' && state.queue.length === 0 && inflight.size === 0) state.phase = 'access';
    if (state.phase === 'resources') return feedEarly();
    if (state.phase !== 'access') return;
    // Keep reading: a whole batch of resources whose type skips entitlements and grants queues nothing.
    while (state.queue.length < concurrency * 2) {
      const keys = writer.resourceKeys(state.cursor, FEED_BATCH);
      if (keys.length === 0) {
        if (state.queue.length === 0 && inflight.size === 0) state.phase = 'done';
        return;
      }
      for (const k of keys) {
        state.cursor = k.rowId;
        const rt = syncers.get(k.resourceType)?.resourceType;
        // Queued while listing already.
        if (!rt || (k.rowId <= (state.early ?? 0) && earlyTypes.includes(k.resourceType))) continue;
        queueAccess(k, rt);
      }
    }
  };

  const perform = async (action: Action): Promise<void> => {
    const syncer = syncers.get(action.type);
    const step = describe(action);
    if (!syncer) throw new SyncStepError(step, new Error(`no syncer for resource type ${action.type}`));
    const statKey = `${action.type}.${action.op}`;
    const started = performance.now();
    const stat = (callStats[statKey] ??= { count: 0, totalMs: 0, maxMs: 0, errors: 0 });
    try {
      const children = await runAction(syncer, action, writer, {
        fetched: () => held.add(action),
        // The next page of the same list is requested while this one is written: it takes this
        // page's slot. Only one page ahead: a page whose own predecessor is still unwritten (pages
        // that come back at once, e.g. from connector state) hands over only once that one is
        // written, so a list never holds more than two fetched-but-unwritten pages.
        follow: async (next) => {
          const before = predecessor.get(action);
          if (before && held.has(before)) await writtenOf(before);
          if (failure !== undefined || spent()) {
            state.queue.unshift(next);
            return;
          }
          handedOver.add(action);
          start(next);
          predecessor.set(next, action);
        },
      });
      for (const child of children) state.queue.push(child);
      if (action.op === 'list' && syncer.accessWhileListing) earlyBehind = true;
    } catch (err) {
      stat.errors += 1;
      throw err instanceof SyncStepError ? err : new SyncStepError(step, err);
    } finally {
      held.delete(action);
      handedOver.delete(action);
      predecessor.delete(action);
      written.get(action)?.resolve();
      written.delete(action);
      const ms = performance.now() - started;
      stat.count += 1;
      stat.totalMs += ms;
      stat.maxMs = Math.max(stat.maxMs, ms);
    }
  };

  let pump: (first?: () => void) => void = () => undefined;
  const start = (action: Action) => {
    inflight.add(action);
    started += 1;
    perform(action).then(
      () => {
        inflight.delete(action);
        actionsDone += 1;
        pump(() => options.onProgress?.({ phase: state.phase, actionsDone, queued: state.queue.length }));
      },
      (err: unknown) => {
        inflight.delete(action);
        state.queue.unshift(action);
        if (isDeadlineReached(err)) yielded = true;
        else failure ??= err;
        pump();
      },
    );
  };
  await new Promise<void>((resolve) => {
    const fill = () => {
      if (failure !== undefined || spent()) return;
      feed();
      while (slotsUsed() < concurrency && state.queue.length > 0 && !spent()) {
        start(state.queue.shift()!);
        feed();
      }
    };
    // Runs inside promise callbacks, where a throw would escape as an unhandled rejection: every
    // error (a writer's disk full while feeding, a progress callback) becomes the run's failure.
    pump = (first?: () => void) => {
      try {
        first?.();
        fill();
      } catch (err) {
        failure ??= err;
      }
      if (inflight.size === 0) resolve();
    };
    pump();
  });

  if (failure !== undefined) throw failure;
  feed();
  const done = state.phase === 'done';
  // The state goes into the database once, as the slice ends: only a packed checkpoint outlives it.
  writer.checkpoint(tokenOf(snapshot()));
  return { done, state: snapshot(), actionsDone, callStats };
}

/** baton-sdk's rule too: a page that hands back the token it was asked with never advances. */
function checkAdvances(action: Action, next: string | undefined): void {
  if (next && next === action.token) {
    throw new Error(
      `connector call ${action.type}.${action.op} returned the page token it was asked with (${JSON.stringify(next)}): the next page token is the same as the current one, so the sync would never end`,
    );
  }
}

interface PageHooks {
  /** The page is in memory and not yet written. */
  fetched(): void;
  /** The next page of the same list, known before this one is written. */
  follow(next: Action): Promise<void>;
}

/**
 * One page: fetched, its follow-up (the next page of the same list, when there is one) handed to
 * `follow` and given a turn of the event loop to go out, then its rows written. Returns the child
 * lists its rows announce.
 */
async function runAction(syncer: ResourceSyncer, action: Action, writer: C1zWriter, hooks: PageHooks): Promise<Action[]> {
  const pipeline = async (next: string | undefined) => {
    hooks.fetched();
    checkAdvances(action, next);
    if (!next) return;
    await hooks.follow({ ...action, token: next });
    await new Promise((resolve) => setImmediate(resolve));
  };
  if (action.op === 'list') {
    const page = await syncer.list(action.parent && resourceId(action.parent.type, action.parent.id), action.token);
    await pipeline(page.nextPageToken);
    writer.putResources(page.rows);
    if (page.grants?.length) writer.putGrants(page.grants);
    const children: Action[] = [];
    for (const r of page.rows) {
      for (const a of r.annotations) {
        const child = findAnnotation([a], ChildResourceTypeSchema);
        if (child && r.id) children.push({ op: 'list', type: child.resourceTypeId, parent: { type: r.id.resourceType, id: r.id.resource } });
      }
    }
    return children;
  }
  const resource = writer.getResource(action.type, action.id);
  if (!resource) throw new Error(`resource ${action.type}:${action.id} is not in the sync database`);
  if (skips(resource, action.op)) return [];
  if (action.op === 'entitlements') {
    const page = await syncer.entitlements(resource, action.token);
    await pipeline(page.nextPageToken);
    writer.putEntitlements(page.rows);
    return [];
  }
  const page = await syncer.grants(resource, action.token);
  await pipeline(page.nextPageToken);
  writer.putGrants(page.rows);
  return [];
}

function skips(resource: Resource, op: 'entitlements' | 'grants'): boolean {
  if (findAnnotation(resource.annotations, SkipEntitlementsAndGrantsSchema)) return true;
  return op === 'entitlements' ? !!findAnnotation(resource.annotations, SkipEntitlementsSchema) : !!findAnnotation(resource.annotations, SkipGrantsSchema);
}

function has(rt: ResourceType, schema: Parameters<typeof findAnnotation>[1]): boolean {
  return findAnnotation(rt.annotations, schema) !== undefined;
}

function describe(a: Action): string {
  const page = a.token ? ` (page token ${JSON.stringify(a.token.length > 40 ? `${a.token.slice(0, 40)}…` : a.token)})` : '';
  if (a.op === 'list') return `listing ${a.type} resources${a.parent ? ` of ${a.parent.type} ${a.parent.id}` : ''}${page}`;
  return `listing ${a.op} of ${a.type} ${a.id}${page}`;
}
