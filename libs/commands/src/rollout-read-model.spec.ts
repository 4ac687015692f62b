import { describeEachBackend } from '../../../test/support/backends';
import { SYSTEM_ACTOR } from './actor';
import { openHarness } from './testing/read-model-scenario';

// The staged-rollout rows of the read model (policies per client, the bypass a user holds, who is
// not enrolled yet), on SQLite and PostgreSQL: what `twofold user list --not-enrolled`, the RADIUS
// client registry and the SDK read.
describeEachBackend('staged rollout in the read model', ({ freshStorage }) => {
  it('answers policies, bypasses and the not-enrolled list, and rebuilds them identically', async () => {
    const h = await openHarness((await freshStorage()).url);
    const a = SYSTEM_ACTOR;
    try {
      const c = h.commands;
      const withToken = await c.createUser({ username: 'tokened' }, a);
      await c.assignOathToken(withToken.userId, { kind: 'totp' }, a);
      await c.createUser({ username: 'fresh' }, a);
      const texter = await c.createUser({ username: 'texter', phones: [{ label: 'mobile', number: '+4915100000001' }] }, a);
      await c.updateUser(texter.userId, { preferredMethod: 'sms' }, a);
      const silent = await c.createUser({ username: 'silent' }, a);
      await c.updateUser(silent.userId, { preferredMethod: 'sms' }, a);

      const notEnrolled = await h.queries.listUsers({ notEnrolled: true });
      expect(notEnrolled.items.map((u) => u.username).sort()).toEqual(['fresh', 'silent']);
      expect(notEnrolled.total).toBe(2);
      expect((await h.queries.listUsers({ notEnrolled: true, filter: 'SIL' })).items.map((u) => u.username)).toEqual(['silent']);

      const vpn = await c.radiusClients.add({ name: 'vpn', address: '10.0.0.0/8', secret: 'vpn-shared-secret', firstFactor: 'local-password' }, a);
      const wifi = await c.radiusClients.add({ name: 'wifi', address: '192.168.1.10', secret: 'wifi-shared-secret' }, a);
      await c.rollout.setRadiusClientPolicy(vpn.clientId, { unenrolled: 'first-factor-only' }, a);
      expect((await h.queries.getRadiusClient(vpn.clientId))?.unenrolled).toBe('first-factor-only');
      expect((await h.queries.listRadiusClients()).map((r) => [r.name, r.unenrolled])).toEqual([['vpn', 'first-factor-only'], ['wifi', 'reject']]);
      expect(await h.queries.getRolloutPolicy(`radius:${vpn.clientId}`)).toBe('first-factor-only');
      expect(await h.queries.getRolloutPolicy(`radius:${wifi.clientId}`)).toBe('reject');

      const adfs = await c.access.issueSdkCredential({ name: 'adfs', scopes: ['authenticate'] }, a);
      await expect(c.rollout.setSdkCredentialPolicy('adfs', { unenrolled: 'first-factor-only' }, a)).resolves.toMatchObject({ unenrolled: 'first-factor-only' });
      expect(await h.queries.getRolloutPolicy(`sdk:${adfs.credentialId}`)).toBe('first-factor-only');

      const bypassed = await c.rollout.grantBypass(withToken.userId, { seconds: 600, reason: 'phone lost', once: true }, a);
      expect(bypassed.bypass).toMatchObject({ once: true, reason: 'phone lost', uses: 0, active: true });
      const state = (await h.queries.getUserState(withToken.userId))!;
      await c.security.record({ kind: 'bypass_used', userId: withToken.userId, bypassId: state.bypass!.bypassId, source: 'radius:vpn' });
      expect((await h.queries.getUser(withToken.userId))?.bypass).toMatchObject({ uses: 1, active: false });

      await c.radiusClients.remove(vpn.clientId, a);
      expect(await h.queries.getRolloutPolicy(`radius:${vpn.clientId}`)).toBe('reject');

      // A rebuild from position 0 gives the same rows (the policies table included).
      const before = await h.queries.dump();
      h.projector.stop();
      await h.projector.rebuild(h.store);
      expect(await h.queries.dump()).toEqual(before);
      expect(before.rm_rollout_policies).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
