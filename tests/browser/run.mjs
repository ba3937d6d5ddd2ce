// Tutti's public site in a real browser: Debian's headless Chromium driven by playwright-core
// (no browser download), the main visitor journeys, a passkey enrolled and used as a second
// factor with Chromium's virtual authenticator, axe-core on every public page with the
// WCAG 2.2 A and AA rules, then a fresh hub's setup and invitation (fresh_hub.mjs).
// Prints "N passed, N failed" last; exits 1 on any failure.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { freshHubJourneys } from "./fresh_hub.mjs";
import { workspaceJourneys } from "./workspaces.mjs";
import { officeJourneys } from "./office.mjs";
import { recordsJourneys } from "./records.mjs";
import { ensemblesJourneys } from "./ensembles.mjs";
import { eventsJourneys } from "./events.mjs";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const BIN = process.env.TUTTI_BIN;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
if (!BIN) {
  console.error("Set TUTTI_BIN to the tutti binary (run.sh does).");
  process.exit(2);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(base, server, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`tutti serve exited with ${server.exitCode}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`tutti serve did not answer within ${seconds}s`);
}

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name}`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}\n     ${String(e && e.message ? e.message : e).split("\n").join("\n     ")}`);
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

// Runs axe-core's WCAG 2.2 A and AA rules on the page as it stands.
async function axeClean(tab, what) {
  await tab.evaluate(AXE_SOURCE);
  const result = await tab.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
    AXE_TAGS,
  );
  const problems = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}`);
  assert(problems.length === 0, `${what}: ${problems.join("; ")}`);
}

const dataDir = mkdtempSync(join(tmpdir(), "tutti-browser-"));
const profileDir = mkdtempSync(join(tmpdir(), "tutti-chromium-"));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
// Passkeys need a host name for their relying party (an IP address cannot be one), and
// browsers treat localhost as a secure context: the hub's public address is localhost.
const named = `http://localhost:${port}`;
const server = spawn(BIN, ["serve", "--demo", "--data-dir", dataDir, "--bind", `127.0.0.1:${port}`,
  "--public-url", named], {
  stdio: ["ignore", "pipe", "pipe"],
});
let serverLog = "";
server.stdout.on("data", (d) => (serverLog += d));
server.stderr.on("data", (d) => (serverLog += d));

let browser;
let exitCode = 1;
try {
  await waitForHealth(base, server, 180);
  // A persistent context is how playwright takes a fresh --user-data-dir of our own.
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const page = browser.pages()[0] || (await browser.newPage());
  const external = [];
  // Nothing may load from another host: no third-party scripts, embeds or fonts.
  page.on("request", (req) => {
    if (!req.url().startsWith(base) && !req.url().startsWith("data:")) external.push(req.url());
  });

  await check("journey: find a page through the menu", async () => {
    await page.goto(`${base}/`);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Learning", exact: true }).click();
    await page.waitForURL(`${base}/learning`);
    await page.getByRole("link", { name: "Prices and paying" }).first().click();
    await page.waitForURL(`${base}/learning/prices`);
    const h1 = await page.locator("h1").innerText();
    assert(h1 === "Prices and paying", `heading was ${h1}`);
    assert((await page.content()).includes("Prices for "), "the year's price table (or word that it is not yet published) follows the page");
  });

  await check("journey: search the site", async () => {
    await page.goto(`${base}/`);
    await page.getByRole("searchbox", { name: "Search the site" }).fill("instalments");
    await page.getByRole("search").getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/\/search\?q=instalments/);
    const heading = await page.locator("#results-heading").innerText();
    assert(/^[1-9]\d* results? for/.test(heading), `results heading was "${heading}"`);
    await page.locator("ol.search-results a").first().click();
    await page.waitForLoadState();
    assert(!page.url().includes("/search"), "a result opens");
  });

  await check("journey: load an episode's video", async () => {
    await page.goto(`${base}/episodes`);
    await page.locator("#latest ul.entries a").first().click();
    await page.waitForURL(/\/episodes\/episode-/);
    const before = await page.locator('a[href^="https://video."]').count();
    assert(before === 0, "no video link before choosing");
    await page.getByRole("link", { name: "Show the video link" }).click();
    await page.waitForURL(/play=1/);
    const after = await page.locator('a[href^="https://video."]').count();
    assert(after === 1, "the video link appears after choosing");
  });

  await check("journey: send the contact form", async () => {
    await page.goto(`${base}/contact`);
    await page.getByLabel("Your name").fill("Sam Carer");
    await page.getByLabel("Your email address").fill("sam@example.org");
    await page.getByLabel("What is it about?").selectOption("Lessons");
    await page.getByLabel("Your message").fill("Is there space for cello lessons at St Mary's?");
    // People take a few seconds to write; the form ignores anything faster.
    await page.waitForTimeout(3200);
    await page.getByRole("button", { name: "Send message" }).click();
    await page.waitForLoadState();
    const h1 = await page.locator("h1").innerText();
    assert(h1.startsWith("Thank you"), `heading was ${h1}`);
  });

  await check("journey: find resources for Year 3", async () => {
    await page.goto(`${base}/remote-learning`);
    await page.getByRole("link", { name: "Resources by year group" }).first().click();
    await page.waitForURL(`${base}/resources`);
    await page.getByLabel("Year group").selectOption("year-3");
    await page.getByRole("button", { name: "Show resources" }).click();
    await page.waitForURL(/year=year-3/);
    const h1 = await page.locator("h1").innerText();
    assert(h1.includes("Year 3"), `heading was ${h1}`);
    const text = await page.locator("main").innerText();
    assert(text.includes("Rounds") && !text.includes("Sleeping bunnies"), "only Year 3 resources");
  });

  await check("journey: a passkey as the second factor (virtual authenticator)", async () => {
    const tab = await browser.newPage();
    const cdp = await browser.newCDPSession(tab);
    await cdp.send("WebAuthn.enable");
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    const logIn = async () => {
      await tab.goto(`${named}/login`);
      await tab.getByLabel("Email address").fill("manager@demo.test");
      await tab.getByLabel("Password").fill("demo-password");
      await tab.getByRole("button", { name: "Log in" }).click();
      await tab.waitForLoadState();
    };
    await logIn();
    await tab.goto(`${named}/account/security`);
    await tab.getByLabel("Name for a new passkey").fill("Test laptop");
    await tab.getByRole("button", { name: "Add a passkey" }).click();
    await tab.waitForSelector("text=Your passkey is set up.");
    const listed = await tab.locator("table").innerText();
    assert(listed.includes("Test laptop"), `the passkey is listed: ${listed}`);
    const held = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    assert(held.credentials.length === 1, "the authenticator holds one credential");
    await axeClean(tab, "/account/security");
    // Next login asks for it, and the passkey answers.
    await tab.getByRole("button", { name: "Log out" }).click();
    await tab.waitForLoadState();
    await logIn();
    assert(tab.url().startsWith(`${named}/login/second-factor`), `asked for a second factor: ${tab.url()}`);
    await axeClean(tab, "/login/second-factor");
    await tab.goto(`${named}/admin/outbox`);
    assert(tab.url().startsWith(`${named}/login/second-factor`), "office pages wait for it");
    await tab.getByRole("button", { name: "Use a passkey" }).click();
    await tab.waitForURL(`${named}/admin/outbox`);
    const h1 = await tab.locator("h1").innerText();
    assert(h1 === "Outbox", `heading was ${h1}`);
    await tab.close();
  });

  // Every public page: the sitemap's links, one item of each list, and the forms.
  const fixed = [
    "/", "/news", "/episodes", "/resources", "/resources?year=year-3", "/podcast", "/vacancies", "/faqs",
    "/reports-and-policies", "/search", "/search?q=lessons", "/contact", "/sitemap", "/login", "/signup",
    "/forgot-password", "/basket", "/no-such-page",
  ];
  await page.goto(`${base}/sitemap`);
  const fromSitemap = await page.$$eval("main a", (as) => as.map((a) => new URL(a.href).pathname));
  const firsts = [];
  for (const list of ["/news", "/episodes", "/resources", "/podcast", "/vacancies"]) {
    await page.goto(`${base}${list}`);
    const href = await page.locator("main ul.entries a").first().getAttribute("href");
    if (href) firsts.push(href);
  }
  firsts.push(`${firsts.find((h) => h.startsWith("/episodes/"))}?play=1`);
  const pages = [...new Set([...fixed, ...fromSitemap, ...firsts])].filter((p) => !p.startsWith("/files/"));
  for (const path of pages) {
    await check(`axe WCAG 2.2 A/AA: ${path}`, async () => {
      await page.goto(`${base}${path}`);
      await page.evaluate(AXE_SOURCE);
      const result = await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
        AXE_TAGS,
      );
      const problems = result.violations.map(
        (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("\n  ")}`,
      );
      assert(problems.length === 0, problems.join("\n"));
    });
  }

  // The office's workspace at phone and desktop widths.
  await officeJourneys({ browser, base, check, assert, axeClean });
  await recordsJourneys({ base, browser, check, assert, axeClean });
  await ensemblesJourneys({ base, browser, check, assert, axeClean });
  await eventsJourneys({ base, browser, check, assert, axeClean });

  // A second hub, on an empty database: setup and an invitation, end to end.
  await freshHubJourneys({ BIN, browser, check, assert, axeClean, freePort, waitForHealth });
  await workspaceJourneys({ BIN, browser, check, assert, axeClean, freePort, waitForHealth });

  await check("no request left this site", async () => {
    assert(external.length === 0, `external requests: ${[...new Set(external)].join(", ")}`);
  });
  exitCode = 0;
} catch (e) {
  results.push({ name: "setup", ok: false });
  console.log(`FAIL setup: ${e && e.stack ? e.stack : e}\n${serverLog.slice(-2000)}`);
} finally {
  if (browser) await browser.close();
  server.kill("SIGTERM");
  rmSync(profileDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || exitCode !== 0 ? 1 : 0);
