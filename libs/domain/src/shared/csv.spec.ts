import { CsvError, parseCsv } from './csv';

describe('parseCsv', () => {
  it('reads plain fields, LF and CRLF line ends, and a missing final newline', () => {
    expect(parseCsv('a,b\r\n1,2\n3,4')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['3', '4'] },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, and keeps line numbers', () => {
    const sut = parseCsv('name,note\n"Smith, Ann","say ""hi""\nthere"\nbob,\n');
    expect(sut).toEqual([
      { line: 1, fields: ['name', 'note'] },
      { line: 2, fields: ['Smith, Ann', 'say "hi"\nthere'] },
      { line: 4, fields: ['bob', ''] },
    ]);
  });

  it('skips blank lines and a byte order mark, keeps empty quoted fields', () => {
    expect(parseCsv('\ufeffa\n\n""\n')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 3, fields: [''] },
    ]);
  });

  it('refuses stray and unclosed quotes, naming the line', () => {
    expect(() => parseCsv('a\nb"c\n')).toThrow(new CsvError(2, 'a quote inside an unquoted field (put the field in quotes and double the quote)'));
    expect(() => parseCsv('a\n"b"c\n')).toThrow(/line 2: text after a closing quote/);
    expect(() => parseCsv('a\n"b\n')).toThrow(/line 2: a quoted field is not closed/);
  });
});
