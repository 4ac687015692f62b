import { UpstreamVerdicts } from './upstream-verdicts';

describe('UpstreamVerdicts', () => {
  const counts = { unconfirmed: 0, refusedAfterAccept: 0 };
  const metrics = { unconfirmed: () => counts.unconfirmed++, refusedAfterAccept: () => counts.refusedAfterAccept++ };
  beforeEach(() => {
    counts.unconfirmed = 0;
    counts.refusedAfterAccept = 0;
  });

  it('passes the master\'s verdict on, including one that came before anyone waited', async () => {
    const sut = new UpstreamVerdicts(5_000, metrics);
    sut.setConnected(true);
    const waiting = sut.await('a');
    sut.record('a', { code: 'code_already_used', field: 'nonce' });
    await expect(waiting).resolves.toEqual({ confirmed: false, refused: { code: 'code_already_used', field: 'nonce' } });
    sut.record('b', null);
    await expect(sut.await('b')).resolves.toEqual({ confirmed: true });
    expect(sut.status()).toMatchObject({ masterReachable: true, masterUnreachableSince: null, acceptedUnconfirmed: 0 });
  });

  it('decides at once without a connection, after the bound with a silent one, and counts both until the master reconciles them', async () => {
    const sut = new UpstreamVerdicts(20, metrics);
    await expect(sut.await('x')).resolves.toEqual({ confirmed: false, refused: null });
    sut.setConnected(true);
    await expect(sut.await('y')).resolves.toEqual({ confirmed: false, refused: null });
    expect(sut.status()).toMatchObject({ acceptedUnconfirmed: 2, acceptedUnconfirmedSince: expect.stringMatching(/T/) });
    expect(counts.unconfirmed).toBe(2);
    sut.record('x', null);
    sut.record('y', { code: 'code_already_used' });
    expect(sut.status()).toMatchObject({ acceptedUnconfirmed: 0, acceptedUnconfirmedSince: null, refusedAfterAccept: 1 });
    expect(counts.refusedAfterAccept).toBe(1);
  });

  it('releases whoever waits when the connection drops', async () => {
    const sut = new UpstreamVerdicts(60_000, metrics);
    sut.setConnected(true);
    const waiting = sut.await('z');
    sut.setConnected(false);
    await expect(waiting).resolves.toEqual({ confirmed: false, refused: null });
    expect(sut.status().masterUnreachableSince).toMatch(/T/);
  });
});
