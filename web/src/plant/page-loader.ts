/**
 * Loads the overview's page from the server one request at a time: a wish made while a request is
 * in flight is served by one more request after it (the last wish wins, none is lost), and a page
 * read before the live stream's last (re)connect is read again (changes in between were not on the
 * stream). A page read after it needs no second request.
 */
export class PageLoader {
  private running = false;
  private wanted = 0;
  /** The server time a page must have been read at or after (the last stream hello). */
  private afterMs = 0;
  /** When the last page loaded was read (server clock). */
  private lastMs: number | undefined;

  constructor(
    private readonly fetchPage: () => Promise<{ serverTimeMs: number }>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Load (again): the selection changed or something on the plant did. */
  request(): void {
    this.wanted++;
    void this.run();
  }

  /** The live stream (re)connected at server time `ms` (unknown: load again). */
  connected(ms: number | undefined): void {
    if (ms === undefined) { this.request(); return; }
    this.afterMs = Math.max(this.afterMs, ms);
    if (!this.running && (this.lastMs === undefined || this.lastMs < ms)) this.request();
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const asked = this.wanted;
    let again = false;
    try {
      const page = await this.fetchPage();
      this.lastMs = page.serverTimeMs;
      again = this.wanted !== asked || page.serverTimeMs < this.afterMs;
    } catch (err) {
      // The next wish (a selection change, an event, a reconnect) tries again.
      this.onError(err);
      again = this.wanted !== asked;
    } finally {
      this.running = false;
    }
    if (again) void this.run();
  }
}
