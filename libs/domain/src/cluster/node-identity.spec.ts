import { decideJoin, decideRegisterFounder, foldJoinToken } from './cluster';
import { decideRecordNodeCertificate, decideRemoveNode, foldNode } from './node-identity';

const now = new Date('2026-12-01T10:00:00Z');
const fp = (c: string) => c.repeat(64);
const node = { nodeId: 'n2', nodeName: 's1' };
const address = { host: '10.0.0.2', httpPort: 8443, replicationPort: 4443 };

describe('node identity in the log', () => {
  it('records the certificate fingerprint with the join, in the same decision', () => {
    const token = foldJoinToken([{ type: 'JoinTokenIssued', schemaVersion: 1, payload: { tokenId: 't', nodeName: 's1', expiresAt: '2027-01-01T00:00:00Z', secretHash: 'h' } }]);
    const events = decideJoin(token, { tokenId: 't', nodeId: 'n2', secretValid: true, certificateFor: () => fp('a'), ...address }, now);
    expect(events.map((e) => e.type)).toEqual(['NodeJoined', 'NodeCertificateRecorded']);
    expect(events[1].data).toMatchObject({ nodeId: 'n2', nodeName: 's1', fingerprint: fp('a'), reason: 'joined' });
  });

  it('issues no certificate for a token that is not good', () => {
    const issue = jest.fn(() => fp('a'));
    expect(() => decideJoin(foldJoinToken([]), { tokenId: 't', nodeId: 'n2', secretValid: true, certificateFor: issue, ...address }, now)).toThrow(/not valid/);
    expect(issue).not.toHaveBeenCalled();
  });

  it('lists the founder with its fingerprint once', () => {
    const events = decideRegisterFounder(foldJoinToken([]), { nodeId: 'n1', nodeName: 'm1', fingerprint: fp('b'), ...address }, now);
    expect(events.map((e) => [e.type, (e.data as { reason?: string }).reason])).toEqual([['NodeJoined', undefined], ['NodeCertificateRecorded', 'founded']]);
  });

  it('rotates a certificate, refuses a malformed fingerprint, and never re-certifies a removed node', () => {
    const recorded = foldNode([{ type: 'NodeCertificateRecorded', schemaVersion: 1, payload: { ...node, fingerprint: fp('a'), reason: 'joined', at: now.toISOString() } }]);
    expect(decideRecordNodeCertificate(recorded, node, fp('a'), 'reissued', now)).toEqual([]);
    expect(decideRecordNodeCertificate(recorded, node, fp('c'), 'reissued', now)[0].data).toMatchObject({ fingerprint: fp('c'), reason: 'reissued' });
    expect(() => decideRecordNodeCertificate(recorded, node, 'ABC', 'reissued', now)).toThrow(/64 lower-case hex/);
    const removed = foldNode([{ type: 'NodeRemoved', schemaVersion: 1, payload: { ...node, at: now.toISOString() } }]);
    expect(() => decideRecordNodeCertificate(removed, node, fp('c'), 'reissued', now)).toThrow(/has been removed/);
  });

  it('removes a node once, and never the master', () => {
    const state = foldNode([]);
    expect(decideRemoveNode(state, { ...node, isMaster: false }, now).map((e) => e.type)).toEqual(['NodeRemoved']);
    expect(decideRemoveNode(foldNode([{ type: 'NodeRemoved', schemaVersion: 1, payload: { ...node, at: '' } }]), { ...node, isMaster: false }, now)).toEqual([]);
    expect(() => decideRemoveNode(state, { ...node, isMaster: true }, now)).toThrow(/promote another node/);
  });
});
