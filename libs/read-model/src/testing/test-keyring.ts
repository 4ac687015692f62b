import { SecretKeyring } from '@twofold/domain';

// The key libs/commands' read-model scenario seals with (same bytes), for this lib's child processes.
export const testKeyring = (): SecretKeyring => new SecretKeyring('k1', { k1: Buffer.alloc(32, 7) });
