export * from './common.config';
export * from './load-config';
export * from './development-secrets';
