import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { SdkScope } from '@twofold/sdk-client';
import type { SdkCredentialView } from '@twofold/read-model';
import { verifySdkToken } from '@twofold/commands';
import { hasNodeUnit } from '@twofold/platform';
import { SdkError } from '../errors/sdk-error';
import { SDK_DEPS, SDK_OPTIONS, SdkDeps, SdkOptions } from '../sdk.deps';
import { SdkRateLimits } from '../rate-limit/sdk-rate-limits';
import { SDK_SCOPE_KEY, SdkPrincipal, SdkRequest } from './sdk-principal';

// Set only by a node forwarding a write to the master; trusted only from a connection whose
// certificate is the one the log records for a member node that has not been removed.
export const FORWARDED_CLIENT_CERT = 'x-twofold-forwarded-client-cert';

// Who is calling: `Authorization: Bearer <credentialId>.<secret>`, or else a client certificate
// that chains to the cluster CA (checked by TLS) and whose SHA-256 names a credential. Then the
// scope of the route, then the per-credential rate limit.
@Injectable()
export class SdkAuthGuard implements CanActivate {
  constructor(
    @Inject(SDK_DEPS) private readonly deps: SdkDeps,
    @Inject(SDK_OPTIONS) private readonly options: SdkOptions,
    private readonly limits: SdkRateLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<SdkRequest>();
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > this.options.maxBodyBytes) throw new SdkError('payload_too_large', `request body is larger than ${this.options.maxBodyBytes} bytes`);
    const scope = Reflect.getMetadata(SDK_SCOPE_KEY, context.getHandler()) as SdkScope | undefined;
    const principal = await this.identify(req);
    if (!scope || !principal.scopes.includes(scope)) {
      throw new SdkError('scope_not_granted', `the SDK credential "${principal.name}" lacks the "${scope ?? 'unknown'}" scope`);
    }
    this.limits.credential(principal.credentialId);
    req.sdk = principal;
    return true;
  }

  private async identify(req: SdkRequest): Promise<SdkPrincipal> {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S{1,300})$/i.exec(header);
      const credential = match ? await verifySdkToken(this.deps.queries, match[1]) : null;
      if (!credential) throw new SdkError('unauthenticated', 'the SDK credential is not valid');
      return this.usable(credential, 'secret');
    }
    const socket = req.socket as TLSSocket;
    const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    if (!peer || !peer.raw) throw new SdkError('unauthenticated', 'a client certificate or an SDK credential (Authorization: Bearer <token>) is required');
    if (!socket.authorized) throw new SdkError('unauthenticated', 'the client certificate is not issued by the cluster CA');
    let fingerprint = createHash('sha256').update(peer.raw).digest('hex');
    // A slave forwarding a write connects with its own node certificate and names the client's.
    // A node certificate is never an SDK principal itself: only this forwarding path uses it.
    const node = await this.deps.queries.findNodeByFingerprint(fingerprint);
    const forwarded = req.headers[FORWARDED_CLIENT_CERT];
    if (node && typeof forwarded === 'string' && /^[0-9a-f]{64}$/.test(forwarded)) fingerprint = forwarded;
    else if (node || hasNodeUnit(peer.subject?.OU)) throw new SdkError('unauthenticated', 'a node certificate is not an SDK credential');
    const credential = await this.deps.queries.findSdkCredentialByFingerprint(fingerprint);
    if (!credential) throw new SdkError('unauthenticated', 'the client certificate is not bound to an SDK credential');
    return this.usable(credential, 'certificate');
  }

  private usable(credential: SdkCredentialView, via: SdkPrincipal['via']): SdkPrincipal {
    if (credential.revoked) throw new SdkError('credential_revoked', 'the SDK credential has been revoked');
    return { credentialId: credential.credentialId, name: credential.name, scopes: credential.scopes, via };
  }
}
