export * from './kafka-connection';
export * from './log-record-codec';
export * from './chain-verifier';
export * from './publish-checkpoint';
export * from './log-publisher';
export * from './log-tail';
export * from './log-follower';
export * from './topic-tail';
