// The exercise editor: CodeMirror over the form's textarea. Without this file (or without JavaScript)
// the textarea itself is the editor and the form still posts.
document.addEventListener("DOMContentLoaded", function () {
  var area = document.getElementById("code");
  if (!area || !window.CodeMirror) return;
  var editor = window.CodeMirror.fromTextArea(area, {
    mode: "python",
    lineNumbers: true,
    indentUnit: 4,
    viewportMargin: Infinity,
    // Long lines wrap: a sideways-scrolling editor on a phone is a scroll region the keyboard cannot reach.
    lineWrapping: true,
    extraKeys: {
      Tab: function (cm) { cm.execCommand(cm.somethingSelected() ? "indentMore" : "insertSoftTab"); },
      // Esc leaves the editor for keyboard users (Tab itself indents).
      Esc: function (cm) { cm.getInputField().blur(); document.querySelector(".editor-form button").focus(); }
    }
  });
  // The textarea that CodeMirror types into is a new element: name it after the same label as ours.
  editor.getInputField().setAttribute("aria-labelledby", "code-label");
  // htmx serialises the textarea, so keep it in step with the editor.
  editor.on("change", function () { editor.save(); });
});
