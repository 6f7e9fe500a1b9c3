// Sign-up: pre-select the browser's time zone. The form works the same without it.
document.addEventListener("DOMContentLoaded", function () {
  var select = document.getElementById("id_time_zone");
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (select && zone && !select.dataset.touched && select.value === "UTC") {
    for (var i = 0; i < select.options.length; i++) { if (select.options[i].value === zone) { select.value = zone; break; } }
  }
});
