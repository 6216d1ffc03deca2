import { useState } from 'react';
import { clearSession, loadSession, saveSession, type ConsoleSession } from './session';
import { SignIn } from './sign-in';
import { Workspace } from './workspace';

export function App() {
  const [session, setSession] = useState<ConsoleSession | null>(() => loadSession());
  if (!session) {
    return (
      <SignIn
        onSignedIn={(s) => {
          saveSession(s);
          setSession(s);
        }}
      />
    );
  }
  return (
    <Workspace
      key={session.token}
      session={session}
      onSignOut={() => {
        clearSession();
        setSession(null);
      }}
    />
  );
}
