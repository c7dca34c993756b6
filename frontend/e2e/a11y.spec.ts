/**
 * Every page and state, at a desktop and a phone viewport, in light and dark:
 * axe-core finds no serious or critical violation, and each state is
 * photographed into test-results/screens/a11y-<viewport>-<scheme>-<state>.png.
 */
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  apiUpload,
  apiUser,
  apiWaitProcessed,
  expect,
  FIXTURE_WEBM,
  logInThroughUi,
  newEmail,
  noiseWebm,
  screenshot,
  SCREENS,
  test,
  webUrl,
} from "./support";

const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const SCHEMES = ["light", "dark"] as const;
const BLOCKING = new Set(["serious", "critical"]);

interface Finding {
  state: string;
  rule: string;
  impact: string;
  targets: string[];
  summary: string;
}

/** Runs axe on the page as it is now, photographs it, and records what axe found. */
class Audit {
  readonly blocking: Finding[] = [];
  readonly all: Finding[] = [];

  constructor(
    private readonly page: Page,
    private readonly prefix: string,
  ) {}

  async check(state: string, { fullPage = true } = {}): Promise<void> {
    const results = await new AxeBuilder({ page: this.page }).analyze();
    for (const violation of results.violations) {
      const finding = {
        state,
        rule: violation.id,
        impact: violation.impact ?? "unknown",
        targets: violation.nodes.map((node) => node.target.join(" ")),
        summary: violation.nodes[0]?.failureSummary ?? violation.help,
      };
      this.all.push(finding);
      if (BLOCKING.has(finding.impact)) this.blocking.push(finding);
    }
    await screenshot(this.page, `${this.prefix}-${state}`, { fullPage });
  }

  save(): void {
    mkdirSync(SCREENS, { recursive: true });
    writeFileSync(join(SCREENS, `${this.prefix}-axe.json`), JSON.stringify(this.all, null, 2));
  }
}

async function throttleUploads(page: Page, bytesPerSecond: number): Promise<() => Promise<void>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: bytesPerSecond });
  return async () => {
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  };
}

for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
  for (const colorScheme of SCHEMES) {
    test.describe(`${viewportName}, ${colorScheme}`, () => {
      test.use({ viewport, colorScheme });

      test(`axe finds no serious or critical violation on any page (${viewportName}, ${colorScheme})`, async ({ page, request }) => {
        test.setTimeout(180_000);
        const audit = new Audit(page, `a11y-${viewportName}-${colorScheme}`);
        const email = newEmail(`axe-${viewportName}-${colorScheme}`);
        const token = await apiUser(request, email);

        await test.step("login and signup", async () => {
          await page.goto(webUrl("/login"));
          await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
          await audit.check("01-login");
          await page.getByRole("link", { name: "Create an account" }).click();
          await page.getByLabel("Email").fill("not-an-address");
          await page.getByLabel("Password").fill("short");
          await page.getByRole("button", { name: "Sign up" }).click();
          await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
          await audit.check("02-signup-errors");
        });

        await test.step("empty library, 404, missing video", async () => {
          await logInThroughUi(page, email);
          await expect(page.getByRole("heading", { name: "No videos yet" })).toBeVisible();
          await audit.check("03-library-empty");
          await page.goto(webUrl("/no/such/page"));
          await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
          await audit.check("04-not-found");
          await page.goto(webUrl("/videos/000000000000000000000000"));
          await expect(page.getByRole("heading", { name: "Video not available" })).toBeVisible();
          await audit.check("05-missing-video");
        });

        await test.step("upload: empty, files chosen, in progress, done, failed", async () => {
          await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Upload" }).click();
          await expect(page.getByRole("heading", { name: "Upload videos" })).toBeVisible();
          await audit.check("06-upload-empty");
          const chooser = page.getByLabel("Choose video files");
          const unthrottle = await throttleUploads(page, 24 * 1024);
          const webm = readFileSync(FIXTURE_WEBM);
          await chooser.setInputFiles([
            { name: "first take.webm", mimeType: "video/webm", buffer: webm },
            { name: "second take.webm", mimeType: "video/webm", buffer: webm },
          ]);
          await expect(page.getByRole("listitem", { name: "second take" })).toBeVisible();
          await chooser.setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not a video") });
          await expect(page.getByRole("alert").filter({ hasText: "notes.txt" })).toBeVisible();
          await audit.check("07-upload-chosen-one-refused");
          await page.waitForFunction(() => Number(document.querySelector('[role="progressbar"]')?.getAttribute("aria-valuenow")) > 0);
          await audit.check("08-upload-in-progress");
          await unthrottle();
          await expect(page.getByText("Uploaded", { exact: true })).toHaveCount(2, { timeout: 30_000 });
          await audit.check("09-upload-done");
          const big = Buffer.concat([readFileSync(FIXTURE_WEBM), randomBytes(3_100_000)]);
          await chooser.setInputFiles({ name: "huge.webm", mimeType: "video/webm", buffer: big });
          await expect(page.getByRole("listitem", { name: "huge" }).getByRole("alert")).toHaveText(/too large/);
          await audit.check("10-upload-failed");
        });

        const { id } = await apiUpload(request, token, "A long title that has to wrap nicely on a narrow phone screen");
        await test.step("full library, a card in rename mode, the delete dialog", async () => {
          await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Library" }).click();
          const cards = page.getByRole("list", { name: "Videos" }).getByRole("listitem");
          await expect(cards).toHaveCount(3);
          await audit.check("11-library");
          await cards.first().getByRole("button", { name: "Rename" }).click();
          await expect(cards.first().getByLabel("Title")).toBeFocused();
          await audit.check("12-library-rename");
          await cards.first().getByRole("button", { name: "Cancel" }).click();
          await cards.first().getByRole("button", { name: "Delete" }).click();
          const dialog = page.getByRole("dialog", { name: "Delete this video?" });
          await expect(dialog).toBeVisible();
          await audit.check("13-delete-dialog", { fullPage: false });
          await dialog.getByRole("button", { name: "Cancel" }).click();
        });

        await test.step("player: playing, the storyboard preview, then failed", async () => {
          await apiWaitProcessed(request, token, id);
          await page.goto(webUrl(`/videos/${id}`));
          const video = page.locator("video");
          await page.waitForFunction(() => (document.querySelector("video")?.readyState ?? 0) >= 1);
          await video.evaluate((element: HTMLVideoElement) => element.play());
          await page.waitForFunction(() => (document.querySelector("video")?.currentTime ?? 0) > 0.3);
          await audit.check("14-player-playing");
          const seek = await page.getByRole("slider", { name: "Seek" }).boundingBox();
          if (seek) await page.mouse.move(seek.x + seek.width * 0.5, seek.y + seek.height / 2);
          await expect(page.getByTestId("storyboard-preview")).toBeVisible();
          await audit.check("14-player-storyboard", { fullPage: false });
          await page.mouse.move(0, 0);
          await page.route("**/playback?*", (route) => route.abort("failed"));
          await page.reload();
          await expect(page.getByRole("alert")).toBeVisible();
          await audit.check("15-player-failed");
          await page.unroute("**/playback?*");
        });

        await test.step("player: a video that could not be processed", async () => {
          const broken = await apiUpload(request, token, "Noise", noiseWebm());
          expect((await apiWaitProcessed(request, token, broken.id)).status).toBe("failed");
          await page.goto(webUrl(`/videos/${broken.id}`));
          await expect(page.getByText("This video cannot be played in the browser.")).toBeVisible();
          await audit.check("16-player-not-playable");
        });

        audit.save();
        expect(audit.blocking, JSON.stringify(audit.blocking, null, 2)).toEqual([]);
      });
    });
  }
}
