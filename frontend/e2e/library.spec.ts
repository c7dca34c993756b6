/** The library pages through the API's cursor, and the app holds up at phone width. */
import { PAGE_SIZE as PAGE_SIZE_FOR_TESTS } from "../src/api/client";
import { apiUpload, apiUrl, apiUser, apiWaitProcessed, expect, PASSWORD, logInThroughUi, newEmail, screenshot, test, webUrl } from "./support";

test("the library loads more pages as the list scrolls, newest first", async ({ page, request }) => {
  const email = newEmail("pager");
  const token = await apiUser(request, email);
  const total = PAGE_SIZE_FOR_TESTS + 3;
  for (let index = 1; index <= total; index += 1) await apiUpload(request, token, `Clip ${String(index).padStart(2, "0")}`);

  await logInThroughUi(page, email);
  const cards = page.getByRole("list", { name: "Videos" }).getByRole("listitem");
  await expect(cards).toHaveCount(PAGE_SIZE_FOR_TESTS);
  await expect(cards.first()).toContainText(`Clip ${String(total).padStart(2, "0")}`);
  await expect(page.getByText(`${PAGE_SIZE_FOR_TESTS}+ videos`)).toBeVisible();
  await page.getByRole("button", { name: "Load more" }).scrollIntoViewIfNeeded();
  await expect(cards).toHaveCount(total);
  await expect(cards.last()).toContainText("Clip 01");
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
  await expect(page.getByText(`${total} videos, newest first`)).toBeVisible();

  await test.step("rename and delete from the library", async () => {
    const first = cards.first();
    await first.getByRole("button", { name: "Rename" }).click();
    await first.getByLabel("Title").fill("Renamed from the grid");
    await first.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("link", { name: "Renamed from the grid" })).toBeVisible();
    await first.getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete this video?" });
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toBeHidden();
    await expect(cards).toHaveCount(total);
    await first.getByRole("button", { name: "Delete" }).click();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await expect(cards).toHaveCount(total - 1);
    await expect(page.getByRole("link", { name: "Renamed from the grid" })).toHaveCount(0);
  });

  // Nobody watches these: deleting the account cancels their jobs, so the one
  // worker of the e2e stack is not busy with them while later tests wait for theirs.
  const deleted = await request.delete(apiUrl("/users/me"), { headers: { Authorization: `Bearer ${token}` }, data: { password: PASSWORD } });
  expect(deleted.status()).toBe(204);
});

test("the library shows a loading state, then the videos, in light and dark", async ({ page, request }) => {
  const email = newEmail("loading");
  const token = await apiUser(request, email);
  await apiUpload(request, token, "Morning run");
  await logInThroughUi(page, email);
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route("**/api/v1/videos?*", async (route) => {
    await held;
    await route.continue();
  });
  await page.reload();
  await expect(page.getByRole("status").filter({ hasText: "Loading your videos…" })).toBeVisible();
  await screenshot(page, "13-library-loading");
  release();
  await expect(page.getByRole("link", { name: "Morning run" })).toBeVisible();
  await page.emulateMedia({ colorScheme: "dark" });
  await screenshot(page, "14-library-dark");
});

test.describe("at phone width", () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: false });

  test("every screen fits a phone", async ({ page, request, consoleErrors }) => {
    const email = newEmail("phone");
    const token = await apiUser(request, email);
    await page.goto(webUrl("/login"));
    await screenshot(page, "phone-01-login");
    await page.getByRole("link", { name: "Create an account" }).click();
    await screenshot(page, "phone-02-signup");
    await logInThroughUi(page, email);
    await screenshot(page, "phone-03-library-empty");
    const video = await apiUpload(request, token, "A long title that has to wrap nicely on a narrow phone screen");
    await apiUpload(request, token, "Second clip");
    await page.reload();
    await expect(page.getByRole("link", { name: "Second clip" })).toBeVisible();
    // "132 KB · 59 minutes ago", the longest relative time, stays on one line beside the buttons.
    const metaHeights = await page.locator(".card-meta").evaluateAll((elements) =>
      elements.map((element) => {
        const time = element.querySelector("time");
        if (time) time.textContent = "59 minutes ago";
        return element.getBoundingClientRect().height;
      }),
    );
    for (const height of metaHeights) expect(height).toBeLessThan(40); // one line: 35.5 px with its padding
    await screenshot(page, "phone-04-library");
    await test.step("the signed-in account is in a menu", async () => {
      const account = page.getByRole("button", { name: `Account: ${email}` });
      await expect(account).toHaveAttribute("aria-expanded", "false");
      await account.click();
      await expect(page.getByText(`Signed in as ${email}`)).toBeVisible();
      await screenshot(page, "phone-04b-account-menu", { fullPage: false });
      await page.keyboard.press("Escape");
      await expect(page.getByText(`Signed in as ${email}`)).toBeHidden();
      await expect(account).toBeFocused();
    });
    await page.getByRole("link", { name: "Upload", exact: true }).click();
    await screenshot(page, "phone-05-upload");
    await apiWaitProcessed(request, token, video.id);
    await page.goto(webUrl(`/videos/${video.id}`));
    await expect(page.getByRole("heading", { name: /A long title/ })).toBeVisible();
    await page.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 1);
    await screenshot(page, "phone-06-player");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(consoleErrors).toEqual([]);
  });
});

test.describe("on a touch phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test("the upload page speaks of choosing videos, not of dragging them", async ({ page, request }) => {
    const email = newEmail("touch");
    await apiUser(request, email);
    await logInThroughUi(page, email);
    await page.goto(webUrl("/upload"));
    await expect(page.getByText("Choose videos", { exact: true })).toBeVisible();
    await expect(page.getByText(/drag and drop/i)).toHaveCount(0);
    await screenshot(page, "phone-05b-upload-touch");
  });
});
