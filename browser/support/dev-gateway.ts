import path from 'node:path';
import { type ExtraGateway, startedSystemOptions, startGatewayBeside } from '@wellifiy/testing';
import { BASE_PORT } from './system';

export type DevGateway = ExtraGateway;

const root = path.resolve(__dirname, '../..');

/**
 * A gateway replica with NODE_ENV=development beside the system's own (same broker, Redis and databases): it has the
 * development sign-in and serves the built console at /console/, as `npm run start:all` does.
 */
export function startDevGateway(): Promise<DevGateway> {
  return startGatewayBeside(startedSystemOptions(root, BASE_PORT, path.join(root, 'reports/e2e-logs')), BASE_PORT + 70, {
    NODE_ENV: 'development',
    DEV_SIGN_IN: 'true',
    CONSOLE_DIR: path.join(root, 'dist/apps/console'),
  });
}
