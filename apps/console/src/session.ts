import { HttpTransport } from '@wellifiy/messaging-client';
import type { DevSignInBody, DevSignInResult, DevUsersView, DevUserView } from '@wellifiy/contracts';

/** The person signed in on this tab: the token of the development sign-in (sessionStorage, so closing the tab signs out). */
export interface ConsoleSession {
  token: string;
  /** The gateway; absent when the console is served by the gateway itself (/console/). */
  apiOrigin?: string;
}

/** One demo user of GET /v1/dev/users (the gateway answers it only when NODE_ENV=development). */
export type DemoUser = DevUserView;
export type DemoDirectory = DevUsersView;

const KEY = 'wellifiy.console.session';

export function loadSession(): ConsoleSession | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<ConsoleSession>;
    return typeof parsed.token === 'string' && parsed.token ? { token: parsed.token, ...(typeof parsed.apiOrigin === 'string' ? { apiOrigin: parsed.apiOrigin } : {}) } : null;
  } catch {
    return null;
  }
}

export function saveSession(session: ConsoleSession): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

/** Where the gateway is: the session's own origin when it names one, else the page's (the gateway serves /console/). */
export function apiOrigin(session?: ConsoleSession | null): string {
  return session?.apiOrigin ?? import.meta.env.VITE_API_ORIGIN ?? window.location.origin;
}

/** The development sign-in routes, through the client library's transport (no token needed for them). */
export function devApi(origin: string): { users(): Promise<DevUsersView>; signIn(userId: string): Promise<DevSignInResult> } {
  const http = new HttpTransport({ baseUrl: origin, token: () => '' });
  return {
    users: () => http.request<DevUsersView>({ method: 'GET', path: '/v1/dev/users' }),
    signIn: (userId) => http.request<DevSignInResult>({ method: 'POST', path: '/v1/dev/sign-in', body: { userId } satisfies DevSignInBody }),
  };
}
