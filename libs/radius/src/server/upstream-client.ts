import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { stringAttribute } from '../packet/attributes';
import { buildRequest, verifyResponse } from '../packet/build-packet';
import { RadiusCode } from '../packet/codes';
import { parsePacket } from '../packet/parse-packet';
import { RadiusPacket } from '../packet/radius-packet';

export type UpstreamErrorCode = 'upstream_timeout' | 'upstream_unreachable' | 'upstream_unexpected';

export class UpstreamRadiusError extends Error {
  constructor(readonly code: UpstreamErrorCode, message: string) {
    super(message);
    this.name = 'UpstreamRadiusError';
  }
}

export interface UpstreamRadiusOptions {
  host: string;
  port: number;
  secret: string | Buffer;
  timeoutMs: number;
  // Retransmissions within timeoutMs (same identifier and authenticator); default 2.
  retries?: number;
  nasIdentifier?: string;
}

// Forwards the first factor (User-Name + User-Password) to another RADIUS server. Satisfies the
// UpstreamAuthenticator port of @twofold/mfa. Answers must carry a valid Message-Authenticator.
export class UpstreamRadiusClient {
  constructor(private readonly options: UpstreamRadiusOptions) {}

  async authenticate(username: string, password: string): Promise<'accept' | 'reject'> {
    const request = buildRequest({
      secret: this.options.secret,
      userPassword: password,
      attributes: [stringAttribute('User-Name', username), stringAttribute('NAS-Identifier', this.options.nasIdentifier ?? 'twofold')],
    });
    const response = await this.exchange(request);
    if (response.code === RadiusCode.AccessAccept) return 'accept';
    if (response.code === RadiusCode.AccessReject) return 'reject';
    throw new UpstreamRadiusError('upstream_unexpected', 'upstream answered with an Access-Challenge, which is not supported for the first factor');
  }

  private exchange(request: RadiusPacket): Promise<RadiusPacket> {
    const { host, port, timeoutMs } = this.options;
    const retries = this.options.retries ?? 2;
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    return new Promise<RadiusPacket>((resolve, reject) => {
      let sent = 0;
      let retry: NodeJS.Timeout | undefined;
      const finish = (error: Error | null, packet?: RadiusPacket) => {
        clearTimeout(deadline);
        clearTimeout(retry);
        socket.close();
        if (error) reject(error);
        else resolve(packet!);
      };
      const deadline = setTimeout(() => finish(new UpstreamRadiusError('upstream_timeout', `no valid answer from the upstream RADIUS server within ${timeoutMs} ms`)), timeoutMs);
      const send = () => {
        sent++;
        socket.send(request.raw, port, host, (error) => {
          if (error) finish(new UpstreamRadiusError('upstream_unreachable', `cannot send to the upstream RADIUS server (${(error as NodeJS.ErrnoException).code ?? 'error'})`));
        });
        if (sent <= retries) retry = setTimeout(send, Math.floor(timeoutMs / (retries + 1)));
      };
      socket.on('error', (error) => finish(new UpstreamRadiusError('upstream_unreachable', `upstream RADIUS socket error (${(error as NodeJS.ErrnoException).code ?? 'error'})`)));
      socket.on('message', (msg) => {
        let packet: RadiusPacket;
        try {
          packet = parsePacket(msg);
        } catch {
          return; // not an answer; keep waiting
        }
        // Forged or stray answers are ignored, as RFC 2865 §3 says, until the deadline.
        if (verifyResponse(packet, request, this.options.secret).ok) finish(null, packet);
      });
      send();
    });
  }
}
