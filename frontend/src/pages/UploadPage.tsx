import { useEffect, useId, useState, useSyncExternalStore, type DragEvent } from "react";
import { Link } from "react-router";
import { ProgressBar } from "../components/ProgressBar";
import { useDocumentTitle } from "../components/ui";
import { formatBytes } from "../lib/format";
import { ACCEPT_ATTRIBUTE } from "../upload/accept";
import { isFinished, isPending, type UploadItem } from "../upload/queue";
import { useUploads, type Refusal } from "../upload/UploadContext";

const STATUS_TEXT: Record<UploadItem["status"], string> = {
  queued: "Waiting…",
  uploading: "Uploading…",
  paused: "Paused",
  done: "Uploaded",
  failed: "Failed",
  cancelled: "Cancelled",
};

const CONNECTION_TEXT: Record<Exclude<UploadItem["connection"], "ok">, string> = {
  retrying: "Reconnecting…",
  offline: "Offline",
};

function statusText(item: UploadItem): string {
  return item.status === "uploading" && item.connection !== "ok" ? CONNECTION_TEXT[item.connection] : STATUS_TEXT[item.status];
}

/** Why an upload stands still, and that it goes on by itself. */
function ConnectionNote({ item }: { item: UploadItem }) {
  const text =
    item.status !== "uploading" || item.connection === "ok"
      ? ""
      : item.connection === "offline"
        ? "No network connection. The upload continues where it stopped when you are back online."
        : "The connection was interrupted. Trying again…";
  return (
    <p className={text ? "upload-note" : "live-empty"} role="status">
      {text}
    </p>
  );
}

function RowButton({ label, onClick, ghost = false }: { label: string; onClick: () => void; ghost?: boolean }) {
  return (
    <button type="button" className={ghost ? "button button-ghost button-small" : "button button-small"} onClick={onClick}>
      {label}
    </button>
  );
}

function UploadRow({ item }: { item: UploadItem }) {
  const { setTitle, cancel, pause, resume, retry, remove } = useUploads();
  const titleId = useId();
  const { status } = item;
  const showProgress = item.progress && status !== "failed" && status !== "cancelled";

  return (
    <li className={`upload-item upload-${status}`} aria-label={item.title || item.file.name}>
      <div className="upload-head">
        {isPending(item) ? (
          <div className="field upload-title-field">
            <label htmlFor={titleId} className="field-label">
              Title
            </label>
            <input
              id={titleId}
              className="input"
              value={item.title}
              maxLength={200}
              onChange={(event) => {
                setTitle(item.id, event.target.value);
              }}
            />
          </div>
        ) : (
          <span className="upload-title">{item.video?.title ?? item.title}</span>
        )}
        <span className={`status-pill status-${status}`}>{statusText(item)}</span>
      </div>
      <div className="upload-file">
        {item.file.name} · {formatBytes(item.file.size)}
      </div>
      {showProgress && item.progress && (
        <ProgressBar progress={item.progress} label={`Uploading ${item.title || item.file.name}`} done={status === "done"} />
      )}
      {item.error && (
        <p className="field-error" role="alert">
          {item.error}
        </p>
      )}
      <ConnectionNote item={item} />
      <div className="upload-actions">
        {isPending(item) && (
          // One button that changes its name, so focus stays on it from Pause to Resume and back.
          <RowButton
            label={status === "paused" ? "Resume" : "Pause"}
            onClick={() => {
              if (status === "paused") resume(item.id);
              else pause(item.id);
            }}
          />
        )}
        {isPending(item) && (
          <RowButton
            label="Cancel"
            onClick={() => {
              cancel(item.id);
            }}
          />
        )}
        {(status === "failed" || status === "cancelled") && item.retryable && (
          <RowButton
            label="Retry"
            onClick={() => {
              retry(item.id);
            }}
          />
        )}
        {(status === "failed" || status === "cancelled") && (
          <RowButton
            label="Remove"
            ghost
            onClick={() => {
              remove(item.id);
            }}
          />
        )}
        {status === "done" && item.video && (
          <Link to={`/videos/${item.video.id}`} className="button button-small">
            Watch
          </Link>
        )}
      </div>
    </li>
  );
}

/** Files dropped outside the drop zone would otherwise make the browser navigate away. */
function usePreventWindowDrop() {
  useEffect(() => {
    const prevent = (event: Event) => {
      event.preventDefault();
    };
    window.addEventListener("dragover", prevent);
    window.addEventListener("drop", prevent);
    return () => {
      window.removeEventListener("dragover", prevent);
      window.removeEventListener("drop", prevent);
    };
  }, []);
}

/** Phones and tablets: nothing to drag from, so the page speaks of choosing. */
function useTouchOnly(): boolean {
  const query = "(pointer: coarse) and (hover: none)";
  return useSyncExternalStore(
    (onChange) => {
      const media = window.matchMedia(query);
      media.addEventListener("change", onChange);
      return () => {
        media.removeEventListener("change", onChange);
      };
    },
    () => window.matchMedia(query).matches,
  );
}

function Refusals({ refusals }: { refusals: Refusal[] }) {
  return (
    <div role="alert" className={refusals.length > 0 ? "alert alert-error" : "live-empty"}>
      {refusals.length > 0 && (
        <div className="alert-text">
          {refusals.length === 1 ? "This file was not added:" : "These files were not added:"}
          <ul className="refusals">
            {refusals.map((refusal) => (
              <li key={refusal.name}>{refusal.reason}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

export function UploadPage() {
  useDocumentTitle("Upload");
  usePreventWindowDrop();
  const { items, refusals, addFiles, clearFinished } = useUploads();
  const [dragging, setDragging] = useState(false);
  const touchOnly = useTouchOnly();
  const inputId = useId();
  const hintId = useId();
  const running = items.some(isPending);
  const finished = items.some(isFinished);

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    void addFiles(Array.from(event.dataTransfer.files));
  }

  return (
    <section className="page page-narrow" aria-labelledby="upload-title">
      <div className="page-header">
        <div>
          <h1 id="upload-title">Upload videos</h1>
          <p className="page-subtitle">MP4, WebM, QuickTime, Matroska, Ogg or AVI. Uploads keep going while you browse.</p>
        </div>
      </div>
      <div className="upload-form">
        <div
          className={dragging ? "dropzone dropzone-active" : "dropzone"}
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => {
            setDragging(false);
          }}
          onDrop={onDrop}
        >
          <svg className="dropzone-icon" viewBox="0 0 24 24" width="40" height="40" aria-hidden="true">
            <path d="M12 3l5 5h-3v6h-4V8H7l5-5zM5 16h14v4H5z" fill="currentColor" />
          </svg>
          {!touchOnly && (
            <>
              <p className="dropzone-text">Drag and drop videos here</p>
              <p className="dropzone-or">or</p>
            </>
          )}
          <label htmlFor={inputId} className={touchOnly ? "button button-primary" : "button"}>
            {touchOnly ? "Choose videos" : "Choose video files"}
          </label>
          <input
            id={inputId}
            className="visually-hidden"
            type="file"
            accept={ACCEPT_ATTRIBUTE}
            multiple
            aria-describedby={hintId}
            onChange={(event) => {
              void addFiles(Array.from(event.target.files ?? []));
              event.target.value = "";
            }}
          />
          <p id={hintId} className="dropzone-hint">
            They start uploading at once, one after another. You can change their titles meanwhile.
          </p>
        </div>
        <Refusals refusals={refusals} />
        {running && (
          <p className="upload-warning">
            Leaving or reloading this page pauses the uploads. To continue one later, choose the same file again: it picks up
            where it stopped.
          </p>
        )}
        {items.length > 0 && (
          <ul className="upload-list" aria-label="Uploads">
            {items.map((item) => (
              <UploadRow key={item.id} item={item} />
            ))}
          </ul>
        )}
        {finished && (
          <div className="upload-footer">
            <button type="button" className="button button-ghost" onClick={clearFinished}>
              Clear finished
            </button>
          </div>
        )}
      </div>
    </section>
  );
}
