/**
 * The resolution a series is recorded at, and the narrowest band it can honestly be given.
 *
 * A value written as 12 (a request count) or 3.25 (a percentage to two decimals) stands for
 * everything that rounds to it: 12 means [11.5, 12.5]. So no band around a forecast of such a
 * series is narrower than half that quantum on each side, even when every recent error was
 * exactly zero (an integer count that sat still for a day, a memory series that is 97% zeros).
 * The quantum is the coarsest power of ten that every value is a whole multiple of: 1 for
 * counts, 10 for counts of tens, 0.001 for values with three decimals. It is never finer than
 * `SIGNIFICANT_DIGITS` digits below the largest magnitude seen, so a series of full-precision
 * doubles gets a floor far below anything a forecast error can show, yet wide enough for a
 * double to hold (the check in models/forecast-check.ts sees a band as empty below a few units
 * in the last place). A series of zeros has no quantum (0): it is constant, and its bands may
 * be empty. Pure and incremental: one comparison per value once the quantum has settled.
 */

/** digits below the largest magnitude the quantum may reach (a double holds about 15.9) */
export const SIGNIFICANT_DIGITS = 12;

/** exponent of the power of ten at or below |v| (v finite, non-zero) */
function magnitudeExponent(v: number): number {
  return Math.floor(Math.log10(Math.abs(v)));
}

/** Running quantum of a series: `observe` each value, read `quantum` (0 until a non-zero value). */
export class Resolution {
  /** exponent of the quantum, +Infinity before the first non-zero value */
  private exponent = Infinity;
  /** exponent of the largest magnitude seen */
  private top = -Infinity;
  /** a magnitude at or below which a value cannot raise `top` (saves a log10 per value) */
  private below = 0;
  /** 10^|exponent|, kept so the test per value is one multiplication or division */
  private power = NaN;

  constructor(state?: { exponent: number; top: number }) {
    if (state && Number.isFinite(state.exponent) && Number.isFinite(state.top)) {
      this.exponent = state.exponent;
      this.top = state.top;
      this.below = 10 ** state.top;
      this.power = 10 ** Math.abs(state.exponent);
    }
  }

  observe(v: number): void {
    if (!Number.isFinite(v) || v === 0) return;
    const a = Math.abs(v);
    if (a > this.below) {
      const m = magnitudeExponent(v);
      if (m > this.top) this.top = m;
      this.below = a;
      if (this.exponent === Infinity) this.setExponent(m);
      const lowest = this.top - SIGNIFICANT_DIGITS;
      if (this.exponent < lowest) this.setExponent(lowest);
    }
    const lowest = this.top - SIGNIFICANT_DIGITS;
    while (this.exponent > lowest && !this.isMultiple(v)) this.setExponent(this.exponent - 1);
  }

  private setExponent(exponent: number): void {
    this.exponent = exponent;
    this.power = 10 ** Math.abs(exponent);
  }

  /** true when `v` is a whole multiple of 10^exponent, up to the rounding of the division */
  private isMultiple(v: number): boolean {
    const r = this.exponent >= 0 ? v / this.power : v * this.power;
    return Math.abs(r - Math.round(r)) <= 8 * Number.EPSILON * Math.max(1, Math.abs(r));
  }

  observeAll(values: ArrayLike<number>): this {
    for (let i = 0; i < values.length; i++) this.observe(values[i]);
    return this;
  }

  /** the quantum (a power of ten), 0 when no non-zero value was seen */
  get quantum(): number {
    return Number.isFinite(this.exponent) ? 10 ** this.exponent : 0;
  }

  /** the narrowest honest half-width of a band: half the quantum */
  get floor(): number {
    return this.quantum / 2;
  }

  toJSON(): { exponent: number; top: number } | undefined {
    return Number.isFinite(this.exponent) ? { exponent: this.exponent, top: this.top } : undefined;
  }
}

/** Half the quantum of `values`: the narrowest half-width a band around their forecast may have. */
export function widthFloor(values: ArrayLike<number>): number {
  return new Resolution().observeAll(values).floor;
}
