import dash
from dash import dcc, html

dash.register_page(__name__, title="Page not found")

layout = html.Div([
    html.H1("Page not found"),
    html.P("There is no page at this address. It may have been mistyped or moved."),
    html.P([dcc.Link("Go to the mission overview", href="/"), " or ",
            dcc.Link("search for an area on the map", href="/map"), "."]),
])
