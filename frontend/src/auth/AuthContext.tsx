import { createContext, use, useCallback, useMemo, useSyncExternalStore, type ReactNode } from "react";
import type { Api } from "../api/client";
import type { Session, SessionStore } from "./session";

interface AuthValue {
  api: Api;
  sessions: SessionStore;
  session: Session | null;
  logIn: (email: string, password: string) => Promise<void>;
  logOut: () => Promise<void>;
  /** Keeps the session going with the token a password change returned. */
  renewed: (accessToken: string, expiresIn: number) => void;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ api, sessions, children }: { api: Api; sessions: SessionStore; children: ReactNode }) {
  const session = useSyncExternalStore(sessions.subscribe, sessions.get);

  const logIn = useCallback(
    async (email: string, password: string) => {
      const token = await api.login(email, password);
      sessions.start(token.access_token, email.trim().toLowerCase(), token.expires_in);
    },
    [api, sessions],
  );

  const logOut = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      // Logged out here even when the server could not be told: the token is dropped.
      sessions.end("logout");
    }
  }, [api, sessions]);

  const renewed = useCallback(
    (accessToken: string, expiresIn: number) => {
      const email = sessions.get()?.email;
      if (email) sessions.start(accessToken, email, expiresIn);
    },
    [sessions],
  );

  const value = useMemo(
    () => ({ api, sessions, session, logIn, logOut, renewed }),
    [api, sessions, session, logIn, logOut, renewed],
  );
  return <AuthContext value={value}>{children}</AuthContext>;
}

export function useAuth(): AuthValue {
  const value = use(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/** The session of a page behind RequireAuth. */
export function useSession(): Session {
  const { session } = useAuth();
  if (!session) throw new Error("useSession without a session");
  return session;
}
