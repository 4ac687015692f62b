import { ClusterRole, ReadOnlyReplicaError } from './cluster-role';
import { isForwardedWrite } from '../http/write-forwarding';

const self = { nodeId: 'n1', nodeName: 'm1', host: '127.0.0.1', httpPort: 8443, replicationPort: 4443 };

describe('ClusterRole', () => {
  it('lets only an unfenced master write', () => {
    const sut = new ClusterRole('master', 0, self);
    expect(() => sut.assertWritable()).not.toThrow();
    sut.becomeSlave(1, { ...self, nodeId: 'n2', nodeName: 's1' });
    expect(() => sut.assertWritable()).toThrow(ReadOnlyReplicaError);
  });

  it('stops writes at once when a higher epoch is seen, and ignores lower ones', () => {
    const sut = new ClusterRole('master', 2, self);
    const fenced = jest.fn();
    sut.on('fenced', fenced);
    sut.fence(1);
    sut.fence(2);
    expect(sut.writable).toBe(true);
    sut.fence(3);
    expect(sut.writable).toBe(false);
    expect(() => sut.assertWritable()).toThrow(/epoch 3/);
    expect(fenced).toHaveBeenCalledTimes(1);
    sut.becomeMaster(4, self);
    expect(sut.writable).toBe(true);
  });
});

describe('isForwardedWrite', () => {
  it('sends admin and self-service writes to the master and answers reads and authentications locally', () => {
    expect(isForwardedWrite('POST', '/admin/v1/users')).toBe(true);
    expect(isForwardedWrite('PATCH', '/admin/v1/settings')).toBe(true);
    expect(isForwardedWrite('POST', '/sdk/v1/self-service/pin')).toBe(true);
    expect(isForwardedWrite('POST', '/cluster/v1/join')).toBe(true);
    expect(isForwardedWrite('GET', '/admin/v1/users')).toBe(false);
    expect(isForwardedWrite('POST', '/admin/v1/cluster/promote')).toBe(false);
    expect(isForwardedWrite('POST', '/sdk/v1/authentications')).toBe(false);
  });
});
