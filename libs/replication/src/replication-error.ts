import { TypedError, typedErrorGuard } from '@twofold/domain';

// Typed failures of the replication transport; the server maps `code` once.
export type ReplicationErrorCode =
  | 'protocol_error' // a peer sent bytes that are not a valid frame or message; that connection closes
  | 'frame_too_large' // a frame's length exceeds the limit; refused before buffering it
  | 'refused' // the master refused the handshake (see details.reason)
  | 'ack_timeout' // waitForAcks did not see enough acknowledgements in time
  | 'not_connected'
  | 'invalid_config'
  | 'closed';

export class ReplicationError extends TypedError<ReplicationErrorCode> {}

export const isReplicationError = typedErrorGuard(ReplicationError);
