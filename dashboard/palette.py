"""Colours: the Analysis Function's accessible palettes. Colour never carries meaning alone: every
coloured mark also has a text label (and, on charts, a marker shape)."""
# categorical: dark blue, turquoise, dark pink, orange, dark grey, light purple
AF_CATEGORICAL = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]
# sequential, light to dark
AF_SEQUENTIAL = ["#E8F1FA", "#B6D2EA", "#7FA8D4", "#4A7FBF", "#2A5A9A", "#12436D"]
# compare-with-benchmark, always shown with its text label
BENCHMARK_COLOURS = {"better": "#28A197", "similar": "#F4B400", "worse": "#801650",
                     "not compared": "#BFC1C3", "higher": "#12436D", "lower": "#A285D1"}
BENCHMARK_SYMBOLS = {"better": "circle", "similar": "diamond", "worse": "square", "not compared": "circle-open",
                     "higher": "triangle-up", "lower": "triangle-down", "benchmark": "star"}
NO_DATA_COLOUR = "#FFFFFF"
