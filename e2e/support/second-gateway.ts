import path from 'node:path';
import { ExtraGateway, startedSystemOptions, startGatewayBeside } from '@wellifiy/testing';
import { E2E_BASE_PORT } from './system';

/** Another gateway replica beside the system's own, on the same broker and Redis (specs that need two). */
export type SecondGateway = ExtraGateway;

const root = path.resolve(__dirname, '../..');

/** `offset` keeps the replicas of different specs apart; ports base+60… are free in the e2e layout. */
export function startSecondGateway(offset: number, extraEnv: Record<string, string> = {}): Promise<SecondGateway> {
  return startGatewayBeside(startedSystemOptions(root, E2E_BASE_PORT, path.join(root, 'reports/e2e-logs')), E2E_BASE_PORT + 60 + offset, extraEnv);
}
