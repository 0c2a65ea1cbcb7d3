/**
 * Shared, lazy initialisation of the @bsull/augurs WebAssembly modules. The package's default
 * init fetches its `.wasm` by URL, which Node cannot do for `file:` URLs, so each module is
 * instantiated synchronously (`initSync`) from the bytes read off disk the first time it is
 * needed. Synchronous on purpose: `restore()` and `forecast()` are synchronous and may refit.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as etsWasm from '@bsull/augurs/ets';
import * as mstlWasm from '@bsull/augurs/mstl';
import * as prophetWasm from '@bsull/augurs/prophet';
import { ModelError, type ForecastResult } from './types.js';

interface WasmModule {
  initSync(module: { module: Uint8Array }): unknown;
}

const initialised = new Set<string>();
const requireFromHere = createRequire(import.meta.url);

function ensure<M extends WasmModule>(mod: M, specifier: string, wasmFile: string): M {
  if (!initialised.has(specifier)) {
    const file = join(dirname(requireFromHere.resolve(specifier)), wasmFile);
    mod.initSync({ module: readFileSync(file) });
    initialised.add(specifier);
  }
  return mod;
}

export function augursMstl(): typeof mstlWasm {
  return ensure(mstlWasm, '@bsull/augurs/mstl', 'mstl_bg.wasm');
}

export function augursEts(): typeof etsWasm {
  return ensure(etsWasm, '@bsull/augurs/ets', 'ets_bg.wasm');
}

export function augursProphet(): typeof prophetWasm {
  return ensure(prophetWasm, '@bsull/augurs/prophet', 'prophet_bg.wasm');
}

type ProphetOptimizer = (typeof import('@bsull/augurs-prophet-wasmstan'))['optimizer'];
let optimizer: ProphetOptimizer | undefined;
let optimizerLoading: Promise<ProphetOptimizer> | undefined;

/**
 * Prophet's Stan optimiser (@bsull/augurs-prophet-wasmstan). Loaded on first use, not on import:
 * compiling it takes ~0.3 s, which every CLI command and worker would otherwise pay.
 */
export function loadProphetOptimizer(): Promise<ProphetOptimizer> {
  optimizerLoading ??= import('@bsull/augurs-prophet-wasmstan').then((m) => (optimizer = m.optimizer));
  return optimizerLoading;
}

/** The optimiser if `loadProphetOptimizer` has completed in this process. */
export function loadedProphetOptimizer(): ProphetOptimizer | undefined {
  return optimizer;
}

/** The augurs error values are strings or plain objects; make them readable in a ModelError. */
export function augursMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}

const DAY = 86400;
const WEEK = 7 * DAY;

/**
 * Daily and weekly season lengths in steps (or the caller's own), keeping only those the
 * history covers at least twice: MSTL and Prophet cannot estimate a season seen once.
 */
export function seasonsCoveredTwice(step: number, length: number, requested?: number[]): number[] {
  const candidates = requested && requested.length > 0 ? requested : [DAY / step, WEEK / step];
  const out = new Set<number>();
  for (const c of candidates) {
    const period = Math.round(c);
    if (period >= 2 && length >= 2 * period) out.add(period);
  }
  return [...out].sort((a, b) => a - b);
}

/** Raw history kept by the augurs-backed models, which cannot absorb new points into a fit. */
export interface KeptHistory {
  /** unix seconds of values[0] */
  start: number;
  step: number;
  /** NaN marks a gap (null after a JSON round trip) */
  values: number[];
  /** most points kept; older ones are dropped from the front on update */
  maxLength: number;
}

/** Keep enough to see two weekly seasons (or the whole fit history, if longer). */
export function keepHistory(start: number, step: number, values: ArrayLike<number>): KeptHistory {
  const maxLength = Math.max(values.length, 2 * Math.round(WEEK / step));
  return { start, step, values: Array.from(values, (v) => (Number.isFinite(v) ? v : NaN)), maxLength };
}

export function appendHistory(history: KeptHistory, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) history.values.push(Number.isFinite(values[i]) ? values[i] : NaN);
  const excess = history.values.length - history.maxLength;
  if (excess > 0) {
    history.values.splice(0, excess);
    history.start += excess * history.step;
  }
}

/** A history read back from JSON: nulls become NaN gaps again. */
export function restoreHistory(state: unknown, model: string): KeptHistory {
  const s = state as Partial<KeptHistory> | null;
  if (
    !s ||
    !Array.isArray(s.values) ||
    typeof s.start !== 'number' ||
    typeof s.step !== 'number' ||
    typeof s.maxLength !== 'number'
  ) {
    throw new ModelError(model, 'serialised state has no valid history');
  }
  const values = s.values.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : NaN));
  return { start: s.start, step: s.step, values, maxLength: s.maxLength };
}

/** The finite values' common value when they are all equal (augurs' optimisers fail on these). */
export function constantValue(values: ArrayLike<number>): number | undefined {
  let first: number | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (first === undefined) first = v;
    else if (v !== first) return undefined;
  }
  return first;
}

/** A flat forecast with zero-width bands, for a series that has never moved. */
export function flatForecast(value: number, horizon: number, levels: number[]): ForecastResult {
  const point = new Array<number>(horizon).fill(value);
  return { point, intervals: levels.map((level) => ({ level, lower: [...point], upper: [...point] })) };
}
