// Stream ids: `user-<userId>`, `settings`, `radius-client-<clientId>`,
// `sdk-credential-<credentialId>`, `administrator-<adminId>`.
export const Streams = {
  user: (id: string) => `user-${id}`,
  settings: () => 'settings',
  radiusClient: (id: string) => `radius-client-${id}`,
  sdkCredential: (id: string) => `sdk-credential-${id}`,
  administrator: (id: string) => `administrator-${id}`,
  // Every imported hardware token's serial (one stream: a serial is unique in the cluster).
  tokenPool: () => 'token-pool',
  directory: (name: string) => `directory-${name}`,
  devices: (userId: string) => `devices-${userId}`,
} as const;
