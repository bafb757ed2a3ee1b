// What one sync learns that saves Slack calls: workspace names, the user-group and IDP-group member
// lists that came with the list calls, each system role's holders from the role-assignment scan,
// and that both tokens passed auth.test. All of it is kept in the connector state
// (ConnectorRuntime.state, stored with each checkpoint), so a resumed slice knows what earlier
// slices read and asks Slack for none of it again; memory holds none of it.
import { z } from 'zod';
import type { ConnectorState } from '../../shared/sync/connector.ts';
import { type JsonState, jsonState } from '../../shared/sync/json-state.ts';

const idsSchema = z.array(z.string());
const nameSchema = z.string();
const scanSchema = z.literal('complete');
const countSchema = z.number().int().nonnegative();
const checkedSchema = z.object({ enterpriseId: z.string() });

const ROLE_SCAN = 'roles:scan';
const TOKENS = 'tokens';

export class GridState {
  private readonly store: JsonState;

  constructor(store: ConnectorState) {
    this.store = jsonState(store, 'slack-enterprise');
  }

  workspaceName(workspaceId: string): string | undefined {
    return this.store.read(`ws:${workspaceId}`, nameSchema);
  }

  putWorkspaceName(workspaceId: string, name: string): void {
    this.store.write(`ws:${workspaceId}`, name);
  }

  /** Keep a member list under `key` (`ug:<id>`, `idp:<id>`) until its grants are written. */
  putMembers(key: string, ids: string[]): void {
    this.store.write(key, ids);
  }

  members(key: string): string[] | undefined {
    return this.store.read(key, idsSchema);
  }

  dropMembers(key: string): void {
    this.store.delete(key);
  }

  // Each scan page's holders of a role are one chunk (`role:<id>:<n>`, `role:<id>` counts them), so
  // a page costs a write of what it found, not a rewrite of everything found before.
  private chunksOf(roleId: string): number {
    return this.store.read(`role:${roleId}`, countSchema) ?? 0;
  }

  private dropRole(roleId: string): void {
    const chunks = this.chunksOf(roleId);
    for (let i = 0; i < chunks; i++) this.store.delete(`role:${roleId}:${i}`);
    this.store.delete(`role:${roleId}`);
  }

  /** The scan's first page: holders from an earlier scan of this sync (a retried page) go. */
  startRoleScan(roleIds: Iterable<string>): void {
    this.store.delete(ROLE_SCAN);
    for (const id of roleIds) this.dropRole(id);
  }

  /** One scan page's holders, by role id. */
  addRoleHolders(byRole: Map<string, Set<string>>): void {
    for (const [roleId, users] of byRole) {
      const chunk = this.chunksOf(roleId);
      this.store.write(`role:${roleId}:${chunk}`, [...users]);
      this.store.write(`role:${roleId}`, chunk + 1);
    }
  }

  /** Every assignment page has been read: each role's holders are whole. */
  completeRoleScan(): void {
    this.store.write(ROLE_SCAN, 'complete');
  }

  /**
   * The role's holders, each once (one may hold it on several entities, on several pages), if the
   * scan read every page; else undefined. Once: its grants consume them.
   */
  takeRoleHolders(roleId: string): string[] | undefined {
    if (this.store.read(ROLE_SCAN, scanSchema) === undefined) return undefined;
    const chunks = this.chunksOf(roleId);
    if (chunks === 0) return undefined;
    const holders = new Set<string>();
    for (let i = 0; i < chunks; i++) {
      const ids = this.store.read(`role:${roleId}:${i}`, idsSchema);
      // Not whole after all: the grants list the role instead.
      if (!ids) return undefined;
      for (const id of ids) holders.add(id);
    }
    this.dropRole(roleId);
    return [...holders];
  }

  /** The enterprise both tokens were found to belong to earlier in this sync, if they were. */
  tokensCheckedFor(): string | undefined {
    return this.store.read(TOKENS, checkedSchema)?.enterpriseId;
  }

  markTokensChecked(enterpriseId: string): void {
    this.store.write(TOKENS, { enterpriseId });
  }
}
