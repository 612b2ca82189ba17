"""The build report: ``report.html`` (self-contained, offline) and a compact markdown twin.

``data`` reads a build output folder once and gathers what the report shows; ``page`` renders the HTML page
(charts from ``charts``, matplotlib SVG inlined) and writes ``report.html`` next to the datasets; ``markdown``
renders the markdown twin. The same folder gives the same bytes: nothing depends on the clock, the machine or
the absolute path of the folder.

It deliberately does not judge the build (validation does) and does not read previous builds from disk: the
caller passes the previous manifest for the diff.
"""

from pipeline.report.data import ReportData, collect_report_data
from pipeline.report.markdown import report_markdown
from pipeline.report.page import CHART_NAMES, SECTIONS, render_report, report_html

__all__ = ["CHART_NAMES", "SECTIONS", "ReportData", "collect_report_data", "render_report", "report_html",
           "report_markdown"]
