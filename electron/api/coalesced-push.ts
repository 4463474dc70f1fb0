/**
 * A status pushed to clients at most once per interval while things change
 * fast (packets, tunnels), and at once when something the user did changed it.
 */
export class CoalescedPush {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly push: () => void,
  ) {}

  /** Push within the interval (one push for any number of calls). */
  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.now(), this.intervalMs);
  }

  /** Push now; a scheduled push is dropped (this one carries the latest state). */
  now(): void {
    this.cancel();
    this.push();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
