/** Small shared pieces: alerts, spinner, page title. */
import { useEffect, type ReactNode } from "react";

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Vidvault` : "Vidvault";
  }, [title]);
}

export function ErrorMessage({ children, action }: { children: ReactNode; action?: ReactNode }) {
  if (!children) return null;
  return (
    <div className="alert alert-error" role="alert">
      <span className="alert-text">{children}</span>
      {action}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <div className="alert alert-info" role="status">
      <span className="alert-text">{children}</span>
    </div>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <div className="spinner-row" role="status">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function Logo() {
  return (
    <span className="logo">
      <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="currentColor" />
        <path d="M12 9.5v13l11-6.5z" fill="#fff" />
      </svg>
      <span className="logo-text">Vidvault</span>
    </span>
  );
}
