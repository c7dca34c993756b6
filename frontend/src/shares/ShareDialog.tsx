import { useId, useState } from "react";
import type { Share, Video } from "../api/client";
import { errorText } from "../api/errors";
import { Spinner } from "../components/ui";
import { useModal } from "../components/useModal";
import { formatDate } from "../lib/format";
import { shareLink, useCreateShare, useRevokeShare, useShares } from "./queries";

const EXPIRY_CHOICES = [
  { label: "Never", days: null },
  { label: "In 1 day", days: 1 },
  { label: "In 7 days", days: 7 },
  { label: "In 30 days", days: 30 },
] as const;

function expiryFromNow(days: number | null): string | null {
  return days === null ? null : new Date(Date.now() + days * 86_400_000).toISOString();
}

function isExpired(share: Share): boolean {
  return share.expires_at !== null && new Date(share.expires_at).getTime() <= Date.now();
}

function ShareRow({ share, videoId }: { share: Share; videoId: string }) {
  const revoke = useRevokeShare(videoId);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const link = shareLink(share);
  const expiry = share.expires_at ? `${isExpired(share) ? "Expired" : "Expires"} ${formatDate(share.expires_at)}` : "Never expires";

  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }

  return (
    <li className="share-row" aria-label={`Link created ${formatDate(share.created_at)}`}>
      <input className="input share-link" readOnly value={link} aria-label="Share link" onFocus={(event) => { event.target.select(); }} />
      <div className="share-row-meta">
        <span>
          Created {formatDate(share.created_at)} · {expiry}
        </span>
        <span className="share-row-actions">
          <button type="button" className="button button-small" onClick={() => void copy()}>
            {copied === "yes" ? "Copied" : "Copy link"}
          </button>
          <button
            type="button"
            className="button button-small button-danger-text"
            disabled={revoke.isPending}
            onClick={() => {
              revoke.mutate(share.id);
            }}
          >
            {revoke.isPending ? "Revoking…" : "Revoke"}
          </button>
        </span>
      </div>
      {copied === "failed" && <p className="field-hint">This browser did not allow copying: select the link and copy it.</p>}
      {revoke.error && (
        <p className="field-error" role="alert">
          {errorText(revoke.error)}
        </p>
      )}
    </li>
  );
}

/** Create, copy, list and revoke a video's share links. */
export function ShareDialog({ video, open, onClose }: { video: Video; open: boolean; onClose: () => void }) {
  const ref = useModal(open);
  const titleId = useId();
  const expiryId = useId();
  const [days, setDays] = useState<number | null>(null);
  const shares = useShares(video.id, open);
  const create = useCreateShare(video.id);


  async function createAndCopy() {
    const share = await create.mutateAsync(expiryFromNow(days));
    // Copying may be refused (no permission); the new link is listed either way.
    await navigator.clipboard.writeText(shareLink(share)).catch(() => undefined);
  }

  return (
    <dialog
      ref={ref}
      className="dialog share-dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId} className="dialog-title">
        Share “{video.title}”
      </h2>
      <div className="dialog-body">
        <p>Anyone with a link can watch this video, without an account, until you revoke the link or it expires.</p>
        <div className="share-create">
          <label htmlFor={expiryId} className="field-label">
            Link expires
          </label>
          <select
            id={expiryId}
            className="input"
            value={days ?? ""}
            onChange={(event) => {
              setDays(event.target.value === "" ? null : Number(event.target.value));
            }}
          >
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.label} value={choice.days ?? ""}>
                {choice.label}
              </option>
            ))}
          </select>
          <button type="button" className="button button-primary" disabled={create.isPending} onClick={() => void createAndCopy()}>
            {create.isPending ? "Creating…" : "Create and copy link"}
          </button>
        </div>
        {create.isSuccess && <p role="status">Link created and copied.</p>}
        {create.error && (
          <p className="alert alert-error" role="alert">
            {errorText(create.error)}
          </p>
        )}
        {shares.isPending && open && <Spinner label="Loading links…" />}
        {shares.error && (
          <p className="alert alert-error" role="alert">
            {errorText(shares.error)}
          </p>
        )}
        {shares.data && shares.data.length === 0 && <p className="field-hint">No links yet.</p>}
        {shares.data && shares.data.length > 0 && (
          <ul className="share-list" aria-label="Share links">
            {shares.data.map((share) => (
              <ShareRow key={share.id} share={share} videoId={video.id} />
            ))}
          </ul>
        )}
      </div>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Done
        </button>
      </div>
    </dialog>
  );
}
