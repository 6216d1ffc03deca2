import { TEST_JWT_SECRET, testInfra } from '@wellifiy/testing';

/** Where the end-to-end system listens (see global-setup.ts). */
export const E2E_BASE_PORT = Number(process.env.E2E_BASE_PORT ?? 3100);
export const gatewayUrl = `http://127.0.0.1:${E2E_BASE_PORT}`;
export const e2eJwtSecret = TEST_JWT_SECRET;
/** The broker URL of the system under test (its own virtual host when one could be made). */
export const e2eAmqpUrl = (): string => process.env.E2E_AMQP_URL ?? testInfra.amqpUrl;
/** The database of one service of the system under test (`<prefix>-<app>`, see global-setup.ts). */
export const e2eDbName = (app: string): string => `${process.env.E2E_DB_PREFIX ?? 'e2e'}-${app}`;
