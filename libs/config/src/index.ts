export * from './amqp-users';
export * from './common.config';
export * from './load-config';
export * from './development-secrets';
export * from './key-ring.config';
export * from './redis.config';
