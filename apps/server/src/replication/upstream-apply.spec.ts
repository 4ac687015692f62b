import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { SYSTEM_ACTOR } from '@twofold/commands';
import { openHarness, type Harness } from '../../../../libs/commands/src/testing/read-model-scenario';
import { encodeSecurityOutcome, isLockedOut } from '@twofold/domain';
import type { StoredEvent } from '@twofold/event-store';
import type { NodeRuntime } from '../node/node-runtime';
import { applyUpstream } from './upstream-apply';

// The master's side, on a real store and read model: what a member slave sends upstream is decided
// by the same decideSecurityOutcome, whether the slave runs this release (version 2) or the
// previous one (version 1, no `v`), and stamped with the message id and the sending node.
describe('applyUpstream on the master', () => {
  let h: Harness;
  let rt: Pick<NodeRuntime, 'commands' | 'queries' | 'logger'>;
  const refusals: string[] = [];
  let userId: string;
  let tokenId: string;

  beforeAll(async () => {
    h = await openHarness(join(mkdtempSync(join(tmpdir(), 'twofold-upstream-apply-')), 'master.sqlite'));
    const logger = { warn: (details: { detail?: string }) => refusals.push(details.detail ?? '') } as unknown as Logger;
    rt = { commands: h.commands, queries: h.queries, logger };
    await h.commands.cluster.registerFounder({ nodeId: 'n-s1', nodeName: 's1', fingerprint: 'ab'.repeat(32), host: 's1.example', httpPort: 8443, replicationPort: 4443 });
    const user = await h.commands.createUser({ username: 'alice' }, SYSTEM_ACTOR);
    userId = user.userId;
    tokenId = (await h.commands.assignOathToken(userId, { kind: 'hotp' }, SYSTEM_ACTOR)).token!.tokenId;
  });
  afterAll(async () => h?.close());

  const caused = async (id: string): Promise<StoredEvent[]> => (await h.store.readStream(`user-${userId}`)).filter((e) => e.metadata.causationId === id);

  it('appends a version 1 message of the previous release, upcast, in the name of the sending node', async () => {
    const nonce = { nonce: 'v1-nonce-0000001', expiresAt: new Date(Date.now() + 60_000).toISOString() };
    await expect(applyUpstream(rt, 'n-s1', { id: 'up-1', kind: 'oath_success', payload: { userId, tokenId, counter: 2, ...nonce } })).resolves.toBeUndefined();
    const events = await caused('up-1');
    expect(events.map((e) => e.type)).toEqual(['OtpChallengeConsumed', 'AuthenticationSucceeded']);
    expect(events.every((e) => e.metadata.actor === 'node:s1')).toBe(true);
    expect(events[1].payload).toMatchObject({ source: 'node s1', code: { tokenId, counter: 2 } });
  });

  it('appends a version 2 message, and refuses a replayed counter with the rule', async () => {
    const sent = encodeSecurityOutcome({ kind: 'oath_success', userId, tokenId, counter: 3, source: 'radius:vpn' });
    expect(sent.payload.v).toBe(2);
    await expect(applyUpstream(rt, 'n-s1', { id: 'up-2', ...sent })).resolves.toBeUndefined();
    expect((await caused('up-2')).map((e) => [e.type, e.payload.source, e.payload.code])).toEqual([['AuthenticationSucceeded', 'radius:vpn', { tokenId, counter: 3 }]]);
    await expect(applyUpstream(rt, 'n-s1', { id: 'up-3', ...sent })).resolves.toEqual({ code: 'code_already_used', field: 'counter' });
    expect(await caused('up-3')).toEqual([]);
  });

  it('appends a once-only bypass use from a slave once: a second use from another node is refused with the rule', async () => {
    const bob = (await h.commands.createUser({ username: 'bob' }, SYSTEM_ACTOR)).userId;
    await h.commands.rollout.grantBypass(bob, { seconds: 600, reason: 'phone lost', once: true }, SYSTEM_ACTOR);
    const state = (await h.queries.getUserState(bob))!;
    const used = encodeSecurityOutcome({ kind: 'bypass_used', userId: bob, bypassId: state.bypass!.bypassId, source: 'radius:vpn' });
    await expect(applyUpstream(rt, 'n-s1', { id: 'up-bypass-1', ...used })).resolves.toBeUndefined();
    const events = (await h.store.readStream(`user-${bob}`)).filter((e) => e.metadata.causationId === 'up-bypass-1');
    expect(events.map((e) => [e.type, e.metadata.actor])).toEqual([['UserBypassUsed', 'node:s1'], ['AuthenticationSucceeded', 'node:s1']]);
    await expect(applyUpstream(rt, 'n-s1', { id: 'up-bypass-2', ...used })).resolves.toEqual({ code: 'bypass_not_active', field: 'bypassId' });
    const pass = encodeSecurityOutcome({ kind: 'unenrolled_pass', userId: bob, source: 'radius:vpn' });
    await expect(applyUpstream(rt, 'n-s1', { id: 'up-pass-1', ...pass })).resolves.toBeUndefined();
    expect((await h.store.readStream(`user-${bob}`)).filter((e) => e.metadata.causationId?.startsWith('up-')).map((e) => e.type))
      .toEqual(['UserBypassUsed', 'AuthenticationSucceeded', 'UnenrolledSignInAllowed', 'AuthenticationSucceeded']);
  });

  it('locks the account on the failure that reaches the threshold, whatever node the failures came from', async () => {
    for (let i = 0; i < 5; i++) {
      const failed = encodeSecurityOutcome({ kind: 'failed_attempt', userId, reason: 'wrong one-time code', source: 'radius:vpn' });
      await applyUpstream(rt, 'n-s1', { id: `up-fail-${i}`, ...failed });
    }
    expect((await caused('up-fail-4')).map((e) => e.type)).toEqual(['AuthenticationFailed', 'UserLockedOut']);
    await h.projector.waitFor((await h.store.head()).position);
    expect(isLockedOut((await h.queries.getUserState(userId))!, new Date())).toBe(true);
  });

  it('refuses, logs and appends nothing for a non-member, an unknown version, a malformed payload or a counter beyond the window', async () => {
    refusals.length = 0;
    const head = (await h.store.head()).position;
    const frames: Array<[string, string, Record<string, unknown>]> = [
      ['n-other', 'failed_attempt', { userId, reason: 'x', source: 'radius:vpn' }],
      ['n-s1', 'failed_attempt', { v: 9, userId, reason: 'x', source: 'radius:vpn' }],
      ['n-s1', 'UserDeleted', { userId }],
      ['n-s1', 'code_used', { v: 2, userId, tokenId, counter: 'seven', source: 'radius:vpn' }],
      ['n-s1', 'code_used', { v: 2, userId, tokenId, counter: Number.MAX_SAFE_INTEGER, source: 'radius:vpn' }],
    ];
    for (const [i, [nodeId, kind, payload]] of frames.entries()) {
      await expect(applyUpstream(rt, nodeId, { id: `bad-${i}`, kind, payload })).resolves.toBeUndefined();
    }
    expect(refusals).toEqual([
      'the sending node is not a member', 'security outcome version 9 is not known to this release', 'not a security outcome kind',
      'counter is not a non-negative integer', expect.stringMatching(/beyond what any code accepted now could use \(at most 14\)/),
    ]);
    expect((await h.store.head()).position).toBe(head);
  });

  it('appends a decision a slave took while it held the sign-in, once; a second one for the key is dropped and logged, the first stands', async () => {
    const carol = (await h.commands.createUser({ username: 'carol' }, SYSTEM_ACTOR)).userId;
    const decided = (decision: 'approved' | 'denied' | 'fraud') => encodeSecurityOutcome({ kind: 'approval_decided', userId: carol, approvalKey: 'held-key-000001', decision, source: 'device:d1' });
    const decisions = async () => (await h.store.readStream('approval-held-key-000001')).map((e) => [e.payload.decision, e.payload.source, e.metadata.actor, e.metadata.causationId]);
    await expect(applyUpstream(rt, 'n-s1', { id: 'up-held-1', ...decided('approved') })).resolves.toBeUndefined();
    expect(await decisions()).toEqual([['approved', 'device:d1', 'node:s1', 'up-held-1']]);
    await expect(h.commands.approvals.decision('held-key-000001')).resolves.toEqual({ decision: 'approved', source: 'device:d1' });
    refusals.length = 0;
    await expect(applyUpstream(rt, 'n-s1', { id: 'up-held-2', ...decided('fraud') })).resolves.toEqual({ code: 'already_exists', field: 'approvalId' });
    expect(await decisions()).toEqual([['approved', 'device:d1', 'node:s1', 'up-held-1']]);
    expect(refusals).toEqual(['the log already holds a decision for this approval']);
    // Nothing goes on the user's stream for a decision (the fraud report is its own outcome).
    expect((await h.store.readStream(`user-${carol}`)).filter((e) => String(e.metadata.causationId).startsWith('up-held'))).toEqual([]);
  });
});
