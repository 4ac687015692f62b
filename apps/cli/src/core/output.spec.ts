import { renderRecord, renderTable } from './output';

describe('renderTable', () => {
  it('aligns columns under upper-case headers and shows empties as "-"', () => {
    const sut = renderTable([{ a: 'alice', b: true, c: null }, { a: 'bo', b: false, c: ['x', 'y'] }], [
      { header: 'name', value: (r) => r.a },
      { header: 'on', value: (r) => r.b },
      { header: 'tags', value: (r) => r.c },
    ]);
    expect(sut).toBe('NAME   ON   TAGS\nalice  yes  -\nbo     no   x, y\n');
  });

  it('keeps a value with a line break on one line', () => {
    expect(renderRecord([['note', 'a\nb'], ['n', 1]])).toBe('note: a b\nn:    1\n');
  });
});
