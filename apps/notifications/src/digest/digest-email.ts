import { OutgoingEmail } from './mailer';

/**
 * The digest says how many, never what: no message text, no names, no channel names (DESIGN §4) — a
 * lock-screen preview or a shared mailbox must not reveal care details.
 */
export function composeDigest(to: string, counts: { unread: number; channelCount: number }, appUrl: string): OutgoingEmail {
  const messages = counts.unread === 1 ? '1 unread message' : `${counts.unread} unread messages`;
  const conversations = counts.channelCount === 1 ? '1 conversation' : `${counts.channelCount} conversations`;
  const link = appUrl.replace(/\/+$/, '');
  const text = [
    'Hello,',
    '',
    `You have ${messages} in ${conversations} on Wellifiy.`,
    '',
    `Sign in to read them: ${link}`,
    '',
    'You can change how often we email you in your notification settings.',
  ].join('\n');
  const html =
    `<p>Hello,</p><p>You have ${messages} in ${conversations} on Wellifiy.</p>` +
    `<p><a href="${encodeURI(link)}">Sign in to read them</a></p>` +
    '<p>You can change how often we email you in your notification settings.</p>';
  return { to, subject: 'You have unread messages on Wellifiy', text, html };
}
