/** The CSV series the CLI contract tests read, shared by the forecast/detect and bad-input files. */

/** two days of a 5-minute daily sine with noise, in NAB's timestamp style */
export function series(points = 576, start = Date.UTC(2026, 0, 1) / 1000): string {
  const lines = ['timestamp,value'];
  let seed = 1;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  for (let i = 0; i < points; i++) {
    const t = new Date((start + i * 300) * 1000).toISOString().slice(0, 19).replace('T', ' ');
    const v = 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 2 * rand() + (i === 500 ? 80 : 0);
    lines.push(`${t},${v.toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}
