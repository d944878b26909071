// The diagram editor: bpmn-js with Camunda's and tongban's attributes, speaking the page's
// language, and a panel to set who does a step, its deadline, a timer's escalation and a
// flow's condition. The edited XML goes into the form before it is posted; the server checks it.
(function () {
  "use strict";
  var container = document.getElementById("modeler");
  var form = document.getElementById("modeler-form");
  if (!container || !form || typeof BpmnJS === "undefined") { return; }
  var strings = JSON.parse(document.getElementById("editor-strings").textContent);

  // bpmn-js's translate service: the page's strings, with {placeholders} filled in.
  function translate(template, replacements) {
    var text = strings[template] || template;
    return text.replace(/{([^}]+)}/g, function (match, key) {
      return replacements && replacements[key] !== undefined ? replacements[key] : match;
    });
  }

  function load(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(url + ": " + response.status); }
      return response.json();
    });
  }

  Promise.all([load(container.dataset.camundaModdle), load(container.dataset.tongbanModdle)])
    .then(function (descriptors) { start({ camunda: descriptors[0], tongban: descriptors[1] }); })
    .catch(function (err) { container.textContent = String(err && err.message ? err.message : err); });

  function start(extensions) {
    // bpmn-js 18 binds the keyboard to its canvas itself (an explicit bindTo is an error now).
    var modeler = new BpmnJS({
      container: container,
      moddleExtensions: extensions,
      additionalModules: [{ translate: ["value", translate] }]
    });
    var source = JSON.parse(document.getElementById("bpmn-source").textContent);
    modeler.importXML(source).then(function () {
      modeler.get("canvas").zoom("fit-viewport");
    }).catch(function (err) {
      container.textContent = String(err && err.message ? err.message : err);
    });
    stepPanel(modeler);
    // Nothing changed, nothing to save: a click would only add an identical version.
    var save = form.querySelector("button[type=submit]");
    var unchanged = document.getElementById("modeler-unchanged");
    // Back after a refused save, the page holds edits not saved yet.
    var pending = form.dataset.edited === "1";
    save.disabled = !pending;
    modeler.on("commandStack.changed", function () {
      var edited = pending || modeler.get("commandStack").canUndo();
      save.disabled = !edited;
      if (unchanged) { unchanged.hidden = edited; }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      modeler.saveXML({ format: true }).then(function (result) {
        document.getElementById("modeler-xml").value = result.xml;
        form.submit();
      });
    });
  }

  var TYPE_LABELS = {
    "bpmn:UserTask": "User task", "bpmn:Task": "Task", "bpmn:StartEvent": "Start event",
    "bpmn:EndEvent": "End event", "bpmn:BoundaryEvent": "Boundary event",
    "bpmn:ExclusiveGateway": "Exclusive gateway", "bpmn:ParallelGateway": "Parallel gateway",
    "bpmn:InclusiveGateway": "Inclusive gateway", "bpmn:SequenceFlow": "Sequence flow"
  };

  function kindOf(element) {
    var bo = element && element.businessObject;
    if (!bo || element.type === "bpmn:Process" || element.type === "label") { return "none"; }
    if (bo.$instanceOf("bpmn:UserTask")) { return "userTask"; }
    if (bo.$instanceOf("bpmn:BoundaryEvent") && (bo.eventDefinitions || []).some(function (d) {
      return d.$instanceOf("bpmn:TimerEventDefinition");
    })) { return "timer"; }
    if (bo.$instanceOf("bpmn:SequenceFlow") && bo.sourceRef &&
        (bo.sourceRef.$instanceOf("bpmn:ExclusiveGateway") ||
         bo.sourceRef.$instanceOf("bpmn:InclusiveGateway"))) { return "condition"; }
    return "other";
  }

  function stepPanel(modeler) {
    var panel = document.getElementById("element-panel");
    if (!panel) { return; }
    var modeling = modeler.get("modeling");
    var moddle = modeler.get("moddle");
    var current = null;

    function read(bo, prop) {
      if (prop === "name") { return bo.name || ""; }
      if (prop === "condition") { return bo.conditionExpression ? bo.conditionExpression.body || "" : ""; }
      var value = bo.get(prop);
      return value === undefined || value === null ? "" : String(value);
    }

    function show(element) {
      current = element;
      var kind = kindOf(element);
      panel.querySelectorAll("[data-show]").forEach(function (section) {
        var wanted = section.dataset.show;
        section.hidden = !(wanted === kind || (wanted === "any" && kind !== "none"));
      });
      if (kind === "none") { return; }
      var bo = element.businessObject;
      panel.querySelector("[data-field=type]").textContent = translate(TYPE_LABELS[bo.$type] || bo.$type);
      panel.querySelector("[data-field=id]").textContent = bo.id;
      panel.querySelectorAll("[data-prop]").forEach(function (input) {
        var section = input.closest("[data-show]");
        if (section && section.hidden) { return; }
        var value = read(bo, input.dataset.prop);
        if (input.type === "checkbox") {
          input.checked = value.toLowerCase() === "true";
        } else if (input.dataset.prop === "tongban:escalate" && value === "notify") {
          input.value = "";  // notifying is what a timer does when nothing else is said
        } else {
          input.value = value;
        }
      });
    }

    panel.addEventListener("change", function (event) {
      var input = event.target;
      var prop = input.dataset && input.dataset.prop;
      if (!prop || !current) { return; }
      var value = input.type === "checkbox" ? (input.checked ? "true" : undefined)
        : (input.value.trim() || undefined);
      var changes = {};
      if (prop === "condition") {
        changes.conditionExpression = value ? moddle.create("bpmn:FormalExpression", { body: value }) : undefined;
      } else {
        changes[prop] = value;
      }
      modeling.updateProperties(current, changes);
    });

    modeler.on("selection.changed", function (event) {
      var chosen = event.newSelection.length === 1 ? event.newSelection[0] : null;
      // A click on a flow's or an event's name selects its label: show what it names.
      show(chosen && chosen.type === "label" ? chosen.labelTarget : chosen);
    });
    modeler.on("element.changed", function (event) {
      if (current && event.element === current) { show(current); }
    });
  }
})();
