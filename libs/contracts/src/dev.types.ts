import type { UserKind } from './identity';

/*
 * The development sign-in of the gateway (`/v1/dev/*`, served only when NODE_ENV=development): what the web console's
 * sign-in page lists and what it gets back. Production has no such routes; tokens come from the identity provider.
 */

export interface DevUserView {
  userId: string;
  kind: UserKind;
  /** What other patients see. */
  displayName: string;
  realName: string;
  permissions: string[];
}

export interface DevUsersView {
  organisation: { id: string; name: string };
  users: DevUserView[];
  /** The local mail catcher's inbox where digest emails arrive; null when none runs. */
  mailInboxUrl: string | null;
}

export interface DevSignInBody {
  userId: string;
}

export interface DevSignInResult {
  /** A bearer token for the REST API and the Socket.IO handshake. */
  token: string;
  user: DevUserView;
}
