import { describe, expect, it } from 'vitest';
import { niceTicks, plotSvg } from './svg.js';

describe('svg plots', () => {
  it('picks round ticks inside the range', () => {
    expect(niceTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0.13, 0.61)).toEqual([0.2, 0.3, 0.4, 0.5, 0.6]);
  });

  it('breaks lines and bands at gaps and escapes the title', () => {
    const x = [0, 1, 2, 3, 4, 5];
    const svg = plotSvg({
      title: 'cpu <busy> & "idle"',
      lines: [{ x, y: [1, 2, NaN, 4, 5, 6], color: '#000' }],
      bands: [{ x, lower: [0, 1, 2, NaN, 4, 5], upper: [2, 3, 4, NaN, 6, 7], color: '#00f' }],
      markers: [{ x: 3, color: '#888' }],
    });
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<polygon /g)).toHaveLength(2);
    expect(svg).toContain('cpu &#60;busy&#62; &#38; &#34;idle&#34;');
    expect(svg).not.toMatch(/https?:/);
  });
});
