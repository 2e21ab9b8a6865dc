// PNG/SVG download buttons next to every chart: Plotly.downloadImage runs in the browser (offline).
// The page states its source once; an exported image travels alone, so the chart's source line
// (layout.meta.source, set by dashboard/figures.py) is printed at the bottom of the image.
var SOURCE_LINE_PX = 16;

function withSource(plot) {
    var layout = plot.layout || {};
    var source = layout.meta && layout.meta.source;
    if (!source) { return plot; }
    var lines = source.split("<br>").length;
    var margin = Object.assign({}, layout.margin || {});
    var extra = 12 + SOURCE_LINE_PX * lines;
    margin.b = (margin.b || 40) + extra;
    var note = {
        text: source, xref: "paper", yref: "paper", x: 0, y: 0, yanchor: "top", yshift: -(margin.b - extra + 4),
        showarrow: false, align: "left", font: {size: 10, color: "#555"}
    };
    var height = (plot.offsetHeight || layout.height || 500) + extra;
    var out = Object.assign({}, layout, {
        margin: margin, height: height, annotations: (layout.annotations || []).concat([note])
    });
    return {data: plot.data, layout: out, extraHeight: extra};
}

document.addEventListener("click", function (event) {
    var button = event.target.closest(".download-image");
    if (!button || !window.Plotly) { return; }
    var figure = button.closest("figure.chart");
    var plot = figure && figure.querySelector(".js-plotly-plot");
    if (!plot) { return; }
    var sourced = withSource(plot);
    window.Plotly.downloadImage({data: sourced.data, layout: sourced.layout}, {
        format: button.getAttribute("data-format") || "png",
        filename: button.getAttribute("data-filename") || "chart",
        width: plot.offsetWidth || 900,
        height: (plot.offsetHeight || 500) + (sourced.extraHeight || 0),
        scale: 2
    });
});
