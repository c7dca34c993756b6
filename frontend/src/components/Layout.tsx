import { useState } from "react";
import { NavLink, Outlet } from "react-router";
import { useAuth, useSession } from "../auth/AuthContext";
import { useUploads } from "../upload/UploadContext";
import { Logo } from "./ui";

function UploadIndicator() {
  const { items } = useUploads();
  const active = items.filter((item) => item.status === "uploading" || item.status === "queued").length;
  if (active === 0) return null;
  return (
    <span className="nav-badge" aria-label={`${active} uploading`}>
      {active}
    </span>
  );
}

export function Layout() {
  const { logOut } = useAuth();
  const session = useSession();
  const [leaving, setLeaving] = useState(false);

  async function leave() {
    setLeaving(true);
    try {
      await logOut();
    } catch {
      // The token is dropped locally whatever the server answered, and
      // RequireAuth then shows the login page.
    }
  }

  return (
    <div className="app">
      <header className="topbar">
        <div className="topbar-inner">
          <NavLink to="/" className="brand" aria-label="Vidvault library">
            <Logo />
          </NavLink>
          <nav className="nav" aria-label="Main">
            <NavLink to="/" end className="nav-link">
              Library
            </NavLink>
            <NavLink to="/upload" className="nav-link">
              Upload
              <UploadIndicator />
            </NavLink>
          </nav>
          <div className="account">
            <NavLink to="/account" className="account-email" title={`${session.email}: your account`}>
              {session.email}
            </NavLink>
            <button type="button" className="button button-ghost button-small" onClick={() => void leave()} disabled={leaving}>
              Log out
            </button>
          </div>
        </div>
      </header>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
