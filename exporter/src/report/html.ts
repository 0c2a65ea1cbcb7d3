/**
 * A self-contained HTML page: inline CSS, no scripts, fonts, images or links to fetch, so a
 * report opens the same offline, attached to a ticket or from a CI artefact.
 */
import { escapeXml } from './svg.js';

export const escapeHtml = escapeXml;

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}h3{font-size:14px;margin:12px 0 4px}
table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 10px;border-bottom:1px solid #e5e5e5;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f4f4f4}
.meta{color:#666}.plot{display:block;margin:4px 0}.plot-title{font-size:12px;fill:#333}.tick{font-size:10px;fill:#666}
.legend{font-size:12px;color:#444}.legend span{margin-right:14px}.legend i{display:inline-block;width:18px;height:10px;margin-right:4px;vertical-align:middle}
`;

export function htmlTable(headers: string[], rows: (string | number)[][]): string {
  const head = `<tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n${head}\n${body}\n</table>`;
}

/** `body` is trusted HTML built by the report modules (every user string escaped there). */
export function htmlDocument(title: string, body: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    `<h1>${escapeHtml(title)}</h1>`,
    body,
    '</body></html>',
    '',
  ].join('\n');
}
