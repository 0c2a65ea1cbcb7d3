/**
 * One config entry's fetch from one source, as one stage that flows one way: the source is asked
 * for what this member owns (ownership.ts), the answer comes in chunks (chunked-load.ts), the
 * label sets this member keeps go on to the router and from there to the workers. The first fetch
 * loads the lookback, newest part first; later ones fetch only what is new, and label sets that
 * appear meanwhile are backfilled over the lookback with one extra query for all of them.
 */
import type { SeriesConfig } from '../config/schema.js';
import type { Labels, Source, SourceSeries } from '../sources/types.js';
import type { Logger } from '../util/logger.js';
import { loadChunks, newestFirstSplit } from './chunked-load.js';
import type { EntryOwnership, OwnedQuery } from './ownership.js';
import type { PipelineInstruments } from './pipeline.js';
import type { RouteMode, SeriesRouter } from './router.js';

/** the most new label sets backfilled with a label-set filter; more reload the whole entry */
const MAX_FILTERED_BACKFILL = 500;

export interface EntryFetchDeps {
  router: SeriesRouter;
  signal: AbortSignal;
  /** resolves once no worker has a first fit waiting (or the pipeline stops) */
  firstFitsDone: () => Promise<void>;
  instruments: PipelineInstruments;
  logger: Logger;
}

export interface FetchRequest {
  source: Source;
  entry: SeriesConfig;
  ownership: EntryOwnership;
  /** the end of the last successful fetch from this source; undefined before the first */
  after?: number;
  now: number;
  simulated: boolean;
}

/** Fetch and route what is new; resolves to the grid time fetched up to. Throws when the source fails. */
export async function fetchEntry(req: FetchRequest, deps: EntryFetchDeps): Promise<number> {
  const { source, entry, after, now } = req;
  const step = entry.step;
  const end = Math.floor(now / step) * step;
  const first = after === undefined;
  const start = first ? end - entry.lookback + step : after + step;
  if (start > end) return after ?? end;
  const owned = await req.ownership.query(source, start, end, deps.signal);
  // this member owns none of the entry's label sets
  if (!owned) return end;
  if (first) await firstLoad(req, owned, start, end, deps);
  else {
    const result = await source.queryRange(
      { name: entry.name, query: owned.query, start, end, step, simulate: entry.simulate, keep: owned.keep },
      deps.signal,
    );
    const fresh = route(req, owned, result, deps, { partial: false, admit: false });
    if (fresh.length > 0) await backfill(req, owned, fresh, end, deps);
  }
  return end;
}

function route(
  req: FetchRequest,
  owned: OwnedQuery,
  result: SourceSeries[],
  deps: EntryFetchDeps,
  mode: Pick<RouteMode, 'partial' | 'admit' | 'older'>,
): Labels[] {
  const mine = owned.keep ? result.filter((s) => owned.keep!(s.labels)) : result;
  return deps.router.route(req.entry, mine, { ...mode, simulated: req.simulated, now: req.now });
}

/** The lookback, newest part first: every series forecasts from it while the older part loads. */
async function firstLoad(req: FetchRequest, owned: OwnedQuery, start: number, end: number, deps: EntryFetchDeps) {
  const { source, entry, now } = req;
  const split = newestFirstSplit(entry, start, end);
  const load = { entry, query: owned.query, keep: owned.keep, signal: deps.signal };
  for await (const chunk of loadChunks(source, { ...load, start: split, end })) {
    route(req, owned, chunk, deps, { partial: true, admit: true });
  }
  deps.router.loaded(entry, now);
  if (split > start) {
    // first fits come first: the older part's parsing and the server's encoding would take the
    // cores they need, and a model on the newest quarter serves until the refit
    await deps.firstFitsDone();
    for await (const chunk of loadChunks(source, { ...load, start, end: split - entry.step })) {
      route(req, owned, chunk, deps, { partial: true, admit: true, older: true });
    }
    deps.router.loaded(entry, now);
  }
}

/**
 * Label sets that appear after the first load are backfilled over the lookback with one extra
 * query for all of them, so a new node is modelled from a full history, not from its first point.
 */
async function backfill(req: FetchRequest, owned: OwnedQuery, fresh: Labels[], end: number, deps: EntryFetchDeps) {
  const { source, entry, now } = req;
  // past a few hundred label sets the filter expression costs more than reloading everything
  const only = fresh.length <= MAX_FILTERED_BACKFILL ? fresh : undefined;
  const load = { entry, query: owned.query, keep: owned.keep, only, signal: deps.signal };
  for await (const chunk of loadChunks(source, { ...load, start: end - entry.lookback + entry.step, end })) {
    route(req, owned, chunk, deps, { partial: true, admit: true });
  }
  deps.router.loaded(entry, now);
  deps.instruments.backfilled(entry.name, fresh.length);
  deps.logger.info({ series: entry.name, backfilled: fresh.length }, 'backfilled new label sets over the lookback');
}
