// Live review queue: relays server events into page updates, and keyboard shortcuts.
// Without a websocket everything still works with reloads.
(function () {
  "use strict";
  const root = document.querySelector("[data-live-url]");
  if (!root) return;
  const status = document.getElementById("live-status");
  const draftId = root.dataset.draft;
  const me = root.dataset.me;
  let delay = 1000;
  let reconnecting = false; // the socket closed: read the queue again once it is back

  function setStatus(text) { if (status) status.textContent = text; }

  function refreshQueue() {
    const url = root.dataset.refreshUrl + window.location.search;
    window.htmx.ajax("GET", url, { target: "#rows", swap: "outerHTML" });
  }

  function showStale(text) {
    const stale = document.getElementById("stale");
    if (!stale) return;
    stale.textContent = text;
    stale.hidden = false;
    document.querySelectorAll("#decision-form button, #decision-form textarea").forEach((el) => { el.disabled = true; });
  }

  // Another reviewer decided this draft ({reviewer, action}) or took it (claimedBy): this page is out of date.
  function showChange(decided, claimedBy) {
    if (decided && decided.reviewer !== me) {
      showStale(`${decided.reviewer} has ${decided.action} this draft. This page is out of date.`);
    } else if (claimedBy && claimedBy !== me) {
      showStale(`${claimedBy} is now reviewing this draft.`);
    }
  }

  // What a draft's page missed while its socket was closed: decided or claimed by someone else.
  function checkDraft() {
    fetch(root.dataset.stateUrl, { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((state) => {
        if (state) showChange(state.decided, state.claimed_by);
      })
      .catch(() => {});
  }

  function onEvent(event) {
    if (!draftId) { refreshQueue(); return; }
    if (String(event.draft) !== draftId) return;
    if (event.name === "draft.decided") showChange({ reviewer: event.reviewer, action: event.action }, null);
    else if (event.name === "draft.claimed") showChange(null, event.reviewer);
  }

  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${window.location.host}${root.dataset.liveUrl}`);
    socket.onopen = () => {
      delay = 1000;
      setStatus("Live updates: on");
      if (reconnecting) { if (draftId) checkDraft(); else refreshQueue(); } // what changed while it was off
      reconnecting = false;
    };
    socket.onmessage = (message) => onEvent(JSON.parse(message.data));
    socket.onclose = () => {
      reconnecting = true;
      setStatus("Live updates: off — reload the page to see changes. Retrying…");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();

  function typing(target) { return ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName); }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) { if (event.key === "Escape") event.target.blur(); return; }
    if (draftId) {
      const button = document.querySelector(`#decision-form button[data-key="${event.key}"]`);
      if (button && !button.disabled) { event.preventDefault(); button.click(); }
      return;
    }
    const rows = Array.from(document.querySelectorAll("#rows tbody tr[data-draft]"));
    if (!rows.length) return;
    let index = rows.findIndex((row) => row.classList.contains("selected"));
    if (event.key === "j" || event.key === "k") {
      if (index >= 0) rows[index].classList.remove("selected");
      index = event.key === "j" ? Math.min(index + 1, rows.length - 1) : Math.max(index - 1, 0);
      rows[index].classList.add("selected");
      rows[index].scrollIntoView({ block: "nearest" });
    } else if (event.key === "Enter" && index >= 0) {
      rows[index].querySelector("a.open-draft").click();
    }
  });
})();
