// The development mail catcher: maildev (npm), SMTP and web inbox on localhost only. Digest emails of the run command
// go there; the console links to its inbox.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// maildev's package exports only its ESM entry, so its command is found by path.
const MAILDEV_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/maildev/dist/bin/maildev.js');

async function answers(url) {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts maildev on `smtpPort` / `webPort` and resolves once its web inbox answers: { smtpUrl, inboxUrl, stop() }.
 * When its ports are taken (another run command's catcher), resolves null: the caller runs without one.
 */
export async function startMailCatcher({ smtpPort, webPort, logs }) {
  const inboxUrl = `http://localhost:${webPort}`;
  const child = spawn(process.execPath, [MAILDEV_BIN, '--smtp', String(smtpPort), '--web', String(webPort), '--ip', '127.0.0.1', '--web-ip', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  mkdirSync(logs, { recursive: true });
  const log = createWriteStream(path.join(logs, 'maildev.log'), { flags: 'a' });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return null;
    if (await answers(`http://127.0.0.1:${webPort}/`)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (child.exitCode !== null) return null;
  if (!(await answers(`http://127.0.0.1:${webPort}/`))) {
    child.kill('SIGTERM');
    return null;
  }
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    inboxUrl,
    process: child,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
