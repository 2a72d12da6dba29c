import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CSV_DIALECTS, csvCell, csvLine, detectSeparator, toCsv } from '../../csv';

const { excel } = CSV_DIALECTS;

describe('CSV cells', () => {
  it('quotes either separator, quotes and line breaks', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell('a,b', excel)).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('one\ntwo')).toBe('"one\ntwo"');
    expect(csvCell(' padded')).toBe('" padded"');
    expect(csvCell('plain')).toBe('plain');
  });

  it('guards text that a spreadsheet would run as a formula, but not numbers', () => {
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+31')).toBe("'+31");
    expect(csvCell('-5')).toBe("'-5");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe(`"'\tcmd"`);
    expect(csvCell('=A1,"x"')).toBe(`"'=A1,""x"""`);
    expect(csvCell(-5)).toBe('-5');
  });

  it('guards a formula that starts after a separator or line break inside the text', () => {
    expect(csvCell('Jansen;=cmd|"/c calc"!A1')).toBe(`"'Jansen;=cmd|""/c calc""!A1"`);
    expect(csvCell('x,+1', excel)).toBe(`"'x,+1"`);
    expect(csvCell('x; "@SUM(A1)"')).toBe(`"'x; ""@SUM(A1)"""`);
    expect(csvCell('first line\n=HYPERLINK("http://x")')).toBe(`"'first line\n=HYPERLINK(""http://x"")"`);
    // A minus inside a word is no formula.
    expect(csvCell('Jansen-de Vries')).toBe('Jansen-de Vries');
  });

  it('every guarded cell reads back as one text cell in both dialects', () => {
    const nasty = ['a;=1+2', 'b,=1+2', '=x;y', 'c;\t-2'];
    for (const dialect of [CSV_DIALECTS.rfc4180, excel]) {
      const [cells] = parse(csvLine(nasty, dialect), { delimiter: dialect.separator }) as string[][];
      expect(cells).toEqual(nasty.map((text) => `'${text}`));
      // Each cell on its own is one quoted text cell whichever separator a reader assumes.
      for (const text of nasty) {
        for (const delimiter of [',', ';']) {
          expect(parse(csvCell(text, dialect), { delimiter })).toEqual([[`'${text}`]]);
        }
      }
    }
  });

  it('writes empty cells for null, lists joined, objects as JSON, CRLF line ends', () => {
    expect(toCsv(['a', 'b', 'c', 'd'], [[null, ['x', 'y'], { k: 1 }, true]])).toBe('a,b,c,d\r\n,"x; y","{""k"":1}",true\r\n');
  });
});

describe('the Excel dialect', () => {
  it('separates with semicolons, starts with a byte-order mark and writes decimal commas', () => {
    expect(toCsv(['name', 'nps', 'score'], [['Zoë', -12.5, 7]], excel)).toBe('\uFEFFname;nps;score\r\nZoë;-12,5;7\r\n');
  });

  it('the default dialect has no byte-order mark and decimal points', () => {
    expect(toCsv(['nps'], [[12.5]])).toBe('nps\r\n12.5\r\n');
  });
});

describe('reading: the separator from the header line', () => {
  it('picks semicolon or comma, whichever the header line uses', () => {
    expect(detectSeparator('email;firstName;lastName\r\na@x.nl;A;B')).toBe(';');
    expect(detectSeparator('email,firstName,lastName\na@x.nl;A;B')).toBe(',');
    expect(detectSeparator('\uFEFFemail;"first, name"\n')).toBe(';');
    expect(detectSeparator('"a;b;c",d\n')).toBe(',');
    expect(detectSeparator('email\n')).toBe(',');
  });
});
