import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { DEFAULT_SETTINGS, evolveUser, INITIAL_USER_STATE, isLockedOut, makeEvent, SealedSecret, SecurityOutcome, Settings, UserState } from '@twofold/domain';
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

  const addUser = (userId: string) => users.set(userId, evolveUser(evolveUser(INITIAL_USER_STATE, makeEvent('UserCreated', {
    userId, username: userId, displayName: userId, contact: { email: null, phones: [] }, preferredMethod: 'totp', language: 'en',
  })), makeEvent('OathTokenAssigned', { userId, tokenId: 't1', kind: 'hotp', algorithm: 'SHA1', digits: 6, period: 30, counter: 0, seed: { keyId: 'k1', sealed: 'not opened here' } as unknown as SealedSecret, label: '' })));

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

  // The slave is cut off from its master: every outcome waits in the outbox. A restart must leave
  // each user exactly as the live node had them (same function, same clock), including the refusals.
  it('after a restart, replaying the typed outcomes gives the same state as live', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'twofold-outbox-restart-')), 'slave.sqlite');
    const clock = { now: Date.parse('2026-12-01T10:00:00.000Z') };
    const tick = () => new Date((clock.now += 7_000));
    for (const id of ['u-lock', 'u-oath', 'u-fraud']) addUser(id);
    const source = 'radius:vpn';
    const sms = { nonce: 'sms-nonce-000001', expiresAt: '2026-12-01T10:10:00.000Z' };
    const outcomes: SecurityOutcome[] = [
      { kind: 'failed_attempt', userId: 'u-lock', reason: 'wrong one-time code', source },
      { kind: 'oath_success', userId: 'u-oath', tokenId: 't1', counter: 3, source, challenge: { nonce: 'oath-nonce-00001', expiresAt: sms.expiresAt } },
      { kind: 'failed_attempt', userId: 'u-lock', reason: 'wrong PIN', source },
      { kind: 'success', userId: 'u-lock', source },
      ...Array.from({ length: 5 }, (): SecurityOutcome => ({ kind: 'failed_attempt', userId: 'u-lock', reason: 'wrong one-time code', source })),
      { kind: 'oath_success', userId: 'u-oath', tokenId: 't1', counter: 3, source }, // a replay: refused live
      { kind: 'oath_success', userId: 'u-oath', tokenId: 't1', counter: 5, source },
      { kind: 'challenge_success', userId: 'u-oath', challenge: sms, source },
      { kind: 'challenge_success', userId: 'u-oath', challenge: sms, source }, // answered twice: refused live
      { kind: 'failed_attempt', userId: 'u-oath', reason: 'wrong one-time code', source },
      { kind: 'fraud', userId: 'u-fraud', reason: 'fraud reported on a push', source },
    ];

    const first = await openStorage({ sqlitePath: path, sqliteSynchronous: 'NORMAL' });
    const live = new UpstreamSecurityEvents(await UpstreamOutbox.open(first), queries, tick);
    const refused: string[] = [];
    for (const outcome of outcomes) await live.record(outcome).catch((err) => refused.push(`${outcome.kind}:${err.code}`));
    expect(refused).toEqual(['oath_success:code_already_used', 'challenge_success:code_already_used']);
    const seen = new Map<string, UserState | null>();
    for (const id of ['u-lock', 'u-oath', 'u-fraud']) seen.set(id, await live.getUserState(id));
    await first.destroy();

    // The process restarts (its clock moved on): a fresh instance over the same file.
    clock.now += 3_600_000;
    const second = await openStorage({ sqlitePath: path, sqliteSynchronous: 'NORMAL' });
    try {
      const restarted = new UpstreamSecurityEvents(await UpstreamOutbox.open(second), queries, tick);
      await restarted.reload();
      expect(restarted.pendingCount).toBe(outcomes.length - refused.length);
      for (const [id, state] of seen) expect(await restarted.getUserState(id)).toEqual(state);
      // What that state means to the user: locked by the fifth failure after the success, the
      // codes and the SMS State spent, the fraud reporter blocked.
      const lock = seen.get('u-lock')!;
      expect(isLockedOut(lock, new Date(Date.parse('2026-12-01T10:01:10.000Z')))).toBe(true);
      const oath = seen.get('u-oath')!;
      expect(oath.tokens[0].lastUsedCounter).toBe(5);
      expect(oath.consumedChallenges!.map((c) => c.nonce)).toEqual(['oath-nonce-00001', sms.nonce]);
      expect(oath.recentFailures).toHaveLength(1);
      expect(seen.get('u-fraud')!.blocked).not.toBeNull();
      // A replay is still refused after the restart.
      await expect(restarted.record({ kind: 'oath_success', userId: 'u-oath', tokenId: 't1', counter: 4, source })).rejects.toMatchObject({ code: 'code_already_used' });
    } finally {
      await second.destroy();
    }
  });

  // Staged rollout on a slave. A master of an older release would log and ack a bypass use it
  // cannot read (which reads here like an append): the slave does not rest an Accept on it.
  it('keeps a once-only bypass spent on this node, and sends waivers only to a master that reads them', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'twofold-outbox-waiver-')), 'slave.sqlite');
    const at = new Date('2026-12-01T13:00:00.000Z');
    const userId = 'u-bypass';
    addUser(userId);
    users.set(userId, evolveUser(users.get(userId)!, makeEvent('UserBypassGranted', {
      userId, bypassId: 'b1', at: at.toISOString(), until: '2026-12-01T14:00:00.000Z', once: true, reason: 'phone lost', grantedBy: 'admin',
    })));
    const used: SecurityOutcome = { kind: 'bypass_used', userId, bypassId: 'b1', source: 'radius:vpn' };
    const pass: SecurityOutcome = { kind: 'unenrolled_pass', userId, source: 'radius:vpn' };
    const db = await openStorage({ sqlitePath: path, sqliteSynchronous: 'NORMAL' });
    try {
      const outbox = await UpstreamOutbox.open(db);
      const sut = new UpstreamSecurityEvents(outbox, queries, () => at);
      sut.masterReads(null); // a welcome without outcomeKinds: the previous release
      await expect(sut.record(used)).rejects.toMatchObject({ code: 'bypass_not_active' });
      await expect(sut.record(pass)).rejects.toMatchObject({ code: 'bypass_not_active' });
      sut.masterReads(['failed_attempt', 'success', 'code_used', 'oath_success', 'challenge_success', 'fraud']);
      await expect(sut.record(used)).rejects.toMatchObject({ code: 'bypass_not_active' });
      expect(await outbox.pending(0, 10)).toEqual([]);
      // A master of this release: recorded, and the once-only bypass is spent here at once.
      sut.masterReads(['bypass_used', 'unenrolled_pass']);
      const after = await sut.record(used);
      expect(after.bypass).toMatchObject({ bypassId: 'b1', uses: 1 });
      await expect(sut.record(used)).rejects.toMatchObject({ code: 'bypass_not_active' });
      await sut.record(pass);
      expect((await outbox.pending(0, 10)).map((i) => i.kind)).toEqual(['bypass_used', 'unenrolled_pass']);
      // After a restart the use still holds (the outbox row is decoded as it was written).
      const restarted = new UpstreamSecurityEvents(outbox, queries, () => at);
      await restarted.reload();
      expect((await restarted.getUserState(userId))!.bypass).toMatchObject({ uses: 1 });
    } finally {
      await db.destroy();
    }
  });

  it('enforces outbox rows written by the previous release (no version) after the upgrade', async () => {
    addUser('u-old');
    const outbox = await UpstreamOutbox.open(dataSource);
    const at = '2026-12-01T12:00:00.000Z';
    const rows: Array<[string, Record<string, unknown>]> = [
      ['oath_success', { userId: 'u-old', tokenId: 't1', counter: 8, source: 'radius:vpn', nonce: 'old-nonce-000001', expiresAt: '2026-12-01T12:05:00.000Z' }],
      ['failed_attempt', { userId: 'u-old', source: 'radius:vpn' }],
      ['not_a_kind', { userId: 'u-old' }],
    ];
    for (const [i, [kind, payload]] of rows.entries()) {
      await dataSource.query('INSERT INTO replication_outbox (id, kind, payload, created_at) VALUES (?, ?, ?, ?)', [`old-${i}`, kind, JSON.stringify(payload), at]);
    }
    await dataSource.query(`INSERT INTO replication_outbox (id, kind, payload, created_at) VALUES ('old-bad', 'fraud', '{not json', ?)`, [at]);
    const items = (await outbox.pending(0, 20_000)).filter((i) => i.id.startsWith('old-'));
    expect(items.map((i) => i.decoded.ok)).toEqual([true, true, false, false]);

    const sut = new UpstreamSecurityEvents(outbox, queries, () => new Date(at));
    await sut.reload();
    const state = (await sut.getUserState('u-old'))!;
    expect(state.tokens[0].lastUsedCounter).toBe(8);
    expect(state.consumedChallenges!.map((c) => c.nonce)).toContain('old-nonce-000001');
    expect(state.recentFailures).toEqual([at]);
    await expect(sut.record({ kind: 'oath_success', userId: 'u-old', tokenId: 't1', counter: 8, source: 'radius:vpn' })).rejects.toMatchObject({ code: 'code_already_used' });
  });
});
