export * from './eventually';
export * from './infra';
export * from './local-system';
export * from './tokens';
export * from './actors';
export * from './amqp-probe';
export * from './builders';
export * from './vhost';
