import { describe, expect, it } from 'vitest';
import { csvField, csvText, UTF8_BOM } from './csv.ts';

describe('console CSV', () => {
  it('starts with the UTF-8 BOM and ends lines with CRLF', () => {
    const text = csvText([{ name: 'region', type: 'VARCHAR' }, { name: 'n', type: 'BIGINT' }], [{ region: '华东', n: 3 }, { region: null, n: 0 }]);
    expect(text.startsWith(UTF8_BOM)).toBe(true);
    expect(Buffer.from(text, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(text).toBe('\uFEFFregion,n\r\n华东,3\r\n,0\r\n');
  });

  it('quotes fields with commas, quotes and line breaks (RFC 4180), doubling the quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField('plain')).toBe('plain');
  });

  it("prefixes text that Excel would take for a formula with '", () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2')).toBe("'-2");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    // numbers are data: a negative number is not a formula
    expect(csvField(-2)).toBe('-2');
    expect(csvField('a=b')).toBe('a=b');
  });

  it('writes null as an empty field and booleans as true/false', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(true)).toBe('true');
    expect(csvField(0)).toBe('0');
  });
});
