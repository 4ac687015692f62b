import { describeEachBackend } from '../../../test/support/backends';
import { SYSTEM_ACTOR } from './actor';
import { Harness, openHarness } from './testing/read-model-scenario';

const source = (name: string) => ({ name, urls: ['ldap://127.0.0.1:3890'], bindDn: 'cn=sync,dc=example,dc=org', bindPassword: 'sync-pass', baseDn: 'dc=example,dc=org' });

describeEachBackend('directory sources listed from the log', ({ freshStorage }) => {
  jest.setTimeout(60_000);
  let h: Harness;
  beforeEach(async () => { h = await openHarness((await freshStorage()).url); });
  afterEach(async () => { await h.close(); });

  it('lists sources added since the last listing, and forgets one whose record was set aside', async () => {
    await h.commands.directories.add(source('corp'), SYSTEM_ACTOR);
    expect(await h.commands.directories.list()).toEqual(['corp']);
    // A long log after it (the pages the next listing no longer reads from the start).
    for (let i = 0; i < 3; i++) await h.commands.createUser({ username: `user${i}` }, SYSTEM_ACTOR);
    const head = (await h.store.head()).position;
    await h.commands.directories.add(source('branch'), SYSTEM_ACTOR);
    expect(await h.commands.directories.list()).toEqual(['branch', 'corp']);

    // An old master's tail set aside: 'branch' was only in the history that lost.
    h.projector.stop();
    await h.store.setAsideAfter(head, 'test: diverged');
    expect(await h.commands.directories.list()).toEqual(['corp']);
  });
});
