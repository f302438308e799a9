// Vector stores and their batches, each batch drawn as a timeline on the session's
// clock: one lane per file, a bar from attach to its end, a mark where a cancel
// landed (dashed while a gradual cancel is on its way), an open end for a file
// that never finishes, and a line at now.
"use strict";
(() => {
  const FI = window.FakeInspector;
  const { el } = FI;
  const TICKS = 5;

  // Where each file's bar ends, and how it is drawn.
  function shape(file, now) {
    const pending = file.status === "in_progress" && file.outcome === "cancelled";
    if (file.status === "cancelled") {
      const end = typeof file.cancelled_at === "number" ? file.cancelled_at : now;
      return { end, kind: "cancelled", mark: end, words: `cancelled at ${FI.clockTime(end)}` };
    }
    if (pending) {
      return {
        end: file.finishes_at, kind: "pending", mark: file.finishes_at, pendingMark: true,
        words: `cancel on its way, lands at ${FI.clockTime(file.finishes_at)}`,
      };
    }
    if (file.finishes_at === "never") {
      return { end: null, kind: "never", words: "never finishes" };
    }
    if (file.finishes_at === null) {
      return { end: file.created_at, kind: file.status, words: file.status };
    }
    const words = file.status === "in_progress"
      ? `in progress, becomes ${file.outcome} at ${FI.clockTime(file.finishes_at)}`
      : `${file.status} at ${FI.clockTime(file.finishes_at)}`;
    return { end: file.finishes_at, kind: file.status, words };
  }

  function scale(batch, shapes, now) {
    const starts = batch.files.map((file) => file.created_at);
    const start = Math.min(batch.created_at, ...starts);
    const ends = shapes.map((s) => s.end).filter((end) => typeof end === "number");
    let end = Math.max(now, start + 1, ...ends);
    // Room past the last moment; more when a bar is open-ended.
    const open = shapes.some((s) => s.kind === "never");
    end += (end - start) * (open ? 0.25 : 0.06);
    const pct = (t) => Math.min(100, Math.max(0, ((t - start) / (end - start)) * 100));
    return { start, end, pct };
  }

  function place(node, left, right) {
    node.style.left = `${left}%`;
    node.style.width = `${Math.max(0, right - left)}%`;
    return node;
  }

  function lane(file, s, scaleOf) {
    const left = scaleOf.pct(file.created_at);
    const right = s.end === null ? 100 : scaleOf.pct(s.end);
    const bar = place(el("div", {
      className: `bar ${s.kind}`, title: `${file.id}: ${s.words}`, "data-file": file.id,
    }), left, right);
    const track = el("div", { className: "track", role: "listitem" },
      el("span", { className: "sr-only" }, `${file.id}: ${s.words}`), bar);
    if (s.kind === "never") bar.append(el("span", { className: "never-label" }, "never"));
    if (s.mark !== undefined) {
      const mark = el("div", {
        className: s.pendingMark ? "mark pending" : "mark",
        title: s.pendingMark ? "where the cancel will land" : "where the cancel landed",
      });
      mark.style.left = `${scaleOf.pct(s.mark)}%`;
      track.append(mark);
    }
    return track;
  }

  function ticks(scaleOf) {
    const span = scaleOf.end - scaleOf.start;
    const labels = [];
    for (let i = 0; i <= TICKS; i += 1) {
      const at = (span * i) / TICKS;
      const label = el("span", {
        className: i === 0 ? "first" : i === TICKS ? "last" : "",
      }, `+${Math.round(at * 10) / 10} s`);
      label.style.left = `${(i / TICKS) * 100}%`;
      labels.push(label);
    }
    return el("div", { className: "ticks", "aria-hidden": "true" }, labels);
  }

  function timeline(batch, now) {
    const shapes = batch.files.map((file) => shape(file, now));
    const scaleOf = scale(batch, shapes, now);
    const nowAt = scaleOf.pct(now);
    const nowLine = el("div", {
      className: nowAt > 85 ? "now end" : "now", "data-now": String(now),
      title: `now: ${FI.clockTime(now)}`,
    });
    nowLine.style.left = `${nowAt}%`;
    const tracks = el("div", { className: "tracks" },
      el("div", { role: "list", "aria-label": `Timeline of ${batch.id}` },
        batch.files.map((file, i) => lane(file, shapes[i], scaleOf))),
      ticks(scaleOf), nowLine);
    return [
      el("div", { className: "timeline", "data-timeline": batch.id },
        el("div", { className: "names", "aria-hidden": "true" },
          batch.files.map((file) => el("div", { title: file.id }, file.id))),
        tracks),
      el("p", { className: "from" }, `From ${FI.clockTime(scaleOf.start)}; now is ` +
        `+${Math.round((now - scaleOf.start) * 100) / 100} s.`),
    ];
  }

  function outcomeText(file) {
    if (file.status === "cancelled") return "cancelled";
    if (file.outcome === "cancelled") return "cancelled (a cancel is on its way)";
    return file.outcome + (file.error_code ? ` (${file.error_code})` : "");
  }

  function endText(file) {
    if (file.status === "cancelled") {
      return typeof file.cancelled_at === "number"
        ? `cancelled at ${FI.clockTime(file.cancelled_at)}` : "cancelled";
    }
    return FI.clockTime(file.finishes_at);
  }

  function filesTable(batch, now, open) {
    const details = el("details", { className: "files", open: open.has(batch.id) },
      el("summary", { "data-focus-key": `files:${batch.id}` }, `Files of ${batch.id}`),
      el("table", {},
        el("caption", {}, `Files of ${batch.id}`),
        el("thead", {}, el("tr", {}, ["File", "Status", "Outcome", "Ends", "In"]
          .map((name) => el("th", { scope: "col" }, name)))),
        el("tbody", {}, batch.files.map((file) => el("tr", {},
          el("td", {}, file.id),
          el("td", {}, FI.chip(file.status)),
          el("td", {}, outcomeText(file)),
          el("td", {}, endText(file)),
          el("td", {}, file.status === "in_progress" && typeof file.finishes_at === "number"
            ? FI.seconds(Math.max(0, file.finishes_at - now)) : "–"))))),
      batch.files.length < batch.file_counts.total
        ? el("p", {}, `Showing the first ${batch.files.length} of ${batch.file_counts.total} files.`)
        : null);
    details.addEventListener("toggle", () => {
      if (details.open) open.add(batch.id);
      else open.delete(batch.id);
    });
    return details;
  }

  function renderBatch(store, batch, now, handlers) {
    const cancel = batch.status === "in_progress"
      ? el("button", {
        type: "button", className: "small", "aria-label": `Cancel ${batch.id}`,
        "data-focus-key": `cancel:${batch.id}`,
      }, "Cancel")
      : null;
    if (cancel) cancel.addEventListener("click", () => handlers.cancel(store.id, batch.id));
    return el("div", { className: "batch", "data-batch": batch.id },
      el("div", { className: "batch-head" },
        el("h4", { className: "mono grow" }, batch.id, " ", FI.chip(batch.status)),
        cancel),
      el("p", { className: "counts" }, FI.counts(batch.file_counts)),
      batch.files.length ? timeline(batch, now) : null,
      filesTable(batch, now, handlers.openBatches));
  }

  FI.renderStores = (state, handlers) => {
    const now = state.clock.now;
    const stores = state.vector_stores.map((store) => el(
      "div", { className: "store", "data-vector-store": store.id },
      el("div", { className: "store-head" },
        el("h3", { className: "mono" }, store.id), store.name ? el("span", {}, `“${store.name}”`) : null,
        FI.chip(store.status),
        el("span", { className: "counts" }, `files: ${FI.counts(store.file_counts)}`,
          store.owner ? ` · owner ${store.owner}` : "")),
      store.file_batches.map((batch) => renderBatch(store, batch, now, handlers)),
      store.file_batches_total > store.file_batches.length
        ? el("p", {}, `Showing the newest ${store.file_batches.length} of ` +
          `${store.file_batches_total} batches.`)
        : null,
    ));
    if (!stores.length) stores.push(el("p", { className: "muted" }, "No vector stores."));
    if (state.vector_stores_total > state.vector_stores.length) {
      stores.push(el("p", {}, `Showing the newest ${state.vector_stores.length} of ` +
        `${state.vector_stores_total} vector stores.`));
    }
    FI.$("stores").replaceChildren(...stores);
  };
})();
