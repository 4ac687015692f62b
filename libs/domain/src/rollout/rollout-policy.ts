import { z } from 'zod';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { makeEvent } from '../events/event-record';
import { RadiusClientRolloutPolicySet, SdkCredentialRolloutPolicySet, UNENROLLED_POLICIES, UnenrolledPolicy } from './rollout.events';

export const unenrolledPolicyField = z.enum(UNENROLLED_POLICIES, { error: 'must be "reject" or "first-factor-only"' });

export function parseUnenrolledPolicy(raw: unknown, field = 'unenrolled'): UnenrolledPolicy {
  const parsed = unenrolledPolicyField.safeParse(raw);
  if (!parsed.success) throw DomainError.rule(DomainErrorCode.ValidationFailed, field, `${field}: must be "reject" or "first-factor-only"`);
  return parsed.data;
}

// `current`: the policy the client has now (undefined: never set, which means 'reject').
export function decideRadiusClientPolicy(clientId: string, current: UnenrolledPolicy | undefined, wanted: UnenrolledPolicy): RadiusClientRolloutPolicySet[] {
  return (current ?? 'reject') === wanted ? [] : [makeEvent('RadiusClientRolloutPolicySet', { clientId, unenrolled: wanted })];
}

export function decideSdkCredentialPolicy(credentialId: string, current: UnenrolledPolicy | undefined, wanted: UnenrolledPolicy): SdkCredentialRolloutPolicySet[] {
  return (current ?? 'reject') === wanted ? [] : [makeEvent('SdkCredentialRolloutPolicySet', { credentialId, unenrolled: wanted })];
}
