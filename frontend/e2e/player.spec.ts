/** The player's own controls: every shortcut, the speed menu, resuming across a reload, and its error state. */
import type { Page } from "@playwright/test";
import { apiUpload, apiUrl, apiUser, apiWaitProcessed, expect, logInThroughUi, newEmail, screenshot, test, webUrl } from "./support";

const currentTime = (page: Page) => page.locator("video").evaluate((video: HTMLVideoElement) => video.currentTime);

/** A new account with one processed video, logged in through the web app; the player is not opened yet. */
async function loggedInWithVideo(page: Page, request: Parameters<typeof apiUser>[0], label: string, title: string) {
  const email = newEmail(label);
  const token = await apiUser(request, email);
  const { id } = await apiUpload(request, token, title);
  await apiWaitProcessed(request, token, id);
  await logInThroughUi(page, email);
  return { token, id };
}

async function openPlayer(page: Page, request: Parameters<typeof apiUser>[0], label: string): Promise<string> {
  const { id } = await loggedInWithVideo(page, request, label, "Harbour timelapse");
  await page.goto(webUrl(`/videos/${id}`));
  await page.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 1);
  return id;
}

test("each shortcut does its job and is announced", async ({ page, request }) => {
  await openPlayer(page, request, "keys");
  const video = page.locator("video");
  const duration = await video.evaluate((element: HTMLVideoElement) => element.duration);
  expect(duration).toBeGreaterThan(3);
  const announced = page.locator('.player-frame [role="status"]');
  // Focus on the page, not on the timeline: the keys work anyway.
  await page.getByRole("heading", { name: "Harbour timelapse" }).click();

  await page.keyboard.press("5");
  await expect.poll(() => currentTime(page)).toBeCloseTo(duration * 0.5, 1);
  await expect(announced).toHaveText(/^50%, 0:0\d/);
  await page.keyboard.press("0");
  await expect.poll(() => currentTime(page)).toBe(0);

  const seeks: [string, number, RegExp][] = [
    ["ArrowRight", Math.min(5, duration), /Forward 5 seconds/],
    ["ArrowLeft", 0, /Back 5 seconds/],
    ["l", Math.min(10, duration), /Forward 10 seconds/],
    ["j", 0, /Back 10 seconds/],
  ];
  for (const [key, expected, words] of seeks) {
    await page.keyboard.press(key);
    await expect.poll(() => currentTime(page)).toBeCloseTo(expected, 1);
    await expect(announced).toHaveText(words);
  }

  await page.keyboard.press("k");
  await expect.poll(() => video.evaluate((element: HTMLVideoElement) => element.paused)).toBe(false);
  await expect(announced).toHaveText(/^Playing/);
  await expect.poll(() => currentTime(page)).toBeGreaterThan(0.3);
  await page.keyboard.press(" ");
  await expect.poll(() => video.evaluate((element: HTMLVideoElement) => element.paused)).toBe(true);
  await expect(announced).toHaveText(/^Paused/);

  await page.keyboard.press("m");
  await expect.poll(() => video.evaluate((element: HTMLVideoElement) => element.muted)).toBe(true);
  await expect(announced).toHaveText(/^Muted/);
  await page.keyboard.press("m");
  await expect.poll(() => video.evaluate((element: HTMLVideoElement) => element.muted)).toBe(false);

  await page.keyboard.press("f");
  await expect(announced).toHaveText(/^Full screen/);
  await expect.poll(() => page.evaluate(() => document.fullscreenElement?.getAttribute("aria-label") ?? null)).toBe(
    "Video player: Harbour timelapse",
  );
  await page.keyboard.press("f");
  await expect.poll(() => page.evaluate(() => document.fullscreenElement)).toBeNull();

  // Typing in a field is typing, not a shortcut.
  await page.getByRole("button", { name: "Rename", exact: true }).click();
  await page.getByLabel("Title").press("5");
  expect(await currentTime(page)).toBeLessThan(duration * 0.4);
});

test("the speed menu changes the playback rate", async ({ page, request }) => {
  await openPlayer(page, request, "speed");
  await page.getByLabel("Playback speed").selectOption("1.5");
  await expect.poll(() => page.locator("video").evaluate((video: HTMLVideoElement) => video.playbackRate)).toBe(1.5);
  await page.getByLabel("Playback speed").selectOption("0.5");
  await expect.poll(() => page.locator("video").evaluate((video: HTMLVideoElement) => video.playbackRate)).toBe(0.5);
});

test("the seek bar shows the time under the pointer, and seeks where clicked", async ({ page, request }) => {
  await openPlayer(page, request, "pointer");
  const bar = page.getByRole("slider", { name: "Seek" });
  const box = await bar.boundingBox();
  expect(box).not.toBeNull();
  if (!box) return;
  await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2);
  const preview = page.locator(".seek-preview");
  await expect(preview).toBeVisible();
  const duration = await page.locator("video").evaluate((video: HTMLVideoElement) => video.duration);
  const shown = Number(await preview.getAttribute("data-seconds"));
  expect(shown).toBeGreaterThan(duration * 0.65);
  expect(shown).toBeLessThan(duration * 0.85);
  await screenshot(page, "player-seek-preview", { fullPage: false });
  await page.mouse.click(box.x + box.width * 0.75, box.y + box.height / 2);
  await expect.poll(() => currentTime(page)).toBeGreaterThan(duration * 0.6);
});

test("the player offers to resume where you stopped, across a reload", async ({ page, request }) => {
  await openPlayer(page, request, "resume");
  const duration = await page.locator("video").evaluate((video: HTMLVideoElement) => video.duration);
  expect(duration).toBeGreaterThan(3);
  await page.getByRole("heading", { name: "Harbour timelapse" }).click();
  await page.keyboard.press("5");
  await expect.poll(() => currentTime(page)).toBeGreaterThan(duration * 0.4);
  const stoppedAt = await currentTime(page);
  await page.reload();
  await page.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 1);
  await expect(page.getByText(/You stopped at 0:0\d/)).toBeVisible();
  expect(await currentTime(page)).toBe(0);
  await screenshot(page, "player-resume-offer");
  await page.getByRole("button", { name: "Resume", exact: true }).click();
  await expect.poll(() => currentTime(page)).toBeGreaterThanOrEqual(stoppedAt - 0.2);
  await expect(page.getByText(/You stopped at/)).toBeHidden();
});

test("a failed video offers Try again and Download, and Try again plays once the stream is back", async ({ page, request }) => {
  const { id } = await loggedInWithVideo(page, request, "failing", "Flaky stream");
  await page.route("**/playback?*", (route) => route.abort("failed"));
  await page.goto(webUrl(`/videos/${id}`));
  const failure = page.locator(".player-failure");
  await expect(failure).toBeVisible();
  await expect(failure.getByRole("link", { name: "Download" })).toHaveAttribute("href", /download=1/);
  await page.unroute("**/playback?*");
  await failure.getByRole("button", { name: "Try again" }).click();
  await expect(failure).toBeHidden();
  await page.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 1);
});

test("when the server refuses the bytes, the player gives its reason: a video deleted meanwhile", async ({ page, request }) => {
  const { token, id } = await loggedInWithVideo(page, request, "deleted-meanwhile", "Gone soon");
  // A slow network: the player's first request reaches the server only after
  // the video was deleted in another tab; the server answers it, for real, with 404.
  const gate: { open?: () => void } = {};
  const deleted = new Promise<void>((resolve) => {
    gate.open = resolve;
  });
  await page.route("**/playback?*", async (route) => {
    await deleted;
    await route.continue();
  });
  await page.goto(webUrl(`/videos/${id}`));
  await expect(page.locator("video")).toHaveAttribute("src", /\/playback\?token=/);
  expect((await request.delete(apiUrl(`/videos/${id}`), { headers: { Authorization: `Bearer ${token}` } })).status()).toBe(204);
  gate.open?.();

  const failure = page.locator(".player-failure");
  await expect(failure).toContainText("This video does not exist (it may have been deleted).");
  await expect(failure.getByRole("button", { name: "Try again" })).toBeVisible();
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the player's controls are at least 44 px", async ({ page, request }) => {
    await openPlayer(page, request, "thumbs");
    const sizes = await page
      .locator(".controls button, .controls select, .seek-input")
      .evaluateAll((elements) => elements.map((element) => element.getBoundingClientRect().height));
    expect(sizes.length).toBeGreaterThanOrEqual(5);
    for (const height of sizes) expect(height).toBeGreaterThanOrEqual(44);
  });
});
