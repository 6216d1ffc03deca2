export * from './bootstrap';
export * from './health';
export * from './logger';
export * from './metrics';
export * from './ops.module';
export * from './queue-readiness';
export * from './tracing';
export * from './db-metrics';
