import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
export const SCREENS = join(HERE, "..", "test-results", "screens");
export const FIXTURE_WEBM = join(HERE, "fixtures", "sample.webm");
/** 3 s of MPEG-4 Part 2 video (320x180) and MP2 audio in AVI: no browser plays it, so the worker makes an H.264 copy. */
export const FIXTURE_AVI = join(HERE, "fixtures", "sample.avi");
export const PASSWORD = "correct horse battery";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the global setup did not run`);
  return value;
}

export const webUrl = (path = "/") => `${required("E2E_WEB_URL")}${path}`;
export const apiUrl = (path: string) => `${required("E2E_API_URL")}/api/v1${path}`;

export function newEmail(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.com`;
}

/**
 * A screenshot of the page from its top (a sticky header would smear a
 * scrolled full-page shot); just the viewport while a modal dialog is open.
 */
export async function screenshot(page: Page, name: string, { fullPage = true } = {}): Promise<void> {
  await page.evaluate(() => {
    window.scrollTo(0, 0);
  });
  await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage, animations: "disabled", caret: "initial" });
}

/** A new account, created and logged in through the API; returns its access token. */
export async function apiUser(request: APIRequestContext, email: string): Promise<string> {
  expect((await request.post(apiUrl("/auth/signup"), { data: { email, password: PASSWORD } })).status()).toBe(201);
  const login = await request.post(apiUrl("/auth/login"), { form: { username: email, password: PASSWORD } });
  expect(login.status()).toBe(200);
  const body = (await login.json()) as { access_token: string };
  return body.access_token;
}

interface UploadFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** Uploads a video (the WebM sample unless told otherwise) through the API. */
export async function apiUpload(
  request: APIRequestContext,
  token: string,
  title: string,
  file: UploadFile = { name: "sample.webm", mimeType: "video/webm", buffer: readFileSync(FIXTURE_WEBM) },
): Promise<{ id: string }> {
  const response = await request.post(apiUrl("/videos"), {
    headers: { Authorization: `Bearer ${token}` },
    multipart: { title, file },
  });
  expect(response.status()).toBe(201);
  return (await response.json()) as { id: string };
}

/** A real WebM header, then noise: accepted as a WebM upload, but nothing in it decodes, so processing fails. */
export function noiseWebm(): UploadFile {
  return { name: "noise.webm", mimeType: "video/webm", buffer: Buffer.concat([readFileSync(FIXTURE_WEBM).subarray(0, 64), randomBytes(48 * 1024)]) };
}

/**
 * The video once the e2e stack's worker is done with it (`ready` or `failed`):
 * the player plays a video only once it has bytes every browser plays.
 */
export async function apiWaitProcessed(
  request: APIRequestContext,
  token: string,
  id: string,
): Promise<{ status: string; processing_error: string | null }> {
  let video = { status: "processing", processing_error: null as string | null };
  await expect
    .poll(
      async () => {
        const response = await request.get(apiUrl(`/videos/${id}`), { headers: { Authorization: `Bearer ${token}` } });
        expect(response.status()).toBe(200);
        video = (await response.json()) as typeof video;
        return video.status;
      },
      { timeout: 50_000, message: `video ${id} still processing` },
    )
    .not.toBe("processing");
  return video;
}

export async function logInThroughUi(page: Page, email: string): Promise<void> {
  await page.goto(webUrl("/login"));
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Your library" })).toBeVisible();
}

/** Opens the header's account menu (the signed-in email, the account page, logging out). */
export async function openAccountMenu(page: Page): Promise<void> {
  const menu = page.getByRole("button", { name: /^Account: / });
  if ((await menu.getAttribute("aria-expanded")) !== "true") await menu.click();
}

interface Fixtures {
  /** Console errors and uncaught exceptions of the page; a test asserts on them. */
  consoleErrors: string[];
}

export const test = base.extend<Fixtures>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => {
      errors.push(`uncaught: ${error.message}`);
    });
    await use(errors);
  },
});

export { expect };

/** Seeks the page's <video> to a fraction of its duration; the time it landed on once `seeked` fired. */
export async function seekTo(page: Page, fraction: number): Promise<number> {
  return page.locator("video").evaluate(
    (element: HTMLVideoElement, to) =>
      new Promise<number>((resolve) => {
        element.addEventListener("seeked", () => {
          resolve(element.currentTime);
        }, { once: true });
        element.currentTime = element.duration * to;
      }),
    fraction,
  );
}

/** Waits until the page's <video> has played on from `seconds` (or reached its end). */
export async function playsOnFrom(page: Page, seconds: number): Promise<void> {
  await page.waitForFunction((from) => {
    const element = document.querySelector("video");
    return element !== null && (element.currentTime > from + 0.2 || element.ended);
  }, seconds);
}
