import { statSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { createMessagingClient } from '@wellifiy/messaging-client/node';
import { expectNever } from '@wellifiy/testing';
import { expectCount, launchChromium, openConsoleAs, saveConsole, screenshot, visible, type Tab } from './support/browser';
import { serveConsole, type ConsoleSite } from './support/console-server';
import { gatewayUrl, newOrg, type Actor } from './support/system';

/** The README's picture is rewritten only on request (UPDATE_README_SCREENSHOT=1), so a test run leaves the tree clean. */
const README_SCREENSHOT = process.env.UPDATE_README_SCREENSHOT === '1'
  ? path.resolve(__dirname, '../docs/images/console.png')
  : path.resolve(__dirname, '../reports/browser/readme-console.png');

/** The channel button of a type in the list (the patient has one of each activated type). */
const channelButton = (page: Page, type: string) => page.locator(`.channel-list [data-channel-type="${type}"]`);
const timeline = (page: Page) => page.getByRole('log', { name: 'Messages' });
const messageWith = (page: Page, text: string) => timeline(page).locator('article.message', { hasText: text });

async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

/**
 * The web console in Debian's Chromium against the whole system (every service a real process): a patient and a
 * team member, each in a browser context of their own, signed in with tokens the test mints.
 */
describe('the web console in a browser', () => {
  const org = newOrg();
  let site: ConsoleSite;
  let browser: Browser;
  let manager: Actor;
  let patient: Actor;
  let tm: Tab;
  let pt: Tab;
  let careChannelId: string;

  beforeAll(async () => {
    [manager, patient] = await Promise.all([
      org.teamMember('Morgan', 'Reyes', ['messaging:manage', 'settings:manage']),
      org.patient('Jamie', 'Okafor'),
    ]);
    const api = createMessagingClient({ baseUrl: gatewayUrl, token: manager.token }).rest;
    careChannelId = (await api.activate(patient.userId, 'care_team')).id;
    await api.createChannel({ type: 'staff', name: 'Case review', patientId: patient.userId, memberIds: [] });
    site = await serveConsole();
    browser = await launchChromium();
    tm = await openConsoleAs(browser, site.url, manager);
    // The patient on a phone-sized screen.
    pt = await openConsoleAs(browser, site.url, patient, { width: 390, height: 844 });
  });

  afterAll(async () => {
    saveConsole(tm, 'team-member');
    saveConsole(pt, 'patient');
    await browser?.close();
    await site?.close();
  });

  afterEach(() => {
    expect([...(tm?.errors ?? []), ...(pt?.errors ?? [])]).toEqual([]);
  });

  it('a patient and a team member exchange messages in realtime', async () => {
    await channelButton(tm.page, 'care_team').click();
    await channelButton(pt.page, 'care_team').click();
    await send(pt.page, 'Hello, my knee hurts after the session');
    await visible(messageWith(tm.page, 'my knee hurts'));
    // Team members see the patient's real name beside the display name.
    await visible(messageWith(tm.page, 'my knee hurts').getByText('Jamie (Jamie Okafor)'));
    await send(tm.page, 'Sorry to hear that. Rest it today, we will call you.');
    await visible(messageWith(pt.page, 'Rest it today'));
    await screenshot(pt.page, 'realtime-patient');
    await screenshot(tm.page, 'realtime-team-member');
  });

  it('the unread badge counts messages and clears when the channel is read', async () => {
    await channelButton(tm.page, 'staff').click();
    await send(pt.page, 'One more question');
    await send(pt.page, 'Can I still swim?');
    await visible(tm.page.getByRole('button', { name: /Care team.*, 2 unread$/ }));
    await visible(tm.page.getByRole('status', { name: '2 unread' }));
    await screenshot(tm.page, 'badge-counting');
    await channelButton(tm.page, 'care_team').click();
    await visible(messageWith(tm.page, 'Can I still swim?'));
    // The badge is empty (so not visible) at zero: its accessible name says so.
    await expectCount(tm.page.getByRole('status', { name: '0 unread', exact: true }), 1);
    await expectCount(tm.page.getByRole('button', { name: /Care team.*unread/ }), 0);
    await screenshot(tm.page, 'badge-cleared');
  });

  it('a staff channel never appears in the patient’s view', async () => {
    await visible(channelButton(tm.page, 'staff'));
    await channelButton(tm.page, 'staff').click();
    await send(tm.page, 'Internal: consider physio referral');
    await visible(messageWith(tm.page, 'physio referral'));
    // On the phone the list is hidden behind the open conversation, but it is loaded.
    await channelButton(pt.page, 'care_team').waitFor({ state: 'attached' });
    await expectNever(async () => (await channelButton(pt.page, 'staff').count()) > 0 || (await pt.page.getByText('Case review').count()) > 0, {
      forMs: 1500,
      what: 'the staff channel in the patient view',
    });
    expect(await pt.page.getByText('physio referral').count()).toBe(0);
    await channelButton(tm.page, 'care_team').click();
    await screenshot(pt.page, 'staff-channel-hidden-from-patient');
  });

  it('an image the patient uploads shows its thumbnail to the team member', async () => {
    await channelButton(tm.page, 'care_team').click();
    const png = await sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 36, g: 87, b: 197 } } }).png().toBuffer();
    await pt.page.getByLabel('Attach an image or video').setInputFiles({ name: 'knee.png', mimeType: 'image/png', buffer: png });
    const thumb = messageWith(tm.page, 'knee.png').getByRole('img', { name: 'Image attachment (thumbnail)' });
    await visible(thumb, 20_000);
    await expectCount(thumb, 1);
    expect(await thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await visible(messageWith(pt.page, 'knee.png').getByRole('img', { name: 'Image attachment (thumbnail)' }), 20_000);
    await screenshot(tm.page, 'image-thumbnail');
  });

  it('an edit by staff with a reason shows “edited by staff” to the patient', async () => {
    await channelButton(tm.page, 'care_team').click();
    await send(pt.page, 'My nmae is spelt wrong in my file');
    await visible(messageWith(tm.page, 'My nmae is spelt'));
    // By id from here on: while it is being edited the message no longer shows its old text.
    const id = await messageWith(tm.page, 'My nmae is spelt').getAttribute('data-message-id');
    const original = tm.page.locator(`article.message[data-message-id="${id}"]`);
    await original.getByRole('button', { name: 'Edit' }).click();
    await original.getByLabel('New text').fill('My name is spelt wrong in my file');
    await original.getByLabel(/Reason/).fill('typo corrected at the patient’s request');
    await original.getByRole('button', { name: 'Save edit' }).click();
    const edited = messageWith(pt.page, 'My name is spelt wrong');
    await visible(edited.getByText('edited by staff'));
    await expectCount(messageWith(pt.page, 'My nmae'), 0);
    await visible(messageWith(tm.page, 'My name is spelt wrong').getByText('edited by staff'));
    await screenshot(pt.page, 'edited-by-staff');
  });

  it('offline and back: the reconnect banner shows, then every missed message appears exactly once', async () => {
    await channelButton(tm.page, 'care_team').click();
    await pt.context.setOffline(true);
    await visible(pt.page.getByRole('alert').filter({ hasText: 'Connection lost' }));
    await screenshot(pt.page, 'offline-banner');
    const missed = ['Missed one: drink water', 'Missed two: ice the knee', 'Missed three: call if it swells'];
    for (const text of missed) {
      await send(tm.page, text);
      await visible(messageWith(tm.page, text));
    }
    expect(await messageWith(pt.page, 'Missed').count()).toBe(0);
    await pt.context.setOffline(false);
    for (const text of missed) await expectCount(messageWith(pt.page, text), 1, 20_000);
    await expectCount(pt.page.getByRole('alert').filter({ hasText: 'Connection lost' }), 0);
    // Still exactly once a moment later (a late catch-up page or live copy would add a second).
    await expectNever(async () => (await messageWith(pt.page, 'Missed').count()) !== 3, { forMs: 1000, what: 'a duplicated or lost message' });
    const seqs = await timeline(pt.page).locator('article.message').evaluateAll((els) => els.map((e) => Number((e as unknown as { dataset: { seq: string } }).dataset.seq)));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await screenshot(pt.page, 'back-online');
  });

  it('the Clinical Portal view, for the README', async () => {
    await channelButton(tm.page, 'care_team').click();
    await visible(messageWith(tm.page, 'Missed three'));
    await tm.page.getByRole('button', { name: 'Members' }).click();
    await visible(tm.page.getByRole('region', { name: 'Members' }).getByText('Jamie Okafor'));
    await tm.page.screenshot({ path: README_SCREENSHOT });
    expect(statSync(README_SCREENSHOT).size).toBeLessThan(300 * 1024);
    await screenshot(tm.page, 'clinical-portal');
    expect(careChannelId).toMatch(/\S/);
  });
});
