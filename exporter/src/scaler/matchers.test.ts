import { describe, expect, it } from 'vitest';
import { compileMatchers, formatMatchers, MatcherSyntaxError, parseMatchers } from './matchers.js';

describe('label matchers', () => {
  it('reads PromQL selector syntax, with or without braces, quoted or plain values', () => {
    expect(parseMatchers('{instance="web-1", job=~"api|web"}')).toEqual([
      { name: 'instance', op: '=', value: 'web-1' },
      { name: 'job', op: '=~', value: 'api|web' },
    ]);
    expect(parseMatchers('instance=web-1:9100,zone!=eu-1 ,  path!~"/a\\"b"')).toEqual([
      { name: 'instance', op: '=', value: 'web-1:9100' },
      { name: 'zone', op: '!=', value: 'eu-1' },
      { name: 'path', op: '!~', value: '/a"b' },
    ]);
    expect(parseMatchers('')).toEqual([]);
  });

  it('matches as Prometheus does: anchored regexes, a missing label is the empty string', () => {
    const match = compileMatchers(parseMatchers('job=~"api|web", zone!="eu", tier=""'));
    expect(match({ job: 'api' })).toBe(true);
    expect(match({ job: 'api-2' })).toBe(false);
    expect(match({ job: 'web', zone: 'eu' })).toBe(false);
    expect(match({ job: 'web', tier: 'gold' })).toBe(false);
    expect(compileMatchers([])({ any: 'thing' })).toBe(true);
  });

  it('says what is wrong', () => {
    const problem = (text: string) => {
      try {
        parseMatchers(text);
      } catch (err) {
        expect(err).toBeInstanceOf(MatcherSyntaxError);
        return (err as Error).message;
      }
      return 'parsed';
    };
    expect(problem('{a="b"')).toBe('expected a closing "}"');
    expect(problem('1a="b"')).toMatch(/expected a label name/);
    expect(problem('a~"b"')).toBe('expected =, !=, =~ or !~ after "a"');
    expect(problem('a="b')).toBe('unterminated quoted value for "a"');
    expect(problem('a="b" c="d"')).toBe('expected "," after the matcher for "a"');
    expect(problem('a=~"("')).toMatch(/^invalid regular expression for "a"/);
    expect(problem(`a=~"${'x'.repeat(2000)}"`)).toBe('regular expression for "a" is too long');
  });

  it('has one canonical spelling whatever the order and quoting', () => {
    expect(formatMatchers(parseMatchers('b=2, a="1"'))).toBe(formatMatchers(parseMatchers('{a=1,b="2"}')));
  });
});
