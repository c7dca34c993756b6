/** Focus is visible, and after every action it lands where the person expects, never at the top of the page. */
import type { Locator } from "@playwright/test";
import { apiUpload, apiUser, expect, logInThroughUi, newEmail, test, webUrl } from "./support";

/** Contrast ratio of two CSS colours, computed in the page (WCAG relative luminance). */
async function ringContrast(target: Locator): Promise<{ style: string; width: number; contrast: number }> {
  return target.evaluate((element) => {
    const parse = (color: string) => (color.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const luminance = (color: string) => {
      const [r = 0, g = 0, b = 0] = parse(color).map((channel) => {
        const value = channel / 255;
        return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    // The ring is drawn outside the element (offset), so it sits on the nearest opaque ancestor background.
    let behind = element.parentElement;
    while (behind && getComputedStyle(behind).backgroundColor.replace(/\s/g, "").endsWith(",0)")) behind = behind.parentElement;
    const background = behind ? getComputedStyle(behind).backgroundColor : "rgb(255, 255, 255)";
    const style = getComputedStyle(element);
    const [light, dark] = [luminance(style.outlineColor), luminance(background)].sort((a, b) => b - a);
    return { style: style.outlineStyle, width: parseFloat(style.outlineWidth), contrast: ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05) };
  });
}

for (const colorScheme of ["light", "dark"] as const) {
  test(`the focus ring is a solid outline of at least 3:1 (${colorScheme}), also under forced colours`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto(webUrl("/login"));
    await page.getByLabel("Email").focus();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    const button = page.getByRole("button", { name: "Log in" });
    await expect(button).toBeFocused();
    const ring = await ringContrast(button);
    expect(ring.style).toBe("solid");
    expect(ring.width).toBeGreaterThanOrEqual(2);
    expect(ring.contrast).toBeGreaterThanOrEqual(3);
    await page.emulateMedia({ forcedColors: "active" });
    const forced = await ringContrast(button);
    expect(forced.style).toBe("solid");
    expect(forced.width).toBeGreaterThanOrEqual(2);
  });
}

test("after a rename is saved or cancelled, focus returns to the Rename button, on a card and in the player", async ({ page, request }) => {
  const email = newEmail("refocus");
  const token = await apiUser(request, email);
  const { id } = await apiUpload(request, token, "Before");
  await logInThroughUi(page, email);
  const card = page.getByRole("list", { name: "Videos" }).getByRole("listitem").first();

  await card.getByRole("button", { name: "Rename" }).click();
  await card.getByLabel("Title").fill("After");
  await card.getByLabel("Title").press("Enter");
  await expect(page.getByRole("link", { name: "After" })).toBeVisible();
  await expect(card.getByRole("button", { name: "Rename" })).toBeFocused();

  await card.getByRole("button", { name: "Rename" }).press("Enter");
  await card.getByLabel("Title").press("Escape");
  await expect(card.getByRole("button", { name: "Rename" })).toBeFocused();

  await page.goto(webUrl(`/videos/${id}`));
  const rename = page.getByRole("button", { name: "Rename", exact: true });
  await rename.click();
  await page.getByLabel("Title").fill("Renamed in the player");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { name: "Renamed in the player" })).toBeVisible();
  await expect(rename).toBeFocused();
  await rename.click();
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(rename).toBeFocused();
});

test("after a delete from the library, focus goes to the next card, then to the heading when none is left", async ({ page, request }) => {
  const email = newEmail("focus-delete");
  const token = await apiUser(request, email);
  for (const title of ["Oldest", "Middle", "Newest"]) await apiUpload(request, token, title);
  await logInThroughUi(page, email);
  const cards = page.getByRole("list", { name: "Videos" }).getByRole("listitem");
  const dialog = page.getByRole("dialog", { name: "Delete this video?" });

  await cards.filter({ hasText: "Middle" }).getByRole("button", { name: "Delete" }).click();
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(cards).toHaveCount(2);
  await expect(page.getByRole("link", { name: "Oldest" })).toBeFocused();

  // The last card has no next one: the heading.
  await cards.filter({ hasText: "Oldest" }).getByRole("button", { name: "Delete" }).click();
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(cards).toHaveCount(1);
  await expect(page.getByRole("heading", { name: "Your library" })).toBeFocused();
});

test("signing up logs the new user in", async ({ page }) => {
  await page.goto(webUrl("/signup"));
  await page.getByLabel("Email").fill(newEmail("fresh"));
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByRole("heading", { name: "Your library" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "No videos yet" })).toBeVisible();
});
