import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { SdkCredentialEvent, SdkScope } from './sdk-credential.events';
import { foldWith, makeEvent } from '../events/event-record';
import { evolver } from '../events/narrow-event';
import type { SdkCredentialRolloutPolicySet, UnenrolledPolicy } from '../rollout/rollout.events';
import { IssueSdkCredential, RevokeSdkCredential } from './sdk-credential.commands';

// Stream `sdk-credential-<credentialId>`.
export interface SdkCredentialState {
  version: number;
  exists: boolean;
  revoked: boolean;
  credentialId: string | null;
  name: string | null;
  scopes: SdkScope[];
  secretHash: string | null;
  certificateFingerprint: string | null;
  // Staged rollout (rollout/rollout.events.ts); absent: 'reject'.
  unenrolled?: UnenrolledPolicy;
}

export const INITIAL_SDK_CREDENTIAL_STATE: SdkCredentialState = Object.freeze({
  version: 0,
  exists: false,
  revoked: false,
  credentialId: null,
  name: null,
  scopes: [],
  secretHash: null,
  certificateFingerprint: null,
}) as SdkCredentialState;

export const evolveSdkCredential = evolver<SdkCredentialState, SdkCredentialEvent | SdkCredentialRolloutPolicySet>({
  // Early credentials were issued before certificates: no fingerprint field at all.
  SdkCredentialIssued: (s, { credentialId, name, scopes, secretHash, certificateFingerprint }) =>
    ({ ...s, exists: true, revoked: false, credentialId, name, scopes: [...scopes], secretHash, certificateFingerprint: certificateFingerprint ?? null }),
  SdkCredentialRevoked: (s) => ({ ...s, revoked: true, secretHash: null }),
  SdkCredentialRolloutPolicySet: (s, { unenrolled }) => ({ ...s, unenrolled }),
});

export const foldSdkCredential = foldWith(evolveSdkCredential, INITIAL_SDK_CREDENTIAL_STATE);

// secretHash: SecretHasher.hash(command.secret.reveal()). nameTaken: from the read model.
export function decideIssueSdkCredential(
  state: SdkCredentialState,
  command: IssueSdkCredential,
  ctx: { secretHash: string; nameTaken?: boolean },
): SdkCredentialEvent[] {
  if (state.exists) throw DomainError.rule(DomainErrorCode.AlreadyExists, 'credentialId', 'An SDK credential with this id already exists.');
  if (ctx.nameTaken) throw DomainError.rule(DomainErrorCode.DuplicateSdkCredential, 'name', 'An SDK credential with this name already exists.');
  const { credentialId, name, scopes, certificateFingerprint } = command;
  return [makeEvent('SdkCredentialIssued', { credentialId, name, scopes, secretHash: ctx.secretHash, certificateFingerprint })];
}

// Revoking twice is not an error: the credential is revoked either way.
export function decideRevokeSdkCredential(state: SdkCredentialState, command: RevokeSdkCredential): SdkCredentialEvent[] {
  if (!state.exists || state.credentialId !== command.credentialId) {
    throw DomainError.rule(DomainErrorCode.UnknownSdkCredential, 'credentialId', 'No such SDK credential.');
  }
  return state.revoked ? [] : [makeEvent('SdkCredentialRevoked', { credentialId: command.credentialId })];
}

// For the SDK's authentication guard: usable and, when given, holding the scope.
export function assertCredentialUsable(state: SdkCredentialState, scope?: SdkScope): void {
  if (!state.exists) throw DomainError.rule(DomainErrorCode.UnknownSdkCredential, 'credentialId', 'No such SDK credential.');
  if (state.revoked) throw DomainError.rule(DomainErrorCode.CredentialRevoked, 'credentialId', 'The SDK credential has been revoked.');
  if (scope !== undefined && !state.scopes.includes(scope)) {
    throw DomainError.rule(DomainErrorCode.ScopeNotGranted, 'scope', `The SDK credential lacks the "${scope}" scope.`);
  }
}
