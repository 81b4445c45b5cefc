import { isConnectionError, type Db } from "@stepwise/db";

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Whether this grader can reach its database, from what its statements met. A statement that
 * failed because the connection was refused or terminated marks the database unreachable; any
 * statement that succeeds marks it reachable again. While it is unreachable the grader claims
 * nothing and only probes, and /healthz says since when.
 */
export class DbHealth {
  private since: number | null = null;

  constructor(
    private readonly now: () => number,
    private readonly log: (line: string) => void,
  ) {}

  /** When the database stopped answering, or null while it answers. */
  get unreachableSince(): number | null {
    return this.since;
  }

  /** "database unreachable since …", or null while it answers. */
  describe(): string | null {
    return this.since === null ? null : `database unreachable since ${new Date(this.since).toISOString()}`;
  }

  /** Records a failed statement; true when it failed because the database is unreachable. */
  failed(error: unknown): boolean {
    if (!isConnectionError(error)) return false;
    this.unreachable(message(error));
    return true;
  }

  /** The database did not answer (`reason`: what the connection said). */
  unreachable(reason: string): void {
    if (this.since !== null) return;
    this.since = this.now();
    this.log(`database unreachable (${reason}); claiming paused until it answers again`);
  }

  reachable(): void {
    if (this.since === null) return;
    this.log(`database reachable again after ${((this.now() - this.since) / 1000).toFixed(1)} s; claiming resumed`);
    this.since = null;
  }

  /** One trivial statement: does the database answer now? */
  async probe(db: Db): Promise<boolean> {
    try {
      await db.kysely.selectNoFrom((eb) => eb.val(1).as("one")).execute();
      this.reachable();
      return true;
    } catch (error) {
      this.failed(error);
      return false;
    }
  }

  /**
   * Runs a statement that may safely run twice (a verdict write keyed by job id, a lease renewal,
   * a hand-back that only the holder can make), retrying while the database is unreachable until
   * `deadline` (a timestamp of `now`). Any other error, or the deadline, ends it with the error.
   */
  async retrying<T>(op: () => Promise<T>, deadline: number, sleep: (ms: number) => Promise<void>): Promise<T> {
    for (let wait = 250; ; wait = Math.min(wait * 2, 2_000)) {
      try {
        const result = await op();
        this.reachable();
        return result;
      } catch (error) {
        if (!this.failed(error) || this.now() + wait > deadline) throw error;
        await sleep(wait);
      }
    }
  }
}
