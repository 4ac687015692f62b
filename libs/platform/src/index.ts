export * from './config/config.schema';
export * from './config/load-config';
export * from './tls/certificates';
export * from './data-dir/data-dir';
export * from './logging/logger';
export * from './tls/node-certificate';
export * from './data-dir/permissions';
export * from './errors/error-status';
