import type { EventLogRow } from './event-log.entity';
import type { StoredEvent } from './event-store';
import { toStoredEvent } from './record-shape';

const KEEP = 4096;

// The records this process committed last, contiguous by position and decoded once. The
// subscribers of a store (read model, RADIUS client registry, approvals, replication) all read
// the same fresh records right after each commit; they get them from here instead of each
// reading and parsing them again. Anything not held here is read from the database.
export class RecentRecords {
  private records: StoredEvent[] = [];

  // decoded: some of these rows already decoded (by position), used as they are.
  add(rows: EventLogRow[], decoded?: Map<number, StoredEvent>): void {
    this.addDecoded(rows.map((row) => decoded?.get(row.position) ?? toStoredEvent(row)));
  }

  // Records already decoded (a slave's, as received and verified): not parsed again.
  addDecoded(records: StoredEvent[]): void {
    const last = this.records[this.records.length - 1];
    if (!last || records[0].position !== last.position + 1) this.records = [];
    for (const record of records) this.records.push(record);
    if (this.records.length > KEEP * 2) this.records = this.records.slice(-KEEP);
  }

  // The caller's own rows, as the records just added (or decoded afresh if already dropped).
  decode(rows: EventLogRow[]): StoredEvent[] {
    return rows.map((row) => {
      const held = this.at(row.position);
      return held && held.hash === row.hash ? held : toStoredEvent(row);
    });
  }

  // Records after `afterPosition` when this holds the next one; null when the database must answer.
  from(afterPosition: number, limit: number): StoredEvent[] | null {
    const first = this.records[0];
    if (!first || afterPosition + 1 < first.position || afterPosition >= this.records[this.records.length - 1].position) return null;
    const start = afterPosition + 1 - first.position;
    return this.records.slice(start, start + limit);
  }

  // After a set-aside: positions above `position` will hold another history.
  truncateAfter(position: number): void {
    this.records = this.records.filter((r) => r.position <= position);
  }

  private at(position: number): StoredEvent | undefined {
    const first = this.records[0];
    return first ? this.records[position - first.position] : undefined;
  }
}
