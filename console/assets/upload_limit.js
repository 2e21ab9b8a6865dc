// Uploads over the limit: dcc.Upload's max_size drops them silently, so say why here, before anything is sent.
(function () {
  "use strict";
  function check(files, target) {
    var upload = target && target.closest ? target.closest("#c-upload, #c-spec-load") : null;
    var limitNode = document.getElementById("c-upload-limit");
    if (!upload || !limitNode || !files) return;
    var limit = Number(limitNode.textContent);
    var big = Array.prototype.filter.call(files, function (f) { return f.size > limit; });
    var status = document.getElementById(upload.id === "c-upload" ? "c-upload-status" : "c-spec-status");
    if (!big.length || !status) return;
    status.textContent = big[0].name + ": too large (the limit is " + (limit / 1048576) + " MB); nothing was uploaded.";
    status.setAttribute("role", "alert");
  }
  document.addEventListener("change", function (e) { check(e.target.files, e.target); }, true);
  document.addEventListener("drop", function (e) { check(e.dataTransfer && e.dataTransfer.files, e.target); }, true);
})();
