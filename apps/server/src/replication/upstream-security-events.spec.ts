import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { DEFAULT_SETTINGS, evolveUser, INITIAL_USER_STATE, makeEvent, Settings, UserState } from '@twofold/domain';
import { openStorage } from '@twofold/event-store';
import type { ReadModelQueries } from '@twofold/read-model';
import { UpstreamOutbox } from '@twofold/replication';
import { UpstreamSecurityEvents } from './upstream-security-events';

// A slave's outbox after a restart, on a real SQLite database: every waiting item is enforced
// again, however many there are, and each user sees only their own.
describe('UpstreamSecurityEvents.reload', () => {
  let dataSource: DataSource;
  const users = new Map<string, UserState>();
  const queries = {
    getUserState: async (userId: string) => users.get(userId) ?? null,
    getSettings: async () => DEFAULT_SETTINGS as Settings,
  } as unknown as ReadModelQueries;

  const addUser = (userId: string) => users.set(userId, evolveUser(INITIAL_USER_STATE, makeEvent('UserCreated', {
    userId, username: userId, displayName: userId, contact: { email: null, phones: [] }, preferredMethod: 'totp', language: 'en',
  })));

  beforeAll(async () => {
    dataSource = await openStorage({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'twofold-outbox-')), 'slave.sqlite'), sqliteSynchronous: 'NORMAL' });
    addUser('u-many');
    addUser('u-other');
  });

  afterAll(async () => dataSource?.destroy());

  it('pages through more than 10,000 pending items and indexes them by user', async () => {
    const outbox = await UpstreamOutbox.open(dataSource);
    const total = 10_050;
    // Setup in bulk: the challenges this slave saw answered while its master was away.
    const rows: string[] = [];
    const params: unknown[] = [];
    const at = '2026-12-01T10:00:00.000Z';
    for (let i = 0; i < total; i++) {
      rows.push('(?, ?, ?, ?)');
      params.push(`id-${i}`, 'challenge_success', JSON.stringify({ userId: 'u-many', nonce: `nonce-${i}`, expiresAt: '2026-12-01T11:00:00.000Z', source: 'radius:test' }), at);
      if (rows.length === 400 || i === total - 1) {
        await dataSource.query(`INSERT INTO replication_outbox (id, kind, payload, created_at) VALUES ${rows.join(', ')}`, params);
        rows.length = 0;
        params.length = 0;
      }
    }
    await outbox.enqueue({ kind: 'fraud', userId: 'u-other', reason: 'reported', source: 'radius:test' });

    const sut = new UpstreamSecurityEvents(outbox, queries, () => new Date(at));
    await sut.reload();
    expect(sut.pendingCount).toBe(total + 1);
    // The last challenge answered (beyond the first 10,000) is still spent on this node.
    const many = await sut.getUserState('u-many');
    expect(many!.consumedChallenges!.map((c) => c.nonce)).toContain(`nonce-${total - 1}`);
    expect(many!.blocked).toBeNull();
    expect((await sut.getUserState('u-other'))!.blocked).not.toBeNull();
    // Settled by the master: the read model speaks for it again.
    sut.settle(['id-0']);
    expect(sut.pendingCount).toBe(total);
  });
});
