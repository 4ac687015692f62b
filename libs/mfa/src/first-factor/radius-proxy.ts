import { FirstFactorInput, FirstFactorProvider, FirstFactorResult } from './first-factor';
import { errorCodeOf } from '@twofold/domain';

// The transport that reaches the upstream server (libs/radius implements it), kept as a port so
// the engine does not depend on a wire protocol.
export interface UpstreamAuthenticator {
  // 'accept' / 'reject', or throws when the upstream server does not answer correctly in time.
  authenticate(username: string, password: string): Promise<'accept' | 'reject'>;
}

export class RadiusProxyFirstFactor implements FirstFactorProvider {
  readonly mode = 'radius-proxy' as const;

  constructor(private readonly upstream: UpstreamAuthenticator) {}

  async verify({ username, password }: FirstFactorInput): Promise<FirstFactorResult> {
    if (password === '') return { ok: false, reason: 'invalid_credentials' };
    try {
      return (await this.upstream.authenticate(username, password)) === 'accept' ? { ok: true } : { ok: false, reason: 'invalid_credentials' };
    } catch (error) {
      return { ok: false, reason: 'unavailable', detail: errorCodeOf(error) ?? 'upstream_error' };
    }
  }
}
