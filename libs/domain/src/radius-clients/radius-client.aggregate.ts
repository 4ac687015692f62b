import { SealContext, SecretSealer } from '../crypto/secret-box';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { RadiusClientConfig, RadiusClientEvent } from './radius-client.events';
import { SealedSecret } from '../events/event';
import { foldWith, makeEvent } from '../events/event-record';
import { evolver } from '../events/narrow-event';
import { registerUpcaster } from '../events/upcasting';
import type { RadiusClientRolloutPolicySet, UnenrolledPolicy } from '../rollout/rollout.events';
import { assertExpectedVersion } from '../shared/versioning';
import { AddRadiusClient, RemoveRadiusClient, UpdateRadiusClient } from './radius-client.commands';

// v1 named one LDAP server (`url`); v2 a list tried in order.
const ldapV2 = (ldap: unknown) => {
  if (!ldap || typeof ldap !== 'object' || !('url' in ldap)) return ldap;
  const { url, ...rest } = ldap as { url: unknown };
  return { ...rest, urls: [url] };
};
registerUpcaster('RadiusClientAdded', 1, (payload) => (payload.ldap ? { ...payload, ldap: ldapV2(payload.ldap) } : payload));
registerUpcaster('RadiusClientUpdated', 1, (payload) => {
  const changes = payload.changes as Record<string, unknown> | undefined;
  return changes?.ldap ? { ...payload, changes: { ...changes, ldap: ldapV2(changes.ldap) } } : payload;
});

// Stream `radius-client-<clientId>`.
export interface RadiusClientState {
  version: number;
  exists: boolean;
  removed: boolean;
  clientId: string | null;
  config: RadiusClientConfig | null;
  secret: SealedSecret | null; // the RADIUS shared secret, AAD SealContext.radiusSecret(clientId)
  // Staged rollout (rollout/rollout.events.ts); absent: 'reject'.
  unenrolled?: UnenrolledPolicy;
}

export const INITIAL_RADIUS_CLIENT_STATE: RadiusClientState = Object.freeze({
  version: 0,
  exists: false,
  removed: false,
  clientId: null,
  config: null,
  secret: null,
});

export const evolveRadiusClient = evolver<RadiusClientState, RadiusClientEvent | RadiusClientRolloutPolicySet>({
  RadiusClientAdded: (s, { clientId, secret, ...config }) => ({ ...s, exists: true, removed: false, clientId, config, secret }),
  RadiusClientUpdated: (s, { changes, secret }) => ({ ...s, config: s.config ? { ...s.config, ...changes } : s.config, secret: secret ?? s.secret }),
  // Drop the sealed secrets with the client.
  RadiusClientRemoved: (s) => ({ ...s, removed: true, config: null, secret: null }),
  RadiusClientRolloutPolicySet: (s, { unenrolled }) => ({ ...s, unenrolled }),
});

export const foldRadiusClient = foldWith(evolveRadiusClient, INITIAL_RADIUS_CLIENT_STATE);

function assertClientExists(state: RadiusClientState, clientId: string): void {
  if (!state.exists || state.removed || state.clientId !== clientId) {
    throw DomainError.rule(DomainErrorCode.UnknownRadiusClient, 'clientId', 'No such RADIUS client.');
  }
}

type LdapInput = NonNullable<AddRadiusClient['ldap']>;
type UpstreamInput = NonNullable<UpdateRadiusClient['changes']['upstream']>;

function sealLdap(ldap: LdapInput, clientId: string, sealer: SecretSealer, previous?: RadiusClientConfig['ldap']): NonNullable<RadiusClientConfig['ldap']> {
  const { bindPassword, ...rest } = ldap;
  const sealed = bindPassword ? sealer.seal(bindPassword.reveal(), SealContext.ldapBindPassword(clientId)) : previous?.bindPassword;
  return sealed ? { ...rest, bindPassword: sealed } : rest;
}

function sealUpstream(upstream: UpstreamInput, clientId: string, sealer: SecretSealer, previous?: RadiusClientConfig['upstream']): NonNullable<RadiusClientConfig['upstream']> {
  const secret = upstream.secret ? sealer.seal(upstream.secret.reveal(), SealContext.radiusUpstreamSecret(clientId)) : previous?.secret;
  if (!secret) throw DomainError.rule(DomainErrorCode.ValidationFailed, 'changes.upstream.secret', 'changes.upstream.secret: is required');
  return { host: upstream.host, port: upstream.port, timeoutMs: upstream.timeoutMs, secret };
}

function assertModeOptions(config: RadiusClientConfig): void {
  if (config.firstFactor === 'ldap' && !config.ldap) {
    throw DomainError.rule(DomainErrorCode.ValidationFailed, 'ldap', 'ldap: required when firstFactor is "ldap"');
  }
  if (config.firstFactor === 'radius-proxy' && !config.upstream) {
    throw DomainError.rule(DomainErrorCode.ValidationFailed, 'upstream', 'upstream: required when firstFactor is "radius-proxy"');
  }
}

// nameTaken: client names are unique across streams; the caller asks the read model.
export function decideAddRadiusClient(state: RadiusClientState, command: AddRadiusClient, ctx: { sealer: SecretSealer; nameTaken: boolean }): RadiusClientEvent[] {
  if (state.exists) throw DomainError.rule(DomainErrorCode.AlreadyExists, 'clientId', 'A RADIUS client with this id already exists.');
  if (ctx.nameTaken) throw DomainError.rule(DomainErrorCode.DuplicateRadiusClient, 'name', 'A RADIUS client with this name already exists.');
  const { clientId, name, address, firstFactor, requireMessageAuthenticator } = command;
  const config: RadiusClientConfig = { name, address, firstFactor, requireMessageAuthenticator };
  if (command.ldap) config.ldap = sealLdap(command.ldap, clientId, ctx.sealer);
  if (command.upstream) config.upstream = sealUpstream(command.upstream, clientId, ctx.sealer);
  const secret = ctx.sealer.seal(command.secret.reveal(), SealContext.radiusSecret(clientId));
  return [makeEvent('RadiusClientAdded', { clientId, secret, ...config })];
}

export function decideUpdateRadiusClient(
  state: RadiusClientState,
  command: UpdateRadiusClient,
  ctx: { sealer: SecretSealer; nameTaken?: boolean },
): RadiusClientEvent[] {
  assertClientExists(state, command.clientId);
  assertExpectedVersion(state.version, command.expectedVersion);
  const { clientId } = command;
  const current = state.config!;
  const { ldap, upstream, ...plain } = command.changes;
  const changes: Partial<RadiusClientConfig> = {};
  for (const [key, value] of Object.entries(plain)) {
    if (value !== undefined && (current as unknown as Record<string, unknown>)[key] !== value) (changes as Record<string, unknown>)[key] = value;
  }
  if (changes.name !== undefined && ctx.nameTaken) {
    throw DomainError.rule(DomainErrorCode.DuplicateRadiusClient, 'changes.name', 'A RADIUS client with this name already exists.');
  }
  if (ldap) changes.ldap = sealLdap(ldap, clientId, ctx.sealer, current.ldap);
  if (upstream) changes.upstream = sealUpstream(upstream, clientId, ctx.sealer, current.upstream);
  assertModeOptions({ ...current, ...changes });
  const secret = command.secret ? ctx.sealer.seal(command.secret.reveal(), SealContext.radiusSecret(clientId)) : undefined;
  if (Object.keys(changes).length === 0 && !secret) return [];
  return [makeEvent('RadiusClientUpdated', secret ? { clientId, changes, secret } : { clientId, changes })];
}

export function decideRemoveRadiusClient(state: RadiusClientState, command: RemoveRadiusClient): RadiusClientEvent[] {
  assertClientExists(state, command.clientId);
  return [makeEvent('RadiusClientRemoved', { clientId: command.clientId })];
}

// Plain shared secret for the RADIUS server (never log it).
export function openRadiusSecret(sealer: SecretSealer, clientId: string, sealed: SealedSecret): string {
  return sealer.open(sealed, SealContext.radiusSecret(clientId));
}
