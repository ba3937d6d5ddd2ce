// The office's workspace in a real browser (decision 0074): the demo's admin at 320, 390 and
// 1366 px wide sees the office home and the pupils list with no sideways scrolling and no
// axe-core violations (the manager's dashboard too, each chart drawn from its table); on a phone the Menu button opens the office's navigation; a picker
// offers a school as its name is typed. Logs out at the end, so later checks run as a visitor.
export async function officeJourneys({ browser, base, check, assert, axeClean }) {
  const tab = await browser.newPage();
  const fits = async (what) => {
    const { scroll, inner } = await tab.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      inner: window.innerWidth,
    }));
    assert(scroll <= inner, `${what}: ${scroll}px wide in a ${inner}px window`);
  };
  try {
    await check("office: the admin logs in to the office home", async () => {
      await tab.setViewportSize({ width: 1366, height: 900 });
      await tab.goto(`${base}/login`);
      await tab.getByLabel("Email address").fill("admin@demo.test");
      await tab.getByLabel("Password").fill("demo-password");
      await tab.getByRole("button", { name: "Log in" }).click();
      await tab.waitForLoadState();
      await tab.goto(`${base}/admin`);
      assert((await tab.locator("h1").innerText()) === "Office", "the office home");
      assert((await tab.locator("nav[aria-label=Office]").count()) === 1, "the office's navigation");
    });
    for (const width of [320, 390, 1366]) {
      for (const path of ["/admin", "/admin/pupils", "/admin/dashboard"]) {
        await check(`office: ${path} at ${width}px fits and is axe-clean`, async () => {
          await tab.setViewportSize({ width, height: 800 });
          await tab.goto(`${base}${path}`);
          await fits(`${path} at ${width}px`);
          await axeClean(tab, `${path} at ${width}px`);
        });
      }
    }
    await check("office: the Menu button opens the navigation on a phone", async () => {
      await tab.setViewportSize({ width: 390, height: 800 });
      await tab.goto(`${base}/admin`);
      const nav = tab.locator("#office-nav");
      assert(!(await nav.isVisible()), "folded at first");
      const button = tab.getByRole("button", { name: "Menu" });
      assert((await button.getAttribute("aria-expanded")) === "false", "says it is closed");
      await button.click();
      assert(await nav.isVisible(), "open after the button");
      assert((await button.getAttribute("aria-expanded")) === "true", "says it is open");
      await tab.getByRole("link", { name: "Schools", exact: true }).first().click();
      await tab.waitForURL(`${base}/admin/schools`);
      await fits("/admin/schools at 390px");
    });
    await check("office: each dashboard chart is drawn from the table beside it", async () => {
      await tab.setViewportSize({ width: 1366, height: 900 });
      await tab.goto(`${base}/admin/dashboard`);
      const charts = await tab.locator("figure.chart").evaluateAll((figures) =>
        figures.map((f) => ({
          id: f.id,
          title: f.querySelector("svg title")?.textContent ?? "",
          heading: f.querySelector("h3")?.textContent ?? "",
          columns: f.querySelectorAll("table.chart-data thead th").length,
          drawn: [...f.querySelectorAll("svg .chart-value")].map((t) => t.textContent.trim()),
          table: [...f.querySelectorAll("table.chart-data tbody tr")].map((r) =>
            [...r.children].map((c) => c.textContent.trim()),
          ),
        })),
      );
      assert(charts.length >= 5, `the dashboard's charts: ${charts.map((c) => c.id)}`);
      for (const c of charts) {
        assert(c.title === c.heading, `${c.id}: the drawing is titled as its heading (${c.title})`);
        if (c.columns === 2 && c.drawn.length > 0) {
          const values = c.table.map((row) => row[1]);
          assert(
            JSON.stringify(values) === JSON.stringify(c.drawn),
            `${c.id}: the bars show the table's figures: ${c.drawn} against ${values}`,
          );
        }
      }
      // The take-up map: one point per row of its table, each titled with the row's school
      // and pupils, inside the drawing (the demo's schools all have a location).
      const map = await tab.locator("figure#chart-take-up-map").evaluate((f) => ({
        points: [...f.querySelectorAll("svg circle.map-point")].map((c) => ({
          title: c.querySelector("title").textContent.trim(),
          x: Number(c.getAttribute("cx")),
          y: Number(c.getAttribute("cy")),
        })),
        rows: [...f.querySelectorAll("table.chart-data tbody tr")].map((r) =>
          [...r.children].map((c) => c.textContent.trim()),
        ),
      }));
      assert(map.rows.length > 0, "the demo's schools are on the map");
      const expected = map.rows.map(([school, , pupils]) => `${school}: ${pupils} ${pupils === "1" ? "pupil" : "pupils"}`);
      const titles = map.points.map((p) => p.title);
      assert(
        JSON.stringify([...titles].sort()) === JSON.stringify([...expected].sort()),
        `the map's points are its table's rows: ${titles.length} points, ${expected.length} rows`,
      );
      assert(
        map.points.every((p) => p.x >= 0 && p.x <= 400 && p.y >= 0 && p.y <= 320),
        "every point inside the drawing",
      );
    });
    await check("office: a picker finds a school by part of its name", async () => {
      await tab.setViewportSize({ width: 1366, height: 900 });
      // Any school of the demo: part of its name, as a person would type it.
      const r = await tab.request.get(`${base}/admin/lookup/schools?q=a`);
      const first = (await r.json()).rows[0];
      assert(first, "the demo has schools");
      const part = first.name.split(" ")[0].slice(1, 5);
      await tab.goto(`${base}/admin/waiting-lists`);
      const field = tab.getByLabel("School", { exact: true });
      await field.pressSequentially(part, { delay: 30 });
      await tab.waitForFunction(
        (name) => [...document.querySelectorAll("#school-options option")].some((o) => o.value.includes(name)),
        first.name,
        { timeout: 5000 },
      );
      const status = await tab.locator("#school-status").innerText();
      assert(/match/.test(status), `the count is announced: ${status}`);
      // Choosing a suggestion and showing the list filters by that school.
      await field.fill(first.label);
      await tab.getByRole("button", { name: "Show" }).click();
      await tab.waitForLoadState();
      assert(!(await tab.locator(".error-message").count()), "the suggestion is taken");
    });
  } finally {
    try {
      await tab.setViewportSize({ width: 1366, height: 900 });
      await tab.goto(`${base}/admin`);
      await tab.getByRole("button", { name: "Log out" }).click();
      await tab.waitForLoadState();
    } catch {
      // Not logged in.
    }
    await tab.close();
  }
}
