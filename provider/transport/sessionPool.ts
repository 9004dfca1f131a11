/** What a pooled connection offers the pool. */
export interface Pooled {
  readonly isClosed: boolean;
  close(): void;
}

/**
 * Connections shared by every resource of a provider process, one per key (host and account).
 * A connection that has ended is replaced at the next request, and one that failed to open is
 * forgotten, so the next request tries again.
 */
export class SessionPool<S extends Pooled> {
  private readonly sessions = new Map<string, Promise<S>>();

  /** The pooled connection for `key`, opened with `open` when there is none. */
  get(key: string, open: (onClose: () => void) => Promise<S>): Promise<S> {
    const existing = this.sessions.get(key);
    if (existing) {
      return existing.then((s) => {
        if (!s.isClosed) return s;
        this.forget(key, existing);
        return this.get(key, open);
      });
    }
    const created = open(() => this.forget(key, created));
    this.sessions.set(key, created);
    created.catch(() => this.forget(key, created));
    return created;
  }

  /** How many connections are open or opening. */
  get size(): number {
    return this.sessions.size;
  }

  /** Ends every pooled connection. */
  async closeAll(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) {
      try {
        (await s).close();
      } catch {
        // one that never opened has nothing to close
      }
    }
  }

  private forget(key: string, which: Promise<S>): void {
    if (this.sessions.get(key) === which) this.sessions.delete(key);
  }
}
