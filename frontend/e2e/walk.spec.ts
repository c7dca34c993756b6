/**
 * A new user's whole journey in a real browser against the real API:
 * sign up, log in, upload a real WebM, watch and seek it, rename, delete, log out.
 */
import { readFileSync, statSync } from "node:fs";
import { apiUrl, expect, FIXTURE_WEBM, newEmail, openAccountMenu, PASSWORD, playsOnFrom, screenshot, seekTo, test, webUrl } from "./support";

const TITLE = "Sunset over the harbour";
const RENAMED = "Harbour at dusk";

test("a new user signs up, uploads, watches, seeks, renames, deletes and logs out", async ({ page, consoleErrors, request }) => {
  const email = newEmail("walker");
  const playbackStatuses: { status: number; range: string | null; contentRange: string | null }[] = [];
  page.on("response", (response) => {
    if (response.url().includes("/playback")) {
      playbackStatuses.push({
        status: response.status(),
        range: response.request().headers().range ?? null,
        contentRange: response.headers()["content-range"] ?? null,
      });
    }
  });

  await test.step("sign up", async () => {
    const shell = await page.goto(webUrl("/"));
    // The whole journey runs under the web app's strict CSP: a violation is a console error.
    expect(shell?.headers()["content-security-policy"]).toContain("script-src 'self';");
    await expect(page).toHaveURL(/\/login$/);
    await page.getByRole("link", { name: "Create an account" }).click();
    await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await screenshot(page, "01-signup");
    await page.getByRole("button", { name: "Sign up" }).click();
  });

  await test.step("signing up logs in", async () => {
    await expect(page.getByRole("heading", { name: "Your library" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "No videos yet" })).toBeVisible();
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem("vidvault.session"),
      local: localStorage.length,
    }));
    expect(stored.session).toContain("token");
    expect(stored.local).toBe(0);
    await screenshot(page, "03-library-empty");
  });

  await test.step("upload a real WebM with a visible progress bar", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Upload" }).click();
    await expect(page.getByRole("heading", { name: "Upload videos" })).toBeVisible();
    // Slow the upload down so progress is observable (the file is small and the API is local).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 48 * 1024,
    });
    // Choosing starts the upload; the title is typed while it runs.
    await page.getByLabel("Choose video files").setInputFiles(FIXTURE_WEBM);
    await page.getByLabel("Title").fill(TITLE);
    const bar = page.getByRole("progressbar", { name: `Uploading ${TITLE}` });
    await expect(bar).toBeVisible();
    await page.waitForFunction(() => {
      const value = Number(document.querySelector('[role="progressbar"]')?.getAttribute("aria-valuenow"));
      return value > 0 && value < 100;
    });
    await expect(bar).toHaveAttribute("aria-valuetext", /% · .* of .* · .*\/s/);
    await screenshot(page, "04-upload-progress");
    await expect(page.getByText("Uploaded", { exact: true })).toBeVisible({ timeout: 30_000 });
    await expect(bar).toHaveAttribute("aria-valuenow", "100");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await screenshot(page, "05-upload-done");
  });

  await test.step("the video is in the library without a reload", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Library" }).click();
    const entry = page.getByRole("link", { name: TITLE });
    await expect(entry).toBeVisible();
    await expect(page.getByText("1 video, newest first")).toBeVisible();
    await screenshot(page, "06-library");
    await entry.click();
  });

  const video = page.locator("video");
  await test.step("play: currentTime advances", async () => {
    await expect(page.getByRole("heading", { name: TITLE })).toBeVisible();
    await expect(page.getByText(`${Math.round(statSync(FIXTURE_WEBM).size / 1000)} KB`, { exact: true })).toBeVisible();
    // The bytes every browser plays, once the worker knows them: this WebM plays as it is, so the original's.
    await expect(video).toHaveAttribute("src", /\/api\/v1\/videos\/[0-9a-f]{24}\/playback\?token=/, { timeout: 50_000 });
    await expect(page.getByRole("link", { name: "Download" })).toHaveAttribute("href", /\/stream\?token=[^&]+&download=1$/);
    await page.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 1);
    await video.click();
    await page.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 0.5);
    expect(await video.evaluate((element: HTMLVideoElement) => element.paused)).toBe(false);
    await screenshot(page, "07-player");
  });

  await test.step("seek to 75%: answered with 206", async () => {
    const duration = await video.evaluate((element: HTMLVideoElement) => element.duration);
    expect(duration).toBeGreaterThan(3);
    const seekedTo = await seekTo(page, 0.75);
    expect(seekedTo).toBeGreaterThanOrEqual(duration * 0.75 - 0.1);
    await playsOnFrom(page, seekedTo);
    // The browser asked for byte ranges and the API answered 206 with a
    // Content-Range; the bytes at 75% came from such a partial response.
    const ranges = playbackStatuses.filter((entry) => entry.status === 206).map((entry) => {
      expect(entry.range).toMatch(/^bytes=\d+-\d*$/);
      const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(entry.contentRange ?? "");
      expect(match).not.toBeNull();
      return { start: Number(match?.[1]), end: Number(match?.[2]), size: Number(match?.[3]) };
    });
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.some(({ start, end, size }) => start <= size * 0.75 && end >= size * 0.75)).toBe(true);
    expect(playbackStatuses.every((entry) => entry.status === 206 || entry.status === 304)).toBe(true);
    await screenshot(page, "08-player-seeked");
  });

  await test.step("rename", async () => {
    const src = await video.getAttribute("src");
    await page.getByRole("button", { name: "Rename" }).click();
    await page.getByLabel("Title").fill(RENAMED);
    await screenshot(page, "09-rename");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("heading", { name: RENAMED })).toBeVisible();
    // Renaming must not reload the stream (a new src would restart playback).
    expect(await video.getAttribute("src")).toBe(src);
  });

  const token = await page.evaluate(() => (JSON.parse(sessionStorage.getItem("vidvault.session") ?? "{}") as { token?: string }).token);
  expect(token).toBeTruthy();

  await test.step("delete with confirmation", async () => {
    await page.getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete this video?" });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(RENAMED);
    await screenshot(page, "10-delete-confirm", { fullPage: false });
    await dialog.getByRole("button", { name: "Delete" }).click();
    await expect(page.getByRole("heading", { name: "Your library" })).toBeVisible();
    await expect(page.getByRole("status")).toContainText(`Deleted “${RENAMED}”`);
    await expect(page.getByRole("heading", { name: "No videos yet" })).toBeVisible();
    const listed = await request.get(apiUrl("/videos"), { headers: { Authorization: `Bearer ${token ?? ""}` } });
    expect(((await listed.json()) as { items: unknown[] }).items).toHaveLength(0);
    await screenshot(page, "11-library-after-delete");
  });

  await test.step("log out", async () => {
    await openAccountMenu(page);
    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
    await expect(page.getByRole("status")).toContainText("You have logged out");
    expect(await page.evaluate(() => sessionStorage.getItem("vidvault.session"))).toBeNull();
    const me = await request.get(apiUrl("/users/me"), { headers: { Authorization: `Bearer ${token ?? ""}` } });
    expect(me.status()).toBe(401);
    await page.goto(webUrl("/"));
    await expect(page).toHaveURL(/\/login$/);
    await screenshot(page, "12-logged-out");
  });

  expect(readFileSync(FIXTURE_WEBM).subarray(0, 4).toString("hex")).toBe("1a45dfa3");
  expect(consoleErrors).toEqual([]);
  test.info().annotations.push({ type: "playback responses", description: JSON.stringify(playbackStatuses) });
  console.log("playback responses:", JSON.stringify(playbackStatuses));
});
