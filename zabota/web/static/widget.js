/* Zabota chat widget: one hand-written file, no dependencies, nothing loaded from elsewhere.
 * <script src="https://HOST/widget.js" data-inbox="KEY" async></script>
 * optional: data-user-id + data-user-hash (HMAC-SHA256 of the id under the inbox secret), data-language.
 * The UI lives in a shadow root (docs/adr/0006-widget.md); the visitor's token is kept in localStorage
 * and sent in the X-Widget-Token header; live updates come over server-sent events read with fetch. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-inbox]");
  if (!script || !script.dataset.inbox || window.__zabotaWidget) return;
  window.__zabotaWidget = true;
  var KEY = script.dataset.inbox;
  var BASE = new URL(script.src, location.href).origin;
  var API = BASE + "/widget/v1/" + encodeURIComponent(KEY);
  var USER = script.dataset.userId || "", HASH = script.dataset.userHash || "";
  var LANG = script.dataset.language || ((navigator.language || "").slice(0, 2) === "ru" ? "ru" : "en");
  var STORE = "zabota:" + KEY + ":";
  var cfg = null, token = null, S = {}, messages = {}, pending = {}, lastId = 0, cursor = 0;
  var hasConversation = false, handoffOffered = false, stream = null, retry = 0, opened = false, started = false;
  var typingSent = 0, typingTimer = null, suggestTimer = null;

  function store(name, value) {
    try { if (value === undefined) return localStorage.getItem(STORE + name); if (value === null) localStorage.removeItem(STORE + name); else localStorage.setItem(STORE + name, value); } catch (e) { return null; }
    return null;
  }
  function tokenName() { return USER ? "user:" + USER : "anon"; }
  function t(name, params) {
    var text = (S && S[name]) || name;
    Object.keys(params || {}).forEach(function (k) { text = text.split("{" + k + "}").join(params[k]); });
    return text;
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function uid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function call(method, path, body, extra) {
    var headers = { "Accept-Language": LANG };
    if (token) headers["X-Widget-Token"] = token;
    var init = { method: method, headers: headers, mode: "cors", credentials: "omit" };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    Object.keys(extra || {}).forEach(function (k) { headers[k] = extra[k]; });
    return fetch(API + path, init).then(function (response) {
      var type = response.headers.get("content-type") || "";
      var parse = type.indexOf("json") >= 0 ? response.json() : Promise.resolve({});
      return parse.then(function (data) {
        if (!response.ok) { var error = new Error(data.detail || response.status); error.status = response.status; error.data = data; throw error; }
        return data;
      });
    });
  }

  // --- the shadow DOM ------------------------------------------------------------------------
  var host = el("div");
  host.id = "zabota-widget";
  var root = host.attachShadow({ mode: "open" });
  var css = ":host{all:initial}*{box-sizing:border-box;font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif}" +
    ".launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483646;display:flex;align-items:center;justify-content:center}" +
    ".panel{position:fixed;right:20px;bottom:88px;width:370px;max-width:calc(100vw - 24px);height:560px;max-height:calc(100vh - 110px);background:#fff;border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.25);display:flex;flex-direction:column;overflow:hidden;z-index:2147483647;color:#111827}" +
    ".panel[hidden]{display:none}header{color:#fff;padding:12px 14px;display:flex;align-items:center;justify-content:space-between}header b{font-size:16px}" +
    "header button{background:none;border:0;color:#fff;font-size:20px;cursor:pointer}.state{font-size:12px;background:#fef3c7;color:#92400e;padding:4px 12px}" +
    ".notice{background:#eff6ff;color:#1e3a8a;padding:8px 12px;font-size:13px}.notice form{display:flex;gap:6px;margin-top:6px}" +
    "input,textarea{border:1px solid #d1d5db;border-radius:8px;padding:7px 9px;width:100%;color:#111827;background:#fff}" +
    "button.primary{border:0;border-radius:8px;color:#fff;padding:7px 12px;cursor:pointer;white-space:nowrap}" +
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f9fafb}" +
    ".msg{max-width:82%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}" +
    ".msg.in{align-self:flex-end;color:#fff;border-bottom-right-radius:4px}.msg.out{align-self:flex-start;background:#fff;border:1px solid #e5e7eb;border-bottom-left-radius:4px}" +
    ".msg small{display:block;font-size:11px;opacity:.7;margin-bottom:2px}.msg.failed{opacity:.6;cursor:pointer;outline:2px solid #dc2626}.msg.sending{opacity:.7}" +
    ".msg a{color:inherit;text-decoration:underline;cursor:pointer;display:block}.msg img{max-width:100%;border-radius:8px;margin-top:4px;display:block}" +
    ".greeting{align-self:flex-start;background:#fff;border:1px solid #e5e7eb;padding:8px 11px;border-radius:12px}" +
    ".handoff{align-self:flex-start;background:#fff;border:1px solid;border-radius:16px;padding:5px 12px;cursor:pointer}" +
    ".typing{font-size:12px;color:#6b7280;padding:0 12px 4px;min-height:16px}.suggest{padding:6px 12px;background:#fff;border-top:1px solid #e5e7eb;font-size:13px}" +
    ".suggest a{display:block;color:#1d4ed8;margin:3px 0}.prechat{padding:12px;display:flex;flex-direction:column;gap:8px;background:#fff}" +
    ".prechat label{font-size:13px;display:flex;gap:6px;align-items:flex-start}.prechat input[type=checkbox]{width:auto}" +
    ".composer{display:flex;gap:6px;padding:8px;border-top:1px solid #e5e7eb;align-items:flex-end;background:#fff}" +
    ".composer textarea{resize:none;height:40px;max-height:120px}.attach{border:0;background:none;color:#6b7280;cursor:pointer;padding:8px 2px}.attach:disabled{opacity:.3;cursor:default}" +
    ".error{color:#b91c1c;font-size:12px;padding:0 12px}";
  var style = el("style");
  style.textContent = css;
  var BUBBLE = '<svg width="26" height="26" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true"><path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>';
  var CROSS = '<svg width="22" height="22" viewBox="0 0 24 24" stroke="currentColor" stroke-width="2.5" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"/></svg>';
  var CLIP = '<svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true"><path d="M21 11l-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7"/></svg>';
  var launcher = el("button", "launcher");
  launcher.innerHTML = BUBBLE;
  var panel = el("div", "panel");
  panel.hidden = true;
  var head = el("header"), title = el("b"), close = el("button", "close", "×");
  head.append(title, close);
  var state = el("div", "state"), notice = el("div", "notice"), log = el("div", "log"), typing = el("div", "typing");
  var suggest = el("div", "suggest"), prechat = el("form", "prechat"), error = el("div", "error");
  var composer = el("form", "composer"), attach = el("button", "attach"), file = el("input");
  attach.innerHTML = CLIP;
  var text = el("textarea"), send = el("button", "primary send");
  state.hidden = notice.hidden = suggest.hidden = prechat.hidden = true;
  attach.type = "button"; send.type = "submit"; file.type = "file"; file.hidden = true;
  text.rows = 1;
  composer.append(attach, file, text, send);
  panel.append(head, state, notice, log, typing, suggest, prechat, error, composer);
  root.append(style, launcher, panel);

  function paint() {
    var color = cfg.color || "#2563eb";
    launcher.style.background = head.style.background = send.style.background = color;
    launcher.title = launcher.ariaLabel = t("open");
    close.title = t("close");
    title.textContent = cfg.title || t("open");
    text.placeholder = t("placeholder");
    send.textContent = t("send");
    attach.title = t("attach");
    style.textContent = css + ".msg.in{background:" + color + "}.handoff{color:" + color + "}button.primary{background:" + color + "}";
  }

  // --- messages ------------------------------------------------------------------------------
  function author(m) {
    if (m.direction === "in") return t("you");
    if (m.author_kind === "bot") return t("bot");
    return m.author_name || t("operator");
  }
  function render(m, node) {
    node = node || el("div");
    node.className = "msg " + (m.direction === "in" ? "in" : "out");
    node.textContent = "";
    node.dataset.id = m.id || "";
    node.dataset.kind = m.author_kind || "customer";
    node.append(el("small", "", author(m)));
    if (m.text) node.append(document.createTextNode(m.text));
    (m.attachments || []).forEach(function (a) {
      var link = el("a", "", a.filename);
      link.addEventListener("click", function () { download(a, true); });
      node.append(link);
      if ((a.content_type || "").indexOf("image/") === 0) {
        download(a, false).then(function (url) { var img = el("img"); img.src = url; img.alt = a.filename; node.append(img); });
      }
    });
    return node;
  }
  function download(a, save) {
    return fetch(API + "/attachments/" + a.id, { headers: { "X-Widget-Token": token }, credentials: "omit" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.blob(); })
      .then(function (blob) {
        var url = URL.createObjectURL(blob);
        if (save) { var link = el("a"); link.href = url; link.download = a.filename; root.append(link); link.click(); link.remove(); }
        return url;
      });
  }
  function addMessage(m) {
    if (!m || !m.id || messages[m.id]) return;  // each message shows once, whatever the path it came by
    var node = m.client_id && pending[m.client_id] ? pending[m.client_id].node : null;
    if (node) delete pending[m.client_id];
    messages[m.id] = render(m, node);
    if (!node) log.append(messages[m.id]);
    lastId = Math.max(lastId, m.id);
    if (m.author_kind === "bot") handoffOffered = true;
    if (m.author_kind === "operator") handoffOffered = false;
    hasConversation = true;
    placeHandoff();
    scroll();
  }
  function scroll() { log.scrollTop = log.scrollHeight; }
  var handoff = el("button", "handoff");
  handoff.type = "button";
  handoff.addEventListener("click", function () {
    handoff.disabled = true;
    call("POST", "/handoff").then(function () { handoffOffered = false; placeHandoff(); info(t("handoff_done")); })
      .catch(showError).then(function () { handoff.disabled = false; });
  });
  function placeHandoff() {
    handoff.textContent = t("handoff");
    var last = log.lastElementChild;
    if (handoffOffered && last && last !== handoff && last.dataset.kind === "bot") log.append(handoff);
    else if (!handoffOffered && handoff.parentNode) handoff.remove();
  }
  function info(message) { var node = el("div", "greeting", message); log.append(node); scroll(); }
  function showError(e) { error.textContent = (e && e.data && e.data.detail) || (e && e.message) || ""; setTimeout(function () { error.textContent = ""; }, 6000); }

  // --- session -------------------------------------------------------------------------------
  function begin(signed) {
    token = store(tokenName());
    var body = { language: LANG };
    if (signed) { body.user_id = USER; body.user_hash = HASH; }
    return call("POST", "/session", body).then(function (data) {
      token = data.token;
      store(tokenName(), token);
      host.dataset.identity = data.verified ? "verified" : "anonymous";
      hasConversation = data.has_conversation;
      if (signed && data.verified) store("anon", null);  // its conversation now belongs to the user
    }, function (e) {
      if (signed && e.status === 403) {  // a wrong hash: stay anonymous, say nothing to the visitor
        USER = "";
        host.dataset.identity = "refused";
        return begin(false).then(function () { host.dataset.identity = "refused"; });
      }
      throw e;
    });
  }
  function start() {
    if (started) return Promise.resolve();
    started = true;
    return begin(!!(USER && HASH)).then(function () { return call("GET", "/messages?after=0"); }).then(function (data) {
      cursor = data.cursor;
      if (cfg.greeting) info(cfg.greeting);
      data.messages.forEach(addMessage);
      handoffOffered = data.handoff_offered;
      placeHandoff();
      hasConversation = data.has_conversation;
      attach.disabled = !hasConversation;
      if (cfg.prechat && cfg.prechat.enabled && !hasConversation && !store("prechat")) showPrechat();
      if (!cfg.available) showOffline();
      connect();
    }).catch(function (e) { started = false; showError(e); });
  }

  // --- live: server-sent events over fetch (a header can carry the token), resumed by id --------
  function connect() {
    if (stream) stream.abort();
    var controller = new AbortController();
    stream = controller;
    var headers = { "X-Widget-Token": token, "Accept": "text/event-stream" };
    if (cursor) headers["Last-Event-ID"] = String(cursor);
    fetch(API + "/stream", { headers: headers, signal: controller.signal, credentials: "omit", cache: "no-store" }).then(function (response) {
      if (!response.ok || !response.body) throw new Error(response.status);
      retry = 0;
      state.hidden = true;
      host.dataset.live = "on";
      var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) throw new Error("closed");
          buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, "\n");
          var at;
          while ((at = buffer.indexOf("\n\n")) >= 0) { dispatch(buffer.slice(0, at)); buffer = buffer.slice(at + 2); }
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      if (controller !== stream || controller.signal.aborted) return;
      host.dataset.live = "off";
      state.textContent = t("reconnecting");
      state.hidden = false;
      var delay = Math.min(30000, 1000 * Math.pow(2, retry++)) * (0.75 + Math.random() / 2);
      setTimeout(function () { if (controller === stream) connect(); }, delay);
    });
  }
  function dispatch(block) {
    var name = "message", data = "", id = null;
    block.split("\n").forEach(function (line) {
      if (line.indexOf("id:") === 0) id = line.slice(3).trim();
      else if (line.indexOf("event:") === 0) name = line.slice(6).trim();
      else if (line.indexOf("data:") === 0) data += line.slice(5).trim();
    });
    if (!data) return;
    if (id && +id > cursor) cursor = +id;  // the resume point after a drop
    var event = JSON.parse(data);
    if (name === "message") { addMessage(event.message); if (event.message.direction === "out") showTyping(false); }
    else if (name === "typing") showTyping(event.typing, event.name);
    else if (name === "handoff") { handoffOffered = false; placeHandoff(); }
  }
  window.addEventListener("online", function () { if (started) { retry = 0; connect(); } });
  window.addEventListener("offline", function () {  // the network is gone: drop the stream now, resume later
    if (stream) { stream.abort(); stream = null; }
    host.dataset.live = "off";
    state.textContent = t("reconnecting");
    state.hidden = false;
  });
  function showTyping(on, name) {
    clearTimeout(typingTimer);
    typing.textContent = on ? t("typing", { name: name || t("operator") }) : "";
    if (on) typingTimer = setTimeout(function () { typing.textContent = ""; }, 6000);
  }

  // --- sending -------------------------------------------------------------------------------
  function submit(textValue, attachmentIds, clientId, node) {
    clientId = clientId || uid();
    var local = { id: 0, direction: "in", author_kind: "customer", text: textValue, attachments: [] };
    node = node || render(local);
    node.className = "msg in sending";
    pending[clientId] = { node: node };
    if (!node.parentNode) log.append(node);
    scroll();
    var first = !hasConversation;
    return call("POST", "/messages", { client_id: clientId, text: textValue, attachment_ids: attachmentIds || [] }).then(function (data) {
      node.classList.remove("sending", "failed");
      addMessage(data.message);
      attach.disabled = false;
      suggest.hidden = true;
      if (first) connect();  // the stream now follows the new conversation
    }, function (e) {
      node.classList.remove("sending");
      node.classList.add("failed");
      node.title = t("failed");
      node.onclick = function () { node.onclick = null; submit(textValue, attachmentIds, clientId, node); };
      showError(e);
    });
  }
  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var value = text.value.trim();
    if (!value) return;
    text.value = "";
    submit(value, []);
  });
  text.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); composer.requestSubmit ? composer.requestSubmit() : composer.dispatchEvent(new Event("submit")); }
  });
  text.addEventListener("input", function () {
    if (hasConversation) {
      if (Date.now() - typingSent > 2500) { typingSent = Date.now(); call("POST", "/typing", { typing: true }).catch(function () {}); }
      return;
    }
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(suggestArticles, 300);
  });
  function suggestArticles() {
    var q = text.value.trim();
    if (q.length < 3) { suggest.hidden = true; return; }
    call("GET", "/suggest?lang=" + LANG + "&q=" + encodeURIComponent(q)).then(function (data) {
      suggest.textContent = "";
      if (!data.articles.length || hasConversation) { suggest.hidden = true; return; }
      suggest.append(el("div", "", t("suggestions")));
      data.articles.forEach(function (a) {
        var link = el("a", "", a.title);
        link.href = a.url; link.target = "_blank"; link.rel = "noopener";
        suggest.append(link);
      });
      suggest.hidden = false;
    }).catch(function () {});
  }
  attach.addEventListener("click", function () { file.click(); });
  file.addEventListener("change", function () {
    var chosen = file.files && file.files[0];
    file.value = "";
    if (!chosen) return;
    var limit = (cfg.attachments || {}).max_bytes;
    if (limit && chosen.size > limit) { showError({ message: chosen.name + " > " + Math.round(limit / 1048576 * 10) / 10 + " MB" }); return; }
    var form = new FormData();
    form.append("file", chosen, chosen.name);
    call("POST", "/attachments", form).then(function (data) {
      var caption = text.value.trim();
      text.value = "";
      return submit(caption, [data.id]);
    }).catch(showError);
  });

  // --- pre-chat form and offline email ----------------------------------------------------------
  function field(name, type, label) {
    var input = el("input");
    input.name = name; input.type = type; input.placeholder = label;
    return input;
  }
  function showPrechat() {
    var required = cfg.prechat.required || [];
    prechat.textContent = "";
    prechat.append(el("b", "", t("prechat_title")), field("name", "text", t("name")), field("email", "email", t("email")), field("phone", "tel", t("phone")));
    var consent = el("label"), box = field("consent", "checkbox", "");
    consent.append(box, document.createTextNode(t("consent")));
    var go = el("button", "primary", t("start"));
    go.type = "submit";
    go.style.background = cfg.color;
    prechat.append(consent, go);
    prechat.elements.name.required = required.indexOf("name") >= 0;
    prechat.elements.email.required = required.indexOf("email") >= 0;
    prechat.elements.phone.required = required.indexOf("phone") >= 0;
    box.required = required.indexOf("consent") >= 0;
    prechat.hidden = false;
    composer.hidden = true;
  }
  prechat.addEventListener("submit", function (event) {
    event.preventDefault();
    var f = prechat.elements;
    call("POST", "/prechat", { name: f.name.value, email: f.email.value, phone: f.phone.value, consent: f.consent.checked }).then(function () {
      store("prechat", "1");
      prechat.hidden = true;
      composer.hidden = false;
      text.focus();
    }).catch(showError);
  });
  function showOffline() {
    notice.textContent = "";
    notice.append(el("div", "", cfg.offline_notice || ""));
    if (store("email")) { notice.append(el("div", "", t("email_saved", { email: store("email") }))); notice.hidden = false; return; }
    var form = el("form"), input = field("email", "email", t("email")), save = el("button", "primary", t("save"));
    input.required = true;
    save.type = "submit";
    save.style.background = cfg.color;
    form.append(input, save);
    notice.append(el("div", "", t("offline_email")), form);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      call("POST", "/email", { email: input.value }).then(function (data) {
        store("email", data.email);
        form.replaceWith(el("div", "", t("email_saved", { email: data.email })));
      }).catch(showError);
    });
    notice.hidden = false;
  }

  // --- open and close ------------------------------------------------------------------------
  function toggle(open) {
    opened = open === undefined ? !opened : open;
    panel.hidden = !opened;
    launcher.innerHTML = opened ? CROSS : BUBBLE;
    if (opened) start().then(function () { text.focus(); scroll(); });
  }
  launcher.addEventListener("click", function () { toggle(); });
  close.addEventListener("click", function () { toggle(false); });

  function mount() {
    call("GET", "/config?lang=" + LANG).then(function (data) {
      cfg = data;
      S = data.strings || {};
      LANG = data.language || LANG;
      paint();
      document.body.append(host);
      host.dataset.ready = "1";
    }).catch(function (e) { if (window.console) console.warn("Zabota widget:", e.message); });
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
