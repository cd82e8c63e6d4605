"""The run report: what happened in a run, the change lists, what needs a person, charts."""

from leerlingimport.reports.charts import Chart, chart_changes, chart_year_groups, figure_png
from leerlingimport.reports.model import FileFacts, PreviousRun, RunReport, run_report
from leerlingimport.reports.render import render_report

__all__ = [
    "Chart",
    "FileFacts",
    "PreviousRun",
    "RunReport",
    "chart_changes",
    "chart_year_groups",
    "figure_png",
    "render_report",
    "run_report",
]
