// PNG/SVG download buttons next to every chart: Plotly.downloadImage runs in the browser (offline).
// On the page a chart's title is its HTML caption (it wraps at any width); the image gets it drawn in,
// broken into lines that fit the image's width, with the top margin grown to hold them.
(function () {
    var TITLE_PX = 15, LINE_PX = 20;

    function lines(text, width) {
        var max = Math.max(20, Math.floor(width / (TITLE_PX * 0.55))), out = [], line = "";
        text.split(" ").forEach(function (word) {
            if (line && line.length + 1 + word.length > max) { out.push(line); line = word; }
            else { line = line ? line + " " + word : word; }
        });
        return out.concat(line ? [line] : []);
    }

    // The title's lines are centred in a band added above the figure (plotly anchors a multi-line title's
    // middle reliably; "top" cut its first line off).
    function withTitle(plot, title, width, height) {
        var layout = Object.assign({}, plot.layout, {margin: Object.assign({}, plot.layout.margin)});
        if (!title) { return {layout: layout, extra: 0}; }
        var rows = lines(title, width), extra = rows.length * LINE_PX + 12;
        layout.title = {
            text: rows.join("<br>"), x: 0, xanchor: "left", xref: "paper",
            y: 1 - (extra / 2 + 4) / (height + extra), yanchor: "middle", yref: "container",
            font: {size: TITLE_PX}
        };
        layout.margin.t = (layout.margin.t || 0) + extra;
        return {layout: layout, extra: extra};
    }

    document.addEventListener("click", function (event) {
        var button = event.target.closest(".download-image");
        if (!button || !window.Plotly) { return; }
        var figure = button.closest("figure.chart");
        var plot = figure && figure.querySelector(".js-plotly-plot");
        if (!plot) { return; }
        var caption = figure.querySelector(".chart-title");
        var width = plot.offsetWidth || 900, height = plot.offsetHeight || 500;
        var titled = withTitle(plot, caption ? caption.textContent : "", width, height);
        var image = {data: plot.data, layout: titled.layout, config: {topojsonURL: plot._context.topojsonURL}};
        window.Plotly.downloadImage(image, {
            format: button.getAttribute("data-format") || "png",
            filename: button.getAttribute("data-filename") || "chart",
            width: width, height: height + titled.extra, scale: 2
        });
    });
})();
