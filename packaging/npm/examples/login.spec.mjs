// An example Playwright test on authmock: one server per worker, a fresh tenant per test, and a
// browser signing in at Universal Login. Not part of the package; copy it into a project with
// @playwright/test and authmock installed, then `npx playwright test`.
import { test as base, expect } from "@playwright/test";
import { start } from "authmock";

const test = base.extend({
  authmockServer: [
    async ({}, use) => {
      const server = await start();
      await use(server);
      await server.stop();
    },
    { scope: "worker" },
  ],
  authmock: async ({ authmockServer }, use) => {
    const tenant = await authmockServer.createTenant();
    await use(tenant);
    await tenant.stop();
  },
});

test("a seeded user signs in at Universal Login and comes back with a code", async ({ page, authmock }) => {
  const app = authmock.tenant.clients.find((client) => client.name === "Regular web app");
  const callback = app.callbacks[0];
  // No application runs at the callback here: the test answers it.
  await page.route(`${callback}?*`, (route) => route.fulfill({ body: "signed in" }));

  const authorize = new URL("/authorize", authmock.baseUrl);
  authorize.search = new URLSearchParams({
    response_type: "code",
    client_id: app.client_id,
    redirect_uri: callback,
    scope: "openid profile email",
    state: "xyz",
  }).toString();
  await page.goto(authorize.href);
  await page.fill("#username", "alice@example.com");
  await page.fill("#password", "Wonderland-2026");
  await page.click('button[type="submit"]');

  await page.waitForURL(`${callback}?*`);
  const back = new URL(page.url());
  expect(back.searchParams.get("state")).toBe("xyz");
  expect(back.searchParams.get("code")).toBeTruthy();
  const logins = await authmock.control.journal({ path: "/u/login", method: "POST" });
  expect(logins.matched).toBe(1);
});
