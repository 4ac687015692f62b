import { RateLimiter } from '@twofold/mfa';
import { failureLimitedAccessHandler } from './radius-rate-limits';
import type { AccessAnswer, AccessRequestContext, RadiusServerClient } from './radius-server';

const client = (clientId: string) => ({ clientId, name: clientId, secret: Buffer.from('s'), requireMessageAuthenticator: true });
const request = (clientId: string) => ({ client: client(clientId) } as AccessRequestContext<RadiusServerClient>);

describe('failureLimitedAccessHandler', () => {
  it('closes a client after its burst of failed guesses, leaves others open, and reopens as the bucket refills', async () => {
    let now = 0;
    let answer: AccessAnswer = { code: 'reject', reason: 'invalid_code' };
    let calls = 0;
    const sut = failureLimitedAccessHandler(async () => (calls++, answer), {
      perClient: new RateLimiter({ burst: 3, perSecond: 1 / 60 }, () => now), global: new RateLimiter({ burst: 100, perSecond: 1 }, () => now), clock: () => now,
    });
    for (let i = 0; i < 4; i++) await sut(request('vpn'));
    answer = { code: 'accept' };
    const refused = await sut(request('vpn'));
    expect(refused).toMatchObject({ code: 'reject', reason: 'rate_limited_client' });
    expect(refused.attributes![0].value.toString()).toMatch(/^Too many failed sign-ins through this network device\. Try again in \d+ seconds\.$/);
    expect(calls).toBe(4);
    await expect(sut(request('wifi'))).resolves.toMatchObject({ code: 'accept' });
    now += 61_000;
    await expect(sut(request('vpn'))).resolves.toMatchObject({ code: 'accept' });
  });

  it('closes every client when the node-wide budget is spent; successes and lockouts do not count', async () => {
    const now = 0;
    let answer: AccessAnswer = { code: 'accept' };
    const sut = failureLimitedAccessHandler(async () => answer, {
      perClient: new RateLimiter({ burst: 100, perSecond: 1 }, () => now), global: new RateLimiter({ burst: 2, perSecond: 1 / 60 }, () => now), clock: () => now,
    });
    for (let i = 0; i < 5; i++) await sut(request(`c${i}`));
    answer = { code: 'reject', reason: 'user_locked' };
    for (let i = 0; i < 5; i++) await sut(request(`c${i}`));
    answer = { code: 'reject', reason: 'invalid_credentials' };
    for (let i = 0; i < 3; i++) await sut(request(`c${i}`));
    await expect(sut(request('other'))).resolves.toMatchObject({ code: 'reject', reason: 'rate_limited_global' });
  });
});
