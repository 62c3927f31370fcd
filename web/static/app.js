// Small progressive enhancement; every page works without it.
// Filter menus submit their form when changed.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el && el.classList && el.classList.contains("autosubmit") && el.form) {
    el.form.submit();
  }
});
