import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { physicalLines } from './stage-csv.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salesight-lines-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content);
  return p;
}

describe('physicalLines (decides whether staging may skip the multi-line bookkeeping)', () => {
  it('counts lines with and without a final line break, and CRLF as one break', () => {
    expect(physicalLines(file('a.csv', 'h\n1\n2\n'))).toBe(3); // three lines, each ended
    expect(physicalLines(file('b.csv', 'h\n1\n2'))).toBe(3); // the last one unended still counts
    expect(physicalLines(file('c.csv', 'h\r\n1\r\n'))).toBe(2);
    expect(physicalLines(file('d.csv', 'h\n"two\nlines"\n'))).toBe(3); // a quoted break is a physical line
    expect(physicalLines(file('e.csv', 'h\n\n1\n'))).toBe(3); // a blank line is one too
  });

  it('counts across read buffers (1 MB): 300,000 lines of 7 bytes', () => {
    // 300,000 × "123456\n" = 2.1 MB, so line breaks fall in three buffers
    expect(physicalLines(file('big.csv', '123456\n'.repeat(300_000)))).toBe(300_000);
  });
});
