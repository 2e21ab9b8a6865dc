// In-page links (a key finding -> its chart). Dash's renderer routes link clicks through history.pushState
// and resets the scroll, so such a click is kept from it and the target is scrolled into view (below the
// fixed header: CSS scroll-margin-top) and focused here.
window.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#']");
    if (!link) { return; }
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
    target.focus({preventScroll: true});
    target.scrollIntoView({block: "start"});
}, true);
