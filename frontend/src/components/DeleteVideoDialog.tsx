import { useState } from "react";
import type { Video } from "../api/client";
import { errorText } from "../api/errors";
import { formatBytes } from "../lib/format";
import { useDeleteVideo } from "../library/queries";
import { ConfirmDialog } from "./ConfirmDialog";

interface DeleteVideoDialogProps {
  video: Video;
  open: boolean;
  onClose: () => void;
  /** Runs once the video is gone (the library has already dropped it). */
  onDeleted?: () => Promise<void> | void;
}

/** "Delete this video?": deletes through the library, keeps the dialog open on failure. */
export function DeleteVideoDialog({ video, open, onClose, onDeleted }: DeleteVideoDialogProps) {
  const remove = useDeleteVideo();
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirmDelete() {
    setDeleting(true);
    setError(null);
    try {
      await remove.mutateAsync(video.id);
      await onDeleted?.();
    } catch (failure) {
      setError(errorText(failure));
      setDeleting(false);
    }
  }

  return (
    <ConfirmDialog
      open={open}
      title="Delete this video?"
      confirmLabel="Delete"
      busy={deleting}
      error={error}
      onConfirm={() => void confirmDelete()}
      onCancel={() => {
        setError(null);
        onClose();
      }}
    >
      <p>
        “<strong>{video.title}</strong>” and its file ({formatBytes(video.size)}) will be removed for good. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
