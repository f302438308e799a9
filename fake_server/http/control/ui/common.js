// The inspector's shared helpers: building nodes, calling the server, formatting.
// Text goes in with text nodes, never as HTML: journal paths, headers and bodies
// are whatever a client sent.
"use strict";
window.FakeInspector = (() => {
  const FI = { session: null };

  FI.$ = (id) => document.getElementById(id);

  FI.el = (tag, attributes, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  };

  // Redrawing replaces the nodes: keep the keyboard focus where it was.
  FI.keepFocus = (redraw) => {
    const focused = document.activeElement && document.activeElement.dataset.focusKey;
    redraw();
    if (focused) {
      const target = document.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`);
      if (target && target !== document.activeElement) target.focus();
    }
  };

  FI.say = (message) => {
    FI.$("status").textContent = message;
  };

  FI.call = async (method, path, options = {}) => {
    const headers = {};
    if (FI.session) headers["X-Fake-Session"] = FI.session;
    let body;
    if (options.provider) {
      headers.Authorization = "Bearer inspector";
    } else {
      // Lets the admin cookie authorise a change (see the server's pipeline).
      headers["X-Fake-Inspector"] = "1";
    }
    if (typeof options.body === "string") {
      headers["Content-Type"] = "application/yaml";
      body = options.body;
    } else if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    const response = await fetch(path, {
      method, headers, body, credentials: "same-origin", cache: "no-store",
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const message = (data && data.error && data.error.message) || `HTTP ${response.status}`;
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return data;
  };

  // A moment on the scenario's clock: its seconds, and the date they are.
  FI.clockTime = (seconds) => {
    if (seconds === null || seconds === undefined) return "–";
    if (seconds === "never") return "never"; // processing_seconds: never
    const iso = new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
    return `${Math.round(seconds * 1000) / 1000} (${iso})`;
  };

  // A wall-clock moment, as a time of day with milliseconds.
  FI.wallTime = (seconds) => {
    const date = new Date(seconds * 1000);
    const pad = (n, w = 2) => String(n).padStart(w, "0");
    return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
      `.${pad(date.getMilliseconds(), 3)}`;
  };

  FI.millis = (ms) => `${ms < 10 ? Math.round(ms * 100) / 100 : Math.round(ms * 10) / 10} ms`;

  FI.seconds = (value) => {
    const rounded = Math.round(value * 100) / 100;
    return `${rounded} s`;
  };

  FI.counts = (c) => `in_progress ${c.in_progress} · completed ${c.completed} · ` +
    `failed ${c.failed} · cancelled ${c.cancelled} · total ${c.total}`;

  FI.chip = (value, extra) => FI.el("span", { className: `chip ${extra || value}` }, value);

  // An HTTP status as a chip coloured by its class (2xx, 4xx, ...); null: dropped.
  FI.statusChip = (status) => (status === null
    ? FI.chip("dropped")
    : FI.chip(String(status), `s${String(status)[0]}`));

  // A fault rule in words: what it aims at, what it does.
  FI.ruleWords = (rule) => {
    const only = ["vector_store_id", "batch_id", "file_id", "user_id"]
      .filter((name) => rule[name]).map((name) => `${name} ${rule[name]}`);
    const does = [];
    if (rule.status) does.push(`answers ${rule.status}`);
    if (rule.drop_connection) {
      does.push(rule.drop_connection === true ? "drops the connection"
        : `drops the connection (${rule.drop_connection})`);
    }
    if (rule.latency_ms) does.push(`waits ${rule.latency_ms} ms`);
    if (rule.retry_after_ms !== undefined) does.push(`retry-after-ms ${rule.retry_after_ms}`);
    if (rule.probability !== undefined && rule.probability < 1) {
      does.push(`with probability ${rule.probability}`);
    }
    return { only, does: does.length ? does.join(", ") : "does nothing" };
  };

  FI.list = (target, items, empty) => {
    target.replaceChildren(...(items.length ? items : [FI.el("li", { className: "empty" }, empty)]));
  };

  return FI;
})();
