/** The library's search and order, and the account page: storage, password change, deletion. */
import { apiUpload, apiUrl, apiUser, expect, logInThroughUi, newEmail, openAccountMenu, PASSWORD, screenshot, test, webUrl } from "./support";

test("search finds a renamed video, and the query survives a reload and Back", async ({ page, request }) => {
  const email = newEmail("finder");
  const token = await apiUser(request, email);
  await apiUpload(request, token, "Beach 2019");
  const play = await apiUpload(request, token, "School play");
  await apiUpload(request, token, "Été à Nîmes");
  await logInThroughUi(page, email);
  const cards = page.getByRole("list", { name: "Videos" }).getByRole("listitem");
  await expect(cards).toHaveCount(3);

  await page.goto(webUrl(`/videos/${play.id}`));
  await page.getByRole("button", { name: "Rename" }).click();
  await page.getByLabel("Title").fill("Grandma's garden party");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { name: "Grandma's garden party" })).toBeVisible();
  await page.getByRole("link", { name: "← Library" }).click();

  const search = page.getByRole("searchbox", { name: "Search your videos" });
  await search.fill("GRANDMA gard");
  await expect(page).toHaveURL(/\?q=GRANDMA\+gard/);
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText("Grandma's garden party");
  await search.fill("ete nim");
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText("Été à Nîmes");
  await screenshot(page, "search-01-accents");

  await page.reload();
  await expect(search).toHaveValue("ete nim");
  await expect(cards).toHaveCount(1);
  await cards.first().getByRole("link").click();
  await expect(page.getByRole("heading", { name: "Été à Nîmes" })).toBeVisible();
  await page.goBack();
  await expect(search).toHaveValue("ete nim");
  await expect(cards).toHaveCount(1);

  await search.fill("nothing like this");
  await expect(page.getByRole("heading", { name: "No videos match “nothing like this”" })).toBeVisible();
  await page.getByRole("button", { name: "Clear the search" }).click();
  await expect(cards).toHaveCount(3);

  await page.getByLabel("Sort by").selectOption("title");
  await expect(page).toHaveURL(/sort=title/);
  await expect(cards.first()).toContainText("Beach 2019");
  await expect(cards.last()).toContainText("Grandma's garden party");
});

test("a password change keeps this session, and the new password logs in", async ({ page, request }) => {
  const email = newEmail("rekey");
  const other = await apiUser(request, email);
  await logInThroughUi(page, email);
  await openAccountMenu(page);
  await page.getByRole("link", { name: "Your account" }).click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await expect(page.getByText("0 B used")).toBeVisible();

  await page.getByLabel("Current password").fill("not the password");
  await page.getByLabel("New password").fill("a whole new passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("alert")).toContainText("not your current password");

  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Password changed.")).toBeVisible();
  await screenshot(page, "account-01-password-changed");
  // This tab goes on with its new token; the token of another device no longer works.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Library" }).click();
  await expect(page.getByRole("heading", { name: "No videos yet" })).toBeVisible();
  const stale = await request.get(apiUrl("/users/me"), { headers: { Authorization: `Bearer ${other}` } });
  expect(stale.status()).toBe(401);

  await openAccountMenu(page);
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toContainText("Wrong email or password");
  await page.getByLabel("Password").fill("a whole new passphrase");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { name: "Your library" })).toBeVisible();
});

test("deleting the account needs the email typed, then the login fails", async ({ page, request }) => {
  const email = newEmail("leaver");
  const token = await apiUser(request, email);
  await apiUpload(request, token, "Last video");
  await logInThroughUi(page, email);
  await page.goto(webUrl("/account"));
  await expect(page.getByText(/KB used/)).toBeVisible();

  await page.getByRole("button", { name: "Delete my account…" }).click();
  const confirm = page.getByRole("button", { name: "Delete my account for good" });
  await page.getByLabel(`Type your email, ${email}, to confirm`).fill("someone@else.com");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await expect(confirm).toBeDisabled();
  await page.getByLabel(`Type your email, ${email}, to confirm`).fill(email.toUpperCase());
  await expect(confirm).toBeEnabled();
  await screenshot(page, "account-02-delete", { fullPage: false });
  await confirm.click();

  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  await expect(page.getByRole("status")).toContainText("account and everything in it have been deleted");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toContainText("Wrong email or password");
});
