import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { toRecord } from '../events/event-record';
import {
  assertCredentialUsable, decideIssueSdkCredential, decideRevokeSdkCredential, foldSdkCredential, INITIAL_SDK_CREDENTIAL_STATE,
} from './sdk-credential.aggregate';
import { IssueSdkCredential, RevokeSdkCredential } from './sdk-credential.commands';
import { thrown } from '../testing/thrown';

const codeOf = (fn: () => unknown): { code: DomainErrorCode; field?: string } => {
  const error = thrown(DomainError, fn);
  return { code: error.code, field: error.field };
};

describe('SDK credentials', () => {
  it('issues a credential with a generated secret the event never carries', () => {
    const command = IssueSdkCredential.create({ credentialId: 'adfs', name: 'ADFS', scopes: ['authenticate', 'authenticate', 'users:read'] });
    const secret = command.secret.reveal();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(command)).not.toContain(secret);
    const events = decideIssueSdkCredential(INITIAL_SDK_CREDENTIAL_STATE, command, { secretHash: 'hash-of-secret' });
    expect(events).toEqual([
      { type: 'SdkCredentialIssued', schemaVersion: 1, data: { credentialId: 'adfs', name: 'ADFS', scopes: ['authenticate', 'users:read'], secretHash: 'hash-of-secret', certificateFingerprint: null } },
    ]);
    const state = foldSdkCredential(events.map(toRecord));
    expect(() => assertCredentialUsable(state, 'users:read')).not.toThrow();
    expect(codeOf(() => assertCredentialUsable(state, 'self-service')).code).toBe(DomainErrorCode.ScopeNotGranted);
  });

  it('normalises a certificate fingerprint', () => {
    const hex = 'AB'.repeat(32);
    const colons = hex.match(/../g)!.join(':');
    expect(IssueSdkCredential.create({ name: 'portal', scopes: ['self-service'], certificateFingerprint: colons }).certificateFingerprint).toBe(hex.toLowerCase());
    expect(codeOf(() => IssueSdkCredential.create({ name: 'portal', scopes: ['self-service'], certificateFingerprint: 'abc' })).field).toBe('certificateFingerprint');
  });

  it.each([
    [{ name: 'x', scopes: [] }, 'scopes'],
    [{ name: 'x', scopes: ['admin'] }, 'scopes.0'],
    [{ name: '', scopes: ['authenticate'] }, 'name'],
  ])('rejects %j on %s', (input, field) => {
    expect(codeOf(() => IssueSdkCredential.create(input))).toEqual({ code: DomainErrorCode.ValidationFailed, field });
  });

  it('revokes once; a revoked credential is unusable', () => {
    const issued = foldSdkCredential(decideIssueSdkCredential(INITIAL_SDK_CREDENTIAL_STATE, IssueSdkCredential.create({ credentialId: 'c', name: 'n', scopes: ['authenticate'] }), { secretHash: 'h' }));
    const revoked = foldSdkCredential(decideRevokeSdkCredential(issued, RevokeSdkCredential.create({ credentialId: 'c' })), issued);
    expect(revoked).toMatchObject({ revoked: true, secretHash: null });
    expect(codeOf(() => assertCredentialUsable(revoked)).code).toBe(DomainErrorCode.CredentialRevoked);
    expect(decideRevokeSdkCredential(revoked, RevokeSdkCredential.create({ credentialId: 'c' }))).toEqual([]);
    expect(codeOf(() => decideRevokeSdkCredential(INITIAL_SDK_CREDENTIAL_STATE, RevokeSdkCredential.create({ credentialId: 'c' }))).code).toBe(DomainErrorCode.UnknownSdkCredential);
    expect(codeOf(() => assertCredentialUsable(INITIAL_SDK_CREDENTIAL_STATE)).code).toBe(DomainErrorCode.UnknownSdkCredential);
  });

  it('refuses a taken name', () => {
    const command = IssueSdkCredential.create({ name: 'ADFS', scopes: ['authenticate'] });
    expect(codeOf(() => decideIssueSdkCredential(INITIAL_SDK_CREDENTIAL_STATE, command, { secretHash: 'h', nameTaken: true })).code).toBe(DomainErrorCode.DuplicateSdkCredential);
  });
});
