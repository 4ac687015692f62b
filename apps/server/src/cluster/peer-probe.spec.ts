import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { certificateFingerprint, createClusterCa, issueCertificate, type KeyAndCert } from '@twofold/platform';
import { probePeer } from './peer-probe';

// A real HTTPS peer answering /cluster/v1/epoch with a certificate of the cluster CA.
function peer(cert: KeyAndCert, answer: unknown): Promise<Server> {
  const server = createServer({ key: cert.keyPem, cert: cert.certPem }, (_req, res) => res.end(JSON.stringify(answer)));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('probePeer', () => {
  const ca = createClusterCa('probe-test');
  const node = issueCertificate(ca, 's1', { hosts: ['127.0.0.1'] });
  const impostor = issueCertificate(ca, 's1', { hosts: ['127.0.0.1'] }); // same CA, same name
  const answer = { nodeId: 'n1', nodeName: 's1', role: 'master', epoch: 7, fenced: false, master: null };
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

  it('trusts the cluster CA when no fingerprint is recorded, and only the recorded certificate when one is', async () => {
    const real = await peer(node, answer);
    const fake = await peer(impostor, { ...answer, epoch: 999 });
    servers.push(real, fake);
    const port = (s: Server) => (s.address() as AddressInfo).port;
    expect(await probePeer('127.0.0.1', port(fake), ca.certPem)).toMatchObject({ epoch: 999 });
    expect(await probePeer('127.0.0.1', port(fake), ca.certPem, certificateFingerprint(node.certPem))).toBeNull();
    expect(await probePeer('127.0.0.1', port(real), ca.certPem, certificateFingerprint(node.certPem))).toMatchObject({ epoch: 7 });
  });
});
