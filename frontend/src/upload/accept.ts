/**
 * Which chosen files are videos Vidvault can store, decided in the browser
 * before a byte is sent: by the name's extension and by the file's first
 * bytes, with the same container signatures the server sniffs.
 */
export const VIDEO_EXTENSIONS = [".mp4", ".m4v", ".mov", ".webm", ".mkv", ".ogv", ".ogg", ".avi"] as const;

/** What the file picker offers: the extensions above, and any video type the system knows. */
export const ACCEPT_ATTRIBUTE = ["video/*", ...VIDEO_EXTENSIONS].join(",");

const SNIFF_BYTES = 64;
const AUDIO_ONLY_BRANDS = new Set(["M4A ", "M4B ", "M4P ", "F4A ", "F4B "]);

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end));
}

/** Whether `head` starts a video container the server accepts (ISO-BMFF, EBML, AVI, Ogg). */
export function looksLikeVideo(head: Uint8Array): boolean {
  if (ascii(head, 4, 8) === "ftyp") return !AUDIO_ONLY_BRANDS.has(ascii(head, 8, 12));
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return true;
  if (ascii(head, 0, 4) === "RIFF") return ascii(head, 8, 12) === "AVI ";
  return ascii(head, 0, 4) === "OggS";
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot).toLowerCase() : "";
}

/** The first bytes of a file (FileReader: every browser has it, and so does the unit tests' DOM). */
function readHead(file: File): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      resolve(new Uint8Array(reader.result as ArrayBuffer));
    };
    reader.onerror = () => {
      reject(reader.error ?? new Error(`Cannot read ${file.name}`));
    };
    reader.readAsArrayBuffer(file.slice(0, SNIFF_BYTES));
  });
}

/** Null for a video to queue, or why the file is refused, in words. */
export async function refusalOf(file: File): Promise<string | null> {
  const extension = extensionOf(file.name);
  if (!(VIDEO_EXTENSIONS as readonly string[]).includes(extension)) {
    return `${file.name} is not a video file Vidvault can store (MP4, MOV, WebM, MKV, Ogg or AVI).`;
  }
  if (file.size === 0) return `${file.name} is empty.`;
  const head = await readHead(file);
  if (!looksLikeVideo(head)) return `${file.name} is named like a video, but its contents are not one Vidvault can store.`;
  return null;
}

/** The same file chosen twice (same name, size and modification time) is the same file. */
export function fileKey(file: File): string {
  return `${file.name}\u0000${file.size}\u0000${file.lastModified}`;
}
