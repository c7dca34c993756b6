/**
 * What the worker makes of an upload, in the web app: an AVI (MPEG-4 Part 2
 * video) no browser plays gets a poster and a duration in the library, plays
 * and seeks in Chromium from its H.264 copy, and shows storyboard frames on
 * the seek bar; a video that cannot be processed says why in the player.
 */
import type { Page } from "@playwright/test";
import type { Storyboard } from "../src/api/client";
import {
  apiUpload,
  apiUrl,
  apiUser,
  apiWaitProcessed,
  expect,
  FIXTURE_AVI,
  logInThroughUi,
  newEmail,
  noiseWebm,
  playsOnFrom,
  screenshot,
  seekTo,
  test,
  webUrl,
} from "./support";

const preview = (page: Page) => page.locator(".seek-preview");
const frame = (page: Page) => page.getByTestId("storyboard-preview");

/** What the preview shows: the moment it names, and the tile of the sprite it cuts out. */
async function shownTile(page: Page) {
  const seconds = Number(await preview(page).getAttribute("data-seconds"));
  const tile = Number(await frame(page).getAttribute("data-tile"));
  const position = await frame(page).evaluate((element) => getComputedStyle(element).backgroundPosition);
  return { seconds, tile, position };
}

/** The tile the storyboard index puts at `seconds`, and where it sits in the sprite (shown at its own size). */
function expectedTile(board: Storyboard, seconds: number) {
  const tile = Math.min(board.count - 1, Math.round(seconds / board.interval_seconds));
  const x = (tile % board.columns) * board.tile_width;
  const y = Math.floor(tile / board.columns) * board.tile_height;
  return { tile, position: `${x === 0 ? "0px" : `${-x}px`} ${y === 0 ? "0px" : `${-y}px`}` };
}

test("an AVI becomes playable: poster and duration in the library, plays and seeks with storyboard previews", async ({
  page,
  request,
  consoleErrors,
}) => {
  const email = newEmail("avi");
  const token = await apiUser(request, email);
  await logInThroughUi(page, email);
  const sprites: number[] = [];
  page.on("response", (response) => {
    if (response.url().includes("/storyboard/sprite")) sprites.push(response.status());
  });

  await test.step("upload the AVI", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Upload" }).click();
    await page.getByLabel("Choose video files").setInputFiles(FIXTURE_AVI);
    await expect(page.getByText("Uploaded", { exact: true })).toBeVisible({ timeout: 30_000 });
  });

  const card = page.getByRole("listitem", { name: "sample" });
  await test.step("the library card shows the poster and the duration once processed", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Library" }).click();
    const poster = card.locator("img.thumb-poster");
    await expect(poster).toBeVisible({ timeout: 50_000 });
    await expect(card.getByText(/Processing/)).toHaveCount(0, { timeout: 50_000 });
    await expect.poll(() => poster.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0)).toBe(true);
    await expect(card.getByText("0:03", { exact: true })).toBeVisible();
    await screenshot(page, "processing-01-library-poster");
  });

  const video = page.locator("video");
  await test.step("it plays from its H.264 copy, not from the AVI", async () => {
    await card.getByRole("link").first().click();
    await expect(video).toHaveAttribute("src", /\/api\/v1\/videos\/[0-9a-f]{24}\/playback\?token=/);
    await expect(video).toHaveAttribute("poster", /\/poster\?token=/);
    await expect(page.getByRole("link", { name: "Download" })).toHaveAttribute("href", /\/stream\?token=[^&]+&download=1$/);
    await expect(page.getByText("320×180", { exact: true })).toBeVisible();
    await page.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 1);
    await page.getByRole("button", { name: "Play (k)" }).click();
    await page.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 0.3);
    expect(await video.evaluate((element: HTMLVideoElement) => [element.videoWidth, element.videoHeight])).toEqual([320, 180]);
    await page.getByRole("button", { name: "Pause (k)" }).click();
  });

  const id = /\/videos\/([0-9a-f]{24})/.exec(page.url())?.[1] ?? "";
  const index = await request.get(apiUrl(`/videos/${id}/storyboard`), { headers: { Authorization: `Bearer ${token}` } });
  expect(index.status()).toBe(200);
  const board = (await index.json()) as Storyboard;
  expect(board.count).toBe(6); // 3 s: a tile every half second
  const bar = page.getByRole("slider", { name: "Seek" });
  const box = await bar.boundingBox();
  if (!box) throw new Error("the seek bar has no box");
  const at = (fraction: number) => [box.x + box.width * fraction, box.y + box.height / 2] as const;

  await test.step("hovering the seek bar shows the storyboard tile of the moment under the pointer", async () => {
    for (const fraction of [0.05, 0.6, 0.97]) {
      await page.mouse.move(...at(fraction));
      await expect(frame(page)).toBeVisible();
      const shown = await shownTile(page);
      expect(shown.seconds / 3.024).toBeCloseTo(fraction, 1);
      expect({ tile: shown.tile, position: shown.position }).toEqual(expectedTile(board, shown.seconds));
    }
    await expect.poll(() => sprites).toContainEqual(200);
    expect(await frame(page).evaluate((element) => getComputedStyle(element).backgroundImage)).toMatch(/\/storyboard\/sprite\?token=/);
    await page.mouse.move(...at(0.6));
    await screenshot(page, "processing-02-storyboard-preview", { fullPage: false });
    await page.mouse.move(box.x + box.width / 2, box.y - 200);
    await expect(preview(page)).toBeHidden();
  });

  await test.step("dragging the thumb seeks, and the preview follows it even off the bar", async () => {
    const duration = await video.evaluate((element: HTMLVideoElement) => element.duration);
    await page.mouse.move(...at(0.1));
    await page.mouse.down();
    await page.mouse.move(...at(0.8), { steps: 8 });
    await expect.poll(() => video.evaluate((element: HTMLVideoElement) => element.currentTime)).toBeGreaterThan(duration * 0.7);
    const dragged = await shownTile(page);
    expect(dragged.seconds / duration).toBeCloseTo(0.8, 1);
    expect({ tile: dragged.tile, position: dragged.position }).toEqual(expectedTile(board, dragged.seconds));
    // Off the bar with the button still down: still dragging, the preview stays.
    await page.mouse.move(at(0.8)[0], box.y - 150, { steps: 4 });
    await expect(frame(page)).toBeVisible();
    await page.mouse.up();
    await expect(preview(page)).toBeHidden();
  });

  await test.step("it seeks to 75% and plays on from there", async () => {
    const seekedTo = await seekTo(page, 0.75);
    expect(seekedTo).toBeGreaterThan(2);
    await video.evaluate((element: HTMLVideoElement) => element.play());
    await playsOnFrom(page, seekedTo);
  });
  expect(consoleErrors).toEqual([]);
});

test("a video that cannot be processed says why in the player, and offers the original", async ({ page, request }) => {
  const email = newEmail("broken");
  const token = await apiUser(request, email);
  const { id } = await apiUpload(request, token, "Noise", noiseWebm());
  const processed = await apiWaitProcessed(request, token, id);
  expect(processed.status).toBe("failed");
  await logInThroughUi(page, email);

  await page.goto(webUrl(`/videos/${id}`));
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("This video cannot be played in the browser.");
  await expect(alert).toContainText(processed.processing_error ?? "a reason");
  await expect(alert.getByRole("link", { name: "Download the original" })).toHaveAttribute("href", /\/stream\?token=[^&]+&download=1$/);
  await expect(page.locator("video")).toHaveCount(0);
  await screenshot(page, "processing-03-failed-player");
});
