// The workspace's roles, listed once per sync (kept in the connector state, so across slices too)
// and shared by every syncer: the Go connector re-lists /roles for every source, function, warehouse
// and space.
import { z } from 'zod';
import type { ConnectorState } from '../../shared/sync/connector.ts';
import type { SegmentClient } from './client.ts';
import { type Role, roleSchema } from './client.ts';
import { PERMISSION_TARGETS, type PermissionTargetType } from './resources/types.ts';
import { toSnake } from './snake.ts';

export interface CatalogRole extends Role {
  /** Entitlement slug on sources/warehouses/functions/spaces: snake_case of the name, unique. */
  slug: string;
  /** Resource types whose permission entitlements this role yields. */
  targets: ReadonlySet<PermissionTargetType>;
}

/**
 * Slugs follow the Go connector (snake_case name). Two names that snake-case alike would share an
 * entitlement id; the later role (in API order) gets its id appended so neither grant is lost.
 */
export function catalogRoles(roles: readonly Role[]): CatalogRole[] {
  const used = new Set<string>();
  const out: CatalogRole[] = [];
  for (const role of roles) {
    let slug = toSnake(role.name);
    if (slug === '' || used.has(slug)) slug = slug === '' ? role.id : `${slug}_${role.id}`;
    used.add(slug);
    const targets = new Set(PERMISSION_TARGETS.filter((t) => role.name.includes(t.keyword)).map((t) => t.type));
    out.push({ ...role, slug, targets });
  }
  return out;
}

export class RoleCatalog {
  private readonly client: SegmentClient;
  private readonly state: ConnectorState;
  private loading: Promise<CatalogRole[]> | undefined;
  private byIdMap = new Map<string, CatalogRole>();

  constructor(client: SegmentClient, state: ConnectorState) {
    this.client = client;
    this.state = state;
  }

  all(): Promise<CatalogRole[]> {
    this.loading ??= this.load().catch((err: unknown) => {
      // A failed load must not poison the rest of the sync's retries.
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  async byId(id: string): Promise<CatalogRole | undefined> {
    await this.all();
    return this.byIdMap.get(id);
  }

  async forTarget(type: PermissionTargetType): Promise<CatalogRole[]> {
    return (await this.all()).filter((r) => r.targets.has(type));
  }

  private async load(): Promise<CatalogRole[]> {
    const stored = this.state.get('roles');
    const roles: Role[] = stored === undefined ? [] : z.array(roleSchema).parse(JSON.parse(stored));
    if (stored === undefined) {
      let cursor: string | undefined;
      do {
        const page = await this.client.roles(cursor);
        roles.push(...page.rows);
        cursor = page.nextPageToken;
      } while (cursor);
      this.state.set('roles', JSON.stringify(roles));
    }
    const catalog = catalogRoles(roles);
    this.byIdMap = new Map(catalog.map((r) => [r.id, r]));
    return catalog;
  }
}
