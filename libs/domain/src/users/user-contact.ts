import { SealContext, SecretSealer } from '../crypto/secret-box';
import { ContactDetails, PhoneNumber, StoredContact } from './user.events';
import { SealedSecret } from '../events/event';
import { registerUpcaster } from '../events/upcasting';

// E-mail and phone numbers are personal data: since schema v2 the log carries them sealed with the
// cluster key (AAD bound to the user), the same way as OATH seeds. The user state keeps the sealed
// value as it came (`sealedContact`) until someone holding the key opens it (`openUserContact`):
// the write side before deciding, the read model before writing its rows, `twofold audit`.

export function isSealed(value: unknown): value is SealedSecret {
  return typeof value === 'object' && value !== null && (value as { alg?: unknown }).alg === 'A256GCM' && 'ct' in value;
}

export function sealContact(sealer: SecretSealer, userId: string, contact: ContactDetails): SealedSecret {
  return sealer.seal(JSON.stringify({ email: contact.email, phones: contact.phones }), SealContext.userContact(userId));
}

export function openContact(sealer: SecretSealer, userId: string, stored: StoredContact): ContactDetails {
  if (!isSealed(stored)) return { email: stored.email ?? null, phones: [...(stored.phones ?? [])] };
  const parsed = JSON.parse(sealer.open(stored, SealContext.userContact(userId))) as { email?: string | null; phones?: PhoneNumber[] };
  return { email: parsed.email ?? null, phones: parsed.phones ?? [] };
}

// v1 → v2. A v1 record's clear e-mail and phones move to `contact` (still clear: an upcaster holds no
// key); those old records stay as they were written, only events written from now on are sealed.
registerUpcaster('UserCreated', 1, ({ email, phones, ...rest }) => ({
  ...rest,
  contact: { email: (email as string | null | undefined) ?? null, phones: (phones as PhoneNumber[] | undefined) ?? [] },
}));

registerUpcaster('UserUpdated', 1, (payload) => {
  const { email, phones, ...changes } = (payload.changes ?? {}) as Record<string, unknown>;
  const contact: Partial<ContactDetails> = {};
  if (email !== undefined) contact.email = email as string | null;
  if (phones !== undefined) contact.phones = phones as PhoneNumber[];
  return { ...payload, changes, ...(Object.keys(contact).length ? { contact } : {}) };
});

// v1 → v2 of the hash events: a v1 bare argon2id string is the unkeyed form v2 still admits.
registerUpcaster('UserPinSet', 1, (payload) => payload);
registerUpcaster('UserPasswordSet', 1, (payload) => payload);
