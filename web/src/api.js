// Calls to the agent's API. With a bearer token configured the agent answers 401: the page
// asks for the token once (kept in this browser's localStorage) and sends it every time.
// The live stream is read with fetch, not EventSource, which cannot send the header.

const TOKEN_KEY = "kscope.token";
let asking = null;  // one prompt for every call that met a 401 at once

export function token() {
  return localStorage.getItem(TOKEN_KEY) || "";
}

export function forgetToken() {
  localStorage.removeItem(TOKEN_KEY);
}

function headers() {
  const t = token();
  return t ? { Authorization: "Bearer " + t } : {};
}

function askForToken(wrong) {
  if (!asking)
    asking = new Promise((resolve) => {
      const back = document.createElement("div");
      back.className = "modal-backdrop";
      back.innerHTML = `<form class="modal" id="token-form">
          <h2>This agent needs a bearer token</h2>
          <div class="note">${wrong ? "That token was refused. " : ""}It is http.bearer_token in the agent's configuration.</div>
          <input id="token-input" type="password" autocomplete="off" aria-label="Bearer token" required>
          <button type="submit">Use token</button>
        </form>`;
      document.body.append(back);
      const input = back.querySelector("#token-input");
      input.focus();
      back.querySelector("form").addEventListener("submit", (ev) => {
        ev.preventDefault();
        localStorage.setItem(TOKEN_KEY, input.value.trim());
        back.remove();
        asking = null;
        resolve();
      });
    });
  return asking;
}

// fetch with the token; on 401 asks for it and tries again.
export async function call(path, init = {}) {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(path, { ...init, headers: { ...headers(), ...(init.headers || {}) } });
    if (res.status !== 401) return res;
    await askForToken(attempt > 0 || token() !== "");
  }
}

export class ApiError extends Error {
  constructor(path, status, message) {
    super(`${path}: ${message || "HTTP " + status}`);
    this.status = status;
  }
}

async function checked(path, init) {
  const res = await call(path, init);
  if (!res.ok) {
    let message = "";
    try { message = (await res.json()).error; } catch { /* not JSON */ }
    throw new ApiError(path, res.status, message);
  }
  return res;
}

export async function getJSON(path, init) {
  return (await checked(path, init)).json();
}

export async function getText(path, init) {
  return (await checked(path, init)).text();
}

// Server-sent events from path: onEvent(type, data) for each, until signal aborts. Returns
// when the stream ends (the agent stopping, or the network).
export async function stream(path, onEvent, signal) {
  const res = await checked(path, { signal });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) type = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data) onEvent(type, data);
    }
  }
}
