/* Renders /api/openapi.json as a browsable list of operations (no third-party assets). */
(function () {
  "use strict";
  var root = document.getElementById("api-docs");
  if (!root) return;
  function el(tag, text, cls) { var e = document.createElement(tag); if (text) e.textContent = text; if (cls) e.className = cls; return e; }
  function resolve(spec, schema) {
    if (schema && schema.$ref) { return spec.components.schemas[schema.$ref.split("/").pop()]; }
    return schema;
  }
  fetch(root.getAttribute("data-spec")).then(function (r) { return r.json(); }).then(function (spec) {
    root.innerHTML = "";
    root.appendChild(el("p", spec.info.title + " " + spec.info.version));
    Object.keys(spec.paths).sort().forEach(function (path) {
      var ops = spec.paths[path];
      Object.keys(ops).forEach(function (method) {
        var op = ops[method];
        var details = el("details", null, "api-op");
        var summary = el("summary");
        summary.appendChild(el("span", method.toUpperCase(), "method"));
        summary.appendChild(el("code", path));
        summary.appendChild(document.createTextNode(" — " + (op.summary || "")));
        details.appendChild(summary);
        if (op.description) details.appendChild(el("p", op.description));
        var body = op.requestBody && op.requestBody.content["application/json"];
        if (body) { details.appendChild(el("strong", "Request body")); details.appendChild(el("pre", JSON.stringify(resolve(spec, body.schema), null, 2))); }
        if (op.parameters) { details.appendChild(el("strong", "Parameters")); details.appendChild(el("pre", JSON.stringify(op.parameters, null, 2))); }
        Object.keys(op.responses).forEach(function (code) {
          var content = op.responses[code].content;
          var schema = content && content["application/json"] && content["application/json"].schema;
          details.appendChild(el("strong", code + " " + op.responses[code].description));
          if (schema) details.appendChild(el("pre", JSON.stringify(resolve(spec, schema), null, 2)));
        });
        root.appendChild(details);
      });
    });
  });
})();
