import { useEffect, useState } from 'react';
import { isMessagingApiError } from '@wellifiy/messaging-client';
import { apiOrigin, devApi, type ConsoleSession, type DemoDirectory, type DemoUser } from './session';

const describe = (err: unknown): string =>
  isMessagingApiError(err) && err.status === 404
    ? 'The development sign-in is off: start the system with NODE_ENV=development (npm run start:all).'
    : err instanceof Error
      ? err.message
      : String(err);

/** Development sign-in: pick one demo user of the seeded demo organisation. */
export function SignIn({ onSignedIn }: { onSignedIn: (s: ConsoleSession) => void }) {
  const origin = apiOrigin();
  const [directory, setDirectory] = useState<DemoDirectory | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    devApi(origin)
      .users()
      .then(setDirectory)
      .catch((err: unknown) => setError(describe(err)));
  }, [origin]);

  const signIn = async (user: DemoUser) => {
    setBusy(user.userId);
    setError(null);
    try {
      const { token } = await devApi(origin).signIn(user.userId);
      onSignedIn({ token });
    } catch (err) {
      setError(describe(err));
      setBusy(null);
    }
  };

  const group = (kind: DemoUser['kind'], title: string) => {
    const users = directory?.users.filter((u) => u.kind === kind) ?? [];
    return (
      <section aria-labelledby={`signin-${kind}`}>
        <h2 id={`signin-${kind}`}>{title}</h2>
        <ul className="user-picker">
          {users.map((u) => (
            <li key={u.userId}>
              <button type="button" onClick={() => void signIn(u)} disabled={busy !== null} aria-label={`Sign in as ${u.realName}`}>
                <span className="name">{u.realName}</span>
                {u.displayName !== u.realName && <span className="muted"> ({u.displayName})</span>}
                {u.permissions.length > 0 && <span className="perms">{u.permissions.join(', ')}</span>}
              </button>
            </li>
          ))}
        </ul>
      </section>
    );
  };

  return (
    <main className="sign-in">
      <h1>Wellifiy Messaging console</h1>
      <p>Development sign-in: choose a demo user{directory ? ` of ${directory.organisation.name}` : ''}.</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {!directory && !error && <p role="status">Loading demo users…</p>}
      {directory && (
        <>
          {group('team_member', 'Clinical Portal (team members)')}
          {group('patient', 'Patient view')}
          {directory.mailInboxUrl && (
            <p>
              Digest emails: <a href={directory.mailInboxUrl}>mail inbox</a>
            </p>
          )}
        </>
      )}
    </main>
  );
}
