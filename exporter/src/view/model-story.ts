/**
 * The model serving a series, in plain words, read from the description the model gives itself
 * (`auto: sarima ARIMA(...) for 12 steps, then mean of sarima ... + ets ..., conformal bands`).
 * A description this does not recognise is shown as it is, never guessed at.
 */
import { formatDuration } from '../util/duration.js';

export interface ServedMember {
  /** the candidate's name (`sarima`), then what it fitted (`ARIMA(1,0,1) m=288`) */
  name: string;
  detail: string;
}

export interface AutoChoice {
  /** served for the first `steps` steps, when auto splits its horizon */
  early?: { steps: number; members: ServedMember[] };
  /** served after that (or throughout): one candidate, or the mean of several */
  late: ServedMember[];
  /** how the bands are made (`conformal bands (48 steps)`) */
  bands?: string;
}

const NAME = /^[a-z][a-z0-9_]*$/;

/** the members of `a detail` or `mean of a detail + b detail`; undefined when a name is not one */
function members(text: string): ServedMember[] | undefined {
  const body = text.startsWith('mean of ') ? text.slice('mean of '.length) : text;
  // a member starts where " + " is followed by a lowercase name and a space; pluses inside a
  // member's own detail ("ARIMA(1,0,1)+AR12 + 4 Fourier pairs") are not followed by one
  const parts = body.split(/ \+ (?=[a-z][a-z0-9_]* )/);
  const out: ServedMember[] = [];
  for (const part of parts) {
    const space = part.indexOf(' ');
    const name = space === -1 ? part : part.slice(0, space);
    if (!NAME.test(name)) return undefined;
    out.push({ name, detail: space === -1 ? '' : part.slice(space + 1) });
  }
  return out.length > 0 ? out : undefined;
}

/** What `auto` serves, from its description; undefined when the description is not auto's choice. */
export function parseAutoDescription(description: string): AutoChoice | undefined {
  if (!description.startsWith('auto: ') || /short history/.test(description)) return undefined;
  let text = description.slice('auto: '.length);
  let bands: string | undefined;
  const suffix = /, ([^,]*bands[^,]*)$/.exec(text);
  if (suffix) {
    bands = suffix[1];
    text = text.slice(0, suffix.index);
  }
  const split = /^(.*) for (\d+) steps, then (.*)$/.exec(text);
  if (split) {
    const early = members(split[1]);
    const late = members(split[3]);
    if (!early || !late) return undefined;
    return { early: { steps: Number(split[2]), members: early }, late, bands };
  }
  const late = members(text);
  return late ? { late, bands } : undefined;
}

const listNames = (m: ServedMember[]) =>
  m.length === 1
    ? m[0].name
    : `the mean of ${m
        .slice(0, -1)
        .map((x) => x.name)
        .join(', ')} and ${m.at(-1)!.name}`;

/**
 * One sentence on what serves the series: "auto serves sarima for the first 1h, then the mean of
 * sarima and ets." `step` turns auto's steps into a duration.
 */
export function modelSentence(
  model: { requested: string | null; serving: string | null; description: string | null },
  step: number,
): string {
  const requested = model.requested ?? 'auto';
  if (!model.description) return model.serving ? `${model.serving} (no fit described yet)` : 'not fitted yet';
  const choice = requested === 'auto' ? parseAutoDescription(model.description) : undefined;
  if (!choice) return model.description;
  const late = listNames(choice.late);
  if (!choice.early) return `auto serves ${late}.`;
  const span = formatDuration(choice.early.steps * step);
  return `auto serves ${listNames(choice.early.members)} for the first ${span}, then ${late}.`;
}

/** The short form for a table cell: "auto → sarima, then sarima + ets". */
export function modelShort(
  model: { requested: string | null; serving: string | null; description: string | null },
  step: number,
): string {
  const requested = model.requested ?? model.serving ?? '–';
  const choice = requested === 'auto' && model.description ? parseAutoDescription(model.description) : undefined;
  if (!choice) return model.serving && model.serving !== requested ? `${requested} → ${model.serving}` : requested;
  const names = (m: ServedMember[]) => m.map((x) => x.name).join(' + ');
  if (!choice.early) return `auto → ${names(choice.late)}`;
  return `auto → ${names(choice.early.members)} (first ${formatDuration(choice.early.steps * step)}), then ${names(choice.late)}`;
}
