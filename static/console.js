/* lambda-console's own script: Format, Ctrl/Cmd+Enter, drag and drop, upload progress, focus after a swap.
   Loaded as a file (the CSP allows no inline script); every handler is delegated from the document, so it keeps
   working on fragments htmx swaps in. */
(function () {
  "use strict";

  /* The session's write key, when the console requires its access token. The sign-in page hands it over once; it
     is kept in localStorage, which belongs to this origin (scheme, host and port) alone, so another server on the
     same host, which the browser does send the session cookie to, can never learn it. Every htmx request carries it
     in a header and every form submitted adds it as a field: without it the server refuses any change. */
  var WRITE_KEY = "lambda-console-write-key";
  function writeKey() {
    try { return window.localStorage.getItem(WRITE_KEY) || ""; } catch (err) { return ""; }
  }
  function forgetWriteKey() {
    try { window.localStorage.removeItem(WRITE_KEY); } catch (err) { /* storage is off: nothing kept */ }
  }
  var given = document.querySelector('meta[name="lambda-console-write-key"]');
  if (given) {
    try { window.localStorage.setItem(WRITE_KEY, given.content); } catch (err) { /* changes will be refused */ }
    var next = document.querySelector('meta[name="lambda-console-next"]').content;
    window.location.replace(/^\/(?![\/\\])/.test(next) ? next : "/");  // this console's own paths only
  }
  if (document.querySelector('meta[name="lambda-console-signed-out"]')) forgetWriteKey();

  document.addEventListener("htmx:configRequest", function (event) {
    var key = writeKey();
    if (key) event.detail.headers["X-Lambda-Console-Key"] = key;
  });
  document.addEventListener("submit", function (event) {
    var form = event.target, key = writeKey();
    if (!key || (form.getAttribute("method") || "").toLowerCase() !== "post") return;
    if (form.hasAttribute("data-logout")) forgetWriteKey();
    var field = form.querySelector('input[name="lambda_console_key"]');
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "lambda_console_key";
      form.appendChild(field);
    }
    field.value = key;
  }, true);

  /* A refusal of the session (ended, or a change without the write key) says so at the top of the page. */
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr, main = document.getElementById("main");
    if (!xhr || (xhr.status !== 401 && xhr.status !== 403) || !main) return;
    var alert = document.getElementById("session-alert");
    if (!alert) {
      alert = document.createElement("p");
      alert.id = "session-alert";
      alert.className = "alert alert-error";
      alert.setAttribute("role", "alert");
      main.insertBefore(alert, main.firstChild);
    }
    alert.textContent = xhr.responseText;
  });

  /* A position in a text as 1-based line and column, and back. */
  function lineColumn(text, position) {
    var before = text.slice(0, position).split("\n");
    return { line: before.length, column: before[before.length - 1].length + 1 };
  }
  function offsetOf(text, line, column) {
    var lines = text.split("\n"), offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
    return Math.min(text.length, offset + Math.max(0, column - 1));
  }

  function showEventError(textarea, message, line, column) {
    var error = document.getElementById("event-json-error"), editor = textarea.lambdaConsoleEditor;
    if (error) { error.textContent = message; error.hidden = !message; }
    textarea.setAttribute("aria-invalid", message ? "true" : "false");
    if (editor && !message) editor.clearError();
    if (editor && message && !line) editor.setInvalid(true);
    if (message && line) {
      if (editor) {
        editor.markError(line, column || 1);  // the line is marked, the cursor put at the column
        return;
      }
      var at = offsetOf(textarea.value, line, column || 1);
      textarea.focus();
      textarea.setSelectionRange(at, at);
    }
  }

  /* The event's text, set through the editor where there is one (it writes the textarea back). */
  function setEventText(textarea, text) {
    if (textarea.lambdaConsoleEditor) textarea.lambdaConsoleEditor.setText(text);
    else textarea.value = text;
  }

  /* The event editor (static/codemirror-*.min.js): line numbers, brackets, and an editor that grows with the event,
     over the textarea, which stays the form's field. Without that script (or without script at all) the textarea
     is the editor. */
  function runTest() {
    var button = document.getElementById("test-button");
    if (button && !button.disabled) button.click();
  }
  function attachEditors(root) {
    if (!window.LambdaConsoleEditor || !root.querySelectorAll) return;
    Array.prototype.forEach.call(root.querySelectorAll("textarea[data-code-editor]"), function (textarea) {
      if (!textarea.lambdaConsoleEditor) window.LambdaConsoleEditor.attach(textarea, { onRun: runTest });
    });
  }
  // Scripts are deferred: the editor's bundle has run by DOMContentLoaded; forms swapped in later arrive by htmx:load.
  document.addEventListener("DOMContentLoaded", function () { attachEditors(document); });
  document.addEventListener("htmx:load", function (event) { attachEditors(event.detail.elt); });
  // A swapped-out form's editor lets go of the window's events it listens to.
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    var editor = event.detail.elt.lambdaConsoleEditor;
    if (editor) editor.view.destroy();
  });

  /* Format: pretty print the event with two spaces, or say where the JSON is broken. */
  function format(textarea) {
    var text = textarea.value;
    try {
      setEventText(textarea, JSON.stringify(JSON.parse(text), null, 2));
      showEventError(textarea, "", 0, 0);
    } catch (err) {
      var match = /position (\d+)/.exec(err.message), where = match ? lineColumn(text, Number(match[1])) : null;
      var message = "Event JSON: not valid JSON" + (where ? " at line " + where.line + ", column " + where.column : "") +
        ": " + err.message.replace(/\s*\(line \d+ column \d+\)/, "").replace(/ in JSON at position \d+/, "") +
        ". Fix it, then Format again.";
      showEventError(textarea, message, where && where.line, where && where.column);
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-format]");
    if (button) {
      var textarea = document.getElementById(button.getAttribute("data-format"));
      if (textarea) format(textarea);
    }
  });

  /* Ctrl+Enter (Cmd+Enter on a Mac) in the event runs the test, as in the AWS console's editor. */
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.matches("[data-run-shortcut]")) {
      event.preventDefault();
      runTest();
    }
  });

  /* Unsaved edits of the event are never dropped silently: choosing another event or template, Rename and
     Duplicate (which open the stored event) ask first while the name or the JSON differs from what was opened. */
  function unsavedEdits() {
    var fields = [document.getElementById("event_json"), document.getElementById("event_name")];
    return fields.some(function (field) { return field && field.value !== field.defaultValue; });
  }
  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    if (!elt.matches || !elt.matches("#choice, [data-guard-draft]") || !unsavedEdits()) return;
    event.preventDefault();
    var name = document.getElementById("event_name"), what = name && name.defaultValue ? "the event " + name.defaultValue : "this event";
    if (window.confirm("Discard your unsaved changes to " + what + "? Save keeps them.")) {
      event.detail.issueRequest(true);
    } else if (elt.id === "choice") {
      Array.prototype.forEach.call(elt.options, function (option) { option.selected = option.defaultSelected; });
    }
  });

  /* Copy buttons (the function URL, Request ID, response, log): shown only where script runs, they put the named
     field's value or element's text on the clipboard and say so for a moment. */
  function showCopyButtons() {
    if (!navigator.clipboard) return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-copy][hidden]"), function (button) {
      button.hidden = false;
    });
  }
  showCopyButtons();
  document.addEventListener("htmx:afterSettle", showCopyButtons);
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    var source = button && document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    // A field (the function URL) holds its text as its value; an element (Request ID, response, log) as its text.
    var field = "value" in source && typeof source.select === "function";
    var text = field ? source.value : source.textContent;
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    if (!navigator.clipboard || !window.isSecureContext) {
      if (field) source.select();  // copied by hand where the clipboard is refused
      return;
    }
    navigator.clipboard.writeText(text).then(function () {
      button.textContent = "Copied";
      window.setTimeout(function () { button.textContent = label; }, 1500);
    }, function () {
      if (field) source.select();
      button.textContent = "Copy failed";
    });
  });

  /* Drag and drop onto a package field: the file becomes the input's, as if chosen. */
  ["dragenter", "dragover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var zone = event.target.closest && event.target.closest("[data-dropzone]");
      if (!zone) return;
      event.preventDefault();
      zone.classList.add("dragging");
    });
  });
  document.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("dragging");
  });
  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest("[data-dropzone]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("dragging");
    var input = zone.querySelector("input[type=file]");
    if (input && event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  /* The file's name, remembered to name the new function after its package. */
  var lastPackageName = "";
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[type=file]") && event.target.files.length) {
      lastPackageName = event.target.files[0].name.replace(/\.zip$/i, "");
    }
  });

  /* Upload progress, from htmx's upload events, on the progress bar beside the file input. */
  document.addEventListener("htmx:xhr:progress", function (event) {
    var scope = event.target.closest("[data-dropzone], form") || event.target;
    var bar = scope.querySelector("progress.upload-progress");
    if (bar && event.detail.lengthComputable !== false && event.detail.total) {
      bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    }
  });

  /* An answer that arrives for an element no longer on the page is dropped: a running status's timer may still be
     polling when Cancel or a new Test replaces the result, and its late answer must not land anywhere. */
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    elt.addEventListener("htmx:beforeOnLoad", function (loaded) {
      if (!document.contains(elt)) loaded.preventDefault();
    }, { once: true });
  });

  /* The Test tab's dock: while the form's Test button is out of view (scrolled past, or the result brought into
     view), Test again and Edit event wait at the window's foot. */
  var dockQueued = false;
  function placeDock() {
    dockQueued = false;
    var dock = document.getElementById("test-dock"), button = document.getElementById("test-button");
    if (!dock) return;
    var box = button && button.getBoundingClientRect();
    var away = !!box && (box.bottom < 0 || box.top > window.innerHeight);
    if (dock.hidden === away) dock.hidden = !away;
  }
  function queueDock() {
    if (!dockQueued) { dockQueued = true; window.requestAnimationFrame(placeDock); }
  }
  window.addEventListener("scroll", queueDock, { passive: true });
  window.addEventListener("resize", queueDock);
  document.addEventListener("htmx:afterSettle", queueDock);
  document.addEventListener("click", function (event) {
    var edit = event.target.closest && event.target.closest("[data-dock-edit]");
    var textarea = edit && document.getElementById("event_json");
    if (!textarea) return;
    event.preventDefault();
    // The cursor goes back into the event, and the form's top (its Test button) into view.
    if (textarea.lambdaConsoleEditor) textarea.lambdaConsoleEditor.focus();
    else textarea.focus({ preventScroll: true });
    document.getElementById("test-form").scrollIntoView({ block: "start" });
  });

  /* After Test, the result's heading is brought into view unless it is there already (near the top half). */
  function showResult(region) {
    var box = region.getBoundingClientRect();
    if (box.top < 0 || box.top > window.innerHeight / 2) region.scrollIntoView({ block: "start" });
  }

  /* On a history entry's page, Run again shows a new entry: the heading and the address then name that one. */
  function showEntry(banner) {
    var heading = document.getElementById("entry-heading"), time = heading && heading.querySelector("time");
    if (!banner || !time) return;
    var url = banner.getAttribute("data-entry-url"), at = banner.getAttribute("data-entry-at");
    if (url === window.location.pathname) return;
    time.setAttribute("datetime", at);
    time.removeAttribute("data-local");  // the new entry may be of the same second: times.js shows it afresh
    time.textContent = time.title = at.slice(0, 19).replace("T", " ") + " UTC";
    window.history.replaceState(window.history.state, "", url);  // Back still leads to the page before
    document.dispatchEvent(new CustomEvent("lambda-console:times"));  // times.js shows it in local time
  }

  /* After a swap: the result takes the focus (or the event at its JSON error); a swapped form gives it back to the
     control that was used, or to what needs attention. */
  document.addEventListener("htmx:afterSettle", function (event) {
    // An outerHTML swap reports the element it replaced: look the new one up by its id.
    var target = event.detail.target;
    var trigger = event.detail.requestConfig ? event.detail.requestConfig.elt : null;  // what was clicked or changed
    if (target && target.id && !document.contains(target)) target = document.getElementById(target.id);
    if (target && (target.id === "result-body" || target.id === "presenter-result")) {
      showEntry(target.querySelector("[data-entry-url]"));
      var focus = target.querySelector("[data-focus]");
      if (!focus) return;
      var textarea = document.getElementById("event_json"), line = Number(focus.getAttribute("data-line"));
      if (textarea && line) {
        var message = focus.querySelector("p");
        showEventError(textarea, message ? message.textContent : "", line, Number(focus.getAttribute("data-column")));
      } else {
        var tested = target.id === "result-body" && trigger && trigger.id === "test-form";
        var region = tested && document.getElementById("result");
        focus.focus({ preventScroll: !!region });
        if (region) showResult(region);
      }
      return;
    }
    if (target && target.id === "test-form") {
      // A refused Save of broken JSON: the editor marks the line and puts the cursor at the column.
      var saveError = target.querySelector("#event-json-error[data-line]:not([hidden])");
      var eventField = document.getElementById("event_json");
      if (saveError && eventField) {
        showEventError(eventField, saveError.textContent, Number(saveError.getAttribute("data-line")),
                       Number(saveError.getAttribute("data-column")));
      }
    }
    if (target && target.id === "folder-field") {
      var folderHandler = document.getElementById("handler"), folderName = document.getElementById("name");
      var found = target.querySelector("#folder-handler-suggestions option");
      var path = document.getElementById("code_folder");
      if (folderHandler && !folderHandler.value && found) folderHandler.value = found.value;
      if (folderName && !folderName.value && found && path) {
        var last = path.value.replace(/[\/\\]+$/, "").split(/[\/\\]/).pop() || "";
        folderName.value = last.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 64);
      }
    }
    if (target && target.id === "package-field") {
      var handler = document.getElementById("handler"), name = document.getElementById("name");
      var suggestion = target.querySelector("#handler-suggestions option");
      if (handler && !handler.value && suggestion) handler.value = suggestion.value;
      if (name && !name.value && lastPackageName && !target.querySelector(".error")) {
        name.value = lastPackageName.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 64);
      }
    }
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;
    var again = trigger && trigger.id && document.getElementById(trigger.id);
    var next = again || document.querySelector("main [aria-invalid=true]") || document.querySelector("main [role=status], main [role=alert]");
    if (next) {
      if (!next.matches("a, button, input, select, textarea")) next.setAttribute("tabindex", "-1");
      next.focus();
    }
  });
})();
