import type { z } from 'zod';
import type { Entitlement } from '../c1z/gen/c1/connector/v2/entitlement_pb.js';
import type { Grant } from '../c1z/gen/c1/connector/v2/grant_pb.js';
import type { Resource, ResourceId, ResourceType } from '../c1z/gen/c1/connector/v2/resource_pb.js';
import type { HttpClient, HttpClientOptions } from '../http/types.ts';

/** One page of rows; no `nextPageToken` (or '') means the last page. */
export interface Page<T> {
  rows: T[];
  nextPageToken?: string;
}

/**
 * A list page. `grants`: access the same response states outright (a member list that gives each
 * row's workspace and roles), written with the page, so no later pass has to read it again.
 */
export interface ListPage extends Page<Resource> {
  grants?: Grant[];
}

/**
 * One resource type's three paged questions, after baton-sdk's ResourceSyncer. Page tokens are
 * strings so the engine's progress stays a small serialisable state.
 */
export interface ResourceSyncer {
  readonly resourceType: ResourceType;
  /**
   * Resources of this type. For a child type the engine calls it once per parent that announced
   * the type (ChildResourceType annotation) with that parent's id; a child type called without a
   * parent returns no rows.
   */
  list(parent: ResourceId | undefined, pageToken: string | undefined): Promise<ListPage>;
  entitlements(resource: Resource, pageToken: string | undefined): Promise<Page<Entitlement>>;
  grants(resource: Resource, pageToken: string | undefined): Promise<Page<Grant>>;
  /**
   * Its entitlements and grants need nothing from other types' listings (they come from its own
   * list pages or from calls of their own): the engine asks for them as soon as the resource is
   * written, while other types are still listing, so their calls and row writes fill the listing's
   * rate-limit waits instead of following them. Without it (the default, baton-sdk's order) they
   * wait until every resource is listed.
   */
  readonly accessWhileListing?: boolean;
  /**
   * Provisioning (optional), called for entitlements on this syncer's resource type. Both must be
   * idempotent: access already held (grant) or already gone (revoke) is success, `unchanged`.
   * A permanent refusal throws ConnectorError; the app's outages surface as HttpError.
   */
  grant?(principal: Resource, entitlement: Entitlement): Promise<ProvisionOutcome>;
  revoke?(grant: Grant): Promise<ProvisionOutcome>;
}

/** What a grant or revoke did: `unchanged` when the app already was in the asked state. */
export type ProvisionOutcome = 'changed' | 'unchanged';

export interface Connector {
  /** Checks the credentials with the cheapest call; throws a ConnectorError that names the key. */
  validate(): Promise<void>;
  resourceSyncers(): ResourceSyncer[];
  /** One line for the run's log, e.g. `mode=scim` (never a secret). */
  describe?(): string;
  /**
   * Account actions beyond grant/revoke (optional), by name, e.g. Slack's `enable_user` /
   * `disable_user` as the Go connector registers them. Idempotent like grant/revoke.
   */
  actions?(): Record<string, ConnectorAction>;
}

export interface ConnectorAction {
  description: string;
  /** Argument names the action requires (all strings). */
  args: readonly string[];
  run(args: Record<string, string>): Promise<ProvisionOutcome>;
}

/** What the runtime hands a connector: the only way it reaches the network. */
export interface ConnectorRuntime {
  http(options: HttpClientOptions): HttpClient;
  /** Structured progress/info logging; fields must not hold secrets. */
  log(message: string, fields?: Record<string, unknown>): void;
  /**
   * Whether this sync has already written that resource. It survives slices, where a connector's
   * in-memory state does not: what a resumed slice needs to know about earlier pages.
   */
  hasResource(resourceType: string, resourceId: string): boolean;
  /**
   * What this sync has learned that saves calls (member lists that came with a list page, lookup
   * maps, ...). It is kept with the checkpoint, so a new slice starts with what earlier slices
   * knew, and dropped when the sync ends. Values are written as they are learned and read back when
   * needed; they live in the sync database, not in memory.
   */
  readonly state: ConnectorState;
}

/** Key → string (JSON, as the connector likes) for the current sync; keys are the connector's own. */
export interface ConnectorState {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
}

export interface ConnectorDefinition<Config = unknown> {
  /** The connector's registry and folder name, e.g. `slack`. */
  readonly name: string;
  /**
   * Parses the secret's JSON map of `BATON_*` keys (the same keys the Go connectors take). Errors
   * must name the key, never the value.
   */
  readonly configSchema: z.ZodType<Config>;
  create(config: Config, runtime: ConnectorRuntime): Connector;
}

/** A failure the connector understands (bad credentials, missing scope, ...): fails the run at once. */
export class ConnectorError extends Error {
  readonly retryable = false;
  readonly connector: string;
  readonly code: string;
  constructor(connector: string, code: string, message: string, options?: { cause?: unknown }) {
    super(`${connector}: ${message}`, options);
    this.name = 'ConnectorError';
    this.connector = connector;
    this.code = code;
  }
}
