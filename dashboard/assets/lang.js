// A page keeps the language it shows in its own address (docs/i18n.md): opened without a known ?lang= (the language came
// from the shared cookie or Accept-Language), the address gets ?lang= of <html lang> before Dash's renderer
// starts, so this tab's callbacks (which read the language from their page's address) and its reloads stay in
// it when another tab chooses another language. The page's links already carry it (urlstate.query_string).
(function () {
    var lang = document.documentElement.lang;
    var url = new URL(window.location.href);
    if (lang && (url.searchParams.get("lang") || "").toLowerCase() !== lang) {
        url.searchParams.set("lang", lang);
        window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
    }
})();
