// The request debugger: the journal as a filterable table, each request opening to
// its bodies (read once from /__fake__/state/requests/{id}), timing, the fault that
// answered it and the findings it took part in; and the client findings panel.
"use strict";
(() => {
  const FI = window.FakeInspector;
  const { el, $ } = FI;
  const COLUMNS = 7;
  const open = new Set(); // request ids opened
  const details = new Map(); // request id -> the detail read, or an Error
  // request id -> its drawn detail, reused by every redraw (a body scrolled or
  // selected stays so while the state changes around it).
  const drawn = new Map();
  let last = null; // the last state drawn
  const loading = new Set(); // request ids being read
  const recounted = new Map(); // request id -> the findings count it was read again for

  FI.forgetRequests = () => {
    open.clear();
    details.clear();
    drawn.clear();
    recounted.clear();
  };

  function wanted(entry, filters) {
    if (filters.status === "dropped" && entry.status !== null) return false;
    if (filters.status && filters.status !== "dropped" &&
      (entry.status === null || String(entry.status)[0] !== filters.status)) return false;
    if (filters.operation && entry.operation !== filters.operation) return false;
    if (filters.path && !entry.path.toLowerCase().includes(filters.path)) return false;
    return true;
  }

  function filters() {
    return {
      status: $("filter-status").value,
      operation: $("filter-operation").value,
      path: $("filter-path").value.trim().toLowerCase(),
    };
  }

  function operations(state) {
    const select = $("filter-operation");
    const chosen = select.value;
    const names = [...new Set(state.requests.map((e) => e.operation).filter(Boolean))].sort();
    if (chosen && !names.includes(chosen)) names.push(chosen);
    select.replaceChildren(el("option", { value: "" }, "all"),
      ...names.map((name) => el("option", { value: name }, name)));
    select.value = chosen;
  }

  function bodyView(title, body, max) {
    let shown;
    if (body === null) shown = el("p", { className: "muted" }, "No body kept (none sent, or not read).");
    else if (body.kind === "binary") shown = el("p", {}, `${body.bytes} bytes of binary data.`);
    else if (body.kind === "empty") shown = el("p", { className: "muted" }, "Empty.");
    else shown = el("pre", { tabindex: "0", role: "region", "aria-label": title }, body.text);
    const note = body && body.cut
      ? el("p", { className: "muted" }, `The first ${max} of ${body.bytes} bytes.`) : null;
    return el("div", {}, el("h3", {}, title), shown, note);
  }

  function copyButton(id) {
    const button = el("button", {
      type: "button", className: "small", "aria-label": `Copy ${id}`,
      "data-focus-key": `copy:${id}`,
    }, "Copy");
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(id);
        FI.say(`Copied ${id}.`);
      } catch {
        const range = document.createRange();
        range.selectNodeContents(button.previousSibling);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
        FI.say(`Selected ${id}: copy it with the keyboard.`);
      }
    });
    return button;
  }

  function findingItem(found) {
    return el("li", { className: "finding" }, FI.chip(found.code, "s4"), " ",
      el("span", { className: "mono" }, found.resource), el("p", {}, found.message));
  }

  function faultWords(index, rule) {
    const { only, does } = FI.ruleWords(rule);
    return [el("span", { className: "muted" }, `#${index} `), el("strong", { className: "mono" }, rule.operation),
      only.length ? ` (${only.join(", ")})` : "", `: ${does}`];
  }

  function detailView(entry) {
    const read = details.get(entry.request_id);
    if (read === undefined) return el("p", { className: "muted" }, "Reading…");
    if (read instanceof Error) return el("p", { className: "problems" }, read.message);
    const fault = read.fault;
    return el("div", { className: "detail" },
      el("dl", { className: "facts" },
        el("dt", {}, "Request id"),
        el("dd", {}, el("code", {}, entry.request_id), " ", copyButton(entry.request_id)),
        el("dt", {}, "Answered"), el("dd", {}, `${new Date(entry.wall_time * 1000).toISOString()}` +
          ` (wall), ${FI.clockTime(entry.time)} (scenario clock)`),
        el("dt", {}, "Took"), el("dd", {}, `${entry.duration_ms} ms`),
        entry.query ? [el("dt", {}, "Query"), el("dd", { className: "mono" }, entry.query)] : null,
        el("dt", {}, "Headers"),
        el("dd", { className: "mono" }, Object.keys(entry.headers).length
          ? Object.entries(entry.headers).map(([k, v]) => el("div", {}, `${k}: ${v}`)) : "–"),
        el("dt", {}, "Fault"),
        el("dd", {}, fault ? faultWords(entry.fault, fault) : "none: a real answer")),
      el("div", { className: "detail-grid two" },
        bodyView("Request body", read.request_body, read.max_body_bytes),
        bodyView("Response body", read.response_body, read.max_body_bytes)),
      el("h3", {}, "Findings"),
      read.findings.length
        ? el("ul", { className: "plain", "aria-label": `Findings of ${entry.request_id}` },
          read.findings.map(findingItem))
        : el("p", { className: "muted" }, "None."));
  }

  // The detail of an open request: drawn once per read, then the same nodes.
  function detailNode(entry, involvedIn) {
    const id = entry.request_id;
    const read = details.get(id);
    if (read && !(read instanceof Error) && read.findings.length !== involvedIn &&
      recounted.get(id) !== involvedIn) {
      recounted.set(id, involvedIn); // once per count: no loop if the two never agree
      load(id); // a finding came to name it since it was read
    }
    let node = drawn.get(id);
    if (!node || node.read !== read) {
      node = { read, view: detailView(entry) };
      if (read !== undefined) drawn.set(id, node);
    }
    return node.view;
  }

  async function load(id) {
    if (loading.has(id)) return;
    loading.add(id);
    try {
      details.set(id, await FI.call("GET", `/__fake__/state/requests/${encodeURIComponent(id)}`));
    } catch (error) {
      details.set(id, error);
    } finally {
      loading.delete(id);
    }
    if (last) draw(last);
  }

  function toggle(id) {
    if (open.has(id)) {
      open.delete(id);
    } else {
      open.add(id);
      if (!details.has(id) || details.get(id) instanceof Error) load(id);
    }
    if (last) draw(last);
  }

  function rows(entry, involved) {
    // involved: request id -> how many findings name it
    const id = entry.request_id;
    const isOpen = id !== null && open.has(id);
    const statusCell = el("td", {}, FI.statusChip(entry.status),
      entry.fault === null ? null
        : [" ", el("span", { className: "chip fault", title: `made by fault rule ${entry.fault}` },
          `fault ${entry.fault}`)],
      involved.get(id) ? [" ", el("span", { className: "chip s4", title: "in a client finding" },
        "finding")] : null);
    let button = null;
    if (id !== null) {
      button = el("button", {
        type: "button", className: "small", "aria-expanded": String(isOpen),
        "aria-controls": `detail-${id}`, "aria-label": `${isOpen ? "Close" : "Open"} ${id}`,
        "data-focus-key": `request:${id}`,
      }, isOpen ? "Close" : "Open");
      button.addEventListener("click", () => toggle(id));
    }
    const row = el("tr", {
      className: isOpen ? "open" : "", "data-request-id": id || "", id: id ? `request-${id}` : null,
    },
    el("td", { title: new Date(entry.wall_time * 1000).toISOString() }, FI.wallTime(entry.wall_time)),
    el("td", {}, entry.method),
    el("td", { className: "path" }, entry.path, entry.query ? `?${entry.query}` : ""),
    statusCell,
    el("td", {}, entry.operation || "–"),
    el("td", {}, FI.millis(entry.duration_ms)),
    el("td", {}, button));
    if (!isOpen) return [row];
    return [row, el("tr", { className: "detail", id: `detail-${id}` },
      el("td", { colspan: String(COLUMNS) }, detailNode(entry, involved.get(id) || 0)))];
  }

  function draw(state) {
    FI.keepFocus(() => drawNow(state));
  }

  function drawNow(state) {
    last = state;
    operations(state);
    const involved = new Map();
    for (const id of state.findings.flatMap((found) => [...new Set(found.requests)])) {
      involved.set(id, (involved.get(id) || 0) + 1);
    }
    const chosen = filters();
    const shown = state.requests.filter((entry) => wanted(entry, chosen));
    // A body scrolled stays scrolled: its nodes move to the new rows, which
    // resets their scrolling.
    const scrolled = [...drawn.values()].flatMap((node) => [...node.view.querySelectorAll("pre")])
      .filter((pre) => pre.scrollTop).map((pre) => [pre, pre.scrollTop]);
    document.querySelector("#requests tbody").replaceChildren(
      ...shown.flatMap((entry) => rows(entry, involved)));
    for (const [pre, top] of scrolled) pre.scrollTop = top;
    const total = state.requests_total;
    let note = total
      ? `${total} request${total === 1 ? "" : "s"} in the journal, newest first` +
        (total > state.requests.length ? ` (the newest ${state.requests.length} listed)` : "")
      : "No requests yet.";
    if (shown.length < state.requests.length) note += `; ${shown.length} match the filters.`;
    $("requests-note").textContent = note;
  }

  // Opens a request from elsewhere (a finding): filters cleared, row in view, focused.
  FI.showRequest = (id) => {
    $("filter-status").value = "";
    $("filter-operation").value = "";
    $("filter-path").value = "";
    if (!open.has(id)) toggle(id);
    else if (last) draw(last);
    const row = document.getElementById(`request-${id}`);
    if (!row) {
      FI.say(`Request ${id} is no longer listed in the journal.`);
      return;
    }
    row.classList.add("flash");
    row.scrollIntoView({ block: "center" });
    const button = row.querySelector("button");
    if (button) button.focus();
  };

  FI.renderRequests = draw;
  FI.redrawRequests = () => {
    if (last) draw(last);
  };

  FI.renderFindings = (state) => {
    FI.list($("findings"), state.findings.map((found) => el("li", { className: "finding" },
      FI.chip(found.code, "s4"), " ", el("span", { className: "mono" }, found.resource),
      el("p", {}, found.message),
      el("div", { className: "links" }, el("span", { className: "muted" }, "Requests:"),
        found.requests.map((id) => {
          const link = el("button", {
            type: "button", className: "small mono", title: "Show this request",
            "data-focus-key": `finding:${found.code}:${id}`,
          }, id);
          link.addEventListener("click", () => FI.showRequest(id));
          return link;
        })))), "No findings: the client behaved.");
  };

  // Responses (the Responses API, file_search): each stored response with its
  // question, its search call and results, and the answer with what it cites.
  // Hidden while the session has none.
  const answerWithMarks = (response) => {
    // The answer's text, each citation shown where it stands as [n].
    const parts = [];
    let from = 0;
    response.citations.forEach((cited, n) => {
      parts.push(response.answer.slice(from, cited.index));
      parts.push(el("sup", { className: "mono", title: `${cited.filename} (${cited.file_id})` },
        `[${n + 1}]`));
      from = cited.index;
    });
    parts.push(response.answer.slice(from));
    return el("p", { className: "answer" }, parts);
  };

  const searchCall = (search) => search === null
    ? el("p", { className: "muted" }, "No file_search call.")
    : el("div", {},
      el("p", {}, FI.chip("file_search", "s2"), " ", el("span", { className: "mono" }, search.id),
        " searched for ", el("q", {}, search.queries.join(" / "))),
      search.waiting
        ? el("p", {}, FI.chip("asked too early", "s4"),
          ` ${search.waiting} file(s) of the searched stores were still in progress.`)
        : null,
      search.results.length
        ? el("table", { "aria-label": `Results of ${search.id}` },
          el("thead", {}, el("tr", {}, ["File", "Score", "Text"].map((h) => el("th", {}, h)))),
          el("tbody", {}, search.results.map((hit) => el("tr", {},
            el("td", { className: "mono", title: hit.file_id }, hit.filename || hit.file_id),
            el("td", {}, hit.score.toFixed(3)),
            el("td", {}, hit.text)))))
        : el("p", { className: "muted" }, "No result."));

  FI.renderResponses = (responses) => {
    $("responses-section").hidden = !responses.length;
    FI.list($("responses"), responses.map((response) => el("li", { className: "response" },
      el("p", {}, el("code", {}, response.id), " ", el("span", { className: "muted" },
        `${response.model} · stores ${response.vector_store_ids.join(", ") || "none"}`
        + (response.end_user ? ` · for ${response.end_user}` : ""))),
      el("p", {}, el("strong", {}, "Asked: "), response.question),
      searchCall(response.search),
      answerWithMarks(response),
      response.citations.length
        ? el("ol", { className: "citations", "aria-label": `Citations of ${response.id}` },
          response.citations.map((cited) => el("li", {},
            el("span", { className: "mono" }, cited.filename), " ",
            el("span", { className: "muted mono" }, cited.file_id))))
        : el("p", { className: "muted" }, "Cites no file."))), "No responses.");
  };
})();
