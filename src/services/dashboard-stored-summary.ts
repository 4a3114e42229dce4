// One row of dashboard_summaries held in memory, for the figures the dashboard must not recount
// per page view (dashboard-insights.ts): read once from the table, or counted when none is
// stored; rebuilt in the background when the caller's version moves, while the previous value
// keeps being served.
import type { Db } from '../db/client.ts';
import { readSummary, writeSummary } from '../db/queries/dashboard.ts';

/**
 * One summary row of dashboard_summaries held in memory: read once from the table (or counted, if
 * none is stored), then rebuilt in the background whenever the caller's version differs, from
 * the previous value; the rebuilt value is stored at most every `storeEveryMs` (0: always).
 */
export class StoredSummary<T> {
  private value: { version: string; body: T } | undefined;
  private loading: Promise<void> | undefined;
  private refreshing: Promise<void> | undefined;
  private storedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly name: string,
    private readonly storeEveryMs: number,
    private readonly build: (previous: T | undefined, version: string) => Promise<T>,
  ) {}

  get updating(): boolean {
    return this.refreshing !== undefined;
  }

  /** The value held now (undefined before the first load), and the version it is of. */
  get latest(): T | undefined {
    return this.value?.body;
  }

  get version(): string | undefined {
    return this.value?.version;
  }

  /** `version` may still be on its way: the stored row is read meanwhile (on PostgreSQL, on another connection). */
  async get(pending: string | Promise<string>): Promise<T> {
    this.loading ??= this.load(Promise.resolve(pending)).catch((err: unknown) => {
      this.loading = undefined; // a failed first count is not kept: the next request tries again
      throw err;
    });
    const [version] = await Promise.all([pending, this.loading]);
    const current = this.value!;
    if (current.version !== version && !this.refreshing) {
      this.refreshing = this.rebuild(current.body, version)
        .catch(() => undefined) // keep serving the previous figures; a later request tries again
        .finally(() => (this.refreshing = undefined));
    }
    return current.body;
  }

  async settled(): Promise<void> {
    await this.refreshing;
  }

  private async load(version: Promise<string>): Promise<void> {
    const stored = await readSummary<T>(this.db, this.name);
    if (stored) this.value = stored;
    else await this.rebuild(undefined, await version);
  }

  private async rebuild(previous: T | undefined, version: string): Promise<void> {
    const body = await this.build(previous, version);
    this.value = { version, body };
    if (Date.now() - this.storedAt >= this.storeEveryMs) {
      this.storedAt = Date.now();
      await writeSummary(this.db, this.name, version, body);
    }
  }
}
