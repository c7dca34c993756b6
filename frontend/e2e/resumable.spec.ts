/**
 * Resumable uploads (tus) in the browser: a connection that drops mid-upload,
 * pause and resume, a page reload and a session revoked mid-upload, each
 * continuing from the bytes the server already has and ending in a video
 * that plays, stored byte for byte.
 *
 * The app is configured (through its config.js, as a deployment would) with
 * 16 KiB upload requests, so the 132 KB sample takes several PATCHes, and the
 * tests hold a PATCH in flight with request interception rather than timing.
 */
import AxeBuilder from "@axe-core/playwright";
import type { APIRequestContext, Page, Route } from "@playwright/test";
import { readFileSync } from "node:fs";
import { apiUrl, apiUser, expect, FIXTURE_WEBM, logInThroughUi, newEmail, PASSWORD, test } from "./support";

const CHUNK_BYTES = 16 * 1024;
const SAMPLE = readFileSync(FIXTURE_WEBM);

interface Patch {
  offset: number;
  bytes: number;
}

/** The app with small upload requests; every PATCH it sends is recorded with its offset and size. */
async function smallChunks(page: Page): Promise<Patch[]> {
  await page.route("**/config.js", async (route) => {
    const original = await route.fetch();
    const body = `${await original.text()}\nwindow.VIDVAULT_CONFIG.uploadChunkBytes = ${CHUNK_BYTES};\n`;
    await route.fulfill({ response: original, body });
  });
  const patches: Patch[] = [];
  page.on("request", (request) => {
    if (request.method() !== "PATCH" || !request.url().includes("/api/v1/uploads/")) return;
    patches.push({ offset: Number(request.headers()["upload-offset"]), bytes: request.postDataBuffer()?.length ?? 0 });
  });
  return patches;
}

/** Holds the first PATCH at or past `offset` until the returned route is let go. */
function holdPatchAt(page: Page, offset: number): Promise<Route> {
  return new Promise((resolveHeld) => {
    void page.route("**/api/v1/uploads/*", async (route) => {
      const request = route.request();
      if (request.method() === "PATCH" && Number(request.headers()["upload-offset"]) >= offset) {
        await page.unroute("**/api/v1/uploads/*");
        resolveHeld(route);
        return;
      }
      await route.continue();
    });
  });
}

async function openUploadPage(page: Page, request: APIRequestContext, label: string): Promise<{ email: string; token: string }> {
  const email = newEmail(label);
  const token = await apiUser(request, email);
  await logInThroughUi(page, email);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Upload" }).click();
  return { email, token };
}

/** An upload of the sample in small requests, with the PATCH at `heldAt` held in flight. */
async function startHeldUpload(page: Page, request: APIRequestContext, label: string, heldAt: number) {
  const patches = await smallChunks(page);
  const { email, token } = await openUploadPage(page, request, label);
  const held = holdPatchAt(page, heldAt);
  await page.getByLabel("Choose video files").setInputFiles(FIXTURE_WEBM);
  const route = await held;
  return { patches, email, token, route, row: page.getByRole("listitem", { name: "sample" }) };
}

/** axe finds no serious or critical violation in the upload list as it is now (paused, offline). */
async function expectAccessibleList(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).include(".upload-list").analyze();
  const blocking = results.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  expect(blocking.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
}

/** The stored video is the sample, byte for byte, and it plays. */
async function expectStoredAndPlaying(page: Page, request: APIRequestContext, token: string): Promise<void> {
  const row = page.getByRole("listitem", { name: "sample" });
  await expect(row.getByText("Uploaded", { exact: true })).toBeVisible({ timeout: 30_000 });
  const watch = row.getByRole("link", { name: "Watch" });
  const id = (await watch.getAttribute("href"))?.split("/").at(-1) ?? "";
  const video = (await (await request.get(apiUrl(`/videos/${id}`), { headers: { Authorization: `Bearer ${token}` } })).json()) as {
    stream_url: string;
    size: number;
  };
  expect(video.size).toBe(SAMPLE.length);
  const stored = await request.get(new URL(video.stream_url, apiUrl("/")).toString());
  expect(Buffer.compare(await stored.body(), SAMPLE)).toBe(0);

  await watch.click();
  const player = page.locator("video");
  await page.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 1);
  await player.evaluate((element: HTMLVideoElement) => element.play());
  await expect.poll(() => player.evaluate((element: HTMLVideoElement) => element.currentTime)).toBeGreaterThan(0.3);
}

test("an upload whose network drops waits offline, then finishes from where it stopped, and the video plays", async ({ page, context, request }) => {
  const { patches, token, route, row } = await startHeldUpload(page, request, "offline", 3 * CHUNK_BYTES);
  await expect(row.getByRole("progressbar")).toBeVisible();

  await context.setOffline(true);
  await route.abort("internetdisconnected").catch(() => undefined); // the request in flight dies with the network
  await expect(row.getByText("Offline", { exact: true })).toBeVisible();
  await expect(row.getByRole("status")).toHaveText(/No network connection/);
  await expectAccessibleList(page);
  const sentOffline = patches.length;

  await context.setOffline(false);
  await expectStoredAndPlaying(page, request, token);
  // Back online it asked the server where it stopped: no byte before that went again.
  const resumedAt = patches[sentOffline]?.offset ?? -1;
  expect(resumedAt).toBe(3 * CHUNK_BYTES);
  const sentAfter = patches.slice(sentOffline).reduce((sum, patch) => sum + patch.bytes, 0);
  expect(sentAfter).toBe(SAMPLE.length - resumedAt);
});

test("pause stops sending, resume continues from the server's offset", async ({ page, request }) => {
  const { patches, token, route, row } = await startHeldUpload(page, request, "pause", 2 * CHUNK_BYTES);

  await row.getByRole("button", { name: "Pause" }).click();
  await expect(row.getByText("Paused", { exact: true })).toBeVisible();
  await expect(row.getByRole("button", { name: "Resume" })).toBeFocused();
  await route.abort("aborted").catch(() => undefined);
  const sentPaused = patches.length;
  await expect(row.getByRole("progressbar")).toHaveAttribute("aria-valuenow", String(Math.floor(((2 * CHUNK_BYTES) / SAMPLE.length) * 100)));
  await expectAccessibleList(page);
  // Nothing goes out while paused.
  await page.getByRole("heading", { name: "Upload videos" }).click();
  expect(patches).toHaveLength(sentPaused);

  // The queue lives above the pages: browsing the library and coming back finds the upload as it was.
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Library" }).click();
  await expect(page.getByRole("heading", { name: "Your library" })).toBeVisible();
  await nav.getByRole("link", { name: /^Upload/ }).click();
  await expect(row.getByText("Paused", { exact: true })).toBeVisible();

  await row.getByRole("button", { name: "Resume" }).click();
  await expectStoredAndPlaying(page, request, token);
  expect(patches[sentPaused]?.offset).toBe(2 * CHUNK_BYTES);
});

test("after a reload, choosing the same file again continues from the stored offset", async ({ page, request }) => {
  const { patches, token } = await startHeldUpload(page, request, "reload", 4 * CHUNK_BYTES);

  page.on("dialog", (dialog) => void dialog.accept()); // "leave the page?"
  await page.reload();
  await expect(page.getByRole("heading", { name: "Upload videos" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Uploads" })).toHaveCount(0);
  const sentBefore = patches.length;
  const uploadsCreated: string[] = [];
  page.on("request", (sent) => {
    if (sent.method() === "POST" && sent.url().endsWith("/api/v1/uploads")) uploadsCreated.push(sent.url());
  });

  await page.getByLabel("Choose video files").setInputFiles(FIXTURE_WEBM);
  await expectStoredAndPlaying(page, request, token);
  expect(uploadsCreated).toEqual([]);
  const resumed = patches.slice(sentBefore);
  expect(resumed[0]?.offset).toBe(4 * CHUNK_BYTES);
  expect(resumed.reduce((sum, patch) => sum + patch.bytes, 0)).toBe(SAMPLE.length - 4 * CHUNK_BYTES);
});

test("a session revoked mid-upload sends the user to log in, like any 401; logged in again, the same file continues", async ({ page, request }) => {
  const { patches, email, token, route, row } = await startHeldUpload(page, request, "expired", 2 * CHUNK_BYTES);
  await expect(row.getByRole("progressbar")).toBeVisible();
  // Logging out elsewhere revokes every token of the account: the held PATCH goes out with a dead one.
  expect((await request.post(apiUrl("/auth/logout"), { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(204);
  await route.continue();
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText(/Your session has expired/);

  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Upload" }).click();
  const sentBefore = patches.length;
  await page.getByLabel("Choose video files").setInputFiles(FIXTURE_WEBM);
  const fresh = await request.post(apiUrl("/auth/login"), { form: { username: email, password: PASSWORD } });
  await expectStoredAndPlaying(page, request, ((await fresh.json()) as { access_token: string }).access_token);
  expect(patches[sentBefore]?.offset).toBe(2 * CHUNK_BYTES);
});
