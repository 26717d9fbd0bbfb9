// The room's screen: follows the meeting over Server-Sent Events and counts the speaker's
// time down. The server sends the live part whole, already escaped; EventSource reconnects
// by itself when the connection drops.
"use strict";

(function () {
  const live = document.getElementById("live");
  const connection = document.getElementById("connection");
  // Seconds to add to this machine's clock to read the server's.
  let offset = Number(live.dataset.now) - Date.now() / 1000;

  function clock(left) {
    const whole = Math.max(0, Math.ceil(left));
    const minutes = Math.floor(whole / 60);
    const seconds = String(whole % 60).padStart(2, "0");
    return minutes + ":" + seconds;
  }

  function tick() {
    const now = Date.now() / 1000 + offset;
    for (const element of live.querySelectorAll("[data-ends-at]")) {
      const left = Number(element.dataset.endsAt) - now;
      element.textContent = left > 0 ? clock(left) : "Time is up";
      element.classList.toggle("low", left <= 30);
      element.classList.toggle("up", left <= 0);
    }
  }

  const source = new EventSource(live.dataset.events);
  source.addEventListener("state", function (event) {
    const state = JSON.parse(event.data);
    offset = state.now - Date.now() / 1000;
    live.innerHTML = state.html;
    tick();
  });
  source.addEventListener("gone", function () {
    source.close();
    live.replaceChildren();
    const gone = document.createElement("p");
    gone.className = "gone";
    gone.textContent = "This screen's link has been replaced. Ask the chair for the new one.";
    live.append(gone);
    connection.textContent = "";
  });
  source.addEventListener("open", function () {
    connection.textContent = "";
    document.body.classList.remove("offline");
  });
  source.addEventListener("error", function () {
    connection.textContent = "Reconnecting…";
    document.body.classList.add("offline");
  });

  tick();
  setInterval(tick, 250);
})();
