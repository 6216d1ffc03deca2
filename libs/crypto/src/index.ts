export * from './key-ring';
export * from './record-cipher';
