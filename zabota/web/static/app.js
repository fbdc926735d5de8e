// Zabota operator UI: live updates over SSE, the composer, keyboard shortcuts. No framework.
(function () {
  "use strict";
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  function toast(text) {
    const box = $("#toast");
    if (!box) return;
    const item = document.createElement("div");
    item.className = "toast-item";
    item.textContent = text;
    box.appendChild(item);
    setTimeout(() => item.remove(), 6000);
  }

  // --- composer: reply or note, Ctrl+Enter sends, text survives live refreshes -------------
  function setMode(form, mode) {
    form.setAttribute("hx-post", mode === "note" ? form.dataset.noteUrl : form.dataset.replyUrl);
    form.classList.toggle("note-mode", mode === "note");
    $$(".mode", form).forEach((b) => b.classList.toggle("active", b.dataset.mode === mode));
    const text = $("textarea", form);
    text.placeholder = mode === "note" ? text.dataset.notePlaceholder : text.dataset.replyPlaceholder;
    htmx.process(form);
  }
  document.addEventListener("click", (event) => {
    const button = event.target.closest(".composer .mode");
    if (button) setMode(button.closest("form"), button.dataset.mode);
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.id === "composer-text" && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      htmx.trigger(event.target.form, "submit");
    }
  });
  let kept = null;
  document.addEventListener("htmx:beforeSwap", (event) => {
    const composer = $("#composer");
    if (event.detail.target.id === "conversation" && composer) {
      const sameConversation = event.detail.requestConfig && event.detail.requestConfig.verb === "get";
      kept = sameConversation ? { id: $(".pane").dataset.conversation, text: $("#composer-text").value,
        mode: composer.classList.contains("note-mode") ? "note" : "reply" } : null;
    }
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "conversation") return;
    const pane = $(".pane");
    document.body.classList.toggle("has-conversation", !!pane);
    if (pane && kept && kept.id === pane.dataset.conversation) {
      $("#composer-text").value = kept.text;
      setMode($("#composer"), kept.mode);
    }
    kept = null;
    const thread = $("#thread");
    if (thread) thread.scrollTop = thread.scrollHeight;
    markActiveRow();
  });
  document.addEventListener("htmx:responseError", (event) => {
    let detail = event.detail.xhr.statusText;
    const body = event.detail.xhr.responseText || "";
    try { detail = JSON.parse(body).detail || detail; } catch (e) { if (body && body.length < 400) detail = body; }
    toast(detail);
  });

  // --- the list follows every change ------------------------------------------------------
  let refreshTimer = null;
  function refreshList() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      const list = $("#list");
      if (!list) return;
      const search = $("#search-input");
      let query = list.dataset.query || "";
      if (search && search.value) query += "&q=" + encodeURIComponent(search.value);
      htmx.ajax("GET", "/inbox/list?" + query, { target: "#list", swap: "innerHTML" }).then(markActiveRow);
    }, 150);
  }
  function refreshConversation(id) {
    const pane = $(".pane");
    if (pane && pane.dataset.conversation === String(id)) {
      htmx.ajax("GET", "/inbox/c/" + id, { target: "#conversation", swap: "innerHTML" });
    }
  }
  document.body.addEventListener("inbox-changed", refreshList);

  function markActiveRow() {
    const pane = $(".pane");
    $$(".rows .row").forEach((row) => row.classList.toggle("active", !!pane && row.dataset.id === pane.dataset.conversation));
  }

  // --- live: server-sent events, resumed with Last-Event-ID after a drop -------------------
  function connect() {
    if (!$("#list") || !window.EventSource) return;
    const state = $("#live-state");
    // Resume from the event the page was rendered at; after a drop the browser sends Last-Event-ID.
    const source = new EventSource("/live/events?after=" + encodeURIComponent($("#list").dataset.after || ""));
    source.onopen = () => { if (state) { state.classList.add("on"); state.title = state.dataset.online; } };
    source.onerror = () => { if (state) { state.classList.remove("on"); state.title = state.dataset.offline; } };
    source.addEventListener("change", (message) => {
      const event = JSON.parse(message.data);
      refreshList();
      if (event.conversation_id) refreshConversation(event.conversation_id);
    });
    source.addEventListener("mention", (message) => {
      const event = JSON.parse(message.data);
      toast(event.text);
      const bell = document.createElement("a");
      bell.href = "/inbox/c/" + event.conversation_id;
    });
  }

  // --- keyboard: j/k move, r reply, n note, e resolve, / search ----------------------------
  function move(step) {
    const rows = $$(".rows .row");
    if (!rows.length) return;
    let index = rows.findIndex((row) => row.classList.contains("active"));
    index = Math.max(0, Math.min(rows.length - 1, index + step));
    $("a", rows[index]).click();
    rows[index].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", (event) => {
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(event.target.tagName);
    if (event.key === "Escape" && typing) { event.target.blur(); return; }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    const composer = $("#composer");
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "r": if (composer) { setMode(composer, "reply"); $("#composer-text").focus(); event.preventDefault(); } break;
      case "n": if (composer) { setMode(composer, "note"); $("#composer-text").focus(); event.preventDefault(); } break;
      case "e": { const resolve = $("[data-action=resolve]"); if (resolve) resolve.click(); break; }
      case "/": { const search = $("#search-input"); if (search) { search.focus(); event.preventDefault(); } break; }
      default: break;
    }
  });

  document.addEventListener("DOMContentLoaded", () => { connect(); markActiveRow(); });
})();
