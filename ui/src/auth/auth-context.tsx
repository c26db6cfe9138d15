import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ApiClient } from '../api/api-client';
import { tokenStorage } from './token-storage';

export interface Auth {
  /** The client for the signed-in token. */
  api: ApiClient;
}

interface Session {
  token: string | null;
  /** Why the user was sent back to sign in (a refused token), shown on the login page. */
  message: string | null;
  signIn: (token: string) => void;
  signOut: (message?: string) => void;
}

const SessionContext = createContext<Session | null>(null);
const AuthContext = createContext<Auth | null>(null);

/** Holds the token; any 401 from the API signs out with a message, which returns the app to its login page. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(() => tokenStorage.read());
  const [message, setMessage] = useState<string | null>(null);

  const signOut = useCallback((why?: string) => {
    tokenStorage.clear();
    setToken(null);
    setMessage(why ?? null);
  }, []);
  const signIn = useCallback((newToken: string) => {
    tokenStorage.write(newToken);
    setToken(newToken);
    setMessage(null);
  }, []);

  const session = useMemo(() => ({ token, message, signIn, signOut }), [token, message, signIn, signOut]);
  const auth = useMemo(() => (token === null ? null : {
    api: new ApiClient({ token, onUnauthorized: (reason) => signOut(`The API refused the token (${reason}). Sign in again.`) }),
  }), [token, signOut]);
  return (
    <SessionContext.Provider value={session}>
      <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>
    </SessionContext.Provider>
  );
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession needs a SessionProvider above it');
  return session;
}

/** The signed-in API client; only pages shown after sign-in use it. */
export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth is only for pages shown to a signed-in user');
  return auth;
}
