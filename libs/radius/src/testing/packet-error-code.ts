import { RadiusPacketError } from '../packet/radius-packet-error';

// The codec's verdict on one call, as a string a table of cases can compare: the error code,
// 'no error', or what else was thrown.
export function packetErrorCode(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return err instanceof RadiusPacketError ? err.code : `other: ${String(err)}`;
  }
}
