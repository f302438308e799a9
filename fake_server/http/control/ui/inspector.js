// The inspector page: reads GET /__fake__/state about once a second and redraws
// only when its version changed. Text goes in with textContent, never as HTML:
// journal paths and headers are whatever a client sent.
"use strict";
(() => {
  const POLL_MS = 1000;
  const $ = (id) => document.getElementById(id);
  let session = null; // null: the default session
  let version = "";
  let busy = false;
  let again = false;
  const openBatches = new Set();
  const openRequests = new Set();

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "className") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function say(message) {
    $("status").textContent = message;
  }

  function showProblems(list, message) {
    list.replaceChildren(...message.split("\n").filter((line) => line.trim())
      .map((line) => el("li", {}, line)));
  }

  async function call(method, path, options = {}) {
    const headers = {};
    if (session) headers["X-Fake-Session"] = session;
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
  }

  async function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      const since = version ? `?since=${encodeURIComponent(version)}` : "";
      const state = await call("GET", `/__fake__/state${since}`);
      if (!state.unchanged) {
        version = state.version;
        render(state);
      }
    } catch (error) {
      if (error.status === 404 && session) {
        say(`Session ${session} is gone; showing the default session.`);
        session = null;
        version = "";
        again = true;
      } else {
        say(`Cannot read the state: ${error.message}`);
      }
    } finally {
      busy = false;
    }
    if (again) {
      again = false;
      await refresh();
    }
  }

  function loop() {
    const next = () => setTimeout(loop, POLL_MS);
    if (document.hidden) next();
    else refresh().finally(next);
  }

  function clockTime(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    if (seconds === "never") return "never";  // processing_seconds: never
    const iso = new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
    return `${Math.round(seconds * 1000) / 1000} (${iso})`;
  }

  function counts(c) {
    return `in_progress ${c.in_progress} · completed ${c.completed} · failed ${c.failed}` +
      ` · cancelled ${c.cancelled} · total ${c.total}`;
  }

  function status(value) {
    return el("span", { className: `status ${value}` }, value);
  }

  function render(state) {
    // Redrawing replaces the nodes: keep the keyboard focus where it was.
    const focused = document.activeElement && document.activeElement.dataset.focusKey;
    draw(state);
    if (focused) {
      const target = document.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`);
      if (target) target.focus();
    }
  }

  function draw(state) {
    const select = $("session");
    select.replaceChildren(
      el("option", { value: "" }, "default"),
      ...state.sessions.map((name) => el("option", { value: name }, name)),
    );
    select.value = session || "";
    $("scenario").textContent = `scenario: ${state.scenario}`;
    $("now").textContent = clockTime(state.clock.now);
    $("mode").textContent = `(${state.clock.mode} clock)`;
    const virtual = state.clock.mode === "virtual";
    $("seconds").disabled = !virtual;
    document.querySelector("#advance-form button").disabled = !virtual;
    renderStores(state);
    renderRequests(state);
    $("faults").replaceChildren(...(state.faults.length
      ? state.faults.map((rule) => el("li", {}, el("code", {}, JSON.stringify(rule))))
      : [el("li", {}, "No fault rules.")]));
    $("violations").replaceChildren(...(state.violations.length
      ? state.violations.map((text) => el("li", {}, text))
      : [el("li", {}, "None recorded.")]));
  }

  function renderStores(state) {
    const now = state.clock.now;
    const stores = state.vector_stores.map((store) => el(
      "div", { className: "store", "data-vector-store": store.id },
      el("h3", {}, store.id, store.name ? ` “${store.name}”` : "", " ", status(store.status)),
      el("p", {}, `files: ${counts(store.file_counts)}`,
        store.owner ? ` · owner ${store.owner}` : ""),
      ...store.file_batches.map((batch) => renderBatch(store, batch, now)),
      store.file_batches_total > store.file_batches.length
        ? el("p", {}, `Showing the newest ${store.file_batches.length} of ` +
          `${store.file_batches_total} batches.`)
        : null,
    ));
    if (!stores.length) stores.push(el("p", {}, "No vector stores."));
    if (state.vector_stores_total > state.vector_stores.length) {
      stores.push(el("p", {}, `Showing the newest ${state.vector_stores.length} of ` +
        `${state.vector_stores_total} vector stores.`));
    }
    $("stores").replaceChildren(...stores);
  }

  function renderBatch(store, batch, now) {
    const details = el("details", { open: openBatches.has(batch.id) },
      el("summary", { "data-focus-key": `batch:${batch.id}` }, `${batch.id} `,
        status(batch.status), ` ${counts(batch.file_counts)}`),
      el("table", {},
        el("caption", {}, `Files of ${batch.id}`),
        el("thead", {}, el("tr", {}, ...["File", "Status", "Outcome", "Finishes at", "In"]
          .map((name) => el("th", { scope: "col" }, name)))),
        el("tbody", {}, ...batch.files.map((file) => el("tr", {},
          el("td", {}, file.id),
          el("td", {}, status(file.status)),
          el("td", {}, file.outcome + (file.error_code ? ` (${file.error_code})` : "")),
          el("td", {}, clockTime(file.finishes_at)),
          el("td", {}, file.status === "in_progress" && typeof file.finishes_at === "number"
            ? `${Math.max(0, Math.round((file.finishes_at - now) * 100) / 100)} s` : "–"),
        )))),
      batch.files.length < batch.file_counts.total
        ? el("p", {}, `Showing the first ${batch.files.length} of ${batch.file_counts.total} files.`)
        : null,
    );
    details.addEventListener("toggle", () => {
      if (details.open) openBatches.add(batch.id);
      else openBatches.delete(batch.id);
    });
    const cancel = batch.status === "in_progress"
      ? el("button", {
        type: "button", "aria-label": `Cancel ${batch.id}`, "data-focus-key": `cancel:${batch.id}`,
      }, "Cancel")
      : null;
    if (cancel) cancel.addEventListener("click", () => cancelBatch(store.id, batch.id));
    return el("div", { className: "batch", "data-batch": batch.id }, cancel, details);
  }

  function renderRequests(state) {
    const rows = [];
    state.requests.forEach((entry, index) => {
      const key = String(state.requests_total - index);
      const details = el("details", { open: openRequests.has(key) },
        el("summary", {
          "aria-label": `Headers of request ${key}`, "data-focus-key": `request:${key}`,
        }, "headers"),
        el("pre", {}, JSON.stringify(
          { request_id: entry.request_id, query: entry.query, headers: entry.headers }, null, 1)));
      details.addEventListener("toggle", () => {
        if (details.open) openRequests.add(key);
        else openRequests.delete(key);
      });
      rows.push(el("tr", {},
        el("td", {}, entry.method),
        el("td", {}, entry.path),
        el("td", {}, entry.status === null ? "dropped" : entry.status,
          entry.fault === null || entry.fault === undefined ? ""
            : el("span", { className: "fault", title: `made by fault rule ${entry.fault}` },
              ` fault ${entry.fault}`)),
        el("td", {}, entry.operation || "–"),
        el("td", {}, clockTime(entry.time)),
        el("td", {}, details)));
    });
    document.querySelector("#requests tbody").replaceChildren(...rows);
    $("requests-note").textContent = state.requests_total
      ? `${state.requests_total} request${state.requests_total === 1 ? "" : "s"}` +
        " in the journal, newest first" +
        (state.requests_total > state.requests.length ? ` (showing ${state.requests.length})` : "")
      : "No requests yet.";
  }

  async function act(description, work, problems) {
    try {
      const result = await work();
      if (problems) problems.replaceChildren();
      say(description(result));
    } catch (error) {
      if (problems) showProblems(problems, error.message);
      say(`Refused: ${error.message.split("\n")[0]}`);
    }
    await refresh();
  }

  function cancelBatch(vectorStoreId, batchId) {
    const path = `/v1/vector_stores/${encodeURIComponent(vectorStoreId)}` +
      `/file_batches/${encodeURIComponent(batchId)}/cancel`;
    return act((batch) => `Batch ${batch.id} is ${batch.status}.`,
      () => call("POST", path, { provider: true }));
  }

  function on(id, event, handler) {
    $(id).addEventListener(event, (e) => {
      if (event === "submit") e.preventDefault();
      handler();
    });
  }

  on("advance-form", "submit", () => act(
    (clock) => `Clock advanced to ${clockTime(clock.now)}.`,
    () => call("POST", "/__fake__/clock/advance", { body: { seconds: Number($("seconds").value) } }),
  ));
  on("reset", "click", () => act(() => "Reset to the loaded scenario.",
    () => call("POST", "/__fake__/reset")));
  on("clear-requests", "click", () => act(() => "Journal cleared.",
    () => call("DELETE", "/__fake__/requests")));
  on("clear-faults", "click", () => act(() => "Fault rules cleared.",
    () => call("DELETE", "/__fake__/faults")));
  on("fault-form", "submit", () => {
    const rule = { operation: $("fault-operation").value.trim() };
    if ($("fault-status").value) rule.status = Number($("fault-status").value);
    if ($("fault-times").value) rule.times = Number($("fault-times").value);
    return act(() => `Fault rule added for ${rule.operation}.`,
      () => call("POST", "/__fake__/faults", { body: rule }), $("fault-problems"));
  });
  on("scenario-form", "submit", () => act(
    (loaded) => `Scenario loaded: ${loaded.scenario}.`,
    () => call("PUT", "/__fake__/scenario", { body: $("scenario-text").value }),
    $("scenario-problems"),
  ));
  on("session", "change", () => {
    session = $("session").value || null;
    version = "";
    openBatches.clear();
    openRequests.clear();
    say(`Showing the ${session ? `session ${session}` : "default session"}.`);
    refresh();
  });

  loop();
})();
