// A fresh hub in a real browser: `tutti serve` on an empty database prints its one-time setup
// link; the first admin sets the hub up, enrols an authenticator app, adds a teacher and
// invites them; the invitation arrives by SMTP (a small mail sink here stands in for the
// hub's relay) and the teacher accepts it and lands on their day. Each page on the way is
// checked with axe-core.
import { spawn } from "node:child_process";
import { base32Decode, totp } from "./totp.mjs";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// An SMTP server that takes every message and keeps it: enough of RFC 5321 for one client.
function mailSink() {
  const messages = [];
  const server = createServer((socket) => {
    let data = false;
    let buffer = "";
    let message = "";
    socket.write("220 sink ESMTP\r\n");
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      for (;;) {
        if (data) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          message += buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          messages.push(message);
          message = "";
          data = false;
          socket.write("250 kept\r\n");
          continue;
        }
        const eol = buffer.indexOf("\r\n");
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO") socket.write("250-sink\r\n250 8BITMIME\r\n");
        else if (verb === "DATA") {
          data = true;
          socket.write("354 go on\r\n");
        } else if (verb === "QUIT") {
          socket.end("221 bye\r\n");
          return;
        } else socket.write("250 ok\r\n");
      }
    });
    socket.on("error", () => {});
  });
  return { server, messages };
}

// Quoted-printable soft line breaks and escapes, as mail bodies arrive.
function unQuote(text) {
  return text.replace(/=\r\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

export async function freshHubJourneys({ BIN, browser, check, assert, axeClean, freePort, waitForHealth }) {
  const dataDir = mkdtempSync(join(tmpdir(), "tutti-fresh-"));
  const port = await freePort();
  const smtpPort = await freePort();
  // Another loopback address than the demo hub's, so that the two hubs' cookies stay apart.
  const base = `http://127.0.0.2:${port}`;
  const sink = mailSink();
  await new Promise((resolve) => sink.server.listen(smtpPort, "127.0.0.1", resolve));
  const server = spawn(
    BIN,
    ["serve", "--data-dir", dataDir, "--bind", `127.0.0.2:${port}`, "--public-url", base,
      "--smtp-url", `smtp://127.0.0.1:${smtpPort}`, "--mail-from", "Hub <office@hub.example>"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  server.stdout.on("data", (d) => (log += d));
  server.stderr.on("data", (d) => (log += d));
  const tab = await browser.newPage();
  try {
    await waitForHealth(base, server, 180);
    const printed = log.match(/\/setup\?code=[A-Za-z0-9_-]+/);

    await check("fresh hub: the setup link, and setup without it refused", async () => {
      assert(printed, `serve printed a setup link: ${log}`);
      await tab.goto(`${base}/setup?code=forged`);
      assert((await tab.content()).includes("This setup link is not valid"), "a forged code is refused");
      await tab.goto(`${base}${printed[0]}`);
      await axeClean(tab, "/setup");
      await tab.getByLabel("The hub's name").fill("Fenland Music Hub");
      await tab.getByLabel("Your full name").fill("Fay Office");
      await tab.getByLabel("Email address").fill("fay@fenland.example");
      await tab.getByLabel("Create a password").fill("short");
      await tab.getByRole("button", { name: "Set up the hub" }).click();
      await tab.waitForLoadState();
      await axeClean(tab, "/setup with errors");
      assert((await tab.locator(".error-summary, [role=alert]").count()) > 0, "the error is summarised");
      await tab.getByLabel("Create a password").fill("a long office passphrase");
      await tab.getByRole("button", { name: "Set up the hub" }).click();
      await tab.waitForLoadState();
      const text = await tab.locator("main").innerText();
      assert(text.includes("Fenland Music Hub is set up"), `set up: ${text}`);
      await axeClean(tab, "setup done");
      const again = await tab.goto(`${base}${printed[0]}`);
      assert(again.status() === 404, "the link is gone once used");
    });

    await check("fresh hub: the admin enrols an authenticator and invites a teacher", async () => {
      await tab.goto(`${base}/login`);
      await tab.getByLabel("Email address").fill("fay@fenland.example");
      await tab.getByLabel("Password").fill("a long office passphrase");
      await tab.getByRole("button", { name: "Log in" }).click();
      await tab.waitForLoadState();
      await tab.goto(`${base}/account/security`);
      const key = base32Decode((await tab.locator("#totp-key").innerText()).trim());
      await tab.locator("form[action='/account/security/totp'] input[name=code]").fill(totp(key, Date.now() / 1000));
      await tab.getByRole("button", { name: "Set up the app" }).click();
      await tab.waitForLoadState();
      await tab.goto(`${base}/admin/staff/new`);
      await axeClean(tab, "/admin/staff/new");
      await tab.getByLabel("Email", { exact: true }).fill("tess@fenland.example");
      await tab.getByLabel("First name").fill("Tess");
      await tab.getByLabel("Last name").fill("Teacher");
      await tab.getByLabel("Instruments taught").fill("Violin");
      await tab.locator("main form button[type=submit]").last().click();
      await tab.waitForLoadState();
      assert(/\/admin\/staff\/\d+/.test(tab.url()), `the record is made: ${tab.url()}`);
      await axeClean(tab, "the staff record");
      await tab.getByLabel("Invite to a login as").selectOption("teacher");
      await tab.getByRole("button", { name: "Invite", exact: true }).click();
      await tab.waitForLoadState();
      await axeClean(tab, "the staff record after inviting");
      await tab.goto(`${base}/admin/invitations`);
      assert((await tab.locator("main").innerText()).includes("tess@fenland.example"), "pending is listed");
      await axeClean(tab, "/admin/invitations");
    });

    await check("fresh hub: the teacher accepts the emailed invitation", async () => {
      const deadline = Date.now() + 30_000;
      let link;
      while (!link && Date.now() < deadline) {
        const mail = sink.messages.map(unQuote).find((m) => m.includes("tess@fenland.example"));
        link = mail && mail.match(/http:\/\/[^\s]+\/invitations\/accept\?token=[A-Za-z0-9_-]+/);
        if (!link) await new Promise((r) => setTimeout(r, 500));
      }
      assert(link, `the invitation was emailed (${sink.messages.length} messages)`);
      // The office logs out; the teacher opens the link in the same browser.
      await tab.getByRole("button", { name: "Log out" }).click();
      await tab.waitForLoadState();
      const t = tab;
      await t.goto(link[0]);
      await axeClean(t, "/invitations/accept");
      await t.getByLabel("Choose a password").fill("a teacher's passphrase");
      await t.locator("main form button[type=submit]").click();
      await t.waitForLoadState();
      assert(t.url().includes("/teacher/day"), `the teacher lands on their day: ${t.url()}`);
      await axeClean(t, "/teacher/day");
    });
  } finally {
    await tab.close();
    server.kill("SIGTERM");
    sink.server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
