export * from './replication-error';
export * from './protocol/messages';
export * from './protocol/frame-parser';
export * from './protocol/serializer';
