// Ensembles in a real browser, on the demo hub: a visitor finds an ensemble on the public
// page by its area, opens it and presses "Apply for your child"; the demo parent logs in,
// applies for their child with an instrument and grade, and sees their children's ensembles
// and coming rehearsals. Every page is axe-clean; the public list and the parent's page have
// no horizontal overflow at 320, 390 and 1366 px.
export async function ensemblesJourneys({ base, browser, check, assert, axeClean }) {
  const tab = await browser.newPage();
  const noOverflow = async (width, what) => {
    const overflow = await tab.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const wide = await tab.evaluate((w) => [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > w + 1 && !(e.parentElement && e.parentElement.closest(".table-wrap")))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} (${Math.round(e.getBoundingClientRect().right)}px)`), width);
    assert(overflow <= 0, `${what} at ${width} px: ${overflow}px wider than the window: ${wide.join(", ")}`);
  };
  try {
    for (const width of [320, 390, 1366]) {
      await check(`ensembles: the public list at ${width} px has no horizontal overflow and is axe-clean`, async () => {
        await tab.setViewportSize({ width, height: 900 });
        await tab.goto(`${base}/ensembles`);
        const h1 = (await tab.locator("h1").innerText()).trim();
        assert(h1 === "Ensembles", `the heading: ${h1}`);
        await noOverflow(width, "the list");
        await axeClean(tab, `the ensembles list at ${width} px`);
      });
    }

    await check("ensembles: a parent finds an ensemble, applies for their child and sees the rehearsals", async () => {
      await tab.setViewportSize({ width: 390, height: 900 });
      // A visitor, whatever the journeys before left signed in (the profile is shared).
      await tab.context().clearCookies();
      await tab.goto(`${base}/ensembles`);
      await tab.getByLabel("Area").selectOption("Durham");
      await tab.getByRole("button", { name: "Find ensembles" }).click();
      await tab.waitForURL(/\/ensembles\?area=Durham/);
      const listed = await tab.locator("main").innerText();
      assert(listed.includes("Durham Training Band"), `the Durham ensembles: ${listed.slice(0, 400)}`);
      assert(!listed.includes("Darlington Training Band"), "only Durham's are listed");
      await tab.getByRole("link", { name: "Durham Training Band" }).click();
      await tab.waitForURL(/\/ensembles\/durham-training-band$/);
      await axeClean(tab, "the ensemble's page");
      const page = await tab.locator("main").innerText();
      assert(page.includes("Places") && page.includes("Coming rehearsals"), `the page: ${page.slice(0, 400)}`);
      await tab.getByRole("link", { name: "Apply for your child" }).click();
      // Signed out: the login, then on to the application.
      await tab.waitForURL(/\/login\?next=/);
      await tab.getByLabel("Email address").fill("parent@demo.test");
      await tab.getByLabel("Password").fill("demo-password");
      await tab.getByRole("button", { name: "Log in" }).click();
      await tab.waitForURL(/\/parent\/ensembles\/durham-training-band\/apply$/);
      await axeClean(tab, "the application form");
      await tab.getByLabel("Instrument").selectOption("Flute");
      await tab.getByLabel("Grade they play at").selectOption("1");
      await tab.getByRole("button", { name: "Apply" }).click();
      await tab.waitForURL(/\/parent\/ensembles$/);
      const mine = await tab.locator("main").innerText();
      assert(
        mine.includes("is now a member of Durham Training Band") || mine.includes("waiting list"),
        `the answer: ${mine.slice(0, 600)}`,
      );
      assert(mine.includes("Durham Training Band") && mine.includes("Flute"), `the child's ensembles: ${mine.slice(0, 600)}`);
      assert(mine.includes("Rehearsals in the next eight weeks"), "the rehearsals section");
      await axeClean(tab, "the parent's ensembles");
    });

    for (const width of [320, 1366]) {
      await check(`ensembles: the parent's ensembles at ${width} px have no horizontal overflow`, async () => {
        await tab.setViewportSize({ width, height: 900 });
        await tab.goto(`${base}/parent/ensembles`);
        await noOverflow(width, "the parent's ensembles");
        await axeClean(tab, `the parent's ensembles at ${width} px`);
      });
    }
  } finally {
    await tab.close();
  }
}
