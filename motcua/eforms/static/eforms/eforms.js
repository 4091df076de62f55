// Progressive enhancement of an electronic form (motcua.eforms): sections and fields with
// a condition (data-show-if, the definition's COND) are shown or hidden as the applicant
// answers. Without this script the server decides, on "Cập nhật tờ khai" and on submit.
(function () {
  "use strict";
  function valueOf(form, path) {
    var els = form.querySelectorAll('[name="f.' + path + '"]');
    if (!els.length) { return undefined; }
    var out = [];
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (el.type === "checkbox") {
        if (els.length === 1) { return el.checked; }
        if (el.checked) { out.push(el.value); }
      } else if (el.type === "radio") {
        if (el.checked) { return el.value; }
      } else {
        return el.value;
      }
    }
    return els[0].type === "radio" ? undefined : out;
  }
  function filled(v) {
    if (v === undefined || v === null || v === false) { return false; }
    if (Array.isArray(v)) { return v.length > 0; }
    return String(v).trim() !== "";
  }
  function holds(cond, form) {
    if (!cond) { return true; }
    if (cond.all) { return cond.all.every(function (c) { return holds(c, form); }); }
    if (cond.any) { return cond.any.some(function (c) { return holds(c, form); }); }
    if (cond.not) { return !holds(cond.not, form); }
    var v = valueOf(form, cond.field);
    if (v === undefined) { return null; }  // not on the page: leave it to the server
    if ("equals" in cond) { return v === cond.equals || String(v) === String(cond.equals); }
    if ("in" in cond) {
      var vs = Array.isArray(v) ? v : [v];
      return vs.some(function (x) { return cond["in"].map(String).indexOf(String(x)) >= 0; });
    }
    if ("filled" in cond) { return filled(v) === cond.filled; }
    return true;
  }
  function update(form) {
    var nodes = form.querySelectorAll("[data-show-if]");
    for (var i = 0; i < nodes.length; i++) {
      var verdict = holds(JSON.parse(nodes[i].getAttribute("data-show-if")), form);
      if (verdict === null) { continue; }
      nodes[i].hidden = !verdict;
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("[data-eform]");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i].closest("form") || forms[i];
      form.addEventListener("change", update.bind(null, form));
      update(form);
    }
  });
})();
