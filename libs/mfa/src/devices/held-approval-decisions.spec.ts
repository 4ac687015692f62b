import { DomainErrorCode, type SecurityOutcome } from '@twofold/domain';
import { ApprovalBroker } from '../engine/approval-broker';
import { HeldApprovalDecisions } from './held-approval-decisions';
import { PushRequestRegistry } from './push-requests';

// The node holding a push sign-in, while the master is unreachable: a real broker and registry;
// the recorder stands for the node's outbox (it keeps what it is given, or refuses when told to).
describe('HeldApprovalDecisions', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');
  let recorded: SecurityOutcome[];
  let refuse: Error | null;
  let broker: ApprovalBroker;
  let registry: PushRequestRegistry;
  let held: HeldApprovalDecisions;
  const approval = (approvalKey: string) => ({ approvalKey, userId: 'u1', expiresAt: now + 60_000 });

  beforeEach(() => {
    recorded = [];
    refuse = null;
    broker = new ApprovalBroker(() => now);
    registry = new PushRequestRegistry(() => now);
    held = new HeldApprovalDecisions({ broker, registry, clock: () => now, record: async (o) => { if (refuse) throw refuse; recorded.push(o); } });
  });
  afterEach(() => broker.close());

  it('releases the RADIUS request waiting here with the decision, kept in the outbox once; a replay is refused', async () => {
    const pending = broker.expect('key-radius', 60_000);
    expect(held.holds('key-radius')).toBe(true);
    await expect(held.decide(approval('key-radius'), 'approved', 'device:d1')).resolves.toBe('approved');
    await expect(pending.decision).resolves.toBe('approved');
    expect(recorded).toEqual([{ kind: 'approval_decided', userId: 'u1', approvalKey: 'key-radius', decision: 'approved', source: 'device:d1' }]);
    expect(held.read('key-radius')).toEqual({ decision: 'approved', source: 'device:d1' });
    await expect(held.decide(approval('key-radius'), 'denied', 'device:d1')).rejects.toMatchObject({ code: DomainErrorCode.AlreadyExists });
    expect(recorded).toHaveLength(1);
  });

  it('takes one of two answers that arrive together', async () => {
    registry.add({ approvalKey: 'key-sdk', approvalId: 'sealed', userId: 'u1', requestedAt: new Date(now).toISOString(), expiresAt: now + 60_000 });
    const woken: string[] = [];
    held.onDecided((key) => woken.push(key));
    const both = await Promise.allSettled([held.decide(approval('key-sdk'), 'approved', 'device:d1'), held.decide(approval('key-sdk'), 'denied', 'device:d2')]);
    expect(both.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect(recorded.map((o) => o.kind === 'approval_decided' && o.decision)).toEqual(['approved']);
    expect(woken).toEqual(['key-sdk']);
  });

  it('records a "not me" as the fraud outcome (blocks the user on this node) before the decision', async () => {
    const pending = broker.expect('key-fraud', 60_000);
    await held.decide(approval('key-fraud'), 'fraud', 'device:d1');
    expect(recorded.map((o) => o.kind)).toEqual(['fraud', 'approval_decided']);
    await expect(pending.decision).resolves.toBe('fraud');
  });

  it('decides nothing it does not hold, and releases nothing the outbox refused (the answer may be sent again)', async () => {
    await expect(held.decide(approval('elsewhere'), 'approved', 'device:d1')).rejects.toThrow('this node does not hold the approval request');
    const pending = broker.expect('key-refused', 60_000);
    refuse = new Error('outbox full');
    await expect(held.decide(approval('key-refused'), 'approved', 'device:d1')).rejects.toThrow('outbox full');
    expect(broker.holds('key-refused')).toBe(true);
    expect(held.read('key-refused')).toBeNull();
    refuse = null;
    await held.decide(approval('key-refused'), 'approved', 'device:d1');
    await expect(pending.decision).resolves.toBe('approved');
  });
});
