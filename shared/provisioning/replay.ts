// Every token id (jti) is accepted once: a captured request replayed within the token's two-minute
// life is refused. The Lambda keeps the ids in S3 (shared by every concurrent container); the local
// server keeps them in memory.
export interface ReplayStore {
  /** True the first time `jti` is claimed; false if it was claimed before (a replay). */
  claim(jti: string, expiresAtMs: number): Promise<boolean>;
}

export class MemoryReplayStore implements ReplayStore {
  private readonly seen = new Map<string, number>();
  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  async claim(jti: string, expiresAtMs: number): Promise<boolean> {
    const now = this.now();
    // Expired ids can never verify again (exp is checked first), so they need not be kept.
    for (const [id, exp] of this.seen) if (exp < now) this.seen.delete(id);
    if (this.seen.has(jti)) return false;
    this.seen.set(jti, expiresAtMs);
    return true;
  }
}
