// Typed failures of the replication transport; the server maps `code` once.
export type ReplicationErrorCode =
  | 'protocol_error' // a peer sent bytes that are not a valid frame or message; that connection closes
  | 'frame_too_large' // a frame's length exceeds the limit; refused before buffering it
  | 'refused' // the master refused the handshake (see details.reason)
  | 'ack_timeout' // waitForAcks did not see enough acknowledgements in time
  | 'not_connected'
  | 'invalid_config'
  | 'closed';

export class ReplicationError extends Error {
  constructor(
    readonly code: ReplicationErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ReplicationError';
  }
}

export function isReplicationError(err: unknown, code?: ReplicationErrorCode): err is ReplicationError {
  return err instanceof ReplicationError && (code === undefined || err.code === code);
}
