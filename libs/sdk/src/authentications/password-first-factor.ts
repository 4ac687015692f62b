import { FirstFactorProvider, LocalPasswordFirstFactor } from '@twofold/mfa';
import type { SdkDeps } from '../sdk.deps';

const NO_PASSWORD_CHECK: FirstFactorProvider = { mode: 'local-password', verify: async () => ({ ok: false, reason: 'unavailable', detail: 'this node has no password verifier' }) };

// What a password given to the SDK (the User Portal's sign-in and invitation) is checked against:
// the directory the node config names (sdk.firstFactor = ldap), else the user's local password.
export function passwordFirstFactor(deps: Pick<SdkDeps, 'firstFactor' | 'passwordVerifier'>): FirstFactorProvider {
  if (deps.firstFactor) return deps.firstFactor;
  return deps.passwordVerifier ? new LocalPasswordFirstFactor(deps.passwordVerifier) : NO_PASSWORD_CHECK;
}
