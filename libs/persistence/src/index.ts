export * from './duplicate-key';
export * from './ids';
export * from './mongo.module';
export * from './processed-event.store';
export * from './redis-connection';
export * from './filters';
export * from './insert-batcher';
export * from './cas-backoff';
