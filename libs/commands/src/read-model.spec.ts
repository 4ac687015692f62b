import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describeEachBackend } from '../../../test/support/backends';
import { openStorage } from '@twofold/event-store';
import { ReadModelProjector } from '@twofold/read-model';
import { runScenario, withHarness } from './testing/read-model-scenario';

const REGISTER = join(__dirname, '../../event-store/src/testing/register-ts.js');
const WORKER = join(__dirname, '../../read-model/src/testing/project-worker.ts');

describeEachBackend('read model', ({ freshStorage }) => {
  it('shows every change right after the command returns', async () => {
    await withHarness((await freshStorage()).url, async (h) => {
      const u = await h.commands.createUser({ username: 'Carol', displayName: 'Carol C' }, { actor: 'admin:test' });
      expect((await h.queries.findUserByUsername('carol'))?.userId).toBe(u.userId);
      await h.commands.setPin(u.userId, { pin: '48213' }, { actor: 'admin:test' });
      expect((await h.queries.getUser(u.userId))?.hasPin).toBe(true);
      const { token } = await h.commands.assignOathToken(u.userId, {}, { actor: 'admin:test' });
      expect((await h.queries.getTokens(u.userId)).map((t) => t.tokenId)).toEqual([token!.tokenId]);
      await h.commands.deleteUser(u.userId, { actor: 'admin:test' });
      expect(await h.queries.findUserByUsername('carol')).toBeNull();
      expect(await h.queries.getTokens(u.userId)).toEqual([]);
    });
  });

  it('rebuilds from position 0 into rows identical to the incrementally built ones', async () => {
    await withHarness((await freshStorage()).url, async (h) => {
      await runScenario(h);
      const incremental = await h.queries.dump();
      expect(incremental.rm_users.length).toBeGreaterThan(5);
      expect(incremental.rm_oath_tokens.length).toBeGreaterThan(0);
      expect(incremental.rm_radius_clients).toHaveLength(2);
      // users 0, 4 and 8 activated a device; 0 and 8 removed theirs and had their push decided.
      expect(incremental.rm_devices).toHaveLength(1);
      expect(incremental.rm_device_activations).toHaveLength(3);
      expect(incremental.rm_push_requests.map((r) => r.approval_key)).toEqual(['key4']);
      expect(await h.queries.findNodeByFingerprint('b'.repeat(64))).toMatchObject({ nodeName: 'm1', reason: 'reissued', removed: false });
      expect(await h.queries.findNodeByFingerprint('a'.repeat(64))).toBeNull(); // rotated out
      expect(await h.queries.findNodeByFingerprint('c'.repeat(64))).toBeNull(); // removed
      expect(await h.queries.getNodeIdentity('node-s9')).toMatchObject({ removed: true, fingerprint: null });
      const head = await h.store.head();
      h.projector.stop();
      expect(await h.projector.rebuild(h.store)).toBe(head.position);
      expect(await h.queries.dump()).toEqual(incremental);
    });
  });

  it('keeps answering queries from the old rows until a rebuild is complete', async () => {
    await withHarness((await freshStorage()).url, async (h) => {
      await runScenario(h);
      const before = await h.queries.dump();
      const carol = await h.commands.createUser({ username: 'carol-live', displayName: 'Carol' }, { actor: 'admin:test' });
      h.projector.stop();
      const seen: Array<{ position: number; carol: boolean; users: number }> = [];
      const queries: Array<Promise<void>> = [];
      const position = await h.projector.rebuild(h.store, (p) => {
        queries.push((async () => {
          seen.push({ position: p, carol: (await h.queries.findUserByUsername('carol-live'))?.userId === carol.userId, users: (await h.queries.dump()).rm_users.length });
        })());
      }, 5);
      await Promise.all(queries);
      expect(seen.length).toBeGreaterThan(3);
      // A sign-in during the rebuild finds every user the read model had, at every step.
      expect(seen.filter((s) => !s.carol || s.users !== before.rm_users.length + 1)).toEqual([]);
      expect(position).toBe((await h.store.head()).position);
      expect((await h.queries.findUserByUsername('carol-live'))?.userId).toBe(carol.userId);
    });
  });

  it('applies every event exactly once when the projecting process is killed mid-stream', async () => {
    const { url } = await freshStorage();
    const reference = await withHarness(url, async (h) => {
      await runScenario(h, 30);
      const dump = await h.queries.dump();
      // Start the read model over, then let a child process project it and kill it part-way.
      h.projector.stop();
      await h.projector.rebuild({ readFrom: async () => [] } as never);
      return dump;
    });
    const child = spawn(process.execPath, ['-r', REGISTER, WORKER, url], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CRASH_AT: '61' } });
    const lastReported = await new Promise<number>((resolve) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.on('exit', () => resolve(Math.max(0, ...out.trim().split('\n').map(Number).filter(Number.isFinite))));
    });
    // The process died inside the transaction for event 61, after writing its rows.
    expect(lastReported).toBe(60);

    // Nothing of event 61 survived: the checkpoint and the rows rolled back together.
    const storage = await openStorage({ url });
    expect(await new ReadModelProjector(storage).init()).toBe(60);
    await storage.destroy();

    await withHarness(url, async (after) => {
      expect(after.projector.checkpoint).toBeGreaterThan(60);
      expect(await after.queries.dump()).toEqual(reference);
    });
  });
});
