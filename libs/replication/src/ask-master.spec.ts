import { GENESIS_HASH } from '@twofold/event-store';
import { askMaster } from './slave/ask-master';
import { appendTicks, CLUSTER_ID, Harness, makePki, tlsFor } from './testing/cluster-fixture';

// How a master checks a claim that it was replaced: it asks the named master's own replication
// listener, which must present that node's certificate.
describe('askMaster', () => {
  jest.setTimeout(30_000);
  const pki = makePki();
  let h: Harness;
  beforeEach(() => (h = new Harness(pki)));
  afterEach(() => h.close());

  const ask = (port: number, nodeName: string) => askMaster({
    clusterId: CLUSTER_ID, nodeId: 'id-old', nodeName: 'old', epoch: 0, head: { position: 0, hash: GENESIS_HASH },
    master: { host: '127.0.0.1', port, nodeName }, tls: tlsFor(pki, pki.node('old')),
  });

  it('gets the epoch and head from the master named, and refuses a listener with another certificate', async () => {
    const store = await h.sqliteStore();
    await appendTicks(store, 5);
    const master = await h.master(store, { epoch: () => 3 });
    const answer = await ask(master.address().port, 'master');
    expect(answer).toMatchObject({ epoch: 3, head: { position: 5 }, commonName: 'master' });
    await expect(ask(master.address().port, 's1')).rejects.toThrow(/is master, not s1/);
  });
});
