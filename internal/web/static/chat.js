// trygg web chat: sends messages without reloading the page and shows the replies in place,
// and leaves quickly. The page works without this script (plain form posts); with it, the
// conversation is shown only in this page: nothing is written to the browser's storage or
// cookies, and the server keeps no message text.
(function () {
  "use strict";

  var exit = document.getElementById("exit");
  var log = document.getElementById("log");
  var chat = document.getElementById("chat");
  var langs = document.getElementById("langs");
  var input = document.getElementById("message");
  var send = document.getElementById("send");
  if (!exit || !log || !chat || !langs || !input || !send) {
    return;
  }
  document.documentElement.classList.add("js");
  var exitURL = exit.getAttribute("data-url");
  var ui = {
    web_you: log.getAttribute("data-you"),
    web_bot: log.getAttribute("data-bot"),
    web_offline: chat.getAttribute("data-offline")
  };
  var gone = false;
  var busy = false;

  function token() {
    return chat.elements.csrf.value;
  }

  // forget ends the conversation on the server (a beacon survives the page going away).
  function forget() {
    if (gone) {
      return;
    }
    gone = true;
    try {
      navigator.sendBeacon("/chat/exit", new URLSearchParams({ csrf: token() }));
    } catch (e) {
      // The conversation still ends by itself after a while.
    }
  }

  // quickExit replaces this page with the neutral one: replace, so Back does not return.
  function quickExit(ev) {
    if (ev) {
      ev.preventDefault();
    }
    log.replaceChildren();
    input.value = "";
    forget();
    window.location.replace(exitURL);
  }

  exit.addEventListener("click", quickExit);
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape" || ev.key === "Esc") {
      quickExit(ev);
    }
  });
  // Closing the tab (or leaving the page) ends the chat.
  window.addEventListener("pagehide", forget);
  // A page brought back from the browser's back/forward cache shows nothing of the chat.
  window.addEventListener("pageshow", function (ev) {
    if (ev.persisted) {
      log.replaceChildren();
      window.location.replace("/");
    }
  });

  // addText fills p with a reply's parts: text, and phone numbers as links to call.
  function addText(p, text, parts) {
    if (!parts || !parts.length) {
      p.textContent = text;
      return;
    }
    parts.forEach(function (part) {
      if (part.tel && part.tel.indexOf("tel:") === 0) {
        var a = document.createElement("a");
        a.className = "tel";
        a.href = part.tel;
        a.textContent = part.text;
        p.appendChild(a);
      } else {
        p.appendChild(document.createTextNode(part.text));
      }
    });
  }

  function add(kind, label, text, lang, parts, dir) {
    var li = document.createElement("li");
    li.className = kind === "notice" ? "notice" : "msg " + kind;
    if (lang) {
      li.lang = lang;
    }
    li.dir = dir || "auto";
    if (label) {
      var who = document.createElement("span");
      who.className = "who";
      who.textContent = label;
      li.appendChild(who);
    }
    var p = document.createElement("p");
    addText(p, text, parts);
    li.appendChild(p);
    log.appendChild(li);
    return li;
  }

  // relabel shows the page in the conversation's language.
  function relabel(lang, texts, dir) {
    if (!texts) {
      return;
    }
    ui = texts;
    document.documentElement.lang = lang;
    document.documentElement.dir = dir || "ltr";
    var els = document.querySelectorAll("[data-i18n]");
    for (var i = 0; i < els.length; i++) {
      var t = texts[els[i].getAttribute("data-i18n")];
      if (t) {
        els[i].textContent = t;
      }
    }
    chat.elements.lang.value = lang;
    var buttons = langs.querySelectorAll("button[name=lang]");
    for (var j = 0; j < buttons.length; j++) {
      if (buttons[j].value === lang) {
        buttons[j].setAttribute("aria-current", "true");
      } else {
        buttons[j].removeAttribute("aria-current");
      }
    }
  }

  function show(data) {
    if (data.csrf) {
      var fields = document.querySelectorAll("input[name=csrf]");
      for (var i = 0; i < fields.length; i++) {
        fields[i].value = data.csrf;
      }
    }
    relabel(data.lang, data.ui, data.dir);
    var first = null;
    if (data.notice) {
      first = add("notice", "", data.notice, "");
    }
    (data.replies || []).forEach(function (r) {
      var li = add("bot", ui.web_bot, r.text, r.lang, r.parts, r.dir);
      first = first || li;
    });
    if (first) {
      first.scrollIntoView({ block: "nearest" });
    }
  }

  function post(url, fields) {
    if (busy) {
      return;
    }
    busy = true;
    send.disabled = true;
    fields.csrf = token();
    if (!fields.lang) {
      fields.lang = chat.elements.lang.value;
    }
    fetch(url, {
      method: "POST",
      headers: { Accept: "application/json", "X-CSRF-Token": token() },
      body: new URLSearchParams(fields),
      credentials: "same-origin",
      cache: "no-store",
      redirect: "error"
    })
      .then(function (res) {
        return res.json();
      })
      .then(show)
      .catch(function () {
        add("notice", "", ui.web_offline, "");
      })
      .then(function () {
        busy = false;
        send.disabled = false;
        input.focus();
      });
  }

  // During a handoff staff answer in Slack; their replies wait on the server until the
  // page asks. It asks every few seconds while the page is visible and a message was sent.
  var started = false;
  setInterval(function () {
    if (!started || busy || document.visibilityState !== "visible") {
      return;
    }
    fetch("/chat/poll", {
      method: "POST",
      headers: { Accept: "application/json", "X-CSRF-Token": token() },
      body: new URLSearchParams({ csrf: token(), lang: chat.elements.lang.value }),
      credentials: "same-origin",
      cache: "no-store",
      redirect: "error"
    })
      .then(function (res) {
        // Past the poll limit (429) the staff replies stay queued for the next poll.
        return res.status === 429 ? null : res.json();
      })
      .then(function (data) {
        if (data && data.replies && data.replies.length) {
          show(data);
        }
      })
      .catch(function () {});
  }, 5000);

  chat.addEventListener("submit", function (ev) {
    ev.preventDefault();
    started = true;
    var text = input.value;
    if (!text.trim() || busy) {
      return;
    }
    add("you", ui.web_you, text, "").scrollIntoView({ block: "nearest" });
    input.value = "";
    post("/chat", { message: text });
  });

  langs.addEventListener("submit", function (ev) {
    var b = ev.submitter;
    if (!b || b.name !== "lang") {
      return; // an older browser: the form posts as it does without the script
    }
    ev.preventDefault();
    post("/chat/lang", { lang: b.value });
  });

  // Enter sends; Shift+Enter makes a new line.
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      if (chat.requestSubmit) {
        chat.requestSubmit();
      } else {
        send.click();
      }
    }
  });
})();
