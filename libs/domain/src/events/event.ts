// The shape every domain event has before the log gives it a position.
// `type` never changes meaning; a new shape of the same type is a new `schemaVersion`
// with an upcaster (see upcasting.ts), so the log from day one replays on every release.
export interface DomainEvent<T extends string = string, D = unknown> {
  type: T;
  schemaVersion: number;
  data: D;
}

// Secrets (OATH seeds, RADIUS shared secrets) are carried sealed: AES-256-GCM under a
// key the caller provides, base64 parts so the payload stays JSON.
export interface SealedSecret {
  alg: 'A256GCM';
  keyId: string;
  iv: string;
  tag: string;
  ct: string;
}
