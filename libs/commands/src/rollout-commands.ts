import {
  decideGrantBypass, decideRadiusClientPolicy, decideSdkCredentialPolicy, DomainError, DomainErrorCode, foldRadiusClient, foldSdkCredential, foldUser,
  decideRevokeBypass, GrantBypass, parseUnenrolledPolicy, RevokeBypass, RadiusClientState, Streams, UnenrolledPolicy,
} from '@twofold/domain';
import type { ReadModelQueries, UserView } from '@twofold/read-model';
import { Actor } from './actor';
import { objectBody, parsePaging } from './input';
import { StreamExecutor } from './stream-executor';

// A first-factor-only client with no first factor would let anyone in by a user name alone.
export function assertPolicyFits(firstFactor: string, policy: UnenrolledPolicy): void {
  if (policy === 'first-factor-only' && firstFactor === 'none') {
    throw DomainError.rule(DomainErrorCode.ValidationFailed, 'unenrolled', 'unenrolled: "first-factor-only" needs a first factor on this client (firstFactor is "none")');
  }
}

// The policy change on a RADIUS client's stream, checked against the client as it is now.
export function decideRadiusClientPolicyNow(s: RadiusClientState, clientId: string, policy: UnenrolledPolicy) {
  if (!s.exists || s.removed) throw DomainError.rule(DomainErrorCode.UnknownRadiusClient, 'clientId', 'No such RADIUS client.');
  assertPolicyFits(s.config!.firstFactor, policy);
  return decideRadiusClientPolicy(clientId, s.unenrolled, policy);
}

// Staged rollout: per-client policy for users without a second factor, one-time bypasses, and who
// is not enrolled yet. Sign-ins themselves are security outcomes (bypass_used, unenrolled_pass) recorded by SecurityEvents.record.
export class RolloutCommands {
  constructor(
    private readonly executor: StreamExecutor,
    private readonly queries: ReadModelQueries,
    private readonly userById: (userId: string) => Promise<UserView>,
    private readonly now: () => Date,
  ) {}

  // body: { seconds, reason, once? }. The administrator is the actor, and named in the event.
  async grantBypass(userId: string, body: unknown, actor: Actor): Promise<UserView> {
    await this.userById(userId);
    const command = GrantBypass.create({ ...objectBody(body), userId });
    await this.executor.execute(Streams.user(userId), foldUser, (s) => decideGrantBypass(s, command, { now: this.now(), grantedBy: actor.actor }), actor);
    return this.userById(userId);
  }

  // Ends the bypass now; the administrator is the actor and named in the event.
  async revokeBypass(userId: string, actor: Actor): Promise<UserView> {
    await this.userById(userId);
    const command = RevokeBypass.create({ userId });
    await this.executor.execute(Streams.user(userId), foldUser, (s) => decideRevokeBypass(s, command, { now: this.now(), revokedBy: actor.actor }), actor);
    return this.userById(userId);
  }

  listNotEnrolled(query: Record<string, unknown>) {
    return this.queries.listUsers({ ...parsePaging(query), notEnrolled: true });
  }

  async setRadiusClientPolicy(clientId: string, body: unknown, actor: Actor): Promise<void> {
    const policy = parseUnenrolledPolicy(objectBody(body).unenrolled);
    await this.executor.execute(Streams.radiusClient(clientId), foldRadiusClient, (s) => decideRadiusClientPolicyNow(s, clientId, policy), actor);
  }

  async setSdkCredentialPolicy(ref: string, body: unknown, actor: Actor): Promise<{ credentialId: string; name: string; unenrolled: UnenrolledPolicy }> {
    const policy = parseUnenrolledPolicy(objectBody(body).unenrolled);
    const credential = (await this.queries.getSdkCredential(ref)) ?? (await this.queries.listSdkCredentials()).find((c) => c.name === ref && !c.revoked);
    if (!credential || credential.revoked) throw DomainError.rule(DomainErrorCode.UnknownSdkCredential, 'credential', `No SDK credential "${ref.slice(0, 64)}".`);
    await this.executor.execute(Streams.sdkCredential(credential.credentialId), foldSdkCredential, (s) => decideSdkCredentialPolicy(credential.credentialId, s.unenrolled, policy), actor);
    return { credentialId: credential.credentialId, name: credential.name, unenrolled: await this.queries.getRolloutPolicy(`sdk:${credential.credentialId}`) };
  }
}
