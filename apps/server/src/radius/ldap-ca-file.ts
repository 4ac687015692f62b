import { readFileSync } from 'node:fs';
import { DomainError, DomainErrorCode } from '@twofold/domain';

// The CA file of a RADIUS client's LDAP first factor: a PEM file at the same path on every node.
export function readLdapCaFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw Object.assign(new Error(`the LDAP CA file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`), { code: `ca_file_${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`.toLowerCase() });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw Object.assign(new Error(`the LDAP CA file ${path} holds no PEM certificate`), { code: 'ca_file_not_pem' });
  return pem;
}

// Checked where the administrator configures it (this node), so a wrong path is a clear error
// now rather than a client that cannot load later. Other nodes need the file at the same path.
export function assertLdapCaFileReadable(body: unknown): void {
  const ldap = (body as { ldap?: { caFile?: unknown } } | null)?.ldap;
  const path = ldap && typeof ldap === 'object' ? ldap.caFile : undefined;
  if (typeof path !== 'string' || !path.startsWith('/')) return; // the command's own validation speaks
  try {
    readLdapCaFile(path);
  } catch (err) {
    throw DomainError.rule(DomainErrorCode.ValidationFailed, 'ldap.caFile', `ldap.caFile: ${(err as Error).message.replace(/^the LDAP CA file /, '')} on this node`);
  }
}
