/** A share link: created on the player, opened without an account in a fresh browser, revoked. */
import { apiUpload, apiUser, apiWaitProcessed, expect, logInThroughUi, newEmail, screenshot, test, webUrl } from "./support";

test("a shared link plays with seeking in a fresh browser, and stops once revoked", async ({ page, browser, request }) => {
  const email = newEmail("sharer");
  const token = await apiUser(request, email);
  const video = await apiUpload(request, token, "School play");
  await apiWaitProcessed(request, token, video.id); // its poster is on the shared page too
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await logInThroughUi(page, email);
  await page.goto(webUrl(`/videos/${video.id}`));

  await page.getByRole("button", { name: "Share", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Share “School play”" });
  await dialog.getByRole("button", { name: "Create and copy link" }).click();
  await expect(dialog.getByRole("status")).toHaveText("Link created and copied.");
  const link = await dialog.getByLabel("Share link", { exact: true }).first().inputValue();
  expect(link).toMatch(new RegExp(`^${webUrl("/s/")}[A-Za-z0-9_-]{43}$`));
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  await dialog.getByLabel("Link expires").selectOption({ label: "In 7 days" });
  await dialog.getByRole("button", { name: "Create and copy link" }).click();
  await expect(dialog.getByRole("list", { name: "Share links" }).getByRole("listitem")).toHaveCount(2);
  await expect(dialog.getByText(/Expires /)).toBeVisible();
  await screenshot(page, "share-01-dialog", { fullPage: false });

  // Someone with the link and no account: a fresh browser context, nothing stored.
  const visitor = await browser.newContext();
  const watcher = await visitor.newPage();
  const ranges: number[] = [];
  watcher.on("response", (response) => {
    if (response.url().includes("/playback")) ranges.push(response.status());
  });
  await watcher.goto(link);
  await expect(watcher.getByRole("heading", { name: "School play" })).toBeVisible();
  const poster = await watcher.locator("video").getAttribute("poster");
  expect(poster).toMatch(/\/api\/v1\/shared\/[A-Za-z0-9_-]{43}\/poster$/);
  const still = await visitor.request.get(poster ?? "");
  expect([still.status(), still.headers()["content-type"]]).toEqual([200, "image/webp"]);
  await watcher.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 1);
  const duration = await watcher.evaluate(() => document.querySelector("video")?.duration ?? 0);
  expect(duration).toBeGreaterThan(0);
  await watcher.evaluate(async (to) => {
    const player = document.querySelector("video");
    if (!player) throw new Error("no video element");
    const seeked = new Promise((resolve) => { player.addEventListener("seeked", resolve, { once: true }); });
    player.currentTime = to;
    await seeked;
  }, duration / 2);
  expect(await watcher.evaluate(() => document.querySelector("video")?.currentTime ?? 0)).toBeGreaterThan(0);
  expect(ranges).toContain(206);
  await screenshot(watcher, "share-02-watch");

  // The owner revokes the first link: the visitor's page says so on its next load.
  const rows = dialog.getByRole("list", { name: "Share links" }).getByRole("listitem");
  // Newest first: the first link made is the last one listed.
  await expect(rows.last().getByLabel("Share link", { exact: true })).toHaveValue(link);
  await rows.last().getByRole("button", { name: "Revoke" }).click();
  await expect(rows).toHaveCount(1);
  await watcher.reload();
  await expect(watcher.getByRole("heading", { name: "This link is no longer valid" })).toBeVisible();
  await screenshot(watcher, "share-03-revoked");
  await visitor.close();
});
