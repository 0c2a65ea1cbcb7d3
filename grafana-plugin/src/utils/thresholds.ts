/** Parse the "threshold lines" option: comma- or space-separated numbers; anything else is ignored. */
export function parseThresholds(text: string | undefined): number[] {
  if (!text) return [];
  return text
    .split(/[,\s]+/)
    .filter((part) => part !== '')
    .map(Number)
    .filter(Number.isFinite);
}
