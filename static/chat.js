// The demo chat page refreshes its conversation the moment the server says it changed.
(function () {
  "use strict";
  let delay = 1000;
  let reconnecting = false; // the socket closed: read the conversation again once it is back
  function reload() {
    window.htmx.ajax("GET", "/chat/", { target: "#conversation", swap: "outerHTML" });
  }
  function connect() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${window.location.host}/ws/chat/`);
    socket.onopen = () => {
      delay = 1000;
      if (reconnecting) reload(); // what changed while it was off
      reconnecting = false;
    };
    socket.onmessage = reload;
    socket.onclose = () => {
      reconnecting = true;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
  // a sent message leaves the box empty (an htmx hx-on attribute would need eval, which the CSP refuses)
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (event.detail.successful && form.matches && form.matches("form[hx-post]")) form.reset();
  });
})();
