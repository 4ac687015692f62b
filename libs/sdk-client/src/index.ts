// Public face of @twofold/sdk-client: the SDK contract and a typed HTTPS client over it.
export * from './sdk-contract';
export * from './sdk-contract-enrolment';
export * from './sdk-contract-devices';
export * from './sdk-operations';
export * from './sdk-client';
