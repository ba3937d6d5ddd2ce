// Events in a real browser, on the demo hub: a guest on a phone-sized screen finds the family
// concert, books two adult and two child tickets, pays on the test provider's page and sees
// their booking confirmed and their ticket with its QR code. The list, the event's page and
// the ticket are axe-clean and never wider than the screen at 320, 390 and 1366 px.

async function noOverflow(tab, what) {
  const wide = await tab.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  if (wide) throw new Error(`${what} is wider than the screen`);
}

export async function eventsJourneys({ base, browser, check, assert, axeClean }) {
  const tab = await browser.newPage();
  try {
    await tab.setViewportSize({ width: 390, height: 844 });
    await check("events: a guest books a family concert on a phone and pays by card", async () => {
      await tab.context().clearCookies();
      await tab.goto(`${base}/`);
      // On a phone the header's links fold behind the menu button.
      await tab.getByRole("link", { name: "Menu" }).click();
      await tab.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Events", exact: true }).click();
      await tab.waitForURL(`${base}/events`);
      await tab.getByLabel("Kind of event").selectOption("concert");
      await tab.getByLabel("Who it is for").selectOption("families");
      await tab.getByRole("button", { name: "Show events" }).click();
      await tab.waitForURL(/kind=concert/);
      await tab.getByRole("link", { name: "Family Christmas concert" }).click();
      await tab.waitForURL(/\/events\/family-christmas-concert-/);
      const h1 = await tab.locator("h1").innerText();
      assert(h1 === "Family Christmas concert", `heading was ${h1}`);
      const ld = JSON.parse(await tab.locator("script[type='application/ld+json']").innerText());
      assert(ld["@type"] === "Event", "schema.org Event data");
      await tab.getByLabel("Adult (£8.00)").fill("2");
      await tab.getByLabel("Child (£4.00)").fill("2");
      await tab.getByLabel("Your name").fill("Gail Guest");
      await tab.getByLabel("Your email address").fill("gail@example.org");
      await tab.getByRole("button", { name: "Book" }).click();
      await tab.waitForURL(/\/pay\/test\//);
      assert((await tab.locator("main").innerText()).includes("£24.00"), "the test page asks for £24.00");
      await tab.getByRole("button", { name: /^Pay/ }).click();
      await tab.waitForURL(/\/events\/paid\?ref=/);
      const heading = await tab.locator("h1").innerText();
      assert(heading === "Thank you: your booking is confirmed", `heading was ${heading}`);
      await tab.getByRole("link", { name: "Your ticket" }).click();
      await tab.waitForURL(/\/events\/tickets\/EV-/);
      assert((await tab.locator(".ticket-qr svg").count()) === 1, "the ticket has its QR code");
      assert((await tab.locator("main").innerText()).includes("2 × Adult"), "the ticket lists the tickets");
      await axeClean(tab, "the ticket");
      await noOverflow(tab, "the ticket");
    });

    for (const width of [320, 390, 1366]) {
      await check(`events: the list and an event are axe-clean at ${width} px`, async () => {
        await tab.setViewportSize({ width, height: 900 });
        await tab.goto(`${base}/events`);
        await axeClean(tab, `/events at ${width}`);
        await noOverflow(tab, `/events at ${width}`);
        const link = tab.locator("ul.event-cards a").first();
        await link.click();
        await tab.waitForURL(/\/events\/[a-z0-9-]+$/);
        await axeClean(tab, `an event at ${width}`);
        await noOverflow(tab, `an event at ${width}`);
      });
    }
    await check("events: an event's calendar file", async () => {
      await tab.setViewportSize({ width: 320, height: 800 });
      await tab.goto(`${base}/events`);
      await tab.getByRole("link", { name: "Family Christmas concert" }).click();
      await tab.waitForURL(/\/events\/family-christmas-concert-/);
      const slug = new URL(tab.url()).pathname;
      const r = await tab.request.get(`${base}${slug}.ics`);
      assert(r.ok() && (await r.text()).includes("BEGIN:VEVENT"), "the calendar file");
    });
  } finally {
    await tab.close();
  }
}
