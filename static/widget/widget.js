/*
 * Lumen Bank embeddable support chat widget.
 *
 * Embed with one tag:
 *   <script src="https://support.example/static/widget/widget.js" defer></script>
 * Optional attributes: data-endpoint (base URL of the support app; defaults to the origin of this script),
 * data-title (panel title), data-open="true" (open the panel at load).
 *
 * Everything renders inside an open Shadow DOM on <div id="supportagent-widget">, so the host page's CSS
 * cannot leak in. The server's Conversation is the source of truth: every API answer re-renders from it.
 * A WebSocket tells us when the conversation changed; polling covers the gaps while an answer is awaited.
 */
(function () {
  "use strict";

  if (window.SupportAgentWidget) return; // the tag was included twice

  // document.currentScript is only set while this file first runs, so read the configuration now.
  const script = document.currentScript;
  const config = readConfig(script);

  const TOKEN_KEY = "supportagent.token";
  const API = `${config.endpoint}/widget/api/`;
  const POLL_MS = 3000;
  const MAX_RECONNECT_MS = 30000;
  const SEND_NETWORK_ERROR = "Can't reach support right now. Your message was not sent; please try again.";
  const NETWORK_ERROR = "Can't reach support right now. Please try again.";
  const ACK_TIMEOUT_MS = 10000; // a message the socket has not acknowledged by then goes over HTTP
  const EXPIRED_NOTICE = "This conversation has expired. Send a message to start a new one.";
  const STATUS_TEXT = {
    typing: "Lumen Bank assistant is typing…",
    review: "A support specialist is checking this answer.",
    handoff: "A member of our team will reply here.",
  };
  const SVG_NS = "http://www.w3.org/2000/svg";
  const THUMB_PATH = "M2 10h4v11H2zM8 10l4-8c1.7 0 2.6 1.3 2.2 3L13.6 9H20a2 2 0 0 1 2 2.3l-1.4 7.6A2.5 2.5 0 0 1 18.1 21H8z";

  const CSS = `
    /* !important in a shadow root's :host beats the page's rules, even its !important ones, so a page style
       such as "div { padding: 40px }" or a transform (which would break position: fixed) can't touch the host. */
    :host { all: initial !important; }
    *, *::before, *::after { box-sizing: border-box; }
    [hidden] { display: none !important; }
    .root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
      font-size: 16px; line-height: 1.45; color: #1b1f29; }
    button, textarea { font: inherit; color: inherit; margin: 0; }
    button { cursor: pointer; }
    button[aria-disabled="true"] { opacity: 0.6; cursor: progress; }
    :focus-visible { outline: 3px solid #1f3a93; outline-offset: 2px; box-shadow: 0 0 0 2px #fff; }
    .header :focus-visible { outline-color: #fff; box-shadow: none; }

    .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; padding: 14px 22px;
      border: 0; border-radius: 999px; background: #1f3a93; color: #fff; font-weight: 600;
      box-shadow: 0 4px 14px rgba(0, 0, 0, 0.25); }
    .launcher:hover { background: #172c70; }

    .panel { position: fixed; right: 20px; bottom: 88px; z-index: 2147483001; display: flex;
      flex-direction: column; width: 380px; height: 560px; max-width: calc(100vw - 40px);
      max-height: calc(100vh - 108px); overflow: hidden; background: #fff; border: 1px solid #c9cfdb;
      border-radius: 12px; box-shadow: 0 10px 40px rgba(0, 0, 0, 0.3); }
    @media (max-width: 480px) {
      .panel { inset: 0; width: 100vw; height: 100vh; height: 100dvh; max-width: none; max-height: none;
        border: 0; border-radius: 0; }
    }

    .header { display: flex; align-items: center; justify-content: space-between; gap: 8px;
      padding: 10px 10px 10px 16px; background: #1f3a93; color: #fff; }
    .header h2 { margin: 0; font-size: 17px; font-weight: 600; }
    .close { width: 40px; height: 40px; border: 0; border-radius: 8px; background: transparent; color: #fff;
      font-size: 26px; line-height: 1; }
    .close:hover { background: rgba(255, 255, 255, 0.15); }

    .body { flex: 1; overflow-y: auto; padding: 16px; background: #f5f6fa; }
    .intro { margin: 0 0 12px; font-size: 15px; color: #3d4557; }
    .messages { display: flex; flex-direction: column; gap: 10px; }
    .msg { max-width: 85%; padding: 10px 12px; border-radius: 14px; background: #fff; border: 1px solid #d5d9e2;
      align-self: flex-start; border-bottom-left-radius: 4px; }
    .msg::before { display: block; font-size: 15px; font-weight: 600; color: #3d4557; }
    .msg[data-message-role="agent"]::before { content: "Lumen Bank assistant"; }
    .msg[data-message-role="staff"]::before { content: "Lumen Bank team"; }
    .msg[data-message-role="staff"] { border-left: 4px solid #0f6b5c; }
    .msg[data-message-role="customer"] { align-self: flex-end; background: #1f3a93; border-color: #1f3a93;
      color: #fff; border-radius: 14px; border-bottom-right-radius: 4px; }
    .msg[data-message-role="customer"]::before { content: "You"; color: #dfe5fb; }
    .msg[data-message-role="system"] { align-self: center; max-width: 95%; border-radius: 8px;
      background: #fff6d6; border-color: #d9bd5c; color: #4a3800; font-size: 15px; text-align: center; }
    .text { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
    .feedback { display: flex; gap: 6px; margin-top: 8px; }
    .thumb { display: inline-grid; place-items: center; width: 36px; height: 36px; padding: 0;
      border: 1px solid #9aa3b5; border-radius: 8px; background: #fff; color: #3d4557; }
    .thumb svg { width: 18px; height: 18px; fill: currentColor; }
    .thumb[data-role="thumb-down"] svg { transform: rotate(180deg); }
    .thumb[aria-pressed="true"] { background: #1f3a93; border-color: #1f3a93; color: #fff; }

    .rating { margin-top: 16px; text-align: center; font-size: 15px; }
    .rating:empty { display: none; }
    .rating p { margin: 0 0 8px; }
    .rating .question { font-weight: 600; }
    .scores { display: flex; justify-content: center; gap: 8px; }
    .scores button { width: 44px; height: 44px; border: 1px solid #1f3a93; border-radius: 50%;
      background: #fff; color: #1f3a93; font-weight: 600; }
    .scores button:hover { background: #eef2fc; }

    .status, .alert { margin: 0; padding: 8px 16px; font-size: 15px; }
    .status:empty, .alert:empty { display: none; }
    .status { background: #eef2fc; color: #1f3a93; border-top: 1px solid #d5dcf0; }
    .status[data-state="typing"] { font-style: italic; }
    .alert { background: #fdecea; color: #8a1c14; border-top: 1px solid #f0b4ad; }
    @media (prefers-reduced-motion: no-preference) {
      .status[data-state="typing"]::before { content: ""; display: inline-block; width: 8px; height: 8px;
        margin-right: 8px; border-radius: 50%; background: currentColor; animation: pulse 0.8s infinite alternate; }
      @keyframes pulse { from { opacity: 0.25; } to { opacity: 1; } }
    }

    .form { display: flex; flex-direction: column; gap: 6px; padding: 12px 16px 8px; border-top: 1px solid #e1e4ec; }
    .form label { font-size: 15px; font-weight: 600; }
    .form textarea { width: 100%; min-height: 64px; max-height: 160px; resize: vertical; padding: 8px 10px;
      font-size: 16px; border: 1px solid #8a93a6; border-radius: 8px; background: #fff; }
    .actions { display: flex; justify-content: space-between; gap: 8px; }
    .actions button { padding: 9px 16px; border-radius: 8px; font-weight: 600; }
    .send { border: 1px solid #1f3a93; background: #1f3a93; color: #fff; }
    .human { border: 1px solid #1f3a93; background: #fff; color: #1f3a93; }
    .footer { padding: 0 16px 10px; text-align: center; }
    .new { padding: 4px; border: 0; background: none; color: #1f3a93; font-size: 15px; text-decoration: underline; }
  `;

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status; // 0 when the request never reached the server
    }
  }

  const state = {
    token: loadToken(),
    conversation: null,
    busy: false, // a send, hand-over or conversation creation is in flight
    sending: false, // a customer message is on its way
    awaitingReply: false, // we sent a message and no reply has been rendered since
    justRated: false, // the customer rated in this page view: thank them
    errorSource: "", // "action" (the customer's own request) or "refresh" (a background fetch)
  };
  const messageNodes = new Map(); // message id -> rendered element, so re-renders keep focus and scroll
  let ui = null;
  let wantOpen = config.open;
  let ratingKey = "";
  let mutations = 0; // counts applied write responses, so a GET that raced a write is not rendered over it
  let refreshing = false;
  let refreshQueued = false;
  let pollTimer = null;
  // acks: the messages sent over the socket and waiting for their acknowledgement, by ref
  const live = { socket: null, delay: 1000, timer: null, held: [], acks: new Map() };

  window.SupportAgentWidget = { open: openPanel, close: () => closePanel(false) };
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });

  // ---- configuration and storage ----

  function readConfig(tag) {
    const data = (tag && tag.dataset) || {};
    const scriptOrigin = tag && tag.src ? new URL(tag.src, location.href).origin : location.origin;
    // An empty data-endpoint (e.g. an unset template variable) falls back to the script's origin.
    const endpoint = data.endpoint ? new URL(data.endpoint, location.href).href : scriptOrigin;
    return {
      endpoint: endpoint.replace(/\/+$/, ""),
      title: data.title || "Lumen Bank support",
      open: data.open === "true",
    };
  }

  // localStorage can throw (blocked storage, sandboxed frames); the widget then keeps the token in memory only.
  function loadToken() {
    try {
      return localStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  }

  function setToken(token) {
    state.token = token;
    try {
      if (token) localStorage.setItem(TOKEN_KEY, token);
      else localStorage.removeItem(TOKEN_KEY);
    } catch {
      // memory only
    }
  }

  // ---- DOM ----

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    }
    node.append(...children); // strings become text nodes, never markup
    return node;
  }

  function thumbIcon() {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", THUMB_PATH);
    svg.append(path);
    return svg;
  }

  function start() {
    const host = el("div", { id: "supportagent-widget" });
    const shadow = host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = CSS;

    ui = {
      shadow,
      launcher: el("button", {
        type: "button", class: "launcher", "data-role": "launcher",
        "aria-expanded": "false", "aria-controls": "sa-panel", onclick: togglePanel,
      }, "Chat with us"),
      close: el("button", {
        type: "button", class: "close", "aria-label": "Close chat", onclick: () => closePanel(true),
      }, "×"),
      body: el("div", { class: "body" }),
      intro: el("p", { class: "intro" },
        "Hi! Ask us anything about your Lumen Bank account. Please never share your PIN or full card number here."),
      messages: el("div", { class: "messages", role: "log", "aria-live": "polite", "data-role": "messages" }),
      rating: el("div", { class: "rating", "data-role": "rating", "aria-live": "polite" }),
      status: el("p", { class: "status", "data-role": "status", "aria-live": "polite" }),
      alert: el("p", { class: "alert", role: "alert", "data-role": "alert" }),
      input: el("textarea", { id: "sa-input", rows: "3", "data-role": "input", onkeydown: onInputKey }),
      send: el("button", { type: "submit", class: "send", "data-role": "send" }, "Send"),
      human: el("button", {
        type: "button", class: "human", "data-role": "human", onclick: requestHuman,
      }, "Talk to a human"),
    };
    ui.body.append(ui.intro, ui.messages, ui.rating);
    const form = el("form", { class: "form", onsubmit: (event) => { event.preventDefault(); sendMessage(); } },
      el("label", { for: "sa-input" }, "Your message"), ui.input, el("div", { class: "actions" }, ui.human, ui.send));
    ui.panel = el("section", {
      id: "sa-panel", class: "panel", role: "dialog", "aria-label": config.title, "data-role": "panel",
      hidden: "", onkeydown: onPanelKey,
    },
      el("div", { class: "header" }, el("h2", {}, config.title), ui.close),
      ui.body, ui.status, ui.alert, form,
      el("div", { class: "footer" }, el("button", {
        type: "button", class: "new", "data-role": "new", onclick: startOver,
      }, "Start a new conversation")));

    shadow.append(style, el("div", { class: "root" }, ui.launcher, ui.panel));
    document.body.append(host);

    // When the scroll area shrinks (a status or error line appears, the textarea grows, a phone keyboard
    // opens), keep the newest content in view if it was in view before, i.e. unless the customer had
    // scrolled up to read.
    let lastHeight = 0;
    new ResizeObserver(() => {
      const { scrollTop, scrollHeight, clientHeight } = ui.body;
      const shrunk = Math.max(0, lastHeight - clientHeight);
      if (scrollHeight - scrollTop - clientHeight <= shrunk + 8) scrollToEnd();
      lastHeight = clientHeight;
    }).observe(ui.body);

    render();
    if (state.token) {
      refresh();
      connectSocket();
    }
    if (wantOpen) openPanel();
  }

  // ---- panel and keyboard ----

  function openPanel() {
    wantOpen = true;
    if (!ui) return; // start() opens it once the page is ready
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    scrollToEnd();
    ui.input.focus({ preventScroll: true });
  }

  // restoreFocus: the close button and Esc always hand focus back to the launcher; a host page calling close()
  // only moves focus if it was inside the panel, so it never steals focus from the page.
  function closePanel(restoreFocus) {
    wantOpen = false;
    if (!ui) return;
    const focusWasInside = ui.panel.contains(ui.shadow.activeElement);
    ui.panel.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
    if (restoreFocus || focusWasInside) ui.launcher.focus();
  }

  function togglePanel() {
    if (ui.panel.hidden) openPanel();
    else closePanel(true);
  }

  function onPanelKey(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      closePanel(true);
    }
  }

  // Enter sends, Shift+Enter is a newline; Enter while an IME is composing text confirms the composition.
  function onInputKey(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendMessage();
    }
  }

  function scrollToEnd() {
    ui.body.scrollTop = ui.body.scrollHeight;
  }

  // ---- rendering ----

  function render() {
    const messages = (state.conversation && state.conversation.messages) || [];
    const last = messages[messages.length - 1];
    // A reply (or nothing at all) is shown: stop waiting. Not while our own message is still on its way.
    if (!state.sending && (!last || last.role !== "customer")) state.awaitingReply = false;
    ui.intro.hidden = messages.length > 0;
    const added = renderMessages(messages);
    renderRating();
    renderStatus();
    if (added) scrollToEnd();
  }

  // Updates the list in place, keyed by message id, so a re-render doesn't steal focus from a thumb button.
  function renderMessages(messages) {
    const seen = new Set();
    let added = false;
    let previous = null;
    for (const message of messages) {
      const key = String(message.id);
      seen.add(key);
      let node = messageNodes.get(key);
      if (!node) {
        node = createMessage(message);
        messageNodes.set(key, node);
        added = true;
      }
      updateMessage(node, message);
      const expected = previous ? previous.nextSibling : ui.messages.firstChild;
      if (node !== expected) ui.messages.insertBefore(node, expected);
      previous = node;
    }
    for (const [key, node] of messageNodes) {
      if (!seen.has(key)) {
        node.remove();
        messageNodes.delete(key);
      }
    }
    return added;
  }

  function createMessage(message) {
    const node = el("div", {
      class: "msg", "data-role": "message", "data-message-role": message.role, "data-message-id": String(message.id),
    }, el("p", { class: "text" }));
    if (message.role === "agent" || message.role === "staff") {
      node.append(el("div", { class: "feedback" },
        el("button", {
          type: "button", class: "thumb", "data-role": "thumb-up", "aria-label": "Helpful",
          "aria-pressed": "false", onclick: () => sendFeedback(message.id, "up"),
        }, thumbIcon()),
        el("button", {
          type: "button", class: "thumb", "data-role": "thumb-down", "aria-label": "Not helpful",
          "aria-pressed": "false", onclick: () => sendFeedback(message.id, "down"),
        }, thumbIcon())));
    }
    return node;
  }

  function updateMessage(node, message) {
    const text = node.querySelector(".text");
    const value = String(message.text == null ? "" : message.text);
    if (text.textContent !== value) text.textContent = value;
    for (const [role, vote] of [["thumb-up", "up"], ["thumb-down", "down"]]) {
      const button = node.querySelector(`[data-role="${role}"]`);
      if (button) button.setAttribute("aria-pressed", String(message.feedback === vote));
    }
  }

  // Rebuilt only when what it shows changes, so a keyboard user's focus on a score button survives refreshes.
  function renderRating() {
    const c = state.conversation;
    let key = "";
    if (c && c.rating != null) key = `rated:${c.rating}:${state.justRated}`;
    else if (c && c.can_rate) key = "ask";
    if (key === ratingKey) return;
    ratingKey = key;
    ui.rating.replaceChildren();
    if (key === "ask") {
      const scores = el("div", { class: "scores", role: "group", "aria-label": "How did we do?" });
      for (let score = 1; score <= 5; score++) {
        scores.append(el("button", {
          type: "button", "aria-label": `Rate ${score} out of 5`, onclick: () => rate(score),
        }, String(score)));
      }
      ui.rating.append(el("p", { class: "question" }, "How did we do?"), scores);
      scrollToEnd();
    } else if (key) {
      if (state.justRated) ui.rating.append(el("p", { class: "question" }, "Thanks for your rating."));
      ui.rating.append(el("p", {}, `You rated this conversation ${c.rating}/5`));
    }
  }

  function currentState() {
    const c = state.conversation;
    if (c && c.status === "awaiting_review") return "review";
    if (c && (c.status === "escalated" || c.status === "needs_human")) return "handoff";
    if (state.sending) return "typing";
    const messages = (c && c.messages) || [];
    const last = messages[messages.length - 1];
    if (last && last.role === "customer" && (c.status === "open" || state.awaitingReply)) return "typing";
    return "";
  }

  function renderStatus() {
    const name = currentState();
    if ((ui.status.dataset.state || "") !== name) {
      if (name) ui.status.dataset.state = name;
      else delete ui.status.dataset.state;
      ui.status.textContent = name ? STATUS_TEXT[name] : "";
    }
    schedulePoll(name);
  }

  function showError(text, source) {
    state.errorSource = source;
    ui.alert.dataset.state = "error";
    ui.alert.textContent = text;
  }

  function clearError(source) {
    if (source && source !== state.errorSource) return;
    state.errorSource = "";
    delete ui.alert.dataset.state;
    ui.alert.textContent = "";
  }

  function setBusy(busy) {
    state.busy = busy;
    // aria-disabled rather than disabled, so a focused button keeps focus while the request runs.
    ui.send.setAttribute("aria-disabled", String(busy));
    ui.human.setAttribute("aria-disabled", String(busy));
    ui.input.readOnly = busy;
    if (!busy) releaseHeldEvents();
  }

  // ---- HTTP ----

  async function api(method, path, body) {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    let response;
    let raw;
    try {
      response = await fetch(API + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        mode: "cors", credentials: "omit", cache: "no-store",
      });
      raw = await response.text();
    } catch {
      throw new ApiError(0, NETWORK_ERROR);
    }
    let data = null;
    try {
      data = JSON.parse(raw);
    } catch {
      // not JSON (a proxy's error page, for instance): handled below
    }
    if (!response.ok) throw new ApiError(response.status, errorText(response, data));
    if (!data || typeof data !== "object") {
      throw new ApiError(response.status, "Support sent an unexpected reply. Please try again.");
    }
    return data;
  }

  function errorText(response, data) {
    if (data && typeof data.error === "string" && data.error) return data.error;
    if (response.status === 429) {
      const wait = (data && data.retry_after) || response.headers.get("Retry-After");
      return `You're sending messages too quickly. Please wait ${wait ? `${wait} seconds` : "a moment"} and try again.`;
    }
    return `Support couldn't handle that request (error ${response.status}). Please try again.`;
  }

  function applyConversation(conversation) {
    if (!conversation || !Array.isArray(conversation.messages)) {
      throw new ApiError(200, "Support sent an unexpected reply. Please try again.");
    }
    state.conversation = conversation;
    render();
  }

  // Any failure is shown. A 401 means the token is no longer valid: forget it, start afresh on the next send.
  function handleError(error, networkText, source) {
    if (error.status === 401) {
      forgetConversation();
      showError(error.message, source);
    } else {
      showError(error.status === 0 ? networkText : error.message, source);
    }
  }

  // POSTs a change and renders the conversation it returns; null if the conversation was replaced meanwhile.
  async function mutate(path, body) {
    const token = state.token;
    const data = await api("POST", path, body);
    if (token !== state.token) return null;
    mutations++;
    applyConversation(data.conversation);
    return data;
  }

  // Refreshes are coalesced: one GET at a time, and at most one more queued behind it.
  async function refresh() {
    if (!state.token) return;
    if (refreshing) {
      refreshQueued = true;
      return;
    }
    refreshing = true;
    const token = state.token;
    const seenMutations = mutations;
    try {
      const data = await api("GET", "conversation/");
      if (token !== state.token) return;
      if (seenMutations !== mutations) refreshQueued = true; // a write landed meanwhile; this GET may be older
      else {
        applyConversation(data.conversation);
        clearError("refresh");
      }
    } catch (error) {
      if (token === state.token) handleError(error, NETWORK_ERROR, "refresh");
    } finally {
      refreshing = false;
      if (refreshQueued) {
        refreshQueued = false;
        refresh();
      } else {
        renderStatus(); // re-arms polling, even after a failed GET
      }
    }
  }

  async function ensureConversation() {
    if (state.token) return;
    const data = await api("POST", "conversations/", {});
    if (typeof data.token !== "string" || !data.token) {
      throw new ApiError(201, "Support sent an unexpected reply. Please try again.");
    }
    setToken(data.token);
    mutations++;
    applyConversation(data.conversation);
    connectSocket();
  }

  // ---- actions ----

  // The text stays in the textarea (read-only meanwhile) until the server has accepted it, so a refused
  // or failed send loses nothing.
  async function sendMessage() {
    const text = ui.input.value.trim();
    if (!text || state.busy) return;
    setBusy(true);
    state.sending = true;
    state.awaitingReply = true;
    clearError();
    renderStatus();
    const ref = newRef(); // the same for every try of this message: it is stored and answered once
    try {
      await ensureConversation();
      const token = state.token;
      const ack = await sendOverSocket(text, ref);
      if (ack) {
        if (token === state.token) {
          mutations++;
          showSent(ack);
          ui.input.value = "";
        }
      } else if (await mutate("messages/", { text, ref })) ui.input.value = "";
    } catch (error) {
      state.awaitingReply = false;
      handleError(error, SEND_NETWORK_ERROR, "action");
    } finally {
      state.sending = false;
      setBusy(false);
      renderStatus();
    }
  }

  function newRef() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return "m" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // Sends a message over the open socket: its acknowledgement, a refusal thrown as an ApiError, or null if
  // the socket is not open or no acknowledgement came (then it goes over HTTP, under the same ref).
  function sendOverSocket(text, ref) {
    const socket = live.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => settle(null), ACK_TIMEOUT_MS);
      function settle(frame) {
        clearTimeout(timer);
        live.acks.delete(ref);
        if (frame && frame.type === "refused") {
          reject(new ApiError(frame.status, frame.error || SEND_NETWORK_ERROR));
        } else resolve(frame && frame.type === "ack" && frame.message ? frame : null);
      }
      live.acks.set(ref, settle);
      try {
        socket.send(JSON.stringify({ type: "message", ref, text }));
      } catch {
        settle(null);
      }
    });
  }

  // The acknowledged message joins the conversation shown (the answer follows as an event).
  function showSent(ack) {
    const conversation = state.conversation;
    if (!conversation) return;
    if (!conversation.messages.some((m) => m.id === ack.message.id)) {
      conversation.messages.push({ created_at: new Date().toISOString(), feedback: null, ...ack.message });
    }
    if (typeof ack.status === "string") conversation.status = ack.status;
    render();
  }

  async function requestHuman() {
    if (state.busy) return;
    setBusy(true);
    clearError();
    try {
      await ensureConversation();
      await mutate("human/", {});
    } catch (error) {
      handleError(error, NETWORK_ERROR, "action");
    } finally {
      setBusy(false);
    }
  }

  async function sendFeedback(messageId, value) {
    const message = state.conversation?.messages.find((m) => m.id === messageId);
    if (message && message.feedback === value) return; // the API has no "unset", so a second press is a no-op
    clearError();
    try {
      await mutate("feedback/", { message_id: messageId, value });
    } catch (error) {
      handleError(error, NETWORK_ERROR, "action");
    }
  }

  async function rate(score) {
    clearError();
    state.justRated = true; // set first, so the thanks appears in the same render as the new rating
    try {
      if (!(await mutate("rating/", { score }))) return;
      // The score buttons are gone; keep keyboard focus inside the panel.
      ui.input.focus({ preventScroll: true });
    } catch (error) {
      state.justRated = false;
      handleError(error, NETWORK_ERROR, "action");
    }
  }

  function forgetConversation() {
    disconnectSocket();
    setToken(null);
    state.conversation = null;
    state.awaitingReply = false;
    state.justRated = false;
    render();
  }

  function startOver() {
    forgetConversation();
    clearError();
    ui.input.focus();
  }

  // ---- live updates ----

  // An event names the message that came with it, if one did: a page that already shows that message and
  // the same status (the one that sent it: the answer to its request carried the conversation) need not read
  // the conversation again.
  function alreadyShown(data) {
    let event;
    try {
      event = JSON.parse(data);
    } catch {
      return false;
    }
    const conversation = state.conversation;
    return Boolean(
      conversation &&
        event.message &&
        event.status === conversation.status &&
        conversation.messages.some((message) => message.id === event.message),
    );
  }

  // After the live channel lost its events (Redis restarted), the server sends the conversation whole.
  function carriesConversation(data) {
    try {
      const event = JSON.parse(data);
      if (!event || !event.conversation) return false;
      mutations++; // a read under way is older than this
      applyConversation(event.conversation);
      return true;
    } catch {
      return false;
    }
  }

  function acknowledgement(data) {
    try {
      const frame = JSON.parse(data);
      return frame && (frame.type === "ack" || frame.type === "refused") ? frame : null;
    } catch {
      return null;
    }
  }

  function releaseHeldEvents() {
    const held = live.held.splice(0);
    if (held.some((data) => !alreadyShown(data))) refresh();
  }

  function connectSocket() {
    if (!state.token || live.socket || live.timer) return;
    const url = `${config.endpoint.replace(/^http/, "ws")}/ws/widget/?token=${encodeURIComponent(state.token)}`;
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      scheduleReconnect();
      return;
    }
    live.socket = socket;
    socket.onopen = () => {
      live.delay = 1000;
      refresh(); // catch up on anything that happened while disconnected
    };
    socket.onmessage = (frame) => {
      const reply = acknowledgement(frame.data);
      if (reply) {
        const settle = live.acks.get(reply.ref);
        if (settle) settle(reply);
        return;
      }
      if (!state.busy && carriesConversation(frame.data)) return; // sent whole: nothing to read
      if (state.busy) live.held.push(frame.data); // decided once the request's own answer is in
      else if (!alreadyShown(frame.data)) refresh();
    };
    socket.onclose = (event) => {
      for (const settle of [...live.acks.values()]) settle(null); // sent again over HTTP, same ref
      if (live.socket !== socket) return; // closed on purpose by disconnectSocket()
      live.socket = null;
      if (event.code === 4401) {
        forgetConversation();
        showError(EXPIRED_NOTICE, "refresh");
        return;
      }
      renderStatus(); // falls back to polling if an answer is awaited
      scheduleReconnect();
    };
  }

  function scheduleReconnect() {
    live.timer = setTimeout(() => {
      live.timer = null;
      connectSocket();
    }, live.delay);
    live.delay = Math.min(live.delay * 2, MAX_RECONNECT_MS);
  }

  function disconnectSocket() {
    clearTimeout(live.timer);
    live.timer = null;
    live.delay = 1000;
    const socket = live.socket;
    live.socket = null;
    if (socket) socket.close();
  }

  // Fallback while an answer is awaited and the socket is down: GET conversation/ every 3 s.
  function schedulePoll(name) {
    const socketOpen = live.socket && live.socket.readyState === WebSocket.OPEN;
    const wanted = (name === "typing" || name === "review") && state.token && !socketOpen && !state.busy;
    if (wanted && !pollTimer) {
      pollTimer = setTimeout(() => {
        pollTimer = null;
        refresh();
      }, POLL_MS);
    } else if (!wanted && pollTimer) {
      clearTimeout(pollTimer);
      pollTimer = null;
    }
  }
})();
