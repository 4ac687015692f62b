// Public face of @twofold/mfa.
export * from './oath/oath';
export * from './oath/oath.error';
export * from './oath/otpauth-uri';
export * from './oath/qr';
export * from './oath/numeric-otp';
// base32 lives in @twofold/domain (seeds are sealed as base32 there).
export * from './hashing/argon2id-hasher';
export * from './hashing/keyed-hash-verifier';
export * from './hashing/sdk-secret';
export * from './hashing/hashing.error';
export * from './sealed-state/state-sealer';
export * from './sealed-state/sealed-state.error';
export * from './sealed-state/otp-hash';
export type { SealedStateClaims, OpenedStateClaims } from './sealed-state/state-codec';
export * from './delivery/delivery-provider';
export * from './delivery/delivery.error';
export * from './delivery/file-delivery-provider';
export * from './delivery/http-gateway-delivery-provider';
export * from './engine/engine.ports';
export * from './engine/approval-broker';
export * from './engine/authentication-engine';
export * from './engine/out-of-band-polling';
export * from './engine/send-limit';
export * from './first-factor/first-factor';
export * from './first-factor/local-password';
export * from './first-factor/ldap-first-factor';
export * from './first-factor/radius-proxy';
export * from './rate-limit/rate-limiter';
