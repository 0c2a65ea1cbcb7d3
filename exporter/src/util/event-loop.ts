/**
 * How long the main thread's event loop was held, as a scrape or a probe would feel it: the
 * largest delay in each second, kept for a minute (perf_hooks' histogram, reset every second).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const WINDOW = 60;

export class EventLoopDelay {
  private readonly histogram: ReturnType<typeof monitorEventLoopDelay>;
  private readonly perSecondMs = new Float64Array(WINDOW).fill(0);
  private next = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(resolutionMs = 10) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.histogram.enable();
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  private tick(): void {
    // the histogram counts from the timer's expected time: a delay below one resolution is 0
    this.perSecondMs[this.next] = this.histogram.count > 0 ? this.histogram.max / 1e6 : 0;
    this.next = (this.next + 1) % WINDOW;
    this.histogram.reset();
  }

  /** the largest delay over the last `seconds` (at most a minute), in milliseconds */
  maxMs(seconds = WINDOW): number {
    let max = this.histogram.count > 0 ? this.histogram.max / 1e6 : 0;
    for (let k = 1; k <= Math.min(WINDOW, seconds); k++)
      max = Math.max(max, this.perSecondMs[(this.next - k + WINDOW) % WINDOW]);
    return max;
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
