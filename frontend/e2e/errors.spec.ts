/** API errors reach the person in words: nothing is swallowed. */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { apiUrl, apiUser, expect, FIXTURE_WEBM, logInThroughUi, newEmail, PASSWORD, screenshot, test, webUrl } from "./support";

test("signing up with a taken email says so", async ({ page, request }) => {
  const email = newEmail("taken");
  await apiUser(request, email);
  await page.goto(webUrl("/signup"));
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByRole("alert")).toHaveText(/An account with this email already exists/);
  await screenshot(page, "error-signup-taken");
});

test("signing up with a bad email and a short password marks both fields, in plain words, before asking the server", async ({ page }) => {
  const signups: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/auth/signup")) signups.push(request.url());
  });
  await page.goto(webUrl("/signup"));
  await page.getByLabel("Email").fill("me-at-example.com");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  const emailField = page.getByLabel("Email");
  const password = page.getByLabel("Password");
  await expect(emailField).toHaveAttribute("aria-invalid", "true");
  await expect(emailField).toHaveAccessibleDescription("Enter an email address like name@example.com.");
  await expect(password).toHaveAttribute("aria-invalid", "true");
  await expect(password).toHaveAccessibleDescription("Use at least 8 characters.");
  await expect(emailField).toBeFocused();
  await expect(page.getByRole("alert")).toHaveText("Please correct the fields marked below.");
  expect(signups).toEqual([]);
  await screenshot(page, "error-signup-fields");
});

test("a field the server refuses is marked beside it, without the validator's text", async ({ page }) => {
  // An address the browser's check lets through but the server's refuses (no dot-less domains).
  await page.route("**/auth/signup", (route) =>
    route.fulfill({
      status: 422,
      contentType: "application/json",
      body: JSON.stringify({
        detail: [{ loc: ["body", "email"], type: "value_error", msg: "value is not a valid email address: The domain name x.y does not exist." }],
      }),
    }),
  );
  await page.goto(webUrl("/signup"));
  await page.getByLabel("Email").fill("me@x.y");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Email")).toHaveAccessibleDescription("Enter an email address like name@example.com.");
  await expect(page.getByText(/value is not|does not exist/)).toHaveCount(0);
});

test("logging in with a wrong password says so", async ({ page, request }) => {
  const email = newEmail("wrong");
  await apiUser(request, email);
  await page.goto(webUrl("/login"));
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Log in" }).click();
  // Announced (a live region) and focused, so neither a screen reader nor the keyboard is left at the top of the page.
  const alert = page.getByRole("alert");
  await expect(alert).toHaveText("Wrong email or password.");
  await expect(alert).toBeFocused();
  await expect(page.getByLabel("Password")).not.toHaveAttribute("aria-invalid");
  await screenshot(page, "error-login-wrong-password");
});

test("a server that cannot be reached is reported, not swallowed", async ({ page }) => {
  await page.route(`${apiUrl("")}/**`, (route) => route.abort("connectionrefused"));
  await page.goto(webUrl("/login"));
  await page.getByLabel("Email").fill(newEmail("offline"));
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toHaveText(/Cannot reach the Vidvault server/);
});

test("an upload that is too large fails in words, and the next upload still works", async ({ page, request }) => {
  const email = newEmail("uploader");
  await apiUser(request, email);
  await logInThroughUi(page, email);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Upload" }).click();
  const chooser = page.getByLabel("Choose video files");

  // Larger than the API's MAX_UPLOAD_BYTES in the test stack (3 MB): refused from its Content-Length.
  const big = Buffer.concat([readFileSync(FIXTURE_WEBM), randomBytes(3_100_000)]);
  await chooser.setInputFiles({ name: "huge.webm", mimeType: "video/webm", buffer: big });
  const tooLarge = page.getByRole("listitem", { name: "huge" });
  await expect(tooLarge.getByRole("alert")).toHaveText(/too large to upload/);
  // The server refused this file for good: no pointless "Retry".
  await expect(tooLarge.getByRole("button", { name: "Retry" })).toHaveCount(0);
  await screenshot(page, "error-upload");

  // Several in a row: a real video after the failures goes through.
  await chooser.setInputFiles(FIXTURE_WEBM);
  await expect(page.getByRole("listitem", { name: "sample" }).getByText("Uploaded", { exact: true })).toBeVisible();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Library" }).click();
  await expect(page.getByRole("link", { name: "sample" })).toBeVisible();
});

test("cancelling an upload stops it and stores nothing", async ({ page, request }) => {
  const email = newEmail("cancel");
  const token = await apiUser(request, email);
  await logInThroughUi(page, email);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Upload" }).click();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 16 * 1024 });
  await page.getByLabel("Choose video files").setInputFiles(FIXTURE_WEBM);
  const item = page.getByRole("listitem", { name: "sample" });
  await expect(item.getByRole("progressbar")).toBeVisible();
  await item.getByRole("button", { name: "Cancel" }).click();
  await expect(item.getByText("Cancelled", { exact: true })).toBeVisible();
  await expect(item.getByRole("button", { name: "Retry" })).toBeVisible();
  const listed = await request.get(apiUrl("/videos"), { headers: { Authorization: `Bearer ${token}` } });
  expect(((await listed.json()) as { items: unknown[] }).items).toHaveLength(0);
});

test("a revoked session sends the user back to log in", async ({ page, request }) => {
  const email = newEmail("revoked");
  await apiUser(request, email);
  await logInThroughUi(page, email);
  const token = await page.evaluate(() => (JSON.parse(sessionStorage.getItem("vidvault.session") ?? "{}") as { token?: string }).token);
  // Logging out elsewhere revokes every token of the account, this tab's included.
  expect((await request.post(apiUrl("/auth/logout"), { headers: { Authorization: `Bearer ${token ?? ""}` } })).status()).toBe(204);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Upload" }).click();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Library" }).click();
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText(/Your session has expired/);
  // The email is kept: only the password is asked again, and the reload keeps it too.
  await page.reload();
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await expect(page.getByLabel("Password")).toBeFocused();
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Your library" })).toBeVisible();
  await screenshot(page, "error-session-expired-relogin");
});
