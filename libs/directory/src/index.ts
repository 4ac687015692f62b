export * from './ldap-source';
export * from './directory-sync';
export * from './directory-scheduler';
