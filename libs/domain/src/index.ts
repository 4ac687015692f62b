export * from './errors/domain-error';
export * from './errors/error-code';
export * from './errors/typed-error';

export * from './events/event';
export * from './events/catalogue';
export * from './events/streams';
export * from './events/event-record';
export * from './events/upcasting';
export * from './events/narrow-event';

export * from './commands/command';
export * from './commands/fields';

export * from './crypto/base32';
export * from './crypto/secret-box';
export * from './crypto/secret-hasher';

export * from './shared/new-id';
export * from './shared/lru-map';
export * from './shared/redacted';
export * from './shared/ip-address';
export * from './shared/versioning';
export * from './shared/csv';

export * from './users/user.events';
export * from './users/pin-policy';
export * from './users/user.commands';
export * from './users/user.state';
export * from './users/user-snapshot';
export * from './users/user-contact';
export * from './users/session-version';
export * from './users/user.policies';
export * from './users/user.decide';

export * from './settings/settings.events';
export * from './settings/default-settings';
export * from './settings/settings-rules';
export * from './settings/settings.commands';
export * from './settings/settings.aggregate';

export * from './radius-clients/radius-client.events';
export * from './radius-clients/radius-client.commands';
export * from './radius-clients/radius-client.aggregate';

export * from './sdk-credentials/sdk-credential.events';
export * from './sdk-credentials/sdk-credential.commands';
export * from './sdk-credentials/sdk-credential.aggregate';

export * from './administrators/administrator.events';
export * from './administrators/administrator.commands';
export * from './administrators/administrator.aggregate';

export * from './approvals/approval.events';
export * from './approvals/approval';
export * from './cluster/cluster.events';
export * from './cluster/cluster';
export * from './cluster/node-identity';
export * from './users/user-history';

export * from './security/security-outcome';
export * from './security/security-outcome.codec';
export * from './invitations/invitation.events';
export * from './invitations/invitation';

export * from './rollout/rollout.events';
export * from './rollout/rollout-policy';
export * from './rollout/bypass';

export * from './token-pool/token-pool.events';
export * from './token-pool/token-pool';

export * from './directory/directory.events';
export * from './directory/directory';
export * from './directory/directory-source';

export * from './token-files/pskc';
export * from './token-files/token-csv';

export * from './devices/devices.events';
export * from './devices/device';
export * from './devices/push-request';

export * from './events/state-snapshot';
