/** Choosing files starts them; what cannot be a video, or is already listed, is refused before a byte is sent. */
import type { Locator, Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { apiUser, expect, FIXTURE_WEBM, logInThroughUi, newEmail, openAccountMenu, test } from "./support";

/** Every upload request the page sends (the multipart POST, or a resumable upload's requests). */
function uploadRequests(page: Page): string[] {
  const sent: string[] = [];
  page.on("request", (request) => {
    const { pathname } = new URL(request.url());
    if (request.method() !== "GET" && /\/api\/v1\/(videos|uploads)\/?$|\/api\/v1\/uploads\//.test(pathname)) sent.push(pathname);
  });
  return sent;
}

async function openUploadPage(page: Page, label: string, request: Parameters<typeof apiUser>[0]): Promise<void> {
  const email = newEmail(label);
  await apiUser(request, email);
  await logInThroughUi(page, email);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Upload" }).click();
}

async function throttle(page: Page, bytesPerSecond: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
}

/** An upload of the sample at 16 KB/s, seen under way; returns its row. */
async function startSlowUpload(page: Page, label: string, request: Parameters<typeof apiUser>[0]): Promise<Locator> {
  await openUploadPage(page, label, request);
  await throttle(page, 16 * 1024);
  await page.getByLabel("Choose video files").setInputFiles(FIXTURE_WEBM);
  const item = page.getByRole("listitem", { name: "sample" });
  await expect(item.getByRole("progressbar")).toBeVisible();
  return item;
}

test("a .txt file and a text file named .mp4 are refused before any request is sent", async ({ page, request }) => {
  await openUploadPage(page, "refuse", request);
  const sent = uploadRequests(page);
  await page.getByLabel("Choose video files").setInputFiles([
    { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not a video") },
    { name: "notes.mp4", mimeType: "video/mp4", buffer: Buffer.from("just some text, not a video\n".repeat(40)) },
  ]);
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("notes.txt is not a video file");
  await expect(alert).toContainText("notes.mp4 is named like a video, but its contents are not");
  await expect(page.getByRole("list", { name: "Uploads" })).toHaveCount(0);
  expect(sent).toEqual([]);
});

test("the same file chosen twice is queued once", async ({ page, request }) => {
  await openUploadPage(page, "duplicate", request);
  const sent = uploadRequests(page);
  await throttle(page, 32 * 1024);
  const chooser = page.getByLabel("Choose video files");
  await chooser.setInputFiles(FIXTURE_WEBM);
  await expect(page.getByRole("listitem", { name: "sample" })).toBeVisible();
  await chooser.setInputFiles(FIXTURE_WEBM);
  await expect(page.getByRole("alert")).toContainText("sample.webm is already in the list.");
  await expect(page.getByRole("list", { name: "Uploads" }).getByRole("listitem")).toHaveCount(1);
  await expect(page.getByText("Uploaded", { exact: true })).toBeVisible({ timeout: 30_000 });
  // One upload created (its bytes follow in PATCH requests to its own URL).
  expect(sent.filter((path) => path.endsWith("/api/v1/uploads"))).toHaveLength(1);
});

test("files with the same name in different formats get titles that tell them apart", async ({ page, request }) => {
  await openUploadPage(page, "formats", request);
  await throttle(page, 32 * 1024);
  const webm = readFileSync(FIXTURE_WEBM);
  await page.getByLabel("Choose video files").setInputFiles([
    { name: "clip.webm", mimeType: "video/webm", buffer: webm },
    { name: "clip.mkv", mimeType: "video/x-matroska", buffer: webm },
  ]);
  const titles = page.getByRole("list", { name: "Uploads" }).getByLabel("Title");
  await expect(titles).toHaveCount(2);
  await expect(titles.nth(0)).toHaveValue("clip (WEBM)");
  await expect(titles.nth(1)).toHaveValue("clip (MKV)");
});

test("leaving the page while an upload runs asks first; staying keeps the upload going", async ({ page, request }) => {
  const item = await startSlowUpload(page, "leaving", request);
  await expect(page.getByText(/Leaving or reloading this page pauses the uploads/)).toBeVisible();
  // The browser only asks on a page the person has interacted with.
  await item.getByLabel("Title").click();
  const asked = page.waitForEvent("dialog");
  await page.close({ runBeforeUnload: true });
  const dialog = await asked;
  expect(dialog.type()).toBe("beforeunload");
  await dialog.dismiss();
  expect(page.isClosed()).toBe(false);
  await expect(item.getByRole("progressbar")).toBeVisible();
});

test("no question on leaving once the uploads are done", async ({ page, request }) => {
  await openUploadPage(page, "done-leaving", request);
  await page.getByLabel("Choose video files").setInputFiles(FIXTURE_WEBM);
  await expect(page.getByText("Uploaded", { exact: true })).toBeVisible({ timeout: 30_000 });
  await page.getByRole("heading", { name: "Upload videos" }).click();
  let asked = false;
  page.on("dialog", (dialog) => {
    asked = true;
    void dialog.accept();
  });
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => page.isClosed()).toBe(true);
  expect(asked).toBe(false);
});

test("logging out while an upload runs asks first, and cancelling keeps it going", async ({ page, request }) => {
  const item = await startSlowUpload(page, "logout-uploading", request);
  await openAccountMenu(page);
  await page.getByRole("button", { name: "Log out" }).click();
  const dialog = page.getByRole("dialog", { name: "Log out and stop uploading?" });
  await expect(dialog).toContainText("1 video is still uploading");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(item.getByRole("progressbar")).toBeVisible();
});
