// Row shape of `event_log`. payload and metadata hold canonical JSON text (not jsonb) so the
// stored bytes are exactly what the hash covers.
export interface EventLogRow {
  position: number;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  payload: string;
  metadata: string;
  timestamp: string;
  prevHash: string;
  hash: string;
}
