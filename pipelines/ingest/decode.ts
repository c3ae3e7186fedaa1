/**
 * Gets every input into the one shape DuckDB's CSV reader takes: a UTF-8 CSV file.
 * - UTF-8 (BOM or not) is read in place.
 * - GB18030/GBK and UTF-16 are converted with iconv-lite (DuckDB's encodings extension would
 *   have to be downloaded, which we never do).
 * - XLSX sheets are written out by exceljs as CSV with one extra column holding each row's
 *   sheet row number, so rejected rows point at the row a person sees in Excel.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import type ExcelJS from 'exceljs';

export type Encoding = 'utf-8' | 'utf-8-bom' | 'gb18030' | 'utf-16le' | 'utf-16be';

export class UnreadableFileError extends Error {}

/** Name of the column that carries XLSX row numbers through the CSV. */
export const SHEET_ROW_COLUMN = '__salesight_sheet_row';

const SAMPLE_BYTES = 1 << 20;

function readSample(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const n = fs.readSync(fd, buf, 0, SAMPLE_BYTES, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

export function isZip(sample: Buffer): boolean {
  return sample.length >= 4 && sample.readUInt32LE(0) === 0x04034b50;
}

/** Counts of well-formed multi-byte characters and of invalid sequences, reading as UTF-8. */
function utf8Quality(sample: Buffer, complete: boolean): { multibyte: number; invalid: number } {
  let end = sample.length;
  if (!complete) {
    // back off a character cut at the end of the sample
    let i = end - 1;
    while (i >= 0 && end - i <= 4 && (sample[i]! & 0xc0) === 0x80) i--;
    if (i >= 0 && sample[i]! >= 0xc0) end = i;
  }
  const text = new TextDecoder('utf-8').decode(sample.subarray(0, end));
  let multibyte = 0;
  let invalid = 0;
  for (const ch of text) {
    if (ch === '\uFFFD') invalid++;
    else if (ch.codePointAt(0)! >= 0x80) multibyte++;
  }
  return { multibyte, invalid };
}

/**
 * Share of GB18030 two-byte characters that fall in GB2312 (the 6,763 common hanzi and the
 * full-width punctuation): near 1 for Chinese business text, low for Latin-1 or other byte soup
 * that merely happens to decode.
 */
function gb2312Share(sample: Buffer): number {
  let pairs = 0;
  let common = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i]!;
    if (b < 0x80) continue;
    const t = sample[i + 1];
    if (t === undefined) break;
    if (t >= 0x30 && t <= 0x39) {
      i += 3; // four-byte sequence
      continue;
    }
    pairs++;
    if (b >= 0xa1 && b <= 0xf7 && t >= 0xa1 && t <= 0xfe) common++;
    i++;
  }
  return pairs === 0 ? 0 : common / pairs;
}

/**
 * Decides the encoding from the bytes (BOM first, then validity), never from the file name.
 * GB18030 decodes almost any byte soup, so we accept it only if it decodes cleanly and its
 * characters are overwhelmingly common ones (GB2312): otherwise the file is refused, with a fix.
 */
export function detectEncoding(file: string): Encoding {
  const sample = readSample(file);
  const complete = sample.length < SAMPLE_BYTES;
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8-bom';
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  if (sample.includes(0)) {
    // UTF-16 without BOM: ASCII text has every other byte zero
    const zerosOdd = sample.filter((b, i) => i % 2 === 1 && b === 0).length;
    const zerosEven = sample.filter((b, i) => i % 2 === 0 && b === 0).length;
    if (zerosOdd > sample.length / 4 && zerosEven === 0) return 'utf-16le';
    if (zerosEven > sample.length / 4 && zerosOdd === 0) return 'utf-16be';
    throw new UnreadableFileError(
      `${file} looks like a binary file, not a CSV export (it contains NUL bytes). Export the report as CSV or XLSX.`,
    );
  }
  const utf8 = utf8Quality(sample, complete);
  // A UTF-8 file with a stray line in another encoding stays UTF-8: those rows are rejected
  // with their line numbers instead of the whole file being misread.
  if (utf8.invalid === 0 || utf8.multibyte >= 10 * utf8.invalid) return 'utf-8';
  const text = iconv.decode(sample, 'gb18030');
  if (!text.includes('\uFFFD') && gb2312Share(sample) >= 0.8) return 'gb18030';
  const bad = sample.findIndex((b) => b >= 0x80);
  throw new UnreadableFileError(
    `${file} is neither UTF-8 nor GB18030/GBK (first unexpected byte 0x${sample[bad]?.toString(16)} at offset ${bad}). ` +
      `Re-save it as "CSV UTF-8" from Excel, or export it again as UTF-8.`,
  );
}

/** Returns a path DuckDB can read as UTF-8: the file itself, or a converted copy in tmpDir. */
export async function toUtf8(file: string, encoding: Encoding, tmpDir: string): Promise<string> {
  if (encoding === 'utf-8' || encoding === 'utf-8-bom') return file; // DuckDB skips a UTF-8 BOM itself
  const out = path.join(tmpDir, `${path.basename(file)}.${process.hrtime.bigint()}.utf8.csv`);
  await pipeline(
    fs.createReadStream(file),
    iconv.decodeStream(encoding, { stripBOM: true }),
    iconv.encodeStream('utf-8'),
    fs.createWriteStream(out),
  );
  return out;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Text of one cell as a person sees it; dates in ISO so they parse whatever the preset's date order. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    const date = `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
    const h = value.getUTCHours();
    const m = value.getUTCMinutes();
    const s = value.getUTCSeconds();
    return h || m || s ? `${date} ${pad(h)}:${pad(m)}:${pad(s)}` : date;
  }
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('error' in value) return String(value.error);
    if ('hyperlink' in value) return typeof value.text === 'string' ? value.text : cellText(value.text as ExcelJS.CellValue);
    if ('formula' in value || 'sharedFormula' in value) {
      // We read the value Excel saved, never evaluate: a formula without a cached result stays visible as text.
      const result = (value as ExcelJS.CellFormulaValue).result;
      if (result === undefined || result === null) return `=${(value as ExcelJS.CellFormulaValue).formula ?? ''}`;
      return typeof result === 'object' && result instanceof Date ? cellText(result) : typeof result === 'object' ? String((result as ExcelJS.CellErrorValue).error ?? '') : String(result);
    }
  }
  return String(value);
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export interface SheetCsv {
  sheet: string;
  csvPath: string;
  rows: number;
}

/**
 * One CSV per non-empty worksheet. The header is the first row with at least two different
 * values (exported workbooks often put a title row, merged or not, above it); rows above it
 * are dropped.
 */
export async function xlsxToCsv(file: string, tmpDir: string): Promise<SheetCsv[]> {
  // loaded here, not at the top: CSV-only runs skip half a second of start-up
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  try {
    await workbook.xlsx.readFile(file);
  } catch (err) {
    throw new UnreadableFileError(`${file} is not a readable XLSX workbook (${(err as Error).message}). Open and re-save it in Excel, or export as CSV.`);
  }
  const out: SheetCsv[] = [];
  for (const sheet of workbook.worksheets) {
    const lines: string[] = [];
    let width = 0;
    let headerFound = false;
    sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cellText);
      while (values.length && values[values.length - 1] === '') values.pop();
      if (!headerFound) {
        // a merged title cell repeats its text in every cell it spans: not a header
        if (new Set(values.filter((v) => v !== '')).size < 2) return;
        headerFound = true;
        width = values.length;
        lines.push([...values, SHEET_ROW_COLUMN].map(csvField).join(','));
        return;
      }
      if (values.every((v) => v === '')) return;
      // Cells beyond the header's width are kept: the row is then rejected as ragged, not silently cut.
      const cells = values.length <= width ? [...values, ...Array(width - values.length).fill('')] : values;
      lines.push([...cells, String(rowNumber)].map(csvField).join(','));
    });
    if (!headerFound) continue;
    const csvPath = path.join(tmpDir, `${path.basename(file)}.${out.length}.${process.hrtime.bigint()}.csv`);
    fs.writeFileSync(csvPath, lines.join('\n') + '\n');
    out.push({ sheet: sheet.name, csvPath, rows: lines.length - 1 });
  }
  return out;
}
