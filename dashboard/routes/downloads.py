"""Downloads: the whole tidy dataset, the LA view, the catalogue and one area's profile.

/download/observations.csv, /download/observations.parquet, /download/la_view.csv,
/download/metrics.csv, /download/area/<code>.csv (404 for unknown codes). The tables are the
data API's (`routes.api`), streamed as CSV in chunks; parquet is the build's file as it is.
"""
from __future__ import annotations

import io

import pandas as pd
from flask import Response, abort, redirect, send_file, stream_with_context

from dashboard.analysis import profile, profile_view
from dashboard.queries import areas, build
from dashboard.routes import api

CHUNK_ROWS = 20000


def _stamp() -> str:
    built = str(build.current().manifest.get("built_at", ""))[:10]
    return built.replace("-", "") if built else "build"


def _csv_stream(df: pd.DataFrame):
    def gen():
        for start in range(0, max(len(df), 1), CHUNK_ROWS):
            buf = io.StringIO()
            df.iloc[start:start + CHUNK_ROWS].to_csv(buf, index=False, header=start == 0, date_format="%Y-%m-%d")
            yield buf.getvalue()
    return gen()


def _csv_response(df: pd.DataFrame, filename: str) -> Response:
    if df is None or (df.empty and len(df.columns) == 0):
        abort(404)
    resp = Response(stream_with_context(_csv_stream(df)), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["Cache-Control"] = "no-cache"
    return resp


def register(server) -> None:
    @server.route("/download/observations.csv")
    def download_observations_csv():
        return _csv_response(api.observations_table(), f"wellbeing_observations_{_stamp()}.csv")

    @server.route("/download/observations.parquet")
    def download_observations_parquet():
        path = build.current().path("observations.parquet")
        if not path.exists():
            abort(404)
        return send_file(path, mimetype="application/vnd.apache.parquet", as_attachment=True,
                         download_name=f"wellbeing_observations_{_stamp()}.parquet", max_age=0)

    @server.route("/download/la_view.csv")
    def download_la_view_csv():
        return _csv_response(api.observations_table(view="local_authority"), f"wellbeing_la_view_{_stamp()}.csv")

    @server.route("/download/metrics.csv")
    def download_metrics_csv():
        return _csv_response(api.metrics_table(), f"wellbeing_metrics_catalogue_{_stamp()}.csv")

    @server.route("/download/area/<code>.csv")
    def download_area_csv(code: str):
        info = areas.resolve(code)
        if info["status"] == "retired" and info.get("successor_code"):
            return redirect(f"/download/area/{info['successor_code']}.csv")
        if info["status"] != "current":
            abort(404)
        df = profile_view.download_profile(info)
        name = f"profile_{profile.safe_filename(info['code'])}_{profile.safe_filename(str(info.get('name', '')))}.csv"
        return _csv_response(df, name)
