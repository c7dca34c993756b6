/**
 * The multipart upload over XMLHttpRequest: fetch cannot report upload
 * progress, XHR can. The response is typed from the generated schema.
 */
import type { UploadForm, Video } from "../api/client";
import { ApiError, describeFailure, NETWORK_DOWN } from "../api/errors";
import { SpeedMeter } from "./speed";

export interface UploadProgress {
  loaded: number;
  total: number;
  percent: number;
  bytesPerSecond: number | null;
}

export interface UploadOptions {
  baseUrl: string;
  token: string;
  file: File;
  title: string;
  onProgress: (progress: UploadProgress) => void;
  onUnauthorized?: () => void;
  signal?: AbortSignal;
  createRequest?: () => XMLHttpRequest;
  now?: () => number;
}

export const UPLOAD_PATH = "/api/v1/videos";

function formData(file: File, title: string): FormData {
  const fields: UploadForm = { file: file.name, ...(title.trim() ? { title: title.trim() } : {}) };
  const body = new FormData();
  if (fields.title !== undefined) body.append("title", fields.title);
  body.append("file", file, file.name);
  return body;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function progressOf(loaded: number, total: number, bytesPerSecond: number | null): UploadProgress {
  const percent = total > 0 ? Math.min(100, Math.floor((loaded / total) * 100)) : 0;
  return { loaded, total, percent, bytesPerSecond };
}

export function uploadVideo(options: UploadOptions): Promise<Video> {
  const { file, onProgress, signal, now = () => performance.now() } = options;
  const request = options.createRequest?.() ?? new XMLHttpRequest();
  const meter = new SpeedMeter();

  return new Promise<Video>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException("Upload cancelled", "AbortError"));
      return;
    }
    const cancel = () => {
      request.abort();
    };
    signal?.addEventListener("abort", cancel, { once: true });
    const settle = () => signal?.removeEventListener("abort", cancel);

    request.open("POST", `${options.baseUrl}${UPLOAD_PATH}`);
    request.setRequestHeader("Authorization", `Bearer ${options.token}`);
    request.upload.onprogress = (event) => {
      // The request body is the file plus its multipart wrapping: report the file's share, so
      // "88.5 KB of 88.5 KB" matches the size shown for the file.
      const share = event.lengthComputable && event.total > 0 ? event.loaded / event.total : 0;
      const loaded = Math.min(file.size, Math.round(share * file.size));
      onProgress(progressOf(loaded, file.size, meter.record(now(), loaded)));
    };
    request.onload = () => {
      settle();
      const body = parseJson(request.responseText);
      if (request.status === 201) {
        resolve(body as Video);
        return;
      }
      if (request.status === 401) options.onUnauthorized?.();
      const retryAfter = request.getResponseHeader("Retry-After");
      reject(new ApiError(describeFailure("upload", request.status, body, retryAfter), request.status));
    };
    request.onerror = () => {
      settle();
      reject(new ApiError(NETWORK_DOWN, null));
    };
    request.onabort = () => {
      settle();
      reject(new DOMException("Upload cancelled", "AbortError"));
    };
    request.send(formData(file, options.title));
  });
}
