import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** Where the web console is served; its Vite build uses this as `base`. */
export const CONSOLE_PATH = '/console';

/**
 * The console's Content-Security-Policy: scripts and styles only from its own files (the Vite build emits no inline
 * script), API and Socket.IO on this origin, images and videos from this origin (media) or blobs (upload previews);
 * https images for link previews. No plugins, no framing, no foreign form targets.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: https:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function notFound(res: Response, message: string): void {
  res.status(404).json({ statusCode: 404, error: 'Not Found', message });
}

/**
 * Serves the static build of the web console in `dir` at /console/ (before Nest's router, so no token is asked for):
 * its files, and index.html for every other /console/* path (the single-page app routes itself). The directory is
 * looked up per request, so a console built while the gateway runs is served without a restart; without a build,
 * /console/ answers 404 saying how to make one.
 */
export function mountConsole(app: NestExpressApplication, dir: string): void {
  const root = path.resolve(dir);
  const index = path.join(root, 'index.html');
  app.use(CONSOLE_PATH, (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', CONSOLE_CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    // Relative asset URLs resolve against /console/, not /
    if (req.originalUrl === CONSOLE_PATH || req.originalUrl.startsWith(`${CONSOLE_PATH}?`)) return res.redirect(301, `${CONSOLE_PATH}/`);
    next();
  });
  app.useStaticAssets(root, { prefix: `${CONSOLE_PATH}/`, index: false, redirect: false, fallthrough: true, dotfiles: 'ignore' });
  app.use(CONSOLE_PATH, (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (!existsSync(index)) {
      return notFound(res, `the web console is not built: ${path.relative(process.cwd(), index) || index} does not exist; build apps/console (its Vite build writes ${path.relative(process.cwd(), root) || root}) and reload`);
    }
    // A missing asset stays a 404: answering index.html for /console/assets/x.js would hide a broken build.
    if (path.posix.basename(req.path).includes('.')) return notFound(res, `no console file ${req.path}`);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}
