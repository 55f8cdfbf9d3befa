// The print button of the summary page (no inline script: the content security policy forbids it).
document.querySelectorAll("[data-print]").forEach(function (b) { b.addEventListener("click", function () { window.print(); }); });
