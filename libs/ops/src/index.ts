export * from './bootstrap';
export * from './health';
export * from './logger';
export * from './metrics';
export * from './ops.module';
export * from './queue-readiness';
export * from './db-metrics';
export * from './http-drain';
