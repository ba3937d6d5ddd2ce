// Passkeys: the buttons marked data-passkey="register" or data-passkey="sign-in" ask the
// server for options, hand them to the browser's WebAuthn API, and send the answer back.
// Binary fields travel as base64url text both ways. Without JavaScript or WebAuthn the
// buttons stay hidden and the page's other ways in (an authenticator app's code, a
// recovery code) still work.
(function () {
  "use strict";

  function toBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var raw = atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) throw new Error(data.detail || "The passkey was not accepted.");
        return data;
      });
    });
  }

  function say(button, text) {
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    if (status) status.textContent = text;
  }

  function register(button) {
    var csrf = button.getAttribute("data-csrf");
    var nameField = document.getElementById("passkey-name");
    var name = nameField ? nameField.value : "";
    return post(button.getAttribute("data-options"), csrf).then(function (options) {
      var o = options.publicKey;
      o.challenge = toBytes(o.challenge);
      o.user.id = toBytes(o.user.id);
      (o.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
      return navigator.credentials.create({ publicKey: o });
    }).then(function (credential) {
      return post(button.getAttribute("data-action"), csrf, {
        name: name,
        id: credential.id,
        clientDataJSON: toText(credential.response.clientDataJSON),
        attestationObject: toText(credential.response.attestationObject)
      });
    });
  }

  function signIn(button) {
    var csrf = button.getAttribute("data-csrf");
    return post(button.getAttribute("data-options"), csrf).then(function (options) {
      var o = options.publicKey;
      o.challenge = toBytes(o.challenge);
      (o.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
      return navigator.credentials.get({ publicKey: o });
    }).then(function (credential) {
      return post(button.getAttribute("data-action"), csrf, {
        id: credential.id,
        clientDataJSON: toText(credential.response.clientDataJSON),
        authenticatorData: toText(credential.response.authenticatorData),
        signature: toText(credential.response.signature),
        next: button.getAttribute("data-next") || ""
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.PublicKeyCredential) return;
    var buttons = document.querySelectorAll("[data-passkey]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function (event) {
        event.preventDefault();
        button.disabled = true;
        say(button, "Waiting for your passkey…");
        var run = button.getAttribute("data-passkey") === "register" ? register : signIn;
        run(button).then(function (done) {
          window.location.assign(done.location);
        }).catch(function (error) {
          button.disabled = false;
          say(button, error && error.message ? error.message : "The passkey was not used.");
        });
      });
    });
  });
})();
