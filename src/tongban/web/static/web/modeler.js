// Loads the definition into bpmn-js and puts the edited XML into the form before it is posted.
(function () {
  "use strict";
  var container = document.getElementById("modeler");
  var form = document.getElementById("modeler-form");
  if (!container || !form || typeof BpmnJS === "undefined") { return; }
  // bpmn-js 18 binds the keyboard to its canvas itself (an explicit bindTo is an error now).
  var modeler = new BpmnJS({ container: container });
  var source = JSON.parse(document.getElementById("bpmn-source").textContent);
  modeler.importXML(source).then(function () {
    modeler.get("canvas").zoom("fit-viewport");
  }).catch(function (err) {
    container.textContent = String(err && err.message ? err.message : err);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    modeler.saveXML({ format: true }).then(function (result) {
      document.getElementById("modeler-xml").value = result.xml;
      form.submit();
    });
  });
})();
