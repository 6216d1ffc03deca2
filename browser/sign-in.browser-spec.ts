import { DEMO_MANAGER, DEMO_USERS, realNameOf, seedDemoOrganisation } from '@wellifiy/demo';
import { TEST_JWT_SECRET, testInfra } from '@wellifiy/testing';
import type { Browser } from 'playwright-core';
import { launchChromium, screenshot, visible } from './support/browser';
import { startDevGateway, type DevGateway } from './support/dev-gateway';
import { gatewayUrl } from './support/system';

/**
 * The way people sign in: the console served by a development gateway at /console/, its sign-in page listing the
 * demo organisation's users (GET /v1/dev/users), one click minting a token (POST /v1/dev/sign-in).
 */
describe('the console’s development sign-in', () => {
  let dev: DevGateway;
  let browser: Browser;

  beforeAll(async () => {
    await seedDemoOrganisation({ gatewayUrl, amqpUrl: process.env.E2E_AMQP_URL ?? testInfra.amqpUrl, jwtSecret: TEST_JWT_SECRET });
    dev = await startDevGateway();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await dev?.stop();
  });

  it('lists the demo users and signs in as the one picked', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.stack ?? err.message));
    await page.goto(`${dev.url}/console/`);
    for (const user of DEMO_USERS) await visible(page.getByRole('button', { name: `Sign in as ${realNameOf(user)}` }));
    await screenshot(page, 'sign-in');
    await page.getByRole('button', { name: `Sign in as ${realNameOf(DEMO_MANAGER)}` }).click();
    await visible(page.getByRole('heading', { name: 'Clinical Portal' }));
    await visible(page.locator('.channel-list [data-channel-type="care_team"]'));
    await visible(page.locator('.channel-list [data-channel-type="staff"]'));
    await screenshot(page, 'signed-in-demo-manager');
    expect(errors).toEqual([]);
    await context.close();
  });
});
