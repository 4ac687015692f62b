import { SecretKeyring } from '@twofold/domain';
import { StateSealer } from '@twofold/mfa';
import type { DataDirectory } from '@twofold/platform';

// The cluster's key material, made once from the data directory at start-up and handed to
// whoever seals or opens: the keyring for secrets in events (seeds, shared secrets), the state
// sealer for tokens any node must open (RADIUS State, SDK handles, approval ids).
export interface ClusterKeys {
  keyring: SecretKeyring;
  stateSealer: StateSealer;
}

export function openClusterKeys(dataDir: DataDirectory): ClusterKeys {
  return {
    keyring: new SecretKeyring(dataDir.masterKeyId, { [dataDir.masterKeyId]: dataDir.masterKey }),
    stateSealer: new StateSealer({ keyId: dataDir.masterKeyId, key: dataDir.masterKey }),
  };
}
