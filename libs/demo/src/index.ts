export * from './demo-organisation';
export * from './demo-seed';
