import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
export const SCREENS = join(HERE, "..", "test-results", "screens");
export const FIXTURE_WEBM = join(HERE, "fixtures", "sample.webm");
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

export async function apiUpload(request: APIRequestContext, token: string, title: string): Promise<{ id: string }> {
  const response = await request.post(apiUrl("/videos"), {
    headers: { Authorization: `Bearer ${token}` },
    multipart: {
      title,
      file: { name: "sample.webm", mimeType: "video/webm", buffer: readFileSync(FIXTURE_WEBM) },
    },
  });
  expect(response.status()).toBe(201);
  return (await response.json()) as { id: string };
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
