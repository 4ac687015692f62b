// A Map kept in least-recently-written order with at most `max` entries, the oldest evicted first.
// `map.delete(map.keys().next().value)` on a Map that is written and deleted from all the time is
// slow: V8 keeps deleted slots until the table is rehashed, and every walk from the front skips
// all of them (about 10 µs per eviction at 20,000 entries once the map is full). Here the write
// order is a queue of our own: (key, write number) pairs, an item stale once its key is written
// again or deleted, skipped at the front and compacted away when stale items outnumber live ones.
interface Slot<V> { value: V; write: number }

export class LruMap<K, V> {
  private readonly map = new Map<K, Slot<V>>();
  private keys: K[] = [];
  private writes: number[] = [];
  private head = 0;
  private written = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  // Does not change the order.
  get(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  // Written last (the newest); the oldest go while over max.
  set(key: K, value: V): void {
    const write = this.written++;
    const slot = this.map.get(key);
    if (slot) {
      slot.value = value;
      slot.write = write;
    } else {
      this.map.set(key, { value, write });
    }
    this.keys.push(key);
    this.writes.push(write);
    while (this.map.size > this.max) this.evictOldest();
    this.compact();
  }

  // The least recently written entry, left in place (undefined when empty).
  oldest(): { key: K; value: V } | undefined {
    for (; this.head < this.keys.length; this.head++) {
      const key = this.keys[this.head];
      const slot = this.map.get(key);
      if (slot?.write === this.writes[this.head]) return { key, value: slot.value };
      this.keys[this.head] = undefined as K; // stale: let the key go
    }
    return undefined;
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.keys = [];
    this.writes = [];
    this.head = 0;
  }

  private evictOldest(): void {
    const oldest = this.oldest();
    if (oldest) this.map.delete(oldest.key);
  }

  private compact(): void {
    // The popped front, or stale items that outnumber the live ones: keep only the live.
    const queued = this.keys.length - this.head;
    const popped = this.head > 1024 && this.head >= queued;
    if (!popped && (queued <= 1024 || queued <= 2 * this.map.size)) return;
    const keys: K[] = [];
    const writes: number[] = [];
    for (let i = this.head; i < this.keys.length; i++) {
      if (this.map.get(this.keys[i])?.write !== this.writes[i]) continue;
      keys.push(this.keys[i]);
      writes.push(this.writes[i]);
    }
    this.keys = keys;
    this.writes = writes;
    this.head = 0;
  }
}
