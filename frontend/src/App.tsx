import { QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router";
import { createApi, type Api } from "./api/client";
import { AuthProvider, useAuth } from "./auth/AuthContext";
import { SessionStore } from "./auth/session";
import { Layout } from "./components/Layout";
import { apiBaseUrl } from "./config";
import { createQueryClient } from "./library/queryClient";
import { LoginPage, SignupPage } from "./pages/AuthPages";
import { LibraryPage } from "./pages/LibraryPage";
import { AccountPage } from "./pages/AccountPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { PlayerPage } from "./pages/PlayerPage";
import { SharedVideoPage } from "./pages/SharedVideoPage";
import { UploadPage } from "./pages/UploadPage";
import { UploadProvider } from "./upload/UploadContext";

/** Pages behind login; a lost session (logout or a 401) leads back to the login page. */
function RequireAuth() {
  const { session, sessions } = useAuth();
  const location = useLocation();
  if (!session) {
    const from = sessions.endReason() === "logout" ? undefined : `${location.pathname}${location.search}`;
    return <Navigate to="/login" replace state={from ? { from } : null} />;
  }
  // Keyed by account: another login starts with a fresh cache and upload queue
  // (a new token for the same account, after a password change, keeps them).
  return (
    <SessionQueries key={session.email}>
      <UploadProvider>
        <Layout />
      </UploadProvider>
    </SessionQueries>
  );
}

/** One query cache per session (or for a visitor), so nothing fetched for one account is shown to the next. */
function SessionQueries({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}

/** The login and signup pages; once logged in, on to where the person was going. */
function PublicOnly({ children }: { children: ReactNode }) {
  const { session } = useAuth();
  const from = (useLocation().state as { from?: string } | null)?.from;
  return session ? <Navigate to={from?.startsWith("/") ? from : "/"} replace /> : children;
}

export function AppRoutes() {
  return (
    <Routes>
      <Route
        path="/login"
        element={
          <PublicOnly>
            <LoginPage />
          </PublicOnly>
        }
      />
      <Route
        path="/signup"
        element={
          <PublicOnly>
            <SignupPage />
          </PublicOnly>
        }
      />
      <Route
        path="/s/:token"
        element={
          <SessionQueries>
            <SharedVideoPage />
          </SessionQueries>
        }
      />
      <Route element={<RequireAuth />}>
        <Route index element={<LibraryPage />} />
        <Route path="upload" element={<UploadPage />} />
        <Route path="videos/:id" element={<PlayerPage />} />
        <Route path="account" element={<AccountPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

export function App({ api, sessions }: { api?: Api; sessions?: SessionStore }) {
  const [store] = useState(() => sessions ?? new SessionStore());
  const [client] = useState(() => api ?? createApi(apiBaseUrl(), store));
  return (
    <AuthProvider api={client} sessions={store}>
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </AuthProvider>
  );
}
