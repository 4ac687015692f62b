import { LruMap } from './lru-map';

describe('LruMap', () => {
  it('keeps at most max entries, the least recently written evicted first', () => {
    const sut = new LruMap<string, number>(3);
    for (const [k, v] of [['a', 1], ['b', 2], ['c', 3]] as const) sut.set(k, v);
    sut.set('a', 10); // written again: now the newest
    sut.set('d', 4);
    expect(sut.size).toBe(3);
    expect(sut.get('b')).toBeUndefined();
    expect([sut.get('a'), sut.get('c'), sut.get('d')]).toEqual([10, 3, 4]);
    expect(sut.get('c')).toBe(3); // reading does not move it
    sut.set('e', 5);
    expect(sut.get('c')).toBeUndefined();
  });

  it('forgets deleted and cleared keys, and a key written after its delete starts afresh', () => {
    const sut = new LruMap<string, number>(2);
    sut.set('a', 1);
    sut.set('b', 2);
    expect(sut.delete('a')).toBe(true);
    expect(sut.delete('a')).toBe(false);
    sut.set('c', 3);
    expect(sut.size).toBe(2);
    sut.set('a', 4); // newest: 'b' goes
    expect(sut.get('b')).toBeUndefined();
    expect([sut.get('c'), sut.get('a')]).toEqual([3, 4]);
    sut.clear();
    expect(sut.size).toBe(0);
    sut.set('x', 1);
    expect(sut.get('x')).toBe(1);
  });

  it('keeps the order through many rewrites and evictions (the queue compacted on the way)', () => {
    const sut = new LruMap<number, number>(1000);
    const order: number[] = []; // a reference model: keys from oldest to newest
    let x = 7;
    for (let i = 0; i < 50_000; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      const key = x % 1500;
      if (x % 10 === 0) {
        sut.delete(key);
        const at = order.indexOf(key);
        if (at >= 0) order.splice(at, 1);
        continue;
      }
      sut.set(key, i);
      const at = order.indexOf(key);
      if (at >= 0) order.splice(at, 1);
      order.push(key);
      if (order.length > 1000) order.shift();
    }
    expect(sut.size).toBe(order.length);
    for (const key of order) expect(sut.get(key)).toBeDefined();
    for (let k = 0; k < 1500; k++) if (!order.includes(k)) expect(sut.get(k)).toBeUndefined();
  });
});
