// AlarmInbox console: progressive enhancement only; every page works without it.
(function () {
  "use strict";

  function fmt(template, label) { return template.replace("{0}", label); }
  var guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  var domain = /^(?=.{3,253}$)([a-z0-9-]+\.)+[a-z]{2,}$/i;
  var authority = /^https:\/\/[^\/]+\/[^\/]+/i;

  // Live validation: a message naming the field under each field, as the user types.
  function check(form, input) {
    var label = input.dataset.label || input.name;
    var value = input.value.trim();
    var hidden = input.closest("[hidden]") !== null;
    var message = "";
    // Razor writes a false bool into a data- attribute as "False".
    var required = input.required || (input.dataset.required !== undefined && input.dataset.required.toLowerCase() !== "false");
    if (!hidden) {
      if (required && value === "") {
        message = fmt(form.dataset.msgRequired, label);
      } else if (value !== "" && input.type === "number" && (isNaN(Number(value)) || (input.min && Number(value) < Number(input.min)) || (input.max && Number(value) > Number(input.max)))) {
        message = fmt(form.dataset.msgRange, label).replace("{1}", input.min).replace("{2}", input.max);
      } else if (value !== "" && input.pattern && !new RegExp("^(?:" + input.pattern + ")$").test(value)) {
        message = fmt(form.dataset.msgPattern, label);
      } else if (value !== "" && input.dataset.check === "guid" && !guid.test(value)) {
        message = fmt(form.dataset.msgGuid, label);
      } else if (value !== "" && input.dataset.check === "tenant" && !(guid.test(value) || domain.test(value) || authority.test(value))) {
        message = fmt(form.dataset.msgTenant, label);
      } else if (value !== "" && input.dataset.check === "secret" && guid.test(value)) {
        message = fmt(form.dataset.msgSecret, label);
      } else if (value !== "" && input.dataset.check === "objectid") {
        var client = form.querySelector("[data-check='guid']");
        if (!guid.test(value)) { message = fmt(form.dataset.msgGuid, label); }
        else if (client && client.value.trim().toLowerCase() === value.toLowerCase()) { message = fmt(form.dataset.msgObjectidSame, label); }
      }
    }
    var error = document.getElementById(input.id + "-error");
    if (error) { error.textContent = message; }
    if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    return message === "";
  }

  function fillScript(form) {
    ["o365-script", "graph-script"].forEach(function (id) { fillOne(form, document.getElementById(id)); });
  }

  function fillOne(form, script) {
    if (!script) { return; }
    var placeholders = document.getElementById("o365-script").dataset;
    var byCheck = function (name) { var el = form.querySelector("[data-check='" + name + "']"); return el ? el.value.trim() : ""; };
    var mailbox = (form.querySelector("[name='Form.Username']") || { value: "" }).value.trim();
    var values = {
      client: byCheck("guid") || placeholders.placeholderClient,
      object: byCheck("objectid") || placeholders.placeholderObject,
      mailbox: mailbox || placeholders.placeholderMailbox,
      org: (mailbox.indexOf("@") > 0 ? mailbox.split("@")[1] : "") || placeholders.placeholderOrg
    };
    script.querySelectorAll("[data-fill]").forEach(function (el) { el.textContent = values[el.dataset.fill]; });
  }

  function showAuth(form) {
    var chosen = form.querySelector("[data-auth-switch] input[type='radio']:checked");
    if (!chosen) { return; }
    form.querySelectorAll("[data-auth]").forEach(function (el) { el.hidden = el.dataset.auth.split(" ").indexOf(chosen.value) < 0; });
    form.querySelectorAll("[data-variant]").forEach(function (el) { el.hidden = el.dataset.variant !== chosen.value; });
    form.querySelectorAll("label[data-text-office365]").forEach(function (label) {
      label.textContent = chosen.value === "Office365" ? label.dataset.textOffice365 : chosen.value === "Graph" ? label.dataset.textGraph : label.dataset.textPassword;
      var input = document.getElementById(label.htmlFor);
      if (input) { input.dataset.label = label.textContent; }
    });
  }

  document.querySelectorAll("form[data-live-validate]").forEach(function (form) {
    var inputs = form.querySelectorAll("input[data-label], select[data-label]");
    inputs.forEach(function (input) {
      input.addEventListener("input", function () { check(form, input); fillScript(form); });
      input.addEventListener("blur", function () { check(form, input); });
    });
    form.querySelectorAll("[data-auth-switch] input").forEach(function (radio) {
      radio.addEventListener("change", function () { showAuth(form); });
    });
    var security = form.querySelector("select[data-port-default]");
    var port = form.querySelector("input[name='Form.Port']");
    if (security && port) {
      security.addEventListener("change", function () {
        if (port.value === "993" || port.value === "143" || port.value === "") { port.value = security.value === "SslOnConnect" ? "993" : "143"; check(form, port); }
      });
    }
    form.addEventListener("submit", function (event) {
      var ok = true;
      inputs.forEach(function (input) { if (!check(form, input)) { if (ok) { input.focus(); } ok = false; } });
      if (!ok) { event.preventDefault(); }
    });
    showAuth(form);
    fillScript(form);
  });

  // Copy buttons.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = document.getElementById(button.dataset.copy).textContent;
      var status = button.parentElement.querySelector(".copy-status");
      var done = function () { if (status) { status.textContent = button.dataset.copied; } };
      if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).then(done); }
      else {
        var area = document.createElement("textarea");
        area.value = text; document.body.appendChild(area); area.select();
        try { document.execCommand("copy"); done(); } finally { document.body.removeChild(area); }
      }
    });
  });

  // Live alarm feed: server-sent events with the rendered list items.
  var list = document.getElementById("alarm-list");
  if (list && list.dataset.feed && window.EventSource) {
    var state = document.getElementById("live-state");
    var source = new EventSource(list.dataset.feed);
    source.addEventListener("open", function () { if (state) { state.textContent = state.dataset.connected; } });
    source.addEventListener("error", function () { if (state) { state.textContent = state.dataset.disconnected; } });
    source.addEventListener("signedout", function () { source.close(); window.location.href = "/signin"; });
    source.addEventListener("alarm", function (event) {
      var holder = document.createElement("ul");
      holder.innerHTML = event.data;
      var item = holder.firstElementChild;
      if (!item) { return; }
      var existing = document.getElementById(item.id);
      if (existing) { existing.remove(); }
      item.classList.add("fresh");
      list.insertBefore(item, list.firstElementChild);
      var none = document.getElementById("no-alarms");
      if (none) { none.remove(); }
    });
  }
})();
