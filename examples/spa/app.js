// The page: buttons, status line and contacts list around pact-oauth.js.
// API data is only ever rendered with textContent, never as HTML.
// @ts-check
import { config } from "./config.js";
import { PactError, PactSession, beginAuthorization, completeAuthorization, contactsOf } from "./pact-oauth.js";

/** @param {string} id */
function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el;
}

const ui = {
  status: $("status"),
  error: $("error"),
  connection: $("connection"),
  connect: /** @type {HTMLButtonElement} */ ($("connect")),
  load: /** @type {HTMLButtonElement} */ ($("load")),
  disconnect: /** @type {HTMLButtonElement} */ ($("disconnect")),
  contacts: $("contacts"),
};

const session = new PactSession(config);

/** @param {string} text */
function setStatus(text) {
  ui.status.textContent = text;
}

/** @param {unknown} e */
function showError(e) {
  const message =
    e instanceof PactError
      ? e.code === "access_denied"
        ? "Access denied: the connection to Pact was not approved (access_denied)."
        : `Pact error ${e.code}${e.description ? `: ${e.description}` : ""}`
      : `Something went wrong: ${e instanceof Error ? e.message : String(e)}`;
  ui.error.textContent = message;
  ui.error.hidden = false;
}

function clearError() {
  ui.error.textContent = "";
  ui.error.hidden = true;
}

function render() {
  const connected = session.connected;
  ui.connect.hidden = connected;
  ui.load.hidden = !connected;
  ui.disconnect.hidden = !connected;
  ui.connection.textContent = connected ? `Connected to ${config.pactUrl} with scope: ${session.tokens?.scope ?? ""}` : "Not connected.";
  if (!connected) ui.contacts.replaceChildren();
}

/** @param {() => Promise<void>} action */
async function run(action) {
  clearError();
  for (const b of [ui.connect, ui.load, ui.disconnect]) b.disabled = true;
  try {
    await action();
  } catch (e) {
    showError(e);
  } finally {
    for (const b of [ui.connect, ui.load, ui.disconnect]) b.disabled = false;
    render();
  }
}

// Step 2 — "Connect to Pact": PKCE + state, then off to /oauth/authorize.
ui.connect.addEventListener("click", () =>
  run(async () => {
    setStatus("Redirecting to Pact…");
    window.location.assign(await beginAuthorization(config));
  }),
);

// Step 4 — call the API; PactSession refreshes and retries once if the token expired.
ui.load.addEventListener("click", () =>
  run(async () => {
    let refreshed = false;
    session.onRefresh = () => {
      refreshed = true;
      setStatus("Access token refreshed.");
    };
    setStatus("Loading contacts…");
    try {
      const contacts = contactsOf(await session.get("/v1/contacts?limit=10"));
      ui.contacts.replaceChildren(
        ...contacts.map((c) => {
          const li = document.createElement("li");
          li.textContent = [c.name, c.email && `<${c.email}>`, c.company && `(${c.company})`].filter(Boolean).join(" ");
          return li;
        }),
      );
      setStatus(`${refreshed ? "Access token refreshed. " : ""}Loaded ${contacts.length} contacts.`);
    } catch (e) {
      setStatus(refreshed ? "Access token refreshed, but loading contacts failed." : "Loading contacts failed.");
      throw e;
    }
  }),
);

// "Revocation" — revoke the refresh token (and with it the grant's access tokens), then forget them.
ui.disconnect.addEventListener("click", () =>
  run(async () => {
    setStatus("Disconnecting…");
    await session.disconnect();
    setStatus("Disconnected. The tokens were revoked and forgotten.");
  }),
);

// The redirect back from Pact: /callback?code=…&state=… or ?error=…&state=…
async function handleCallback() {
  const params = new URLSearchParams(window.location.search);
  // Drop code and state from the address bar and history before anything else (RFC 9700 §4.2.4).
  history.replaceState(null, "", "/");
  setStatus("Exchanging the authorization code…");
  try {
    session.store(await completeAuthorization(config, params));
    setStatus("Connected to Pact.");
  } catch (e) {
    setStatus("Not connected.");
    throw e;
  }
}

if (window.location.pathname === "/callback") {
  await run(handleCallback);
} else {
  setStatus(session.connected ? "Connected to Pact." : "Not connected.");
  render();
}
