import { readFileSync } from 'node:fs';
import type { TwofoldConfig } from '@twofold/platform';
import { FirstFactorProvider, LdapFirstFactor } from '@twofold/mfa';

// The SDK's password check from the node config: an LDAP bind when sdk.firstFactor is ldap
// (loadConfig has checked the keys), else undefined (the user's local password).
export function sdkFirstFactor(config: TwofoldConfig): FirstFactorProvider | undefined {
  const sdk = config.sdk;
  if (sdk.firstFactor !== 'ldap' || !sdk.ldapUrl) return undefined;
  return new LdapFirstFactor({
    urls: sdk.ldapUrl.split(','), // tried in order, failing over
    ...(sdk.ldapBindDnTemplate ? { bindDnTemplate: sdk.ldapBindDnTemplate } : {}),
    ...(sdk.ldapSearchBase ? { searchBase: sdk.ldapSearchBase } : {}),
    ...(sdk.ldapSearchFilter ? { searchFilter: sdk.ldapSearchFilter } : {}),
    ...(sdk.ldapBindDn ? { bindDn: sdk.ldapBindDn } : {}),
    ...(sdk.ldapBindPassword ? { bindPassword: sdk.ldapBindPassword } : {}),
    ...(sdk.ldapStartTls ? { startTls: true } : {}),
    ...(sdk.ldapTimeoutMs ? { timeoutMs: sdk.ldapTimeoutMs } : {}),
    ...(sdk.ldapCaFile ? { tlsOptions: { ca: [readFileSync(sdk.ldapCaFile)] } } : {}),
  });
}
