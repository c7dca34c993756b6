/** Small shared pieces: alerts, spinner, page title. */
import { useEffect, type ReactNode, type Ref } from "react";

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

/**
 * A form's error, in a live region that is always on the page (a region added
 * together with its text is not reliably announced); focusable, so focus can
 * be put on it when a failure leaves nothing else to act on.
 */
export function LiveError({ children, ref }: { children: ReactNode; ref?: Ref<HTMLDivElement> }) {
  return (
    <div ref={ref} role="alert" tabIndex={-1} className={children ? "alert alert-error" : "live-empty"}>
      {children && <span className="alert-text">{children}</span>}
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
