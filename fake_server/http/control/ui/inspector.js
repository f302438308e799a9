// The inspector page: reads GET /__fake__/state about once a second and redraws
// only when its version changed (?since=VERSION answers {"unchanged": true}).
"use strict";
(() => {
  const FI = window.FakeInspector;
  const { el, $ } = FI;
  const POLL_MS = 1000;
  let version = "";
  let busy = false;
  let again = false;
  const openBatches = new Set();

  async function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      const since = version ? `?since=${encodeURIComponent(version)}` : "";
      const state = await FI.call("GET", `/__fake__/state${since}`);
      if (!state.unchanged) {
        version = state.version;
        render(state);
      }
    } catch (error) {
      if (error.status === 404 && FI.session) {
        FI.say(`Session ${FI.session} is gone; showing the default session.`);
        FI.session = null;
        version = "";
        again = true;
      } else {
        FI.say(`Cannot read the state: ${error.message}`);
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

  function render(state) {
    FI.keepFocus(() => draw(state));
  }

  function renderFaults(state) {
    FI.list($("faults"), state.faults.map((fault, index) => {
      const { only, does } = FI.ruleWords(fault.rule);
      const rule = fault.rule;
      const left = fault.left === null
        ? "no limit" : `${fault.left} left of ${rule.times}`;
      return el("li", { "data-fault": String(index) },
        el("div", {}, el("span", { className: "muted" }, `#${index} `),
          el("strong", { className: "mono" }, rule.operation), only.length ? ` (${only.join(", ")})` : ""),
        el("div", {}, does, rule.after ? ` after ${rule.after} calls` : ""),
        el("div", {}, el("span", { className: "rule-left" }, left),
          ` · fired ${fault.fired} · aimed at ${fault.seen}`));
    }), "No fault rules.");
  }

  function draw(state) {
    const select = $("session");
    select.replaceChildren(
      el("option", { value: "" }, "default"),
      ...state.sessions.map((name) => el("option", { value: name }, name)),
    );
    select.value = FI.session || "";
    $("scenario").textContent = state.description
      ? `${state.description} (${state.scenario})` : `Scenario: ${state.scenario}`;
    $("now").textContent = FI.clockTime(state.clock.now);
    $("mode").textContent = `(${state.clock.mode} clock)`;
    const virtual = state.clock.mode === "virtual";
    $("seconds").disabled = !virtual;
    document.querySelector("#advance-form button").disabled = !virtual;
    FI.renderStores(state, { cancel: cancelBatch, openBatches });
    FI.renderRequests(state);
    FI.renderFindings(state);
    renderFaults(state);
    // The Responses API's list, once the state carries one.
    FI.renderResponses(state.responses || []);
    FI.list($("violations"), state.violations.map((text) => el("li", {}, text)),
      "None recorded.");
  }

  async function act(description, work, problems) {
    try {
      const result = await work();
      if (problems) problems.replaceChildren();
      FI.say(description(result));
    } catch (error) {
      const lines = error.message.split("\n").filter((line) => line.trim());
      if (problems && lines.length > 1) {
        // The first line says what was refused; each next one is a problem.
        problems.replaceChildren(...lines.slice(1).map((line) => el("li", {}, line.trim())));
        FI.say(`Refused: ${lines[0]} (see the problems under the form)`);
      } else {
        if (problems) problems.replaceChildren(el("li", {}, error.message));
        FI.say(`Refused: ${lines[0] || error.message}`);
      }
    }
    await refresh();
  }

  function cancelBatch(vectorStoreId, batchId) {
    const path = `/v1/vector_stores/${encodeURIComponent(vectorStoreId)}` +
      `/file_batches/${encodeURIComponent(batchId)}/cancel`;
    return act((batch) => `Batch ${batch.id} is ${batch.status}.`,
      () => FI.call("POST", path, { provider: true }));
  }

  function on(id, event, handler) {
    $(id).addEventListener(event, (e) => {
      if (event === "submit") e.preventDefault();
      handler();
    });
  }

  function faultRule() {
    const rule = { operation: $("fault-operation").value.trim() };
    const text = (id) => $(id).value.trim();
    if (text("fault-vector-store")) rule.vector_store_id = text("fault-vector-store");
    if (text("fault-batch")) rule.batch_id = text("fault-batch");
    if (text("fault-file")) rule.file_id = text("fault-file");
    if ($("fault-drop").checked) rule.drop_connection = true;
    else if (text("fault-status")) rule.status = Number(text("fault-status"));
    if (text("fault-latency")) rule.latency_ms = Number(text("fault-latency"));
    if (text("fault-times")) rule.times = Number(text("fault-times"));
    if (text("fault-after")) rule.after = Number(text("fault-after"));
    return rule;
  }

  on("advance-form", "submit", () => act(
    (clock) => `Clock advanced to ${FI.clockTime(clock.now)}.`,
    () => FI.call("POST", "/__fake__/clock/advance",
      { body: { seconds: Number($("seconds").value) } }),
  ));
  on("reset", "click", () => act(() => "Reset to the loaded scenario.", () => {
    FI.forgetRequests();
    return FI.call("POST", "/__fake__/reset");
  }));
  on("clear-requests", "click", () => act(() => "Journal cleared.", () => {
    FI.forgetRequests();
    return FI.call("DELETE", "/__fake__/requests");
  }));
  on("clear-faults", "click", () => act(() => "Fault rules cleared.",
    () => FI.call("DELETE", "/__fake__/faults"), $("fault-problems")));
  on("fault-form", "submit", () => {
    const rule = faultRule();
    return act(() => `Fault rule added for ${rule.operation}.`,
      () => FI.call("POST", "/__fake__/faults", { body: rule }), $("fault-problems"));
  });
  on("scenario-form", "submit", () => act(
    () => "Scenario loaded.",
    () => {
      FI.forgetRequests();
      return FI.call("PUT", "/__fake__/scenario", { body: $("scenario-text").value });
    },
    $("scenario-problems"),
  ));
  on("session", "change", () => {
    FI.session = $("session").value || null;
    version = "";
    openBatches.clear();
    FI.forgetRequests();
    FI.say(`Showing the ${FI.session ? `session ${FI.session}` : "default session"}.`);
    refresh();
  });
  for (const id of ["filter-status", "filter-operation", "filter-path"]) {
    $(id).addEventListener("input", FI.redrawRequests);
  }
  $("request-filters").addEventListener("submit", (e) => e.preventDefault());

  loop();
})();
