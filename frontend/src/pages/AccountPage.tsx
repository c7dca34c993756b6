import { useMutation, useQuery } from "@tanstack/react-query";
import { useId, useState, type SyntheticEvent } from "react";
import type { Account } from "../api/client";
import { errorText } from "../api/errors";
import { useAuth, useSession } from "../auth/AuthContext";
import { ErrorMessage, Notice, Spinner, useDocumentTitle } from "../components/ui";
import { formatBytes } from "../lib/format";

function StorageUsage({ account }: { account: Account }) {
  const { storage_used_bytes: used, storage_quota_bytes: quota } = account;
  if (quota === null) {
    return <p>{formatBytes(used)} used. There is no storage limit on this server.</p>;
  }
  const percent = Math.min(100, Math.round((used / quota) * 100));
  return (
    <div className="progress">
      <div
        className="progress-track"
        role="meter"
        aria-label="Storage used"
        aria-valuemin={0}
        aria-valuemax={quota}
        aria-valuenow={used}
        aria-valuetext={`${formatBytes(used)} of ${formatBytes(quota)}`}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <div className="progress-text">
        <span>
          {formatBytes(used)} of {formatBytes(quota)} used
        </span>
        <span>{formatBytes(Math.max(0, quota - used))} free</span>
      </div>
    </div>
  );
}

function PasswordField(props: { label: string; value: string; onChange: (value: string) => void; autoComplete: string; hint?: string }) {
  const id = useId();
  const hintId = useId();
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {props.label}
      </label>
      <input
        id={id}
        className="input"
        type="password"
        autoComplete={props.autoComplete}
        aria-describedby={props.hint ? hintId : undefined}
        value={props.value}
        onChange={(event) => {
          props.onChange(event.target.value);
        }}
      />
      {props.hint && (
        <p id={hintId} className="field-hint">
          {props.hint}
        </p>
      )}
    </div>
  );
}

function ChangePassword() {
  const { api, renewed } = useAuth();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const change = useMutation({
    mutationFn: () => api.changePassword(current, next),
    onSuccess: (token) => {
      renewed(token.access_token, token.expires_in);
      setCurrent("");
      setNext("");
    },
  });

  function submit(event: SyntheticEvent) {
    event.preventDefault();
    change.mutate();
  }

  return (
    <section className="account-section" aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <form className="form" onSubmit={submit} noValidate aria-busy={change.isPending}>
        {change.isSuccess && <Notice>Password changed. Every other device has been logged out.</Notice>}
        <ErrorMessage>{change.error ? errorText(change.error) : null}</ErrorMessage>
        <PasswordField label="Current password" value={current} onChange={setCurrent} autoComplete="current-password" />
        <PasswordField label="New password" value={next} onChange={setNext} autoComplete="new-password" hint="At least 8 characters." />
        <button type="submit" className="button button-primary" disabled={change.isPending || !current || !next}>
          {change.isPending ? "Changing…" : "Change password"}
        </button>
      </form>
    </section>
  );
}

function DeleteAccount() {
  const { api, sessions } = useAuth();
  const session = useSession();
  const [open, setOpen] = useState(false);
  const [typedEmail, setTypedEmail] = useState("");
  const [password, setPassword] = useState("");
  const emailId = useId();
  const confirmed = typedEmail.trim().toLowerCase() === session.email.toLowerCase() && password !== "";
  const remove = useMutation({
    mutationFn: () => api.deleteAccount(password),
    onSuccess: () => {
      sessions.end("account-deleted");
    },
  });

  function submit(event: SyntheticEvent) {
    event.preventDefault();
    if (confirmed) remove.mutate();
  }

  return (
    <section className="account-section account-danger" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete account</h2>
      <p>Your account, every video, every share link and every stored byte are deleted for good. This cannot be undone.</p>
      {!open ? (
        <button
          type="button"
          className="button button-danger"
          onClick={() => {
            setOpen(true);
          }}
        >
          Delete my account…
        </button>
      ) : (
        <form className="form" onSubmit={submit} noValidate aria-busy={remove.isPending}>
          <ErrorMessage>{remove.error ? errorText(remove.error) : null}</ErrorMessage>
          <div className="field">
            <label htmlFor={emailId} className="field-label">
              Type your email, {session.email}, to confirm
            </label>
            <input
              id={emailId}
              className="input"
              type="email"
              autoComplete="off"
              value={typedEmail}
              onChange={(event) => {
                setTypedEmail(event.target.value);
              }}
            />
          </div>
          <PasswordField label="Password" value={password} onChange={setPassword} autoComplete="current-password" />
          <div className="dialog-actions">
            <button
              type="button"
              className="button button-ghost"
              disabled={remove.isPending}
              onClick={() => {
                setOpen(false);
              }}
            >
              Cancel
            </button>
            <button type="submit" className="button button-danger" disabled={!confirmed || remove.isPending}>
              {remove.isPending ? "Deleting…" : "Delete my account for good"}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

export function AccountPage() {
  useDocumentTitle("Account");
  const { api } = useAuth();
  const account = useQuery({ queryKey: ["account"], queryFn: ({ signal }) => api.me(signal) });

  return (
    <section className="page account-page" aria-labelledby="account-title">
      <div className="page-header">
        <div>
          <h1 id="account-title">Your account</h1>
          {account.data && <p className="page-subtitle">{account.data.email}</p>}
        </div>
      </div>
      <section className="account-section" aria-labelledby="storage-title">
        <h2 id="storage-title">Storage</h2>
        {account.isPending && <Spinner label="Loading your account…" />}
        {account.error && <ErrorMessage>{errorText(account.error)}</ErrorMessage>}
        {account.data && <StorageUsage account={account.data} />}
      </section>
      <ChangePassword />
      <DeleteAccount />
    </section>
  );
}
