import { describe, expect, it } from 'vitest';
import { promqlProblem } from '../config/promql.js';
import { narrowQuery, planNarrowing, quoteMeta } from './narrow.js';

const narrowed = (query: string, values: string[], labels = ['instance']) => {
  const plan = planNarrowing(query, labels);
  if (!plan.narrowable) throw new Error(plan.reason);
  return narrowQuery(query, plan, new Map(labels.map((l) => [l, values])));
};

describe('planNarrowing', () => {
  it('adds the shard matcher to every selector when the labels reach the output', () => {
    expect(narrowed('1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))', ['a:1'])).toBe(
      '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle",instance=~"a:1"}[5m]))',
    );
    expect(narrowed('mem_avail / mem_total', ['a', 'b'])).toBe(
      'mem_avail{instance=~"a|b"} / mem_total{instance=~"a|b"}',
    );
    expect(narrowed('sum without (cpu) (x{a="b",})', ['a'])).toBe('sum without (cpu) (x{a="b",instance=~"a"})');
    expect(narrowed('avg(x) by (instance, job)', ['a'])).toBe('avg(x{instance=~"a"}) by (instance, job)');
    expect(narrowed('{__name__="x"} offset 5m', ['a'])).toBe('{__name__="x",instance=~"a"} offset 5m');
    expect(narrowed('x / on(instance) group_left y', ['a'])).toBe(
      'x{instance=~"a"} / on(instance) group_left y{instance=~"a"}',
    );
  });

  it('leaves whole, with a reason, what would change the answer', () => {
    for (const q of [
      'sum(rate(x[5m]))',
      'topk(3, x)',
      'sum by (job) (x)',
      'sum without (instance) (x)',
      'x / on(job) y',
      'x / ignoring(instance) y',
      'label_replace(x, "instance", "$1", "a", "(.*)")',
      'x / scalar(sum(y))',
      'absent(up{job="x"})',
    ]) {
      const plan = planNarrowing(q, ['instance']);
      expect(plan.narrowable, q).toBe(false);
      if (!plan.narrowable) expect(plan.reason.length).toBeGreaterThan(5);
    }
  });

  it('writes values as RE2 literals in a PromQL string, so the query still parses', () => {
    expect(quoteMeta('a.b+c|d')).toBe('a\\.b\\+c\\|d');
    const q = narrowed('up', ['10.0.0.1:9100', 'we"ird\\x', '']);
    expect(promqlProblem(q)).toBeUndefined();
    expect(q).toBe('up{instance=~"10\\\\.0\\\\.0\\\\.1:9100|we\\"ird\\\\\\\\x|"}');
  });
});
