export * from './demo-organisation';
