import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('durations', () => {
  it('parses Prometheus durations', () => {
    expect(parseDuration('5m')).toBe(300);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('7d')).toBe(604800);
    expect(parseDuration('250ms')).toBe(0.25);
    expect(parseDuration('5')).toBeUndefined();
    expect(parseDuration('5 m')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
  it('formats the shortest form', () => {
    expect(formatDuration(300)).toBe('5m');
    expect(formatDuration(900)).toBe('15m');
    expect(formatDuration(3600)).toBe('1h');
    expect(formatDuration(14400)).toBe('4h');
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(86400)).toBe('1d');
  });
  it('never writes weeks or years, so a 30d horizon is labelled "30d", not "4w2d"', () => {
    expect(formatDuration(parseDuration('30d')!)).toBe('30d');
    expect(formatDuration(parseDuration('1w')!)).toBe('7d');
    expect(formatDuration(parseDuration('1y')!)).toBe('365d');
    expect(formatDuration(parseDuration('1w1d2h')!)).toBe('8d2h');
    expect(formatDuration(1.5)).toBe('1s500ms');
  });
  it('formats every horizon the rules and dashboards select on exactly as written', () => {
    // rules/ and deploy/grafana select horizon="5m", "15m", "1h", "4h"
    for (const label of ['5m', '15m', '1h', '4h']) expect(formatDuration(parseDuration(label)!)).toBe(label);
  });
});
