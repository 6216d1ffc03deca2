export * from './key-ring';
export * from './record-cipher';
export * from './key-hierarchy';
