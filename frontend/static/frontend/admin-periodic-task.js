// The admin's periodic task form (django-celery-beat): the chosen crontab in words under its field. The package
// ships this inline in its template; here it is a file, for the Content-Security-Policy.
(function () {
  var $ = window.django && window.django.jQuery;
  var data = document.getElementById("readable-crontabs");
  if (!$ || !data) return;
  var readable = JSON.parse(data.textContent);
  var help = $(".field-crontab .help");
  var original = help.html();
  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    help.html(original).append("<br>", document.createTextNode("Translation: " + readable[$("#id_crontab").val()]));
  });
})();
