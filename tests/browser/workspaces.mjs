// Every role's workspace at phone and desktop widths (issue 22, decision 76): a demo hub of its
// own (so the accounts' second factors and payments here touch no other journey's), each
// role's main pages at 320, 390 and 1366 px wide with no horizontal scrolling and axe-clean,
// then two journeys: a teacher marks a register and sees the mark chosen (aria-pressed), and
// a parent pays one instalment through the test mode's hosted page. With TUTTI_SCREENSHOTS
// naming a folder, a PNG of each role's main page at 390 and 1366 px is saved there.
import { spawn, spawnSync } from "node:child_process";
import { base32Decode, totp } from "./totp.mjs";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const WIDTHS = [320, 390, 1366];
const PASSWORD = "demo-password";

// Each role, the page it lands on first, and its main pages.
const ROLES = [
  { role: "admin", email: "admin@demo.test", home: "/admin",
    pages: ["/admin", "/account", "/admin/pupils", "/admin/schools", "/admin/staff", "/admin/instruments", "/admin/loans",
      "/admin/billing/invoices", "/admin/payments", "/admin/users", "/admin/audit", "/admin/content", "/admin/outbox",
      "/admin/allocation", "/admin/terms"] },
  { role: "manager", email: "manager@demo.test", home: "/admin",
    pages: ["/admin", "/account", "/admin/pupils", "/admin/lessons/at-risk", "/admin/waiting-lists", "/admin/tuition-offer",
      "/admin/cancellations"] },
  { role: "teacher", email: "teacher@demo.test", home: "/teacher/week",
    pages: ["/account", "/teacher/week", "/teacher/day", "/progress/pupils"] },
  { role: "parent", email: "parent@demo.test", home: "/account",
    pages: ["/account", "/parent/timetable", "/parent/applications", "/parent/invoices", "/parent/enrolments",
      "/parent/loans", "/parent/progress", "/basket"] },
  { role: "school", email: "school@demo.test", home: "/account",
    pages: ["/account", "/school/timetable", "/school/applications", "/school/invoices"] },
];

async function logIn(tab, base, who) {
  await tab.goto(`${base}/login`);
  await tab.getByLabel("Email address").fill(who.email);
  await tab.getByLabel("Password").fill(PASSWORD);
  await tab.getByRole("button", { name: "Log in" }).click();
  await tab.waitForLoadState();
  if (who.role === "admin" || who.role === "manager") {
    // The office enrols an authenticator app before its pages open.
    await tab.goto(`${base}/account/security`);
    const key = base32Decode((await tab.locator("#totp-key").innerText()).trim());
    await tab.locator("form[action='/account/security/totp'] input[name=code]").fill(totp(key, Date.now() / 1000));
    await tab.locator("form[action='/account/security/totp'] button[type=submit]").click();
    await tab.waitForLoadState();
  }
}

// The page is no wider than the window: nothing scrolls sideways.
async function noOverflow(tab, what, assert) {
  const { scroll, inner, culprits } = await tab.evaluate(() => {
    const inner = window.innerWidth;
    const culprits = [...document.querySelectorAll("main *")]
      .filter((e) => e.getBoundingClientRect().right > inner + 1)
      .slice(0, 3)
      .map((e) => `${e.tagName.toLowerCase()}${e.className ? "." + String(e.className).split(" ").join(".") : ""}`);
    return { scroll: document.documentElement.scrollWidth, inner, culprits };
  });
  assert(scroll <= inner, `${what}: ${scroll}px wide in a ${inner}px window (${culprits.join(", ")})`);
}

export async function workspaceJourneys({ BIN, browser, check, assert, axeClean, freePort, waitForHealth }) {
  const dataDir = mkdtempSync(join(tmpdir(), "tutti-workspaces-"));
  const port = await freePort();
  // A loopback address of its own, so its cookies are not the other hubs'.
  const base = `http://127.0.0.3:${port}`;
  const server = spawn(BIN, ["serve", "--demo", "--data-dir", dataDir, "--bind", `127.0.0.3:${port}`,
    "--public-url", base, "--card-payments", "test"], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  server.stdout.on("data", (d) => (log += d));
  server.stderr.on("data", (d) => (log += d));
  const shots = process.env.TUTTI_SCREENSHOTS;
  if (shots) mkdirSync(shots, { recursive: true });
  const tab = await browser.newPage();
  try {
    await waitForHealth(base, server, 180);
    // The demo has no invoices: bill the coming term, whose instalments are not yet due.
    const now = new Date();
    const [y, m] = [now.getFullYear(), now.getMonth() + 1];
    const term = m >= 9 ? `${y + 1}-spring` : m <= 3 ? `${y}-summer` : `${y}-autumn`;
    const run = spawnSync(BIN, ["billing", "run", "--data-dir", dataDir, "--term", term], { encoding: "utf8" });
    assert(run.status === 0, `billing run for ${term}: ${run.stderr}`);
    for (const who of ROLES) {
      await check(`workspaces: ${who.role} logs in`, async () => {
        await tab.context().clearCookies({ domain: "127.0.0.3" });
        await tab.setViewportSize({ width: 1366, height: 900 });
        await logIn(tab, base, who);
        await tab.goto(`${base}/account`);
        assert(tab.url() === `${base}/account`, `${who.role} reaches their account: ${tab.url()}`);
      });
      for (const path of who.pages) {
        for (const width of WIDTHS) {
          await check(`workspaces: ${who.role} ${path} at ${width}px`, async () => {
            await tab.setViewportSize({ width, height: 800 });
            const r = await tab.goto(`${base}${path}`);
            assert(r && r.status() === 200, `${path} answered ${r && r.status()}`);
            await noOverflow(tab, `${path} at ${width}px`, assert);
            if (width !== 390) await axeClean(tab, `${path} at ${width}px`);
          });
        }
      }
      if (shots) {
        for (const width of [390, 1366]) {
          await tab.setViewportSize({ width, height: width === 390 ? 844 : 900 });
          await tab.goto(`${base}${who.home}`);
          await tab.screenshot({ path: join(shots, `${who.role}-${width}.png`), fullPage: false });
        }
      }
      if (who.role === "teacher") {
        await check("workspaces: a teacher marks a register and sees the mark chosen", async () => {
          await tab.setViewportSize({ width: 390, height: 844 });
          await tab.goto(`${base}/teacher/day`);
          // The next teaching day with a register to mark.
          for (let i = 0; i < 15 && (await tab.locator(".mark-buttons").count()) === 0; i++) {
            await tab.getByRole("link", { name: "Next teaching day" }).click();
            await tab.waitForLoadState();
          }
          const form = tab.locator(".mark-buttons").first();
          assert((await form.count()) === 1, "a register to mark");
          const ill = form.locator("button[value=ill]");
          await ill.click();
          await tab.waitForLoadState();
          const chosen = tab.locator(".mark-buttons").first().locator("button[value=ill]");
          assert((await chosen.getAttribute("aria-pressed")) === "true", "the chosen mark is pressed");
          const present = tab.locator(".mark-buttons").first().locator("button[value=present]");
          assert((await present.getAttribute("aria-pressed")) === "false", "the others are not");
          const status = await tab.getByRole("status").innerText();
          assert(status.startsWith("Saved:"), `a status message: ${status}`);
          await noOverflow(tab, "the register at 390px", assert);
          await axeClean(tab, "the register after a mark");
          // A whole-lesson outcome asks first.
          await tab.locator("button[value=school-closed]").first().click();
          await tab.waitForLoadState();
          assert((await tab.locator("h1").innerText()).startsWith("Mark this lesson school closed"), "asked first");
          await axeClean(tab, "the confirm step");
          await tab.getByRole("link", { name: "No, go back" }).click();
          await tab.waitForLoadState();
        });
      }
      if (who.role === "parent") {
        await check("workspaces: a parent pays one instalment", async () => {
          await tab.setViewportSize({ width: 390, height: 844 });
          await tab.goto(`${base}/account`);
          const pay = tab.locator("a[href^='/account/invoices/'][href$='/pay']").first();
          assert((await pay.count()) === 1, "a Pay link on the parent's home");
          await pay.click();
          await tab.waitForLoadState();
          await axeClean(tab, "the pay page");
          await noOverflow(tab, "the pay page at 390px", assert);
          const button = tab.locator("form button[type=submit]", { hasText: /^Pay £/ }).first();
          const label = await button.innerText();
          await button.click();
          await tab.waitForURL(/\/pay\/test\//);
          const amount = label.match(/£[\d,]+\.\d\d/)[0];
          await tab.getByRole("button", { name: `Pay ${amount}` }).click();
          await tab.waitForURL(/\/basket\/return/);
          const h1 = await tab.locator("h1").innerText();
          assert(h1 === "Thank you: payment received", `heading was ${h1}`);
          assert((await tab.locator("main").innerText()).includes(amount), `received ${amount}`);
        });
      }
    }
  } catch (e) {
    await check("workspaces: the demo hub", async () => {
      throw new Error(`${e && e.stack ? e.stack : e}\n${log.slice(-2000)}`);
    });
  } finally {
    await tab.close();
    server.kill("SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
  }
}
