/** Plain-text tables for the terminal that line up with Chinese text (CJK characters are two columns wide). */

function isWide(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  );
}

export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += isWide(ch.codePointAt(0)!) ? 2 : 1;
  return width;
}

function truncate(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  let out = '';
  let width = 0;
  for (const ch of text) {
    const w = isWide(ch.codePointAt(0)!) ? 2 : 1;
    if (width + w > max - 1) break;
    out += ch;
    width += w;
  }
  return `${out}…`;
}

export interface TextTableOptions {
  /** Columns to right-align (numbers). */
  alignRight?: Set<number>;
  /** Cut cells wider than this. */
  maxCellWidth?: number;
}

export function renderTextTable(headers: string[], rows: string[][], opts: TextTableOptions = {}): string {
  const max = opts.maxCellWidth ?? 60;
  const cells = [headers, ...rows].map((r) => r.map((c) => truncate(c.replace(/\r?\n/g, '⏎'), max)));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => displayWidth(r[i] ?? ''))));
  const pad = (text: string, i: number) => {
    const gap = ' '.repeat(widths[i]! - displayWidth(text));
    return opts.alignRight?.has(i) ? gap + text : text + gap;
  };
  const line = (r: string[]) => r.map((c, i) => pad(c, i)).join('  ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
}

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

/** Numbers in the user's locale, with thousands separators. */
export function formatCount(n: number): string {
  return numberFormat.format(n);
}
