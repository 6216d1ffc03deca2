import 'reflect-metadata';
export * from './channel.types';
export * from './envelope';
export * from './errors';
export * from './events';
export * from './identity';
export * from './message.types';
export * from './rpc';
export * from './topology';
