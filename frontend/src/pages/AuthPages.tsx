import { useId, useRef, useState, type ReactNode, type RefObject, type SyntheticEvent } from "react";
import { Link, useLocation } from "react-router";
import { ApiError, errorText } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { useFocusAfterRender } from "../components/focus";
import { LiveError, Logo, Notice, useDocumentTitle } from "../components/ui";

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

type Field = "email" | "password";
type FieldProblems = Partial<Record<Field, string>>;

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const MIN_PASSWORD_LENGTH = 8;

/** What the browser can tell before asking the server, in the words the server's refusals use. */
function checkFields(email: string, password: string, newPassword: boolean): FieldProblems {
  const problems: FieldProblems = {};
  if (!email.trim()) problems.email = "Enter your email address.";
  else if (!EMAIL_SHAPE.test(email.trim())) problems.email = "Enter an email address like name@example.com.";
  if (!password) problems.password = newPassword ? `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.` : "Enter your password.";
  else if (newPassword && password.length < MIN_PASSWORD_LENGTH) problems.password = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  return problems;
}

function serverProblems(failure: unknown): FieldProblems {
  if (!(failure instanceof ApiError)) return {};
  const { email, password } = failure.fields;
  return { ...(email ? { email } : {}), ...(password ? { password } : {}) };
}

interface TextFieldProps {
  label: string;
  type: "email" | "password";
  autoComplete: string;
  value: string;
  onChange: (value: string) => void;
  problem: string | undefined;
  hint?: string;
  autoFocus: boolean;
  inputRef: RefObject<HTMLInputElement | null>;
}

/** A labelled input whose problem, in words, sits beside it and is tied to it for screen readers. */
function TextField({ label, type, autoComplete, value, onChange, problem, hint, autoFocus, inputRef }: TextFieldProps) {
  const id = useId();
  const hintId = useId();
  const errorId = useId();
  // The hint gives way to the problem, which says the same thing more pointedly.
  const describedBy = problem ? errorId : hint ? hintId : undefined;
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <input
        ref={inputRef}
        id={id}
        className="input"
        type={type}
        autoComplete={autoComplete}
        {...(type === "email" ? { inputMode: "email" as const } : {})}
        required
        autoFocus={autoFocus}
        aria-invalid={problem ? true : undefined}
        aria-describedby={describedBy}
        value={value}
        onChange={(event) => {
          onChange(event.target.value);
        }}
      />
      {problem && (
        <p id={errorId} className="field-error">
          {problem}
        </p>
      )}
      {hint && !problem && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
    </div>
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
  const [problems, setProblems] = useState<FieldProblems>({});
  const emailInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const { ref: alertRef, focusSoon: focusAlert } = useFocusAfterRender<HTMLDivElement>();
  const newPassword = props.passwordAutocomplete === "new-password";

  /** Field problems go beside their field, focus on the first; anything else to the alert, focused. */
  function show(fields: FieldProblems, message: string | null) {
    setProblems(fields);
    if (fields.email) emailInput.current?.focus();
    else if (fields.password) passwordInput.current?.focus();
    const onFields = Boolean(fields.email ?? fields.password);
    setError(onFields ? "Please correct the fields marked below." : message);
    if (message && !onFields) focusAlert();
  }

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    const found = checkFields(email, password, newPassword);
    if (found.email ?? found.password) {
      show(found, null);
      return;
    }
    setBusy(true);
    show({}, null);
    try {
      await props.onSubmit(email.trim(), password);
    } catch (failure) {
      setBusy(false);
      show(serverProblems(failure), errorText(failure));
    }
  }

  return (
    <form className="form" onSubmit={(event) => void submit(event)} noValidate aria-busy={busy}>
      <LiveError ref={alertRef}>{error}</LiveError>
      <TextField
        label="Email"
        type="email"
        autoComplete="username"
        value={email}
        onChange={setEmail}
        problem={problems.email}
        autoFocus={!props.initialEmail}
        inputRef={emailInput}
      />
      <TextField
        label="Password"
        type="password"
        autoComplete={props.passwordAutocomplete}
        value={password}
        onChange={setPassword}
        problem={problems.password}
        {...(props.passwordHint ? { hint: props.passwordHint } : {})}
        autoFocus={Boolean(props.initialEmail)}
        inputRef={passwordInput}
      />
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
  const email = state.email ?? sessions.expiredEmail();
  const endNotices = {
    expired: "Your session has expired. Log in again to continue.",
    logout: "You have logged out.",
    "account-deleted": "Your account and everything in it have been deleted.",
  };
  const notice = state.notice ?? (ended ? endNotices[ended] : null);

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
        {...(email ? { initialEmail: email } : {})}
        onSubmit={(email, password) => logIn(email, password)}
      />
    </AuthCard>
  );
}

export function SignupPage() {
  useDocumentTitle("Sign up");
  const { api, logIn } = useAuth();

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
          await api.signup(email, password);
          // Signed up is logged in: the library opens (PublicOnly leaves for it once the session starts).
          await logIn(email, password);
        }}
      />
    </AuthCard>
  );
}
