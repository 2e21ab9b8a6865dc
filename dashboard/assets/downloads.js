// PNG/SVG download buttons next to every chart: Plotly.downloadImage runs in the browser (offline).
// On the page a chart's title is its HTML caption (it wraps at any width) and the page states its source
// once; an exported image travels alone, so it gets both drawn in: the title broken into lines that fit the
// image's width above the plot, the chart's source line (layout.meta.source, set by dashboard/figures.py)
// at the bottom, with the margins grown to hold them.
(function () {
    var TITLE_PX = 15, LINE_PX = 20, SOURCE_LINE_PX = 16;

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
    function addTitle(layout, title, width, height) {
        if (!title) { return 0; }
        var rows = lines(title, width), extra = rows.length * LINE_PX + 12;
        layout.title = {
            text: rows.join("<br>"), x: 0, xanchor: "left", xref: "paper",
            y: 1 - (extra / 2 + 4) / (height + extra), yanchor: "middle", yref: "container",
            font: {size: TITLE_PX}
        };
        layout.margin.t = (layout.margin.t || 0) + extra;
        return extra;
    }

    function addSource(layout) {
        var source = layout.meta && layout.meta.source;
        if (!source) { return 0; }
        var extra = 12 + SOURCE_LINE_PX * source.split("<br>").length;
        var bottom = layout.margin.b || 40;
        layout.margin.b = bottom + extra;
        layout.annotations = (layout.annotations || []).concat([{
            text: source, xref: "paper", yref: "paper", x: 0, y: 0, yanchor: "top", yshift: -(bottom + 4),
            showarrow: false, align: "left", font: {size: 10, color: "#555"}
        }]);
        return extra;
    }

    document.addEventListener("click", function (event) {
        var button = event.target.closest(".download-image");
        if (!button || !window.Plotly) { return; }
        var figure = button.closest("figure.chart");
        var plot = figure && figure.querySelector(".js-plotly-plot");
        if (!plot) { return; }
        var caption = figure.querySelector(".chart-title");
        var width = plot.offsetWidth || 900, height = plot.offsetHeight || 500;
        var layout = Object.assign({}, plot.layout, {margin: Object.assign({}, plot.layout.margin)});
        var extra = addTitle(layout, caption ? caption.textContent : "", width, height) + addSource(layout);
        var image = {data: plot.data, layout: layout, config: {topojsonURL: plot._context.topojsonURL}};
        window.Plotly.downloadImage(image, {
            format: button.getAttribute("data-format") || "png",
            filename: button.getAttribute("data-filename") || "chart",
            width: width, height: height + extra, scale: 2
        });
    });
})();
