// What one sync keeps between calls so no Slack page is read twice: workspace names, user-group
// and IDP-group member lists from the list calls, and each system role's holders from the
// role-assignment scan. Bounded by a budget of cached ids; past it the syncers fetch instead (as
// after a resume in a new process), so the cache saves calls and never changes rows.
export const DEFAULT_BUDGET = 750_000;

export class GridState {
  readonly workspaceNames = new Map<string, string>();
  private readonly lists = new Map<string, string[]>();
  /** role id → holders, complete only once the listing scan has read every assignment page. */
  readonly roleHolders = new Map<string, Set<string>>();
  roleScanComplete = false;
  /** This process read the scan's first page (a resumed slice did not). */
  roleScanStarted = false;
  private used = 0;
  private readonly budget: number;

  constructor(budget = DEFAULT_BUDGET) {
    this.budget = budget;
  }

  /** Keep `ids` under `key` (`ug:<id>`, `idp:<id>`) if the budget allows. */
  put(key: string, ids: string[]): boolean {
    if (this.used + ids.length > this.budget) return false;
    this.used += ids.length;
    this.lists.set(key, ids);
    return true;
  }

  get(key: string): string[] | undefined {
    return this.lists.get(key);
  }

  drop(key: string): void {
    const ids = this.lists.get(key);
    if (!ids) return;
    this.lists.delete(key);
    this.used -= ids.length;
  }
}
