// The office's records in a real browser, on the demo hub: the admin enrols an authenticator
// app, issues the next term's invoices, finds a pupil on one of them by typing part of their
// surname in the pupils list's search, opens their record and sees their invoices there. At
// 320 and 1366 px wide the record has no horizontal overflow and is axe-clean.
import { base32Decode, totp } from "./totp.mjs";

export async function recordsJourneys({ base, browser, check, assert, axeClean }) {
  const tab = await browser.newPage();
  let record = null;
  try {
    await check("records: the office finds a pupil by part of their name and sees their invoices", async () => {
      await tab.goto(`${base}/login`);
      await tab.getByLabel("Email address").fill("admin@demo.test");
      await tab.getByLabel("Password").fill("demo-password");
      await tab.getByRole("button", { name: "Log in" }).click();
      await tab.waitForLoadState();
      await tab.goto(`${base}/account/security`);
      const key = base32Decode((await tab.locator("#totp-key").innerText()).trim());
      await tab.locator("form[action='/account/security/totp'] input[name=code]").fill(totp(key, Date.now() / 1000));
      await tab.getByRole("button", { name: "Set up the app" }).click();
      await tab.waitForLoadState();
      // A term's invoices, issued from the billing page: the spring's while it is autumn,
      // since the demo has billed the autumn already (decision 0096).
      await tab.goto(`${base}/admin/billing`);
      const current = await tab.locator("#term").inputValue();
      if (current.endsWith("-autumn")) {
        await tab.locator("#term").selectOption(`${Number(current.split("-")[0]) + 1}-spring`);
      }
      await tab.getByRole("button", { name: "Preview the run" }).click();
      await tab.waitForLoadState();
      await tab.getByRole("button", { name: "Issue these invoices" }).click();
      // A large run goes on in the background: its progress page refreshes itself until done.
      await tab.waitForURL(/\/admin\/billing\/(invoices|progress)/, { timeout: 120000 });
      if (tab.url().includes("/progress/")) {
        await tab.getByRole("link", { name: /See the invoices/ }).waitFor({ timeout: 300000 });
      }
      await tab.goto(`${base}/admin/billing/invoices`);
      await tab.locator("main table a[href^='/admin/billing/invoices/']").first().click();
      await tab.waitForURL(/\/admin\/billing\/invoices\/\d+/);
      const number = (await tab.locator("h1").innerText()).trim();
      // The line names the pupil and their reference: "Arlo Khan (P109999)".
      const line = (await tab.locator("table.invoice-lines tbody td").first().innerText()).trim();
      const pupil = line.replace(/\s*\([^)]*\)$/, "");
      const [first, ...rest] = pupil.split(" ");
      const last = rest.join(" ");
      assert(first && last, `a pupil on the invoice: "${pupil}"`);
      // Part of the surname in the pupils list's search.
      await tab.goto(`${base}/admin/pupils`);
      await tab.getByLabel("Search by name or pupil reference").fill(last.slice(0, Math.max(3, last.length - 2)));
      await tab.locator("main").getByRole("button", { name: "Search" }).click();
      await tab.waitForURL(/\/admin\/pupils\?q=/);
      await tab.locator("main tbody tr", { hasText: first }).getByRole("link", { name: last }).first().click();
      await tab.waitForURL(/\/admin\/pupils\/\d+$/);
      record = tab.url();
      const h1 = (await tab.locator("h1").innerText()).trim();
      assert(h1 === pupil, `the record is ${pupil}'s: ${h1}`);
      const invoices = await tab.locator("section", { has: tab.locator("h2#invoices") }).innerText();
      assert(invoices.includes("Balance owed"), `the invoices section: ${invoices}`);
      assert(
        (await tab.locator("#invoices ~ div a[href^='/admin/billing/invoices/']").count()) > 0,
        "an invoice links from the record",
      );
      assert(number.length > 0 && invoices.length > 0, "the invoice appears on the record");
    });

    for (const width of [320, 1366]) {
      await check(`records: the pupil's record at ${width} px has no horizontal overflow and is axe-clean`, async () => {
        assert(record, "the journey above opened a record");
        await tab.setViewportSize({ width, height: 900 });
        await tab.goto(record);
        const overflow = await tab.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        const wide = await tab.evaluate((w) => [...document.querySelectorAll("body *")]
          .filter((e) => e.getBoundingClientRect().right > w + 1 && !(e.parentElement && e.parentElement.closest(".table-wrap")))
          .slice(0, 5)
          .map((e) => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)}px)`), width);
        assert(overflow <= 0, `${overflow}px wider than the window: ${wide.join(", ")}`);
        await axeClean(tab, `the pupil's record at ${width} px`);
      });
    }
  } finally {
    await tab.close();
  }
}
