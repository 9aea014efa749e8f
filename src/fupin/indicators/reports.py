"""The bulletin (通报) and the annual assessment report (R11.3), as PDF and Excel, built by a background job.

``indicators.services.start_report`` records the request and queues ``build_report`` (django-tasks); the job
reads what the requester may see — the same selectors as the pages, as that user — writes ``report.pdf`` (weasyprint, Noto Sans CJK,
charts as server-side SVG because weasyprint runs no JavaScript) and ``report.xlsx`` (openpyxl, one sheet per
table, native Excel charts) under ``VAR_DIR/reports/<id>/``, and moves ``Report.progress`` to 100.

Both documents are written in Chinese, the language of official bulletins, whatever the language of the page
that asked for them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_tasks import task

from fupin.core.audit import set_channel
from fupin.core.recovery import on_abandoned
from fupin.indicators import dashboard, definitions, selectors
from fupin.indicators.assessment import (
    Assessment,
    Figure,
    applicable_target,
    assess,
    is_met,
    rank_equal,
    region_flags,
)
from fupin.indicators.models import Period, Report
from fupin.regions.models import Level
from fupin.registry.svgchart import COLOURS, nice_max, text_width
from fupin.targets.models import Target

REPORT_LANGUAGE = "zh-hans"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_INDICATORS = 3
PDF_ROWS = 300  # rows of the assessment printed; the workbook has all of them  # bar charts of the children in the annual report


def report_dir(report: Report) -> Path:
    return Path(settings.VAR_DIR) / "reports" / str(report.pk)


def fmt(value: Decimal | float | None, digits: int = 2) -> str:
    """1234.5 → 1,234.5; 98.0000 → 98; None → —."""
    if value is None:
        return "—"
    text = f"{float(value):,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def level_name(level: int | None) -> str:
    if level is None:
        return ""
    return _("nation") if level == 0 else str(Level(level).label)


# --- requesting -------------------------------------------------------------------------------------------


def _say(report_id: int, progress: int, message: str, **extra: Any) -> None:
    Report.objects.filter(pk=report_id).update(progress=progress, message=message[:500], **extra)


@task()
def build_report(report_id: int) -> str:
    set_channel("task:report")
    report = Report.objects.select_related("period", "scheme", "created_by").get(pk=report_id)
    _say(report_id, 5, "正在读取指标 / reading indicators", status=Report.Status.RUNNING)
    try:
        if report.created_by is None:
            raise PermissionError("the requester no longer exists")
        with translation.override(REPORT_LANGUAGE):
            data = collect(report.created_by, report)
            _say(report_id, 40, "正在生成 PDF / writing the PDF")
            folder = report_dir(report)
            folder.mkdir(parents=True, exist_ok=True)
            pdf_path, xlsx_path = folder / "report.pdf", folder / "report.xlsx"
            pdf_path.write_bytes(render_pdf(data))
            _say(report_id, 80, "正在生成 Excel / writing the workbook")
            write_xlsx(data, xlsx_path)
    except Exception as exc:
        _say(report_id, 0, f"{type(exc).__name__}: {exc}", status=Report.Status.FAILED, finished_at=timezone.now())
        raise
    _say(report_id, 100, "完成 / done", status=Report.Status.DONE, finished_at=timezone.now(),
         pdf_path=str(pdf_path), xlsx_path=str(xlsx_path))
    return Report.Status.DONE


# --- what goes into a report --------------------------------------------------------------------------------


@dataclass
class Ranked:
    code: str
    name: str
    value: Decimal
    target: Target | None = None
    met: bool | None = None
    rank: int = 0


@dataclass
class IndicatorRanking:
    """The children of the region ranked by one indicator, best first, with the generated sentence."""

    indicator: definitions.Indicator
    rows: list[Ranked]
    missing: list[str]
    text: str = ""

    @property
    def met_count(self) -> int:
        return sum(1 for r in self.rows if r.met)

    @property
    def with_target(self) -> int:
        return sum(1 for r in self.rows if r.target is not None)


@dataclass
class ReportData:
    report: Report
    title: str
    region_name: str
    board: dashboard.Dashboard
    rankings: list[IndicatorRanking] = field(default_factory=list)
    assessment: Assessment | None = None
    summary: list[str] = field(default_factory=list)
    trend_periods: list[str] = field(default_factory=list)
    trend: dict[str, list[Decimal | None]] = field(default_factory=dict)
    generated_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def figures(self) -> list[Figure]:
        return [f for f in self.board.figures if f.value is not None or f.target is not None or f.no_data]

    @property
    def child_level_name(self) -> str:
        return level_name(self.board.child_level)


def rank_children(board: dashboard.Dashboard, code: str, period: Period) -> IndicatorRanking:
    """The children of the board's region ranked by indicator ``code`` (equal values share a rank), each with
    its target and whether it met it, and the sentence of the bulletin."""
    ind = definitions.INDICATORS[code]
    targets = list(Target.objects.assessable().filter(indicator=code))
    flags = region_flags([c.code for c in board.children], within=board.code,
                         wanted={t.scope_flag for t in targets if t.scope_flag})
    rows, missing = [], []
    for child in board.children:
        value = child.values.get(code)
        if value is None:
            missing.append(child.name)
            continue
        target = applicable_target(targets, child.code, flags.get(child.code, frozenset()), period)
        rows.append(Ranked(child.code, child.name, value, target,
                           is_met(value, target.threshold, ind.direction, target.strict) if target else None))
    rank_equal(rows, key="value", reverse=ind.direction >= 0)
    ranking = IndicatorRanking(ind, rows, missing)
    ranking.text = bulletin_sentence(ranking, board, period)
    return ranking


def bulletin_sentence(r: IndicatorRanking, board: dashboard.Dashboard, period: Period) -> str:
    region = board.region.name if board.region else _("the nation")
    unit = str(r.indicator.unit_label)
    if not r.rows:
        return _("No %(level)s of %(region)s has a value of %(indicator)s in %(period)s.") % {
            "level": level_name(board.child_level), "region": region, "indicator": r.indicator.name,
            "period": period.code}
    best, worst = r.rows[0], r.rows[-1]
    text = _("In %(period)s, of the %(count)d %(level)s of %(region)s with a value, %(best)s is best on "
             "%(indicator)s (%(best_value)s %(unit)s) and %(worst)s last (%(worst_value)s %(unit)s).") % {
        "period": period.code, "count": len(r.rows), "level": level_name(board.child_level), "region": region,
        "best": best.name, "indicator": r.indicator.name, "best_value": fmt(best.value), "unit": unit,
        "worst": worst.name, "worst_value": fmt(worst.value)}
    if r.with_target:
        text += " " + _("%(met)d of %(count)d reached their target.") % {"met": r.met_count, "count": r.with_target}
    if r.missing:
        text += " " + _("No value: %(names)s.") % {"names": "、".join(r.missing[:10])
                                                   + ("…" if len(r.missing) > 10 else "")}
    return text


def assessment_sentence(a: Assessment) -> str:
    if not a.rows:
        return _("No region was assessed.")
    best, worst = a.rows[0], a.rows[-1]
    return _("%(count)d %(level)s assessed by “%(scheme)s”: %(best)s first with %(best_score)s points, "
             "%(worst)s last with %(worst_score)s points (maximum %(maximum)s).") % {
        "count": len(a.rows), "level": level_name(a.scheme.level), "scheme": a.scheme.name, "best": best.name,
        "best_score": fmt(best.total), "worst": worst.name, "worst_score": fmt(worst.total),
        "maximum": fmt(a.maximum)}


def figures_sentence(figs: list[Figure]) -> str:
    with_target = [f for f in figs if f.target is not None and f.value is not None]
    if not with_target:
        return ""
    met = [str(f.indicator.name) for f in with_target if f.met]
    unmet = [str(f.indicator.name) for f in with_target if f.met is False]
    text = _("%(met)d of %(count)d indicators with a target reached it.") % {"met": len(met),
                                                                           "count": len(with_target)}
    if unmet:
        text += " " + _("Not yet reached: %(names)s.") % {"names": "、".join(unmet)}
    return text


def collect(user: Any, report: Report) -> ReportData:
    """Everything a report shows, read as ``user`` (so a report never holds more than its requester may see)."""
    board = dashboard.build(user, report.period, report.region_code)
    region_name = board.region.name if board.region else _("the nation")
    kind = _("bulletin") if report.kind == Report.Kind.BULLETIN else _("annual assessment report")
    title = _("%(region)s %(period)s %(kind)s") % {"region": region_name, "period": report.period.code,
                                                   "kind": kind}
    data = ReportData(report, title, region_name, board)
    if report.scheme is not None:
        data.assessment = assess(user, report.scheme, within=report.region_code)
        for row in data.assessment.rows[:PDF_ROWS]:
            row.cells = data.assessment.cells(row)
        data.summary.append(assessment_sentence(data.assessment))
    if board.children and (report.kind == Report.Kind.ANNUAL or report.scheme is None):
        # a ranking says who does best: only indicators where more (or less) is better
        data.rankings = [rank_children(board, code, report.period) for code in board.main
                         if definitions.INDICATORS[code].direction != 0]
        data.summary += [r.text for r in data.rankings]
    if report.kind == Report.Kind.ANNUAL:
        sentence = figures_sentence(data.figures)
        if sentence:
            data.summary.insert(0, sentence)
        # the ten years up to the report's own: a 2025 report never shows 2026
        last = report.period.code[:4]
        years = list(reversed([p for p in selectors.periods(Period.Kind.YEAR) if p.code[:4] <= last][:10]))
        data.trend_periods = [p.code for p in years]
        values = {(v.period_id, v.indicator): v.value
                  for v in selectors.trends(user, region=report.region_code, indicators=board.main, periods=years)}
        data.trend = {code: [values.get((p, code)) for p in data.trend_periods] for code in board.main}
    return data


# --- charts for the PDF (SVG drawn here: weasyprint runs no JavaScript) -------------------------------------


def bar_svg(rows: list[tuple[str, float]], *, unit: str = "", target: float | None = None,
            width: int = 640) -> SafeString:
    """Horizontal bars, in the order given (a ranking: best first), with the target as a dashed line."""
    if not rows:
        return mark_safe("")
    label_w = min(160, max(text_width(name) for name, _v in rows) + 8)
    left, right, top, row_h = label_w, 56, 18, 18
    height = top + row_h * len(rows) + 22
    plot_w = width - left - right
    high = nice_max(max([*(v for _n, v in rows), target or 0, 0.0]))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-size="10" font-family="Noto Sans CJK SC, sans-serif">']
    for k in range(5):
        x = left + plot_w * k / 4
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 20}" stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle">{fmt(high * k / 4, 1)}</text>')
    for i, (name, value) in enumerate(rows):
        y = top + row_h * i
        w = plot_w * max(value, 0) / high
        out.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(name)}</text>')
        out.append(f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{COLOURS[0]}"/>')
        out.append(f'<text x="{left + w + 4:.1f}" y="{y + 12}">{fmt(value)}</text>')
    if target is not None:
        x = left + plot_w * target / high
        out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 20}" stroke="#1f2328" '
                   f'stroke-dasharray="4 3"/>')
        out.append(f'<text x="{x:.1f}" y="{top - 6}" text-anchor="middle">{escape(_("target"))} {fmt(target)}</text>')
    if unit:
        out.append(f'<text x="{width - 4}" y="{height - 6}" text-anchor="end">{escape(unit)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # every text in it is escaped above


def line_svg(periods: list[str], series: list[tuple[str, list[float | None]]], *, width: int = 640,
             height: int = 240) -> SafeString:
    """One line per series over the periods; gaps where a period has no value."""
    present = [v for _n, values in series for v in values if v is not None]
    if not periods or not present:
        return mark_safe("")
    rows: list[list[tuple[int, str, str]]] = [[]]
    x = 48
    for i, (name, _values) in enumerate(series):
        w = 20 + text_width(name) + 12
        if x + w > width - 8 and rows[-1]:
            rows.append([])
            x = 48
        rows[-1].append((x, name, COLOURS[i % len(COLOURS)]))
        x += w
    left, right, top, bottom = 48, 16, 16, 24 + 16 * len(rows)
    plot_w, plot_h = width - left - right, height - top - bottom
    high = nice_max(max(present))
    step = plot_w / len(periods)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-size="10" font-family="Noto Sans CJK SC, sans-serif">']
    for k in range(5):
        y = top + plot_h - plot_h * k / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{fmt(high * k / 4, 1)}</text>')
    for i, p in enumerate(periods):
        out.append(f'<text x="{left + step * (i + 0.5):.1f}" y="{top + plot_h + 14}" '
                   f'text-anchor="middle">{escape(p)}</text>')
    for s, (_name, values) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        segment: list[str] = []
        for i, v in enumerate([*values, None]):
            if v is not None:
                px, py = left + step * (i + 0.5), top + plot_h - plot_h * v / high
                segment.append(f"{px:.1f},{py:.1f}")
                out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{colour}"/>')
            elif len(segment) == 1:
                segment = []
            elif segment:
                out.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" stroke-width="2"/>')
                segment = []
    for r, row in enumerate(rows):
        y = height - bottom + 34 + 16 * r
        for lx, name, colour in row:
            out.append(f'<line x1="{lx}" y1="{y - 4}" x2="{lx + 14}" y2="{y - 4}" stroke="{colour}" stroke-width="2"/>')
            out.append(f'<text x="{lx + 18}" y="{y}">{escape(name)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))


def charts(data: ReportData) -> dict[str, Any]:
    bars = []
    for r in data.rankings[:CHART_INDICATORS]:
        targets = {float(x.target.threshold) for x in r.rows if x.target is not None}
        bars.append({"title": r.indicator.name, "svg": bar_svg(
            [(x.name, float(x.value)) for x in r.rows[:40]], unit=str(r.indicator.unit_label),
            target=targets.pop() if len(targets) == 1 else None)})
    if data.assessment and data.assessment.rows:
        bars.insert(0, {"title": data.assessment.scheme.name, "svg": bar_svg(
            [(x.name, float(x.total)) for x in data.assessment.rows[:40]], unit=_("points"))})
    by_unit: dict[str, list[tuple[str, list[float | None]]]] = {}
    for c, values in data.trend.items():
        ind = definitions.INDICATORS[c]
        by_unit.setdefault(str(ind.unit_label), []).append(
            (str(ind.name), [None if v is None else float(v) for v in values]))
    trends = [{"unit": unit, "svg": line_svg(data.trend_periods, series, height=200)}
              for unit, series in by_unit.items()]  # one chart per unit: percentages and counts do not share an axis
    return {"bars": bars, "trends": [t for t in trends if t["svg"]]}


def render_pdf(data: ReportData) -> bytes:
    from weasyprint import HTML

    html = render_to_string("indicators/report_pdf.html", {"data": data, **charts(data),
                                                            "platform_name": _("Poverty Alleviation Platform")})
    return bytes(HTML(string=html).write_pdf())


# --- the workbook ---------------------------------------------------------------------------------------------


def _sheet_title(text: str) -> str:
    for c in "[]:*?/\\":
        text = text.replace(c, " ")
    return text[:31]


def write_xlsx(data: ReportData, path: Path) -> None:
    """One sheet per table; the rankings and the trend each with a native Excel chart."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Font

    bold = Font(bold=True)
    wb = Workbook()
    ws = wb.active
    ws.title = _sheet_title(str(_("Summary")))
    ws.append([data.title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_("region"), data.region_name, data.board.code or "—"])
    ws.append([_("period"), data.report.period.code])
    ws.append([_("as of"), data.report.period.data_note])
    ws.append([_("generated at"), timezone.localtime(data.generated_at).strftime("%Y-%m-%d %H:%M")])
    for sentence in data.summary:
        ws.append([sentence])
    ws.append([])
    header = [_("indicator"), _("unit"), _("value"), _("numerator"), _("denominator"), _("target"), _("due"),
              _("target met"), _("areas reporting")]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = bold
    for f in data.figures:
        ws.append([str(f.indicator.name), str(f.indicator.unit_label), str(_("no data")) if f.no_data else _num(f.value),
                   _num(f.numerator), _num(f.denominator), _num(f.target.threshold) if f.target else None,
                   f.target.due if f.target else None, _yes_no(f.met), f.reporting_rate])
    ws.column_dimensions["A"].width = 36

    board = data.board
    if board.children and board.main:
        ws = wb.create_sheet(_sheet_title(_("By %(level)s") % {"level": data.child_level_name}))
        ws.append([_("division code"), _("region"),
                   *[f"{i.name}（{i.unit_label}）" for i in board.main_indicators]])
        for cell in ws[1]:
            cell.font = bold
        for child in board.children:
            ws.append([child.code, child.name, *[_num(v) for v in child.cells(board.main)]])
        ws.column_dimensions["B"].width = 24

    if data.assessment is not None:
        a = data.assessment
        ws = wb.create_sheet(_sheet_title(_("Assessment")))
        ws.append([_("rank"), _("division code"), _("region"), _("score"),
                   *[f"{ind.name if ind else code} ×{fmt(w)}" for code, ind, w in a.indicators]])
        for cell in ws[1]:
            cell.font = bold
        for row in a.rows:
            ws.append([row.rank, row.code, row.name, _num(row.total), *[_num(row.scores[c]) for c, _w in a.weights]])
        ws.column_dimensions["C"].width = 24
        if a.rows:
            _bar_chart(ws, BarChart, Reference, title=a.scheme.name, col=4, rows=len(a.rows))

    for r in data.rankings:
        ws = wb.create_sheet(_sheet_title(str(r.indicator.name)))
        ws.append([_("rank"), _("division code"), _("region"), f"{r.indicator.name}（{r.indicator.unit_label}）",
                   _("target"), _("target met")])
        for cell in ws[1]:
            cell.font = bold
        for x in r.rows:
            ws.append([x.rank, x.code, x.name, _num(x.value), _num(x.target.threshold) if x.target else None,
                       _yes_no(x.met)])
        ws.append([])
        ws.append([r.text])
        ws.column_dimensions["C"].width = 24
        if r.rows:
            _bar_chart(ws, BarChart, Reference, title=str(r.indicator.name), col=4, rows=len(r.rows))

    if data.trend:
        ws = wb.create_sheet(_sheet_title(_("Trend")))
        ws.append([_("period"), *[str(definitions.INDICATORS[c].name) for c in data.trend]])
        for cell in ws[1]:
            cell.font = bold
        for i, p in enumerate(data.trend_periods):
            ws.append([p, *[_num(values[i]) for values in data.trend.values()]])
        chart = LineChart()
        chart.title = str(_("Trend"))
        chart.add_data(Reference(ws, min_col=2, max_col=1 + len(data.trend), min_row=1,
                                 max_row=1 + len(data.trend_periods)), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=1 + len(data.trend_periods)))
        chart.width, chart.height = 18, 9
        ws.add_chart(chart, f"{_column(len(data.trend) + 3)}2")
    wb.save(path)


def _bar_chart(ws: Any, bar_chart: Any, reference: Any, *, title: str, col: int, rows: int) -> None:
    chart = bar_chart()
    chart.type = "bar"
    chart.title = title
    chart.legend = None
    shown = min(rows, 40)
    chart.add_data(reference(ws, min_col=col, min_row=1, max_row=1 + shown), titles_from_data=True)
    chart.set_categories(reference(ws, min_col=3, min_row=2, max_row=1 + shown))
    chart.y_axis.scaling.orientation = "minMax"
    chart.x_axis.scaling.orientation = "maxMin"  # best at the top, as in the table
    chart.width, chart.height = 16, max(7.5, 0.5 * shown)
    ws.add_chart(chart, f"{_column(col + 4)}2")


def _column(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else (str(_("yes")) if value else str(_("no")))


@on_abandoned("fupin.indicators.reports.build_report")
def _report_abandoned(args: list[Any], kwargs: dict[str, Any], reason: str) -> None:
    """The worker stopped twice in the middle of this report (core.recovery): the report is failed, with the reason."""
    report_id = int(args[0] if args else kwargs["report_id"])
    Report.objects.filter(pk=report_id).exclude(status=Report.Status.DONE).update(
        status=Report.Status.FAILED, message=reason[:500], finished_at=timezone.now())
