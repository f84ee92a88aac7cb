// pmsite serve: reloads the page after each successful rebuild and shows
// build errors over the page. Injected only while serving.
(function () {
  "use strict";
  var scrollKey = "pmsite-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    var y = parseInt(saved, 10) || 0;
    var restore = function () { window.scrollTo(0, y); };
    if (document.readyState === "complete") { restore(); } else { window.addEventListener("load", restore); }
  }

  var build = null;
  var box = null;
  // The file this page was built from, as the server names files.
  var path = decodeURIComponent(location.pathname).replace(/^\/+/, "");
  if (path === "" || path.charAt(path.length - 1) === "/") { path += "index.html"; }
  var reloadedKey = "pmsite-reloaded:" + location.pathname;

  function reload(forBuild) {
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    if (forBuild) { sessionStorage.setItem(reloadedKey, forBuild); }
    location.reload();
  }

  function showError(text) {
    if (!box) {
      box = document.createElement("div");
      box.id = "pmsite-error-overlay";
      box.setAttribute("role", "alertdialog");
      box.setAttribute("aria-label", "pmsite build error");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:rgba(20,20,24,.94);color:#fff;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:2rem;";
      var title = document.createElement("h2");
      title.textContent = "The build failed; this page is from the last good build.";
      title.style.cssText = "font:600 18px system-ui,sans-serif;margin:0 0 1rem;color:#ff8a80;";
      var pre = document.createElement("pre");
      pre.style.cssText = "white-space:pre-wrap;margin:0;";
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = "Dismiss";
      close.style.cssText = "position:absolute;top:1rem;right:1rem;";
      close.addEventListener("click", function () { box.style.display = "none"; });
      box.appendChild(close);
      box.appendChild(title);
      box.appendChild(pre);
      document.body.appendChild(box);
    }
    box.querySelector("pre").textContent = text;
    box.style.display = "block";
  }

  function hideError() {
    if (box) { box.remove(); box = null; }
  }

  // One connection per page that is shown: a browser opens at most six
  // connections to a host, so hidden tabs (and pages kept in the
  // back/forward cache) let go of theirs, and catch up when shown again.
  var es = null;

  function disconnect() {
    if (es) { es.close(); es = null; }
    if (window.__pmsite) { window.__pmsite.connected = false; }
  }

  function connect() {
    if (es) { return; }
    es = new EventSource("/__pmsite/events");
    es.addEventListener("hello", function (e) {
      var d = JSON.parse(e.data);
      // A different build than the one this page came from (the server
      // restarted, or rebuilt while disconnected): reload.
      if (build !== null && d.build !== build) { reload(); return; }
      build = d.build;
      // For tests and the curious: the build this page follows.
      window.__pmsite = { connected: true, build: build };
      if (d.error) { showError(d.error); } else { hideError(); }
    });
    es.addEventListener("reload", function (e) {
      var d = JSON.parse(e.data);
      if (d.partial) {
        // Only the pages of single incidents are written yet: reload now
        // if this page is one of the changed ones.
        if (d.changed && d.changed.indexOf(path) >= 0) { hideError(); reload(d.build); }
        return;
      }
      build = d.build;
      hideError();
      // Already reloaded for this build by the partial notice.
      if (sessionStorage.getItem(reloadedKey) === d.build) {
        sessionStorage.removeItem(reloadedKey);
        return;
      }
      reload();
    });
    es.addEventListener("failed", function (e) {
      showError(JSON.parse(e.data).error);
    });
    // A good build that changed no file (the broken save was undone).
    es.addEventListener("ok", function (e) {
      build = JSON.parse(e.data).build;
      window.__pmsite = { connected: true, build: build };
      hideError();
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { disconnect(); } else { connect(); }
  });
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", function () {
    if (!document.hidden) { connect(); }
  });
  if (!document.hidden) { connect(); }
})();
