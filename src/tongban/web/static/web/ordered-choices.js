// Ticked boxes in the order they were ticked: for a group of checkboxes named N, the hidden
// input marked data-order-for="N" holds the ticked values, comma-separated, in that order, and
// each ticked box shows its place. The server orders the ticked values by it (主送机关 and 抄送机关
// are printed in the order the clerk gives them). Without this script the hidden input keeps the
// order the page was given (the saved one) and newly ticked boxes follow in the list's order.
(function () {
  "use strict";
  document.querySelectorAll("input[type=hidden][data-order-for]").forEach(function (hidden) {
    var boxes = Array.prototype.filter.call(
      hidden.form ? hidden.form.elements : [],
      function (el) { return el.type === "checkbox" && el.name === hidden.dataset.orderFor; }
    );
    var ticked = function (value) {
      return boxes.some(function (b) { return b.checked && b.value === value; });
    };
    var order = hidden.value.split(",").map(function (v) { return v.trim(); }).filter(ticked);
    boxes.forEach(function (b) {
      if (b.checked && order.indexOf(b.value) < 0) order.push(b.value);
    });
    var show = function () {
      hidden.value = order.join(",");
      boxes.forEach(function (b) {
        var mark = b.parentNode.querySelector(".order-mark");
        var place = order.indexOf(b.value);
        if (place < 0) {
          if (mark) mark.remove();
          return;
        }
        if (!mark) {
          mark = document.createElement("span");
          mark.className = "order-mark";
          b.parentNode.appendChild(mark);
        }
        mark.textContent = String(place + 1);
      });
    };
    boxes.forEach(function (b) {
      b.addEventListener("change", function () {
        order = order.filter(function (v) { return v !== b.value; });
        if (b.checked) order.push(b.value);
        show();
      });
    });
    show();
  });
})();
