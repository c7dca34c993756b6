import { useId, useState, type SyntheticEvent } from "react";
import { ApiError, errorText } from "../api/errors";

interface RenameFormProps {
  initial: string;
  onSave: (title: string) => Promise<unknown>;
  /** Saved or cancelled: the caller puts focus back where the rename started. */
  onDone: () => void;
}

export function RenameForm({ initial, onSave, onDone }: RenameFormProps) {
  const [title, setTitle] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const errorId = useId();

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    const trimmed = title.trim();
    if (!trimmed) {
      setError("The title cannot be empty.");
      return;
    }
    if (trimmed === initial) {
      onDone();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSave(trimmed);
      onDone();
    } catch (failure) {
      setError(failure instanceof ApiError ? (failure.fields.title ?? failure.message) : errorText(failure));
      setBusy(false);
    }
  }

  return (
    <form className="rename-form" onSubmit={(event) => void submit(event)} noValidate>
      <label htmlFor={id} className="field-label">
        Title
      </label>
      <div className="rename-row">
        <input
          id={id}
          className="input"
          value={title}
          maxLength={200}
          autoFocus
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(event) => {
            setTitle(event.target.value);
          }}
          onKeyDown={(event) => {
            if (event.key === "Escape") onDone();
          }}
        />
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? "Saving…" : "Save"}
        </button>
        <button type="button" className="button button-ghost" onClick={onDone} disabled={busy}>
          Cancel
        </button>
      </div>
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
