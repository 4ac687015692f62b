export * from './actor';
export * from './command-error';
export * from './command-service';
export * from './radius-client-commands';
export * from './access-commands';
export * from './stream-executor';
export * from './security-events';
export * from './cluster-commands';
