// The kiosk (docs/ways-in.md): one step at a time by taps, a reset after a minute without
// a touch, and stories kept on the tablet while the network is down, each sent exactly
// once when it is back (the server makes one story per submission key, however often a
// story is sent). Without this script the page is one form that works on its own.
(function () {
  "use strict";
  var app = document.getElementById("kiosk-app");
  var form = document.getElementById("kiosk-form");
  if (!app || !form || !window.localStorage || !window.fetch) { return; }
  var thanks = document.getElementById("kiosk-thanks");
  var status = document.getElementById("kiosk-status");
  var queueName = app.getAttribute("data-queue");
  var idleMs = (parseInt(app.getAttribute("data-idle"), 10) || 60) * 1000;
  var thanksMs = 15000;
  var steps = Array.prototype.slice.call(form.querySelectorAll(".kiosk-step"));
  var current = 0;
  var idleTimer = null;
  var thanksTimer = null;
  var sending = false;
  var closed = false;

  // Every word the script shows comes from the page, translated there (data-* on #kiosk-app).
  var text = {
    next: app.getAttribute("data-next"),
    back: app.getAttribute("data-back"),
  };

  document.documentElement.classList.add("js");

  // --- the queue: stories waiting on this tablet ------------------------------------
  function readQueue() {
    try { return JSON.parse(window.localStorage.getItem(queueName) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(queue) {
    window.localStorage.setItem(queueName, JSON.stringify(queue));
  }
  function say(message) { status.textContent = message; }
  function sayQueue() {
    var waiting = readQueue().length;
    if (closed) { return; }
    if (!waiting) { say(""); return; }
    say(waiting === 1 ? app.getAttribute("data-one-waiting") : app.getAttribute("data-many-waiting").replace("%(count)s", waiting));
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function showClosed() {
    closed = true;
    form.hidden = true;
    thanks.hidden = true;
    var box = document.createElement("section");
    box.className = "kiosk-thanks";
    box.setAttribute("role", "alert");
    box.innerHTML = "";
    var heading = document.createElement("h1");
    heading.textContent = app.getAttribute("data-closed-heading");
    var body = document.createElement("p");
    body.textContent = app.getAttribute("data-closed-text");
    box.appendChild(heading);
    box.appendChild(body);
    app.insertBefore(box, form);
    say("");
  }

  // Send what waits, oldest first, one at a time. A story leaves the queue only when the
  // server has answered for it; a lost answer means it is sent again with the same key.
  function flush(onHelp) {
    if (sending || closed) { return; }
    var queue = readQueue();
    if (!queue.length) { sayQueue(); return; }
    sending = true;
    var item = queue[0];
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-Kiosk": "1", "Content-Type": "application/x-www-form-urlencoded" },
      body: item.body,
    }).then(function (response) {
      if (response.status === 429 || response.status >= 500) { throw new Error("later"); }
      return response.json().catch(function () { return {}; }).then(function (answer) {
        var rest = readQueue().filter(function (other) { return other.key !== item.key; });
        writeQueue(rest);
        if (response.status === 410) { showClosed(); return; }
        if (answer.help && onHelp) { onHelp(item.key, answer.help); }
      });
    }).then(function () {
      sending = false;
      if (readQueue().length && !closed) { flush(onHelp); } else { sayQueue(); }
    }, function () {
      sending = false;
      sayQueue();
    });
  }

  // --- steps ------------------------------------------------------------------------
  function addNav(step, index) {
    var nav = document.createElement("div");
    nav.className = "kiosk-nav";
    if (index > 0) {
      var back = document.createElement("button");
      back.type = "button";
      back.className = "kiosk-back";
      back.textContent = text.back;
      back.addEventListener("click", function () { show(index - 1); });
      nav.appendChild(back);
    }
    if (index < steps.length - 1) {
      var next = document.createElement("button");
      next.type = "button";
      next.className = "kiosk-next";
      next.textContent = text.next;
      next.addEventListener("click", function () { if (check(step)) { show(index + 1); } });
      nav.appendChild(next);
    }
    step.appendChild(nav);
  }

  function show(index) {
    current = index;
    steps.forEach(function (step, i) { step.classList.toggle("current", i === index); });
    var heading = steps[index].querySelector("h1, h2");
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: true }); }
    window.scrollTo(0, 0);
  }

  function problem(step, message) {
    var box = step.querySelector(".kiosk-problem");
    if (!box) {
      box = document.createElement("p");
      box.className = "field-error kiosk-problem";
      box.setAttribute("role", "alert");
      step.insertBefore(box, step.firstChild);
    }
    box.textContent = message || "";
    box.hidden = !message;
  }

  // The checks the server makes of this step, so a story kept offline is one it accepts.
  function check(step) {
    var name = step.getAttribute("data-step");
    var message = "";
    if (name === "service" && !form.querySelector("input[name=service]:checked")) {
      message = app.getAttribute("data-need-service");
    } else if (name === "who" && !form.querySelector("input[name=author_role]:checked")) {
      message = app.getAttribute("data-need-who");
    } else if (name === "story") {
      var body = form.elements.body.value.trim();
      var least = parseInt(form.elements.body.getAttribute("minlength"), 10) || 0;
      if (body.length < least) { message = app.getAttribute("data-need-story"); }
    } else if (name === "send" && !form.elements.consent.checked) {
      message = app.getAttribute("data-need-consent");
    }
    problem(step, message);
    return !message;
  }

  // --- finishing and starting again ---------------------------------------------------
  function reset() {
    window.clearTimeout(thanksTimer);
    form.reset();
    steps.forEach(function (step) { problem(step, ""); });
    form.elements.submission_key.value = newKey();
    thanks.hidden = true;
    form.hidden = false;
    shownKey = null;
    show(0);
    sayQueue();
  }

  var shownKey = null;
  function finish(sent, key) {
    window.clearTimeout(idleTimer);
    form.hidden = true;
    thanks.hidden = false;
    shownKey = key;
    thanks.querySelector("[data-thanks=sent]").hidden = !sent;
    thanks.querySelector("[data-thanks=idle]").hidden = sent;
    thanks.querySelector("[data-help]").hidden = true;
    // What was typed goes now, not when the thank-you ends.
    form.reset();
    thanks.focus();
    thanksTimer = window.setTimeout(reset, thanksMs);
  }

  function showHelp(key, help) {
    if (key !== shownKey || thanks.hidden) { return; }
    thanks.querySelector("[data-help-text]").textContent = help;
    thanks.querySelector("[data-help]").hidden = false;
    window.clearTimeout(thanksTimer);
    thanksTimer = window.setTimeout(reset, thanksMs * 4);
  }

  function touched() {
    window.clearTimeout(idleTimer);
    if (closed || form.hidden) { return; }
    idleTimer = window.setTimeout(function () {
      if (isStarted()) { finish(false, null); } else { reset(); }
    }, idleMs);
  }

  function isStarted() {
    if (current > 0) { return true; }
    return Array.prototype.some.call(form.elements, function (field) {
      if (field.type === "hidden" || field.name === "website") { return false; }
      if (field.type === "radio" || field.type === "checkbox") { return field.checked && field.name !== "service"; }
      return field.tagName === "TEXTAREA" || field.type === "text" ? field.value !== "" : false;
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var last = steps[steps.length - 1];
    if (!check(last)) { return; }
    var key = form.elements.submission_key.value;
    var body = new URLSearchParams(new FormData(form)).toString();
    var queue = readQueue();
    queue.push({ key: key, body: body });
    writeQueue(queue);
    finish(true, key);
    if (!navigator.onLine) { sayQueue(); return; }
    flush(showHelp);
  });

  steps.forEach(addNav);
  thanks.querySelector("[data-restart]").addEventListener("click", reset);
  ["pointerdown", "keydown", "input", "touchstart"].forEach(function (kind) {
    document.addEventListener(kind, touched, { passive: true });
  });
  window.addEventListener("online", function () { flush(showHelp); });
  window.addEventListener("offline", sayQueue);
  window.setInterval(function () { if (navigator.onLine) { flush(showHelp); } }, 30000);

  var full = document.querySelector("[data-fullscreen]");
  if (full && document.documentElement.requestFullscreen) {
    full.hidden = false;
    full.addEventListener("click", function () { document.documentElement.requestFullscreen().catch(function () {}); });
  }

  // A server-rendered error (this page after a send without the script) stays visible;
  // otherwise the kiosk starts clean, with a key of its own.
  var firstError = form.querySelector(".field-error");
  if (firstError) {
    var at = steps.indexOf(firstError.closest(".kiosk-step"));
    show(at >= 0 ? at : 0);
  } else {
    form.reset();
    form.elements.submission_key.value = newKey();
    show(0);
  }
  touched();
  sayQueue();
  flush(showHelp);
})();
