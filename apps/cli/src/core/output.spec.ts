import { columns, renderRecord, renderTable } from './output';

describe('renderTable', () => {
  it('aligns columns under upper-case headers and shows empties as "-"', () => {
    const sut = renderTable([{ a: 'alice', b: true, c: null }, { a: 'bo', b: false, c: ['x', 'y'] }], [
      { header: 'name', value: (r) => r.a },
      { header: 'on', value: (r) => r.b },
      { header: 'tags', value: (r) => r.c },
    ]);
    expect(sut).toBe('NAME   ON   TAGS\nalice  yes  -\nbo     no   x, y\n');
  });

  it('takes columns by header: a field shown as it is, or a function of the row', () => {
    const sut = renderTable([{ id: 'u1', on: true }], columns<{ id: string; on: boolean }>({ 'user id': 'id', state: (r) => (r.on ? 'on' : 'off') }));
    expect(sut).toBe('USER ID  STATE\nu1       on\n');
  });

  it('keeps a value with a line break on one line', () => {
    expect(renderRecord([['note', 'a\nb'], ['n', 1]])).toBe('note: a b\nn:    1\n');
  });
});
