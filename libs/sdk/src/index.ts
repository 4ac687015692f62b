// Public face of @twofold/sdk: the /sdk/v1 HTTPS API as a Nest module.
export * from './sdk.module';
export * from './sdk.deps';
export * from './errors/sdk-error';
export * from './openapi/sdk-openapi';
export { USER_ASSERTION_PURPOSE } from './assertions/user-assertions';
