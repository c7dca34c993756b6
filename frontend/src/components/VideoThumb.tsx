/** A cheap, stable poster: a gradient from the id and the container format, no video bytes fetched. */
function hue(id: string): number {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return hash;
}

export function formatLabel(contentType: string, filename: string): string {
  const subtype = contentType.split("/")[1] ?? "";
  const known: Record<string, string> = { quicktime: "MOV", "x-matroska": "MKV", "x-msvideo": "AVI" };
  return (known[subtype] ?? (subtype || filename.split(".").pop() || "video")).toUpperCase();
}

export function VideoThumb({ id, contentType, filename }: { id: string; contentType: string; filename: string }) {
  const base = hue(id);
  const style = {
    background: `linear-gradient(135deg, hsl(${base} 70% 45%), hsl(${(base + 50) % 360} 75% 30%))`,
  };
  return (
    <div className="thumb" style={style} aria-hidden="true">
      <span className="thumb-play">
        <svg viewBox="0 0 24 24" width="22" height="22">
          <path d="M8 5v14l11-7z" fill="currentColor" />
        </svg>
      </span>
      <span className="thumb-badge">{formatLabel(contentType, filename)}</span>
    </div>
  );
}
