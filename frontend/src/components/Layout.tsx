import { useEffect, useId, useRef, useState } from "react";
import { NavLink, Outlet } from "react-router";
import { useAuth, useSession } from "../auth/AuthContext";
import { isPending } from "../upload/queue";
import { useUploads } from "../upload/UploadContext";
import { ConfirmDialog } from "./ConfirmDialog";
import { Logo } from "./ui";

function UploadIndicator() {
  const { items } = useUploads();
  const active = items.filter(isPending).length;
  if (active === 0) return null;
  return (
    <span className="nav-badge" aria-label={`${active} uploading`}>
      {active}
    </span>
  );
}

/** The signed-in account and logging out, behind one button that fits a phone's header too. */
function AccountMenu() {
  const { logOut } = useAuth();
  const session = useSession();
  const { items } = useUploads();
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const menuId = useId();
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const uploading = items.filter(isPending).length;

  useEffect(() => {
    if (!open) return;
    const closeOutside = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", closeOutside);
    return () => {
      document.removeEventListener("pointerdown", closeOutside);
    };
  }, [open]);

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
    <div
      className="account"
      ref={root}
      onKeyDown={(event) => {
        if (event.key === "Escape" && open) {
          setOpen(false);
          toggle.current?.focus();
        }
      }}
    >
      <button
        ref={toggle}
        type="button"
        className="account-button"
        aria-expanded={open}
        aria-controls={menuId}
        aria-label={`Account: ${session.email}`}
        onClick={() => {
          setOpen(!open);
        }}
      >
        <span className="account-avatar" aria-hidden="true">
          {session.email.charAt(0).toUpperCase()}
        </span>
        <span className="account-email">{session.email}</span>
      </button>
      <div id={menuId} className="account-panel" hidden={!open}>
        <p className="account-signed-in">
          Signed in as <strong>{session.email}</strong>
        </p>
        <NavLink
          to="/account"
          className="button button-block"
          onClick={() => {
            setOpen(false);
          }}
        >
          Your account
        </NavLink>
        <button
          type="button"
          className="button button-block"
          disabled={leaving}
          onClick={() => {
            if (uploading > 0) setConfirming(true);
            else void leave();
          }}
        >
          Log out
        </button>
      </div>
      <ConfirmDialog
        open={confirming}
        title="Log out and stop uploading?"
        confirmLabel="Log out"
        busyLabel="Logging out…"
        busy={leaving}
        onConfirm={() => void leave()}
        onCancel={() => {
          setConfirming(false);
        }}
      >
        <p>
          {uploading === 1 ? "1 video is" : `${uploading} videos are`} still uploading. Logging out stops{" "}
          {uploading === 1 ? "it" : "them"}.
        </p>
      </ConfirmDialog>
    </div>
  );
}

export function Layout() {
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
          <AccountMenu />
        </div>
      </header>
      <main className="content">
        <Outlet />
      </main>
    </div>
  );
}
