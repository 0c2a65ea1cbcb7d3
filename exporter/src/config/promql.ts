/**
 * PromQL syntax check at load time, with the Prometheus project's own grammar
 * (`@prometheus-io/lezer-promql`, the parser behind the Prometheus UI's editor), so a typo stops
 * start-up with its position instead of starting an exporter that is never ready.
 *
 * Only syntax and the result type a range query accepts are checked; argument types and counts
 * are left to the server, which reports them as failed queries.
 */
import { parser } from '@prometheus-io/lezer-promql';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** `/api/v1/query_range` only evaluates expressions of these kinds to a series per label set */
const RANGE_VECTOR_NODES = new Set(['MatrixSelector', 'SubqueryExpr']);
/** wrappers that keep the type of their first child */
const TRANSPARENT_NODES = new Set(['PromQL', 'ParenExpr', 'OffsetExpr', 'StepInvariantExpr']);
const EXCERPT = 60;

/** "line 2, column 5" for multi-line queries, "column 5" otherwise (1-based, as editors count) */
function position(query: string, offset: number): string {
  const before = query.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return query.includes('\n') ? `line ${line}, column ${column}` : `column ${column}`;
}

/** the query on one line, cut to about EXCERPT characters around `offset` */
function excerpt(query: string, offset: number): string {
  const flat = query.replace(/\s+/g, ' ');
  if (flat.length <= EXCERPT) return `\`${flat}\``;
  const flatOffset = query.slice(0, offset).replace(/\s+/g, ' ').length;
  const from = Math.max(0, Math.min(flatOffset - EXCERPT / 2, flat.length - EXCERPT));
  const cut = flat.slice(from, from + EXCERPT);
  return `\`${from > 0 ? '…' : ''}${cut}${from + EXCERPT < flat.length ? '…' : ''}\``;
}

/** an opening bracket with no partner, for a query that ends early (string contents ignored) */
function unclosed(query: string): string | undefined {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (const part of query.replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`/g, '""')) {
    if (part === '(' || part === '[' || part === '{') stack.push(part);
    else if (pairs[part] && stack.at(-1) === pairs[part]) stack.pop();
  }
  return stack.at(-1);
}

function firstError(node: SyntaxNode): SyntaxNode | undefined {
  const cursor = node.cursor();
  do {
    if (cursor.type.isError) return cursor.node;
  } while (cursor.next());
  return undefined;
}

function describeError(query: string, at: number): string {
  const rest = query.slice(at).trimStart();
  if (rest === '') {
    const open = unclosed(query);
    return `the query ends early${open ? ` (an opening "${open}" is never closed)` : ''}`;
  }
  // an identifier directly followed by "(" that the grammar did not take is not a PromQL function
  const name = /([A-Za-z_][A-Za-z0-9_:]*)\s*$/.exec(query.slice(0, at))?.[1];
  if (name && rest.startsWith('(')) return `unknown function "${name}"`;
  return `unexpected \`${rest.slice(0, 20).replace(/\s+/g, ' ')}\``;
}

/** The kind of value an expression returns, as far as the range query API cares. */
function resultKind(top: SyntaxNode): 'range vector' | 'string' | undefined {
  let node: SyntaxNode | null = top;
  while (node && TRANSPARENT_NODES.has(node.name)) node = node.firstChild;
  if (!node) return undefined;
  if (RANGE_VECTOR_NODES.has(node.name)) return 'range vector';
  if (node.name === 'StringLiteral') return 'string';
  return undefined;
}

/**
 * What is wrong with a query for `/api/v1/query_range`, or undefined when it parses. The answer
 * names the position (column, or line and column) and quotes the query around it.
 */
export function promqlProblem(query: string): string | undefined {
  if (query.trim() === '') return 'expected a PromQL expression, got only white space';
  const top = parser.parse(query).topNode;
  const error = firstError(top);
  if (error) {
    return `expected a PromQL expression; syntax error at ${position(query, error.from)}: ${describeError(query, error.from)} in ${excerpt(query, error.from)}`;
  }
  const kind = resultKind(top);
  if (kind) {
    const hint = kind === 'range vector' ? '; wrap it in a function such as rate(...) or avg_over_time(...)' : '';
    return `expected an instant vector or scalar expression (a range query evaluates it at every step), got a ${kind}: ${excerpt(query, 0)}${hint}`;
  }
  return undefined;
}
