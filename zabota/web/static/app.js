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
    // Narrow screens show the list or the conversation: "back" returns to the list.
    const back = event.target.closest("[data-back]");
    if (back && $("#list")) {
      event.preventDefault();
      const conversation = $("#conversation");
      conversation.classList.remove("show-sidebar");
      conversation.innerHTML = "";
      document.body.classList.remove("has-conversation");
      history.pushState({}, "", "/inbox?" + ($("#list").dataset.query || ""));
      refreshList();
    }
    if (event.target.closest("[data-toggle-sidebar]")) $("#conversation").classList.toggle("show-sidebar");
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.id === "composer-text" && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      htmx.trigger(event.target.form, "submit");
    }
  });
  // --- canned replies: "/" + shortcut at the start of the box, or the button ---------------
  let pickerTimer = null;
  let pickerSlash = false; // true: the box holds "/query", replaced by the reply; false: insert at the caret
  function picker() { return $("#canned-picker"); }
  function pickerOpen() { const p = picker(); return !!p && !p.hidden; }
  function closePicker() { const p = picker(); if (p) { p.hidden = true; p.innerHTML = ""; } }
  function loadPicker(query) {
    const p = picker();
    if (!p) return;
    clearTimeout(pickerTimer);
    pickerTimer = setTimeout(() => {
      fetch(p.dataset.url + "?q=" + encodeURIComponent(query), { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then((response) => response.ok ? response.text() : Promise.reject(response.statusText))
        .then((html) => { p.innerHTML = html; p.hidden = false; })
        .catch((error) => toast(String(error)));
    }, 120);
  }
  function movePicker(step) {
    const options = $$(".canned-option", picker());
    if (!options.length) return;
    let index = options.findIndex((o) => o.classList.contains("active"));
    index = (index + step + options.length) % options.length;
    options.forEach((o, i) => { o.classList.toggle("active", i === index); o.setAttribute("aria-selected", String(i === index)); });
    options[index].scrollIntoView({ block: "nearest" });
  }
  function insertCanned(option) {
    const box = $("#composer-text");
    if (!option || !box) return;
    const text = option.dataset.text;
    if (pickerSlash) {
      box.value = text;
    } else {
      const start = box.selectionStart, end = box.selectionEnd;
      box.value = box.value.slice(0, start) + text + box.value.slice(end);
      box.selectionStart = box.selectionEnd = start + text.length;
    }
    closePicker();
    box.focus();
  }
  document.addEventListener("input", (event) => {
    if (event.target.id !== "composer-text") return;
    const match = /^\/([^\s]*)$/.exec(event.target.value);
    if (match) { pickerSlash = true; loadPicker(match[1]); } else if (pickerSlash) { pickerSlash = false; closePicker(); }
  });
  document.addEventListener("click", (event) => {
    const option = event.target.closest(".canned-option");
    if (option) { insertCanned(option); return; }
    if (event.target.closest("[data-canned-open]")) {
      const box = $("#composer-text");
      if (pickerOpen()) { closePicker(); return; }
      if (box && !box.value) { box.value = "/"; pickerSlash = true; } else { pickerSlash = false; }
      loadPicker("");
      if (box) box.focus();
    }
  });
  // Capture phase: the picker's keys win over Ctrl+Enter and the global shortcuts.
  document.addEventListener("keydown", (event) => {
    if (event.target.id !== "composer-text" || !pickerOpen()) return;
    const keys = { ArrowDown: () => movePicker(1), ArrowUp: () => movePicker(-1), Escape: closePicker,
      Enter: () => insertCanned($(".canned-option.active", picker())), Tab: () => insertCanned($(".canned-option.active", picker())) };
    if (!keys[event.key] || (event.key === "Enter" && (event.ctrlKey || event.metaKey))) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    keys[event.key]();
  }, true);

  // --- attachments: uploaded at once through the API, sent with the next reply ---------------
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; } catch (e) { return ""; }
  }
  function syncRequired() {
    const text = $("#composer-text");
    if (text) text.required = !$("#composer-files input[name=attachment_ids]");
  }
  async function upload(input, file) {
    const chip = document.createElement("span");
    chip.className = "file-chip uploading";
    chip.textContent = file.name;
    $("#composer-files").appendChild(chip);
    const body = new FormData();
    body.append("file", file);
    try {
      const response = await fetch(input.dataset.uploadUrl, {
        method: "POST", body, credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfToken(), "Accept-Language": document.body.dataset.language || "" },
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(data.detail || response.statusText);
      chip.classList.remove("uploading");
      chip.dataset.id = data.id;
      const hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = "attachment_ids"; hidden.value = data.id;
      const remove = document.createElement("button");
      remove.type = "button"; remove.className = "link"; remove.textContent = "×";
      remove.setAttribute("aria-label", "remove");
      remove.addEventListener("click", () => { chip.remove(); syncRequired(); });
      chip.append(hidden, remove);
    } catch (error) {
      chip.remove();
      toast(file.name + ": " + error.message);
    }
    syncRequired();
  }
  document.addEventListener("change", (event) => {
    if (event.target.id !== "composer-file") return;
    Array.from(event.target.files).forEach((file) => upload(event.target, file));
    event.target.value = "";
  });

  let kept = null;
  document.addEventListener("htmx:beforeSwap", (event) => {
    const composer = $("#composer");
    if (event.detail.target.id === "conversation" && composer) {
      const sameConversation = event.detail.requestConfig && event.detail.requestConfig.verb === "get";
      kept = sameConversation ? { id: $(".pane").dataset.conversation, text: $("#composer-text").value,
        mode: composer.classList.contains("note-mode") ? "note" : "reply",
        files: Array.from($$("#composer-files .file-chip:not(.uploading)")) } : null;
    }
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "conversation") return;
    const pane = $(".pane");
    document.body.classList.toggle("has-conversation", !!pane);
    if (pane && kept && kept.id === pane.dataset.conversation) {
      $("#composer-text").value = kept.text;
      setMode($("#composer"), kept.mode);
      kept.files.forEach((chip) => $("#composer-files").appendChild(chip));
      syncRequired();
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
    $$(".rows .row").forEach((row) => {
      const active = !!pane && row.dataset.id === pane.dataset.conversation;
      row.classList.toggle("active", active);
      if (active) {  // the operator is reading it: not "new", whatever order the list and pane loaded in
        row.classList.remove("unread");
        $$(".badge.unread", row).forEach((badge) => badge.remove());
      }
    });
  }

  // --- live: server-sent events, resumed with Last-Event-ID after a drop -------------------
  function connect() {
    if (!$("#list") || !window.EventSource) return;
    const state = $("#live-state");
    // Resume from the event the page was rendered at; after a drop the browser sends Last-Event-ID.
    const source = new EventSource("/live/events?after=" + encodeURIComponent($("#list").dataset.after || ""));
    const show = (on) => {
      if (!state) return;
      state.classList.toggle("on", on);
      state.textContent = on ? state.dataset.online : state.dataset.offline;
    };
    source.onopen = () => show(true);
    source.onerror = () => show(false);
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

  // --- SLA and waiting badges keep counting while the page stays open ----------------------
  let messages = null;
  function t(message, params) {
    if (messages === null) {
      const source = $("#i18n");
      try { messages = source ? JSON.parse(source.textContent) : {}; } catch (e) { messages = {}; }
    }
    let text = messages[message] || message;
    Object.keys(params || {}).forEach((key) => { text = text.replace("{" + key + "}", params[key]); });
    return text;
  }
  // The same rounding as zabota.web.render.format_span.
  function span(seconds, up) {
    const minutes = Math.max(1, (up === false ? Math.floor : Math.ceil)(Math.abs(seconds) / 60));
    if (minutes < 60) return t("{n} min", { n: minutes });
    if (minutes < 48 * 60) {
      const hours = Math.floor(minutes / 60), rest = minutes % 60;
      return rest ? t("{h} h {m} min", { h: hours, m: rest }) : t("{n} h", { n: hours });
    }
    return t("{n} d", { n: Math.floor(minutes / 1440) });
  }
  function tick() {
    const now = Date.now();
    $$(".sla[data-due]").forEach((badge) => {
      const left = (Date.parse(badge.dataset.due) - now) / 1000;
      const flagged = badge.hasAttribute("data-sla-breached");
      const text = $(".sla-text", badge);
      if (text) text.textContent = left > 0 ? t("SLA: {time} left", { time: span(left) }) : t("SLA overdue {time}", { time: span(-left, false) });
      badge.classList.toggle("breach", flagged || left <= 0);
      badge.classList.toggle("warn", !flagged && left > 0 && left < 900);
      badge.classList.toggle("calm", !flagged && left >= 900);
    });
    $$("[data-since]").forEach((badge) => {
      badge.textContent = t("waits {time}", { time: span((now - Date.parse(badge.dataset.since)) / 1000, false) });
    });
  }
  setInterval(tick, 15000);

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

  // --- presence: the open tab says it is here; the header shows what that amounts to ---------
  function heartbeat() {
    if ($("#presence")) htmx.ajax("POST", "/presence/heartbeat", { source: "#presence", target: "#presence", swap: "outerHTML" });
  }
  function startHeartbeat() {
    const form = $("#presence");
    if (!form) return;
    heartbeat();
    setInterval(heartbeat, (parseInt(form.dataset.heartbeat, 10) || 60) * 1000);
  }

  // --- widget conversations: the customer's typing shows in the pane; the operator's reaches them
  let typingSource = null, typingFor = null, typingSent = 0, typingTimer = null;
  function followTyping() {
    const pane = $(".pane");
    const id = pane && $("#typing-indicator") ? pane.dataset.conversation : null;
    if (id === typingFor) return;
    if (typingSource) { typingSource.close(); typingSource = null; }
    typingFor = id;
    if (!id || !window.EventSource) return;
    typingSource = new EventSource("/live/typing/" + id);
    typingSource.addEventListener("typing", (message) => {
      const box = $("#typing-indicator");
      if (!box) return;
      box.hidden = !JSON.parse(message.data).typing;
      clearTimeout(typingTimer);
      if (!box.hidden) typingTimer = setTimeout(() => { box.hidden = true; }, 6000);
    });
  }
  document.addEventListener("input", (event) => {
    const mode = $("#composer .mode.active");
    if (event.target.id !== "composer-text" || !$("#typing-indicator") || (mode && mode.dataset.mode === "note")) return;
    if (Date.now() - typingSent < 2500) return;
    typingSent = Date.now();
    fetch("/inbox/c/" + $(".pane").dataset.conversation + "/typing", { method: "POST", headers: { "X-CSRF-Token": csrfToken() } });
  });
  document.addEventListener("htmx:afterSettle", followTyping);

  document.addEventListener("DOMContentLoaded", () => { connect(); markActiveRow(); startHeartbeat(); followTyping(); });
})();
