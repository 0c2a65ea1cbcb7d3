/**
 * Narrowing a configured PromQL query to the series one fleet member owns, so each member fetches
 * about 1/N of the data: every vector selector gets a matcher `label=~"v1|v2|..."` per shard label,
 * listing the values the member owns (Prometheus turns such an alternation of literals into a set
 * lookup). That is only right when the shard labels reach the query's output unchanged from every
 * selector: aggregations must keep them (`by` naming them, `without` not), vector matching must
 * match on them, and no function may drop or rewrite them. Anything else is left whole (the
 * member fetches everything and keeps its own series); the reason is reported at start and in
 * `cloudpulse_cluster_query_narrowed`. The analysis uses Prometheus' own grammar
 * (`@prometheus-io/lezer-promql`). Pure: no I/O.
 */
import { parser } from '@prometheus-io/lezer-promql';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

export type NarrowingPlan =
  | {
      narrowable: true;
      /** the shard labels the matchers are added for */
      labels: string[];
      /** each vector selector's text (for label listings) and where its matcher goes */
      selectors: Array<{ text: string; insertAt: number; braces: boolean; needsComma: boolean }>;
    }
  | { narrowable: false; reason: string };

/** functions whose result has other labels than their argument (or none) */
const LABEL_DROPPING = new Set(['absent', 'absent_over_time', 'scalar', 'vector', 'count_values']);
/** functions that write the label named by their second argument */
const LABEL_WRITING = new Set(['label_replace', 'label_join']);

const children = (node: SyntaxNode): SyntaxNode[] => {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
};

const unquote = (text: string) => (/^["'`]/.test(text) ? JSON.parse(`"${text.slice(1, -1)}"`) : text);

function groupingLabels(node: SyntaxNode | undefined, query: string): string[] {
  const grouping = node && children(node).find((c) => c.name === 'GroupingLabels');
  return grouping ? children(grouping).map((c) => unquote(query.slice(c.from, c.to))) : [];
}

function hasSelector(node: SyntaxNode): boolean {
  if (node.name === 'VectorSelector') return true;
  return children(node).some(hasSelector);
}

/** Why `node` does not pass `labels` through unchanged, or undefined when it does. */
function obstacle(node: SyntaxNode, query: string, labels: string[], found: SyntaxNode[]): string | undefined {
  const text = () => query.slice(node.from, node.to).replace(/\s+/g, ' ').slice(0, 60);
  switch (node.name) {
    case 'VectorSelector':
      found.push(node);
      return undefined;
    case 'AggregateExpr': {
      const modifier = children(node).find((c) => c.name === 'AggregateModifier');
      const op = query.slice(node.firstChild!.from, node.firstChild!.to);
      const kind = modifier?.firstChild?.name;
      const grouped = groupingLabels(modifier, query);
      if (!modifier) return `\`${text()}\` aggregates every label away`;
      if (kind === 'By' && !labels.every((l) => grouped.includes(l)))
        return `\`${text()}\` does not keep ${labels.join(', ')} in its by (...)`;
      if (kind === 'Without' && labels.some((l) => grouped.includes(l)))
        return `\`${text()}\` removes ${labels.join(', ')} with without (...)`;
      if (op === 'count_values') {
        const target = children(node).find((c) => c.name === 'FunctionCallBody')?.firstChild;
        if (target && labels.includes(unquote(query.slice(target.from, target.to))))
          return `\`${text()}\` writes ${labels.join(', ')}`;
      }
      break;
    }
    case 'FunctionCall': {
      const name = query.slice(node.firstChild!.from, node.firstChild!.to);
      const args = children(children(node).find((c) => c.name === 'FunctionCallBody')!);
      if (LABEL_DROPPING.has(name) && args.some(hasSelector)) return `\`${name}(...)\` drops the labels`;
      if (LABEL_WRITING.has(name)) {
        const dst = args[1];
        if (dst && labels.includes(unquote(query.slice(dst.from, dst.to))))
          return `\`${name}(...)\` rewrites ${unquote(query.slice(dst.from, dst.to))}`;
      }
      break;
    }
    case 'BinaryExpr': {
      const sides = children(node).filter((c) => c.name !== 'MatchingModifierClause' && c.name !== 'BoolModifier');
      const clause = children(node).find((c) => c.name === 'MatchingModifierClause');
      const bothVectors = hasSelector(sides[0]) && hasSelector(sides[sides.length - 1]);
      if (clause && bothVectors) {
        const kind = clause.firstChild?.name;
        const matched = groupingLabels(clause, query);
        if (kind === 'On' && !labels.every((l) => matched.includes(l)))
          return `\`${text()}\` matches on (...) without ${labels.join(', ')}`;
        if (kind === 'Ignoring' && labels.some((l) => matched.includes(l)))
          return `\`${text()}\` ignores ${labels.join(', ')} when matching`;
      }
      break;
    }
  }
  for (const child of children(node)) {
    const why = obstacle(child, query, labels, found);
    if (why) return why;
  }
  return undefined;
}

/** The plan for narrowing `query` by the shard labels `labels` (the entry-name label excluded). */
export function planNarrowing(query: string, labels: string[]): NarrowingPlan {
  if (labels.length === 0) return { narrowable: true, labels, selectors: [] };
  const top = parser.parse(query).topNode;
  const found: SyntaxNode[] = [];
  const reason = obstacle(top, query, labels, found);
  if (reason) return { narrowable: false, reason };
  if (found.length === 0) return { narrowable: false, reason: 'the query reads no series' };
  const selectors = found.map((sel) => {
    const matchers = children(sel).find((c) => c.name === 'LabelMatchers');
    if (!matchers) return { text: query.slice(sel.from, sel.to), insertAt: sel.to, braces: true, needsComma: false };
    const inner = query.slice(matchers.from + 1, matchers.to - 1).trim();
    return {
      text: query.slice(sel.from, sel.to),
      insertAt: matchers.to - 1,
      braces: false,
      needsComma: inner !== '' && !inner.endsWith(','),
    };
  });
  return { narrowable: true, labels, selectors };
}

/** A value as an RE2 literal (Go's regexp.QuoteMeta). */
export function quoteMeta(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * `query` with each selector restricted to `values` per shard label (label -> the values this
 * member owns; "" also matches series without the label). Selectors are rewritten from the end
 * so earlier offsets stay valid.
 */
export function narrowQuery(
  query: string,
  plan: NarrowingPlan & { narrowable: true },
  values: Map<string, string[]>,
): string {
  const matcher = plan.labels
    .map((l) => `${l}=~${JSON.stringify((values.get(l) ?? []).map(quoteMeta).join('|'))}`)
    .join(',');
  let out = query;
  for (const s of [...plan.selectors].sort((a, b) => b.insertAt - a.insertAt)) {
    const add = s.braces ? `{${matcher}}` : `${s.needsComma ? ',' : ''}${matcher}`;
    out = out.slice(0, s.insertAt) + add + out.slice(s.insertAt);
  }
  return out;
}
