import { useId, useState, type SyntheticEvent, type ReactNode } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { useAuth } from "../auth/AuthContext";
import { ErrorMessage, Logo, Notice, useDocumentTitle } from "../components/ui";

interface AuthLocationState {
  email?: string;
  notice?: string;
  from?: string;
}

function locationState(state: unknown): AuthLocationState {
  return typeof state === "object" && state !== null ? state : {};
}

function AuthCard({ title, subtitle, children, footer }: { title: string; subtitle: string; children: ReactNode; footer: ReactNode }) {
  return (
    <main className="auth-page">
      <div className="auth-card">
        <Link to="/" className="auth-logo" aria-label="Vidvault home">
          <Logo />
        </Link>
        <h1 className="auth-title">{title}</h1>
        <p className="auth-subtitle">{subtitle}</p>
        {children}
        <p className="auth-footer">{footer}</p>
      </div>
    </main>
  );
}

function CredentialsForm(props: {
  submitLabel: string;
  busyLabel: string;
  passwordAutocomplete: "current-password" | "new-password";
  passwordHint?: string;
  initialEmail?: string;
  onSubmit: (email: string, password: string) => Promise<void>;
}) {
  const [email, setEmail] = useState(props.initialEmail ?? "");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const emailId = useId();
  const passwordId = useId();
  const hintId = useId();

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit(email, password);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  }

  return (
    <form className="form" onSubmit={(event) => void submit(event)} noValidate aria-busy={busy}>
      <ErrorMessage>{error}</ErrorMessage>
      <div className="field">
        <label htmlFor={emailId} className="field-label">
          Email
        </label>
        <input
          id={emailId}
          className="input"
          type="email"
          autoComplete="username"
          inputMode="email"
          required
          autoFocus={!props.initialEmail}
          value={email}
          onChange={(event) => {
            setEmail(event.target.value);
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={passwordId} className="field-label">
          Password
        </label>
        <input
          id={passwordId}
          className="input"
          type="password"
          autoComplete={props.passwordAutocomplete}
          required
          autoFocus={Boolean(props.initialEmail)}
          aria-describedby={props.passwordHint ? hintId : undefined}
          value={password}
          onChange={(event) => {
            setPassword(event.target.value);
          }}
        />
        {props.passwordHint && (
          <p id={hintId} className="field-hint">
            {props.passwordHint}
          </p>
        )}
      </div>
      <button type="submit" className="button button-primary button-block" disabled={busy}>
        {busy ? props.busyLabel : props.submitLabel}
      </button>
    </form>
  );
}

export function LoginPage() {
  useDocumentTitle("Log in");
  const { logIn, sessions } = useAuth();
  const state = locationState(useLocation().state);
  const ended = sessions.endReason();
  const notice =
    state.notice ??
    (ended === "expired" ? "Your session has expired. Log in again to continue." : ended === "logout" ? "You have logged out." : null);

  return (
    <AuthCard
      title="Log in"
      subtitle="Welcome back. Your videos are waiting."
      footer={
        <>
          New to Vidvault? <Link to="/signup">Create an account</Link>
        </>
      }
    >
      <Notice>{notice}</Notice>
      <CredentialsForm
        submitLabel="Log in"
        busyLabel="Logging in…"
        passwordAutocomplete="current-password"
        {...(state.email ? { initialEmail: state.email } : {})}
        onSubmit={(email, password) => logIn(email, password)}
      />
    </AuthCard>
  );
}

export function SignupPage() {
  useDocumentTitle("Sign up");
  const { api } = useAuth();
  const navigate = useNavigate();

  return (
    <AuthCard
      title="Create your account"
      subtitle="Upload your videos and watch them anywhere, with instant seeking."
      footer={
        <>
          Already have an account? <Link to="/login">Log in</Link>
        </>
      }
    >
      <CredentialsForm
        submitLabel="Sign up"
        busyLabel="Creating account…"
        passwordAutocomplete="new-password"
        passwordHint="At least 8 characters."
        onSubmit={async (email, password) => {
          const user = await api.signup(email, password);
          await navigate("/login", { state: { email: user.email, notice: "Account created. Log in to start uploading." } });
        }}
      />
    </AuthCard>
  );
}
